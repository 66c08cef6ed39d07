"""CG-RED-011: no single replica, zone, cell or shared domain takes a journey down."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.availability.journeys import journey_result
from cellguard.assessments.availability.possible_pools import (
    possible_single_points,
    unplaced_single_points,
)
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

REGIONAL_KINDS = ("region", "account", "service")
"""Events that only a second region removes; CG-RED-002 judges those, so they are context here."""

META = RuleMeta(
    id="CG-RED-011",
    title="No single replica, zone, cell or shared domain takes a journey down",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "An order-1 minimal cut set of the journey's fault tree is a single point of failure: "
        "one replica, one zone, one cell or one shared domain whose failure alone stops the "
        "journey. Within a region these are fixable with more replicas over more zones, a "
        "fallback, or by not sharing the domain. Regional services, the region and the account "
        "are single points too, but only a second region removes them (CG-RED-002), so they "
        "are listed as evidence, not judged here. A pool AWS imposes (Lambda concurrency, a "
        "Bedrock model's quota) whose membership rests on a key left out (a service's runtime, "
        "a Bedrock endpoint's model) makes the verdict UNKNOWN when, were the component a "
        "member, the pool would take the journey down; so does a component the journey cannot "
        "lose whose replicas run in zones the spec does not declare (placement.zones)."
    ),
    source="AWS Well-Architected REL10-BP01 and REL11-BP01; Generative AI Lens GENREL05",
    remediation=(
        "Give each listed component at least two replicas in different zones "
        "(placement.zones, replicas), a fallback for the call, or take it out of the shared "
        "domain."
    ),
    action="remove-single-points",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """List each journey's order-1 cut sets that a region can fix."""
    for stack, journey in ctx.journeys():
        jt, result = journey_result(ctx.graph, stack, journey.id)
        target = ctx.journey_target(stack, journey.id)
        local: list[str] = []
        regional: list[str] = []
        for event in result.single_points:
            info = jt.events[event]
            (regional if info.kind in REGIONAL_KINDS else local).append(event)
        evidence: dict[str, Evidence] = {
            "single_points": [{"event": e, "label": result.labels[e]} for e in local],
            "regional_single_points": regional,
        }
        if local:
            names = ", ".join(result.labels[e] for e in local[:3])
            more = f" and {len(local) - 3} more" if len(local) > 3 else ""
            yield failed(
                target,
                f"{target.id} goes down when any one of these fails: {names}{more}.",
                (),
                **evidence,
            )
        elif unplaced := unplaced_single_points(ctx.graph, jt):
            yield unknown(
                target,
                f"{target.id} survives the loss of any one declared replica, zone, cell or "
                f"shared domain, but the zones of {', '.join(unplaced)} are not declared "
                "(placement.zones): their replicas may all run in one zone.",
                (),
                **evidence,
                zones_undeclared=unplaced,
            )
        elif possible := possible_single_points(ctx.graph, jt):
            pool = possible[0]
            yield unknown(
                target,
                f"{target.id} survives the loss of any one declared replica, zone, cell or "
                f"shared domain, but {', '.join(pool.missing)} not declared: as a member, "
                f"{pool.ref.id.split('/', 1)[1]} would take it down.",
                (),
                **evidence,
                possible_single_points=[
                    {"domain": p.ref.id, "known": list(p.known), "missing": list(p.missing)}
                    for p in possible
                ],
            )
        else:
            yield passed(
                target,
                f"{target.id} survives the loss of any one replica, zone, cell or shared domain.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
