"""CG-FI-007: agent frameworks run as a service of their own, not in the app's process."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cellguard.models.components import Agent, App
from cellguard.models.enums import AgentIsolation, ComponentKind
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import listing
from cellguard.rules.context import CRITICAL_TIERS, RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-FI-007",
    title="Agent frameworks run as a service of their own, not in the app's process",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("agent", "app"),
    rationale=(
        "Agent and LLM orchestration frameworks (LangChain, LangGraph, LlamaIndex, CrewAI, "
        "AutoGen, Semantic Kernel) change quickly and run open-ended loops: a regression in "
        "an upgrade, a blocking call, a runaway tool loop or a memory blow-up inside the app's "
        "process takes the app down with it. Run as a service of its own, the agent is a "
        "bulkhead: it fails, scales and is released separately. Agents are judged on "
        "isolation (host implies in-process). Apps are flagged only when they embed one of "
        "those frameworks on the entry tier of a tier0/tier1 journey, where the blast radius "
        "is the whole journey; apps without a declared framework are out of scope."
    ),
    source="Michael T. Nygard, 'Release It!', 2nd ed. (2018), Bulkheads",
    remediation=(
        "Run the agent or orchestration code as its own service (own deployment, autoscaling "
        "and release) that the app calls with a timeout, declare it as kind: agent with "
        "isolation: service, and keep the entry tier's own code free of the framework."
    ),
    action="isolate-agent-service",
)

FAST_MOVING = ("langchain", "langgraph", "llamaindex", "crewai", "autogen", "ag2", "semantickernel")
"""Agent frameworks, compacted (lower case, no separators), matched as prefixes."""


def fast_moving(framework: str | None) -> bool:
    """Whether ``framework`` names a fast-moving agent framework (``LangChain.js`` counts)."""
    if not framework:
        return False
    compact = re.sub(r"[^a-z0-9]", "", framework.lower())
    return compact.startswith(FAST_MOVING)


def _entry_journeys(ctx: RuleContext, qid: str) -> list[str]:
    """``stack/journey (tier)`` of every tier0/tier1 journey entering at ``qid``."""
    return [
        f"{journey.id} ({journey.criticality.value})"
        for _, journey in ctx.entered_at(qid)
        if journey.criticality in CRITICAL_TIERS
    ]


def _agent(ctx: RuleContext, qid: str, comp: Agent) -> Outcome:
    target = ctx.component_target(qid)
    framework = comp.framework or "its framework"
    isolation = comp.isolation.value if comp.isolation is not None else None
    host = localise(comp.host, target.stack) if comp.host else None
    evidence = {"framework": comp.framework, "isolation": isolation, "host": host}
    if comp.isolation is AgentIsolation.SERVICE:
        return passed(
            target,
            f"{target.id} runs {framework} as a service of its own.",
            ("isolation",),
            **evidence,
        )
    if comp.isolation is AgentIsolation.IN_PROCESS or host is not None:
        inside = f"{host}'s" if host else "the app's"
        return failed(
            target,
            f"{target.id} runs {framework} inside {inside} process: a runaway loop, memory "
            f"blow-up or framework regression takes {host or 'the app'} down with it.",
            ("isolation",) if comp.isolation is not None else ("host",),
            **evidence,
        )
    return unknown(
        target,
        f"{target.id} does not say whether it runs in the app's process or as a service of its "
        "own (isolation).",
        ("isolation",),
        **evidence,
    )


def _app(ctx: RuleContext, qid: str, comp: App) -> Outcome:
    target = ctx.component_target(qid)
    journeys = _entry_journeys(ctx, qid)
    if comp.framework is None and journeys:
        return unknown(
            target,
            f"{target.id} is the entry tier of {listing(journeys)} but does not declare its "
            "framework (framework, e.g. fastapi or langgraph), so whether it runs a "
            "fast-moving agent framework in-process is unknown.",
            ("framework",),
            framework=None,
            entry_of=journeys,
        )
    if not fast_moving(comp.framework):
        return not_applicable(
            target, f"{target.id} declares no fast-moving agent framework (framework)."
        )
    if not journeys:
        return not_applicable(
            target,
            f"{target.id} runs {comp.framework} but is not the entry tier of a tier0/tier1 "
            "journey.",
        )
    return failed(
        target,
        f"{target.id} runs {comp.framework} in-process on the entry tier of "
        f"{listing(journeys)}: a framework regression, blocking call or runaway loop takes the "
        "journey's front door down; run the orchestration as a service of its own.",
        ("framework",),
        framework=comp.framework,
        entry_of=journeys,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every agent and every app."""
    for qid, comp in ctx.components(ComponentKind.AGENT, ComponentKind.APP):
        if isinstance(comp, Agent):
            yield _agent(ctx, qid, comp)
        elif isinstance(comp, App):
            yield _app(ctx, qid, comp)


RULE = PythonRule(META, check)
