"""Helpers the quantitative capacity rules share (CG-CAP-011 to CG-CAP-015)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from cellguard.assessments.capacity import QUOTA, CapacityRow, Fleet, fleet
from cellguard.assessments.throughput_media import WORK_UNITS
from cellguard.models.components import ComponentBase, ModelEndpoint
from cellguard.models.findings import Evidence
from cellguard.rules.context import RuleContext
from cellguard.rules.outcome import Outcome, Target, not_applicable
from cellguard.rules.predicates import MODEL_KINDS


def amount(value: float) -> str:
    """A rate in words: ``3,550`` for large values, ``11.5`` for small ones."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.1f}"


def percent(value: float) -> str:
    """A utilisation as a percentage: ``139%``."""
    return f"{value:.0%}"


def rate(value: float, unit: str) -> str:
    """``3,550 output tokens/s``; ``0.112 images/s`` (three significant figures below 100 in
    the units of images, embeddings and audio)."""
    if unit in WORK_UNITS and abs(value) < 100:
        return f"{value:.3g} {unit}"
    return f"{amount(value)} {unit}"


def row_evidence(row: CapacityRow, *keys: str) -> dict[str, Evidence]:
    """The named fields of ``row``'s JSON form, plus where its throughput figure comes from."""
    data = row.to_json()
    chosen: dict[str, Evidence] = {k: data[k] for k in keys}
    chosen["throughput_source"] = data["throughput_source"]
    chosen["throughput_basis"] = data["throughput_basis"]
    return chosen


def missing_text(row: CapacityRow) -> str:
    """What the row lacks, as one clause."""
    return "; ".join(row.missing) if row.missing else "the figures to decide"


def without_demand(target: Target, row: CapacityRow) -> Outcome | None:
    """NOT_APPLICABLE when no declared journey reaches the component, else ``None``."""
    if row.journeys:
        return None
    fails_over = row.failover_demand or (row.primary_down and row.primary_down.demand)
    extra = (
        " (it only carries traffic failed over to it; CG-CAP-010 sizes that)" if fails_over else ""
    )
    return not_applicable(target, f"{target.id} serves no declared journey directly{extra}.")


FleetJudge = Callable[[Target, Fleet], Iterator[Outcome]]
"""Judges one model fleet: its component's target and its capacity with the inputs."""


def judge_fleets(
    ctx: RuleContext,
    judge: FleetJudge,
    *,
    quota: bool,
    elsewhere: str,
    need_journeys: bool = False,
) -> Iterator[Outcome]:
    """Run ``judge`` on every model fleet under a quota (``quota``) or on the team's GPUs.

    Fleets of the other kind are NOT_APPLICABLE with ``elsewhere`` (``{target}`` is replaced
    by the component id); with ``need_journeys``, so are fleets no declared journey reaches.
    """
    for qid, _ in ctx.components(*MODEL_KINDS):
        model = fleet(ctx.graph, qid)
        if model is None:
            continue
        target = ctx.component_target(qid)
        if (model.row.basis == QUOTA) != quota:
            yield not_applicable(target, elsewhere.format(target=target.id))
            continue
        idle = without_demand(target, model.row) if need_journeys else None
        if idle is not None:
            yield idle
            continue
        yield from judge(target, model)


def quota_gaps(comp: ComponentBase) -> list[str]:
    """What the quota of ``comp`` leaves out that a PASS needs: who shares it and, for a
    generative model, both limits (a provider enforces tokens and requests per minute).
    CG-CAP-013 cannot pass the quota without them, nor CG-TIM-008 a journey calling it (the
    call may be throttled)."""
    quota = getattr(comp, "quota", None)
    if quota is None:
        return []
    gaps = []
    if isinstance(comp, ModelEndpoint):
        for name in ("tokens_per_minute", "requests_per_minute"):
            if getattr(quota, name) is None:
                gaps.append(f"its {name.replace('_', ' ')} limit (quota.{name})")
    if not quota.sharing_declared:
        gaps.append("who else draws on the quota (quota.shared_with; [] for nobody)")
    return gaps
