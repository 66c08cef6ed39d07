"""CG-RED-015: routers in front of several regions or cells health-check their targets."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import Router
from cellguard.models.enums import RouterStrategy
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-RED-015",
    title="Routers in front of several regions or cells health-check their targets",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.MEDIUM,
    applies_to=("router",),
    rationale=(
        "A second region or a set of cells only contains a failure if traffic leaves the "
        "failed one. A router that does not health-check its targets keeps sending a failed "
        "region or cell its share of requests (a failover policy never fires, a latency or "
        "weighted policy keeps choosing the dead target) until someone edits the routing by "
        "hand, so the redundancy the stack pays for does not shorten the outage."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL11-BP02 (fail over to healthy resources); "
        "Amazon Route 53 Developer Guide, 'Configuring DNS failover' (health checks)"
    ),
    remediation=(
        "Health-check every target the router sends traffic to (Route 53 health checks on the "
        "records, load balancer target health, a cell router's probe of each cell), take "
        "failing targets out of rotation automatically, and declare health_checks: true."
    ),
    action="add-router-health-checks",
)

CONSEQUENCE = {
    RouterStrategy.FAILOVER: "its failover policy never fires",
    RouterStrategy.CELL_HASH: "the tenants of a failed cell keep being sent to it",
}
"""What a router without health checks does to a failed target, by strategy."""


def _domains(ctx: RuleContext, qid: str) -> tuple[list[str], list[str]]:
    """Regions and cells of the router and of the components it calls."""
    graph = ctx.graph
    reached = [qid, *(e.target for e in graph.dependencies(qid))]
    regions = sorted({r for q in reached for r in graph.placement(q).regions})
    stack = graph.stack_of(qid)
    cells = sorted({localise(c, stack) for q in reached for c in graph.placement(q).cells})
    return regions, cells


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every router whose traffic can go to more than one region or cell."""
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        if not isinstance(comp, Router):  # pragma: no cover - applies_to
            continue
        regions, cells = _domains(ctx, qid)
        if len(regions) < 2 and len(cells) < 2:
            yield not_applicable(
                target, f"{target.id} routes within one region and cell: nothing to route around."
            )
            continue
        strategy = comp.strategy
        evidence: dict[str, Evidence] = {
            "health_checks": comp.health_checks,
            "strategy": strategy.value if strategy else None,
            "regions": regions,
            "cells": cells,
        }
        spread = ", ".join(cells if len(cells) > 1 else regions)
        field = ("health_checks",)
        if comp.health_checks is True:
            yield passed(
                target,
                f"{target.id} health-checks its targets across {spread} and takes failed ones "
                "out of rotation.",
                field,
                **evidence,
            )
        elif comp.health_checks is False:
            effect = CONSEQUENCE.get(
                strategy or RouterStrategy.LATENCY, "a failed target keeps its share of traffic"
            )
            yield failed(
                target,
                f"{target.id} routes across {spread} without health checks: {effect}, so a "
                "region or cell outage lasts until the routing is changed by hand.",
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} routes across {spread} but does not say whether it health-checks "
                "its targets (health_checks).",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
