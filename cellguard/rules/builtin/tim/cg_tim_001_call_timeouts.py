"""CG-TIM-001: calls to models, agents and tools have timeouts."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.edges import DependencyEdge
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.tim._helpers import a
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-TIM-001",
    title="Calls to models, agents and tools have timeouts",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.HIGH,
    applies_to=("dependency",),
    rationale=(
        "Model, agent and tool calls are the slowest and least predictable calls of a GenAI "
        "stack: a saturated GPU queue, a throttled quota or a stuck tool can hold a request for "
        "minutes. Without a timeout the caller's threads, connections and memory wait with it "
        "until it is exhausted too, and one slow dependency becomes an outage of everything "
        "upstream. A dependency's timeout_ms documents the caller's timeout; a call declared "
        "without one (a bare 'depends_on: [llm]') declares none, so here the absence is the "
        "defect rather than missing data. Async calls are not judged: the caller does not wait."
    ),
    source=(
        "Amazon Builders' Library, 'Timeouts, retries, and backoff with jitter'; "
        "M. Nygard, Release It! (2nd ed.), 'Timeouts' stability pattern; GENREL03"
    ),
    remediation=(
        "Set a per-attempt timeout on the client (SDK read timeout, HTTP client deadline, "
        "agent framework step timeout) sized from the callee's p99 latency, and declare it as "
        "timeout_ms on the depends_on entry."
    ),
    action="add-call-timeout",
)

JUDGED = (
    ComponentKind.MODEL_ENDPOINT,
    ComponentKind.EMBEDDING_MODEL,
    ComponentKind.AGENT,
    ComponentKind.TOOL,
)
"""Callee kinds whose calls this rule judges."""


def _judge(ctx: RuleContext, edge: DependencyEdge, kind: ComponentKind | None) -> Outcome:
    target = ctx.dependency_target(edge)
    stack = target.stack
    callee = localise(edge.target, stack)
    caller = localise(edge.source, stack)
    if not edge.blocking:
        return not_applicable(target, f"{caller} calls {callee} asynchronously; it does not wait.")
    if kind is not None and kind not in JUDGED:
        return not_applicable(
            target, f"{callee} is {a(kind.value)}; the check covers models, agents and tools."
        )
    if edge.timeout_ms is not None:
        return passed(
            target,
            f"{caller} calls {callee} with a {edge.timeout_ms} ms timeout.",
            ("timeout_ms",),
            callee_kind=kind.value if kind else None,
            timeout_ms=edge.timeout_ms,
            mode=edge.mode.value,
        )
    if kind is None:
        return unknown(
            target,
            f"{caller} calls {callee} without a timeout; {callee} is in a document that is not "
            "loaded, so whether it is a model, agent or tool is unknown.",
            (),
            callee_kind=None,
            timeout_ms=None,
            mode=edge.mode.value,
        )
    return failed(
        target,
        f"{caller} waits for {kind.value} {callee} ({edge.mode.value}) with no timeout: a hung "
        f"or saturated {callee} holds {caller}'s requests until it runs out of capacity too.",
        (),
        callee_kind=kind.value,
        timeout_ms=None,
        mode=edge.mode.value,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every dependency edge, including calls into documents that are not loaded."""
    graph = ctx.graph
    for edge in graph.dependency_edges():
        yield _judge(ctx, edge, graph.kind(edge.target))
    for pending in graph.unresolved:
        if isinstance(pending, DependencyEdge):
            yield _judge(ctx, pending, None)


RULE = PythonRule(META, check)
