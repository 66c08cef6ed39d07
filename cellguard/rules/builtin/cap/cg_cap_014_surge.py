"""CG-CAP-014: GPU fleets absorb the declared surge, by headroom or by scaling out in time."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cellguard.assessments.capacity import REQUESTS_PS, CapacityRow, Fleet, rounded
from cellguard.assessments.demand import JourneyLoad, Load
from cellguard.assessments.startup import scale_out
from cellguard.assessments.throughput_media import WORK_UNITS
from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._capacity import (
    judge_fleets,
    missing_text,
    percent,
    rate,
    row_evidence,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-CAP-014",
    title="GPU fleets absorb the declared surge by headroom or by scaling out in time",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "A surge (a status-page banner, a launch e-mail) arrives over minutes. A GPU fleet "
        "absorbs it only if it already has the headroom, or if new replicas serve before "
        "the surge peaks and the autoscaler may add enough of them. A replica that needs "
        "seven minutes to launch, pull its image and load its weights is no help against a "
        "surge that peaks in five; an autoscaling maximum below the surge's need caps the "
        "fleet short of it."
    ),
    source="AWS Well-Architected Reliability Pillar REL07-BP01",
    remediation=(
        "Keep enough replicas for the surge running (min replicas at the surge's need), or "
        "shorten the cold start below the surge's ramp (model cache, image pre-pull, warm "
        "pools) and raise autoscaling.max to at least the surge's need; declare "
        "business.journeys[].demand.surge, serving.cold_start_seconds and autoscaling."
    ),
    action="absorb-surge",
)

HEADROOM_LIMIT = 1.0
"""A surge is absorbed by headroom when the running fleet's utilisation stays at or below 100%:
a transient peak may queue briefly, but the queue drains."""


@dataclass(frozen=True)
class Surge:
    """The worst declared surge on a component."""

    journey: str
    multiplier: float
    ramp_seconds: int
    demand: float


def _per_request(journey: JourneyLoad, unit: str) -> float | None:
    """One request's work in the row's ``unit``: a request, its output tokens, or its images,
    embedded items or audio seconds (demand.unit, issue 17); ``None`` when undeclared."""
    if unit == REQUESTS_PS:
        return 1.0
    if unit in WORK_UNITS:
        return journey.per_request
    return None if journey.output_tokens is None else float(journey.output_tokens)


def worst_surge(load: Load, row: CapacityRow, surges: dict[str, tuple[float, int]]) -> Surge | None:
    """The journey surge that raises demand on ``row`` the most (one journey surging at a time).

    ``surges`` maps ``stack/journey`` to its declared (multiplier, ramp seconds).
    """
    best: Surge | None = None
    for j in load.journeys:
        declared = surges.get(j.name)
        work = _per_request(j, row.unit)
        if declared is None or j.rps is None or work is None:
            continue
        multiplier, ramp = declared
        own = j.rps * work  # the route's share of it
        demand = (row.demand or 0.0) + (multiplier - 1) * own
        if best is None or demand > best.demand:
            best = Surge(j.name, multiplier, ramp, demand)
    return best


def _judge(
    target: Target,
    model: Fleet,
    comp: ModelEndpoint | EmbeddingModel,
    surges: dict[str, tuple[float, int]],
) -> Iterator[Outcome]:
    """Judge whether one GPU fleet absorbs the largest declared surge reaching it."""
    row = model.row
    surge = worst_surge(model.load, row, surges)
    silent = [localise(j.name, target.stack) for j in model.load.journeys if j.name not in surges]
    if surge is None:
        if silent:
            yield unknown(
                target,
                f"No journey reaching {target.id} declares its surge ({', '.join(silent)}: "
                "demand.surge; multiplier 1 when demand never rises above peak_rps), so "
                "whether it absorbs one is unknown.",
                ("serving",),
                surge_undeclared=silent,
            )
        elif lacking := model.load.lacking("peak_rps", "output_tokens"):
            names = [localise(n, target.stack) for n in lacking]
            yield unknown(
                target,
                f"The journeys whose surge reaches {target.id} do not declare their demand "
                f"({', '.join(names)}: demand.peak_rps, demand.output_tokens), so whether it "
                "absorbs the surge is unknown.",
                ("serving",),
                demand_undeclared=names,
            )
        else:
            yield not_applicable(target, f"No journey with a known demand reaches {target.id}.")
        return
    declared = comp.serving.cold_start_seconds if comp.serving else None
    started = scale_out(comp)  # the start-up's total when it is longer (issue 16 item 4)
    cold = started.judged_seconds
    scaling = comp.autoscaling
    per, regions = row.per_replica, max(len(row.regions), 1)
    at_max = per * scaling.max * regions if per is not None and scaling else None
    evidence: dict[str, Evidence] = row_evidence(row, "unit", "demand", "supply", "replicas")
    evidence.update(
        surge_journey=surge.journey,
        surge_multiplier=surge.multiplier,
        surge_ramp_seconds=surge.ramp_seconds,
        surge_demand=rounded(surge.demand, 1),
        surge_utilisation=rounded(surge.demand / row.supply, 3) if row.supply else None,
        cold_start_seconds=declared,
        **started.evidence(),
        autoscaling_max=scaling.max if scaling else None,
        supply_at_max=rounded(at_max, 1),
    )
    need = rate(surge.demand, row.unit)
    journey = localise(surge.journey, target.stack)
    what = f"the {surge.multiplier:g}x surge of {journey} ({need} within {surge.ramp_seconds} s)"
    if row.supply is None:
        yield unknown(
            target,
            f"{target.id} faces {what}, but its supply is unknown: {missing_text(row)}.",
            ("serving",),
            **evidence,
        )
        return
    doubt = []
    if silent:
        evidence["surge_undeclared"] = silent
        doubt.append(f"{', '.join(silent)} declare no surge (demand.surge)")
    if not row.demand_complete:
        doubt.append(f"the spec lacks {missing_text(row)}")
    if surge.demand <= row.supply * HEADROOM_LIMIT:
        if doubt:
            yield unknown(
                target,
                f"{target.id}'s {row.replicas} replicas per region absorb {what} at "
                f"{percent(surge.demand / row.supply)}, but {' and '.join(doubt)}.",
                ("replicas",),
                **evidence,
            )
            return
        yield passed(
            target,
            f"{target.id}'s {row.replicas} replicas per region absorb {what} at "
            f"{percent(surge.demand / row.supply)}.",
            ("replicas",),
            **evidence,
        )
        return
    problems = []
    field: KeyPath = ("autoscaling",)
    if scaling is None:
        problems.append("it does not autoscale")
    elif at_max is not None and at_max < surge.demand:
        problems.append(
            f"autoscaling stops at {scaling.max} replicas per region ({rate(at_max, row.unit)})"
        )
    if cold is not None and cold > surge.ramp_seconds:
        problems.append(f"a new replica takes {cold} s to serve")
        field = field if len(problems) > 1 else ("serving", "cold_start_seconds")
    if problems:
        yield failed(
            target,
            f"{target.id} cannot absorb {what}: the running fleet covers "
            f"{percent(row.supply / surge.demand)} of it, and {' and '.join(problems)}.",
            field,
            **evidence,
        )
    elif cold is None:
        yield unknown(
            target,
            f"{target.id} must scale out for {what}, but does not declare its cold start "
            "(serving.cold_start_seconds).",
            ("serving",),
            **evidence,
        )
    elif doubt:
        assert scaling is not None
        yield unknown(
            target,
            f"{target.id} scales out for {what} (replicas serve in {cold} s, up to "
            f"{scaling.max} per region), but {' and '.join(doubt)}.",
            ("autoscaling",),
            **evidence,
        )
    else:
        assert scaling is not None
        yield passed(
            target,
            f"{target.id} scales out for {what}: replicas serve in {cold} s, up to "
            f"{scaling.max} per region.",
            ("autoscaling",),
            **evidence,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every GPU fleet that a journey with a declared surge reaches."""
    surges = {
        f"{stack}/{j.id}": (j.demand.surge.multiplier, j.demand.surge.ramp_seconds)
        for stack, j in ctx.journeys()
        if j.demand.surge is not None
    }

    def judge(target: Target, model: Fleet) -> Iterator[Outcome]:
        comp = ctx.graph.component(model.row.qid)
        assert isinstance(comp, ModelEndpoint | EmbeddingModel)
        return _judge(target, model, comp, surges)

    yield from judge_fleets(
        ctx,
        judge,
        quota=False,
        elsewhere="{target} is scaled by its provider, within its quota.",
    )


RULE = PythonRule(META, check)
