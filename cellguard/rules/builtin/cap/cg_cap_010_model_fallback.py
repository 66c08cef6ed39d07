"""CG-CAP-010: model calls can degrade to a smaller model."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.capacity import failover_when_down
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap import _failover
from cellguard.rules.builtin.cap._helpers import journey_names
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed

META = RuleMeta(
    id="CG-CAP-010",
    title="Model calls can degrade to a fallback model sized for the primary's failure",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("dependency",),
    rationale=(
        "When the primary model is out of capacity (a throttled quota, a GPU fleet short of "
        "nodes, a surge beyond autoscaling) or down, a journey that can only call it fails. "
        "Falling back to a smaller or differently hosted model keeps the journey answering, "
        "at lower quality, and turns a hard dependency into a degraded one. The usual "
        "failover is the whole primary failing (a bad canary, a crash loop, a GPU driver "
        "fault), which sends all of the journeys' demand on it to the fallback at once: a "
        "fallback whose quota or fleet cannot carry that, less the shedding the design "
        "accepts (shed_on_failover), throttles exactly when it is needed. The fallback "
        "must carry it within its quota or its fleet's throughput (100%, an emergency)."
    ),
    source="AWS Well-Architected Reliability Pillar REL05-BP01 (graceful degradation)",
    remediation=(
        "Route failed or throttled model calls to a smaller model in another failure domain "
        "(e.g. a Bedrock model with its own quota behind a self-hosted fleet, or a smaller "
        "self-hosted model behind a Bedrock one) and declare it as fallback on the "
        "depends_on entry. Size the fallback for the primary's whole demand (a quota "
        "increase or provisioned throughput, more replicas), or, when degraded service is "
        "acceptable, state the share the design sheds on failover with shed_on_failover on "
        "the depends_on entry and shed it (rate limits by tier, a queue)."
    ),
    action="add-model-fallback",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every call to a model endpoint made on a journey."""
    for edge in ctx.graph.dependency_edges():
        if ctx.graph.kind(edge.target) is not ComponentKind.MODEL_ENDPOINT:
            continue
        target = ctx.dependency_target(edge)
        callee = localise(edge.target, target.stack)
        if not edge.on_required_path:
            how = "optional" if edge.optional else "asynchronous"
            yield not_applicable(
                target, f"The call to {callee} is {how}: the caller does not fail with it."
            )
            continue
        journeys = ctx.journeys_of(edge.source)
        if not journeys:
            yield not_applicable(target, f"The call to {callee} is on no declared journey.")
            continue
        names = journey_names(journeys, target.stack)
        one = len(journeys) == 1
        evidence: dict[str, Evidence] = {
            "fallback": localise(edge.fallback, target.stack) if edge.fallback else None,
            "journeys": [f"{s}/{j.id}" for s, j in journeys],
        }
        down = (
            failover_when_down(ctx.graph, edge.target, edge.fallback)
            if edge.fallback is not None
            else None
        )
        if down is not None:
            yield _failover.judge(ctx, target, edge, down, names)
        elif edge.fallback is not None:
            yield passed(
                target,
                f"{target.id} falls back to {localise(edge.fallback, target.stack)} (not a "
                "model: its capacity is not modelled).",
                ("fallback",),
                **evidence,
            )
        else:
            yield failed(
                target,
                f"{target.id} has no fallback model: when {callee} is out of capacity or "
                f"down, {'journey' if one else 'journeys'} {names} fail{'s' if one else ''} with it.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
