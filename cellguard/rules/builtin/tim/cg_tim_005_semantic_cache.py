"""CG-TIM-005: repetitive high-volume journeys use a semantic cache (advisory).

Judged: chat and search journeys, where many users ask the same question in different words.
Completion journeys are left out on purpose: a completion (inline code completion above all)
continues a prefix that is unique to each request, so a semantic match returns the
continuation of a *different* text; exact prefix (KV) caching in the serving engine is the tool
there, not a semantic response cache.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.business import Journey
from cellguard.models.components import Cache
from cellguard.models.enums import Interaction
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.tim._helpers import a
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-TIM-005",
    title="Repetitive high-volume journeys use a semantic cache",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.LOW,
    applies_to=("journey",),
    rationale=(
        "Chat and search traffic repeats itself: the same questions arrive many times a minute "
        "in different words. A semantic cache answers those from an embedding lookup in "
        "milliseconds instead of seconds of generation, and every hit is a request that does not "
        "queue for GPUs or draw on a token quota, which leaves headroom for surges. Advice, not "
        "a defect: it pays off from a few tens of requests per second (20 rps here) and only "
        "when answers are not personal or time-sensitive."
    ),
    source=(
        "C. Huyen, AI Engineering (O'Reilly, 2025), ch. 10 (exact and semantic caching); "
        "AWS Well-Architected Agentic AI Lens AGENTCOST02-BP03; Amazon ElastiCache for Valkey "
        "documentation, 'semantic caching'"
    ),
    remediation=(
        "Put a semantic cache (ElastiCache/MemoryDB vector search, a gateway cache) in front of "
        "the model for answers that are not user-specific, with a similarity threshold and TTL; "
        "declare it as a component with kind: cache and semantic: true that the journey calls "
        "(an optional dependency)."
    ),
    action="add-semantic-cache",
    advisory=True,
)

REPETITIVE = (Interaction.CHAT, Interaction.SEARCH)
"""Interactions where many requests repeat each other."""

HIGH_VOLUME_RPS = 20.0
"""Peak requests per second from which a semantic cache is worth its cost and risk."""


def _judge(ctx: RuleContext, stack: str, journey: Journey) -> Outcome:
    """A journey with a semantic cache passes whatever its volume (so leaving out its peak or
    interaction cannot turn a PASS into NOT_APPLICABLE); otherwise low volume or a
    non-repetitive interaction is NOT_APPLICABLE, and high volume without one a FAIL."""
    target = ctx.journey_target(stack, journey.id)
    interaction = journey.interaction
    peak = journey.demand.peak_rps
    graph = ctx.graph
    caches = {
        localise(q, stack): comp.semantic
        for q in graph.journey_components(stack, journey.id)
        if isinstance(comp := graph.component(q), Cache)
    }
    found: dict[str, Evidence] = dict(sorted(caches.items()))
    evidence: dict[str, Evidence] = {
        "interaction": interaction.value if interaction else None,
        "peak_rps": peak,
        "caches": found,
    }
    semantic = sorted(name for name, flag in caches.items() if flag)
    if semantic:
        return passed(
            target,
            f"{journey.id} answers repeated questions from semantic cache {', '.join(semantic)}.",
            ("demand", "peak_rps"),
            **evidence,
        )
    if interaction is not None and interaction not in REPETITIVE:
        return not_applicable(
            target, f"{journey.id} is {a(interaction.value)} journey; its requests rarely repeat."
        )
    if peak is not None and peak < HIGH_VOLUME_RPS:
        return not_applicable(
            target,
            f"{journey.id} peaks at {peak:g} rps, below the {HIGH_VOLUME_RPS:g} rps worth caching.",
        )
    if interaction is None:
        return unknown(
            target,
            f"{journey.id} does not say how users experience it (interaction), so whether its "
            "requests repeat is unknown.",
            ("interaction",),
            **evidence,
        )
    if peak is None:
        return unknown(
            target,
            f"{journey.id} does not declare its peak demand (demand.peak_rps), so whether a "
            "semantic cache pays off is unknown.",
            ("demand", "peak_rps"),
            **evidence,
        )
    undeclared = sorted(name for name, flag in caches.items() if flag is None)
    if undeclared:
        return unknown(
            target,
            f"{journey.id} has cache {', '.join(undeclared)}, which does not say whether it is "
            "semantic (semantic).",
            ("demand", "peak_rps"),
            **evidence,
        )
    exact = sorted(caches)
    have = f" (only exact-match cache {', '.join(exact)})" if exact else ""
    return failed(
        target,
        f"{interaction.value.capitalize()} journey {journey.id} peaks at {peak:g} rps and sends "
        f"every request to the model{have}: a semantic cache would answer repeated questions "
        "in milliseconds and spare GPU and quota headroom.",
        ("demand", "peak_rps"),
        **evidence,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey."""
    for stack, journey in ctx.journeys():
        yield _judge(ctx, stack, journey)


RULE = PythonRule(META, check)
