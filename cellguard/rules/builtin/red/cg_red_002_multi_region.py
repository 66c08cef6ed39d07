"""CG-RED-002: journeys whose tier or RTO demands it run in more than one region."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.business import Journey
from cellguard.models.enums import Criticality
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.stack import Stack
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import (
    DR_CLASSES,
    DR_SOURCE,
    REGIONAL_STRATEGIES,
    all_regions,
    required_components,
    serving_regions,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

FAST_RTO_MINUTES = 60.0
"""A tier1 journey with an RTO below this cannot wait for a region to come back."""
HIGH_AVAILABILITY = 99.99
"""An availability objective at or above this is at or above a single region's own."""

META = RuleMeta(
    id="CG-RED-002",
    title="Journeys whose tier or RTO demands it run in more than one region",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "Regional events (a control-plane or networking impairment, a model service outage, a "
        "capacity shortage) last hours. A tier0 journey, a tier1 journey whose RTO is under an "
        f"hour, or one promising {HIGH_AVAILABILITY}% or more cannot wait for the region to "
        "return: it must already run in a second region or be able to fail over to one "
        "(pilot light, warm standby or active-active; backup-and-restore takes hours). Recovery "
        f"times per strategy: {DR_SOURCE}."
    ),
    source=(
        "Generative AI Lens GENREL05 (distributed availability); AWS Well-Architected "
        f"REL10-BP01; {DR_SOURCE}"
    ),
    remediation=(
        "Deploy the journey's required path in a second region (placement.regions), or set "
        "practices.disaster_recovery.recovery_region with strategy pilot_light, warm_standby or "
        "active_active whose recovery time fits objectives.rto_minutes; copy data and models there."
    ),
    action="add-recovery-region",
)


def _demands(journey: Journey) -> list[str]:
    """Why the journey needs a second region; empty if it does not."""
    reasons = []
    objectives = journey.objectives
    if journey.criticality is Criticality.TIER0:
        reasons.append("tier0")
    elif (
        journey.criticality is Criticality.TIER1
        and objectives.rto_minutes is not None
        and objectives.rto_minutes < FAST_RTO_MINUTES
    ):
        reasons.append(f"tier1 with an RTO of {objectives.rto_minutes:g} min")
    if objectives.availability is not None and objectives.availability >= HIGH_AVAILABILITY:
        reasons.append(f"an availability objective of {objectives.availability:g}%")
    return reasons


def _undeclared(journey: Journey) -> list[str]:
    """The objectives that could demand a second region but are not declared."""
    objectives = journey.objectives
    missing = []
    if journey.criticality is Criticality.TIER1 and objectives.rto_minutes is None:
        missing.append("objectives.rto_minutes")
    if objectives.availability is None:
        missing.append("objectives.availability")
    return missing


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey."""
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        serving = serving_regions(ctx.graph, stack, journey.id)
        components = required_components(ctx.graph, stack, journey.id)
        regions = all_regions(ctx.graph, components)
        rto = journey.objectives.rto_minutes
        evidence: dict[str, Evidence] = {
            "serving_regions": serving,
            "regions": regions,
            "criticality": journey.criticality.value,
            "rto_minutes": rto,
            "availability": journey.objectives.availability,
        }
        if len(serving) >= 2:
            yield passed(
                target,
                f"{journey.id} can be served from each of {', '.join(serving)}.",
                ("entrypoint",),
                **evidence,
            )
            continue
        reasons = _demands(journey)
        undeclared = _undeclared(journey)
        if not reasons and undeclared:
            yield unknown(
                target,
                f"{journey.id} ({journey.criticality.value}) runs in "
                + (serving[0] if serving else "no single region that holds its required path")
                + f" and does not declare {' or '.join(undeclared)}, so whether it needs a "
                "second region is unknown.",
                ("objectives",),
                **evidence,
            )
            continue
        if not reasons:
            yield not_applicable(
                target,
                f"{journey.id} ({journey.criticality.value}"
                + (f", RTO {rto:g} min" if rto is not None else "")
                + ") does not demand a second region.",
            )
            continue
        where = (
            f"runs only in {serving[0]}"
            if serving
            else f"has no region that holds its whole required path ({', '.join(regions)})"
        )
        doc = ctx.document(stack)
        dr = doc.practices.disaster_recovery if isinstance(doc, Stack) else None
        strategy = dr.strategy if dr else None
        recovery = dr.recovery_region if dr else None
        evidence.update(
            strategy=strategy.value if strategy else None,
            recovery_region=recovery,
        )
        demand = " and ".join(reasons)
        if (
            recovery is not None
            and recovery not in serving
            and strategy is not None
            and strategy in REGIONAL_STRATEGIES
        ):
            cls = DR_CLASSES[strategy]
            bounds: list[Evidence] = [cls.fastest, cls.slowest]
            evidence["strategy_rto_minutes"] = bounds
            if rto is None or rto >= cls.fastest:
                yield passed(
                    target,
                    f"{journey.id} {where}, but fails over to {recovery} with "
                    f"{strategy.value} (recovers in {cls.describe()}); CG-RED-008 checks the RTO.",
                    ("entrypoint",),
                    **evidence,
                )
                continue
            yield failed(
                target,
                f"{journey.id} is {demand} but {where}; its {strategy.value} recovery to "
                f"{recovery} takes {cls.describe()}, more than the {rto:g}-min RTO.",
                ("objectives", "rto_minutes"),
                **evidence,
            )
            continue
        if recovery is None:
            plan = "and has no recovery region"
        elif strategy is None or strategy not in REGIONAL_STRATEGIES:
            shown = strategy.value if strategy else "unset"
            plan = f"and its DR strategy ({shown}) keeps nothing running in {recovery}"
        else:
            plan = f"and its recovery region {recovery} is one it already runs in"
        yield failed(
            target,
            f"{journey.id} is {demand} but {where} {plan}: a regional outage takes it down "
            "for hours.",
            ("criticality",),
            **evidence,
        )


RULE = PythonRule(META, check)
