"""CG-FI-006: cells call nothing outside their own cell except through the router."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.edges import DependencyEdge
from cellguard.models.components import ComponentBase, Guardrail
from cellguard.models.enums import ComponentKind, GuardrailProvider
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import listing
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import MANAGED_HOSTING, hosting

META = RuleMeta(
    id="CG-FI-006",
    title="Cells call nothing outside their own cell except through the router",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.HIGH,
    applies_to=("dependency",),
    rationale=(
        "A cell contains failures only if it is self-sufficient. A call from a cell to a "
        "component of another cell, or to a shared component the team runs outside the cells, "
        "makes that component a shared fate of every cell that calls it: its outage, overload "
        "or bad release takes all of them down and the cells no longer limit the blast radius. "
        "Regional managed services (Bedrock or external model APIs, Bedrock Guardrails) and "
        "telemetry back ends are accepted outside the cells; fallback targets are not judged."
    ),
    source=(
        "AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023), cell "
        "isolation"
    ),
    remediation=(
        "Deploy the callee into every cell of its callers (placement.cells), or move the call "
        "behind the router; if the callee must stay shared, make it a soft dependency "
        "(optional: true) with a local cache so a cell keeps serving without it."
    ),
    action="remove-cross-cell-dependency",
)


def _allowed_outside(kind: ComponentKind, comp: ComponentBase) -> str | None:
    """Why a callee outside the caller's cells is acceptable, if it is."""
    if kind is ComponentKind.ROUTER:
        return "through the router"
    if kind is ComponentKind.OBSERVABILITY:
        return "to a telemetry back end"
    if hosting(comp) in MANAGED_HOSTING:
        return "to a regional managed model service"
    if isinstance(comp, Guardrail) and comp.provider is GuardrailProvider.BEDROCK_GUARDRAILS:
        return "to a regional managed guardrail service"
    return None


def _judge(ctx: RuleContext, edge: DependencyEdge, resolved: bool) -> Outcome:
    graph = ctx.graph
    target = ctx.dependency_target(edge)
    stack = target.stack
    caller = localise(edge.source, stack)
    callee = localise(edge.target, stack)
    caller_cells = set(graph.placement(edge.source).cells)
    if not caller_cells:
        has_cells = bool(ctx.document(stack).topology.cells)
        reason = f"{caller} is not deployed in cells" if has_cells else f"{stack} has no cells"
        return not_applicable(target, f"{reason}; there is no cell boundary to cross.")
    shown = sorted(localise(c, stack) for c in caller_cells)
    evidence: dict[str, Evidence] = {
        "caller_cells": shown,
        "mode": edge.mode.value,
        "optional": edge.optional,
    }
    if not resolved:
        return unknown(
            target,
            f"{caller} (in cells {listing(shown)}) calls {callee} in a document that is not "
            "loaded; whether that is a router or a managed service cannot be checked.",
            ("to",),
            **evidence,
        )
    kind = graph.kind(edge.target)
    callee_cells = set(graph.placement(edge.target).cells)
    evidence["callee_kind"] = kind.value
    evidence["callee_cells"] = sorted(localise(c, stack) for c in callee_cells)
    allowed = _allowed_outside(kind, graph.component(edge.target))
    missing = sorted(localise(c, stack) for c in caller_cells - callee_cells)
    evidence["missing_cells"] = missing
    if not missing:
        return passed(target, f"{caller} calls {callee} inside its own cells.", ("to",), **evidence)
    if allowed is not None:
        return passed(
            target, f"{caller} leaves its cell only {allowed} ({callee}).", ("to",), **evidence
        )
    if callee_cells:
        return failed(
            target,
            f"{caller} (in cells {listing(shown)}) calls {callee}, which is not deployed in "
            f"{listing(missing)}: those cells depend on another cell, so one cell's failure "
            "spreads to the others.",
            ("to",),
            **evidence,
        )
    return failed(
        target,
        f"{caller} (in cells {listing(shown)}) calls {callee} ({kind.value}), which runs "
        "outside every cell: it is a shared fate of all of them, and its failure takes every "
        "cell down.",
        ("to",),
        **evidence,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every declared dependency, resolved or not."""
    edges = [(e, True) for e in ctx.graph.dependency_edges()]
    edges += [(e, False) for e in ctx.graph.unresolved if isinstance(e, DependencyEdge)]
    for edge, resolved in sorted(edges, key=lambda pair: (pair[0].source, pair[0].target)):
        yield _judge(ctx, edge, resolved)


RULE = PythonRule(META, check)
