"""CG-CAP-012: GPU fleets are statically stable after losing a zone or a region."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.capacity import CapacityRow, Fleet
from cellguard.models.findings import FailureCategory, Pillar, Severity
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
from cellguard.rules.outcome import Outcome, Target, failed, passed, unknown

META = RuleMeta(
    id="CG-CAP-012",
    title="GPU fleets are statically stable after losing a zone or a region",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "When a zone fails, its GPU replicas are gone at the moment every other team scales "
        "out for the same reason; replacement capacity may not be purchasable for hours. A "
        "statically stable fleet already runs enough replicas in the surviving zones to carry "
        "peak within the target utilisation, without launching anything. With several "
        "regions the same holds one level up: the remaining regions carry the whole peak."
    ),
    source=(
        "Amazon Builders' Library, 'Static stability using Availability Zones'; AWS "
        "Well-Architected Reliability Pillar REL10-BP01 and REL11-BP04"
    ),
    remediation=(
        "Spread replicas over at least three zones and run the 'replicas needed' count per "
        "region from the capacity table, so that losing the largest zone (and, with several "
        "regions, a whole region) leaves peak at or below 80% utilisation; back the extra "
        "replicas with capacity reservations."
    ),
    action="statically-stable-gpus",
)

FIELDS = (
    "unit",
    "demand",
    "replicas",
    "regions",
    "zones",
    "replicas_after_zone_loss",
    "after_zone_loss",
    "utilisation_after_zone_loss",
    "after_region_loss",
    "utilisation_after_region_loss",
    "target_utilisation",
    "replicas_needed",
)


def _problems(row: CapacityRow) -> list[str]:
    """Why ``row`` is not statically stable, from the numbers it has."""
    found = []
    share = (row.demand or 0.0) / max(len(row.regions), 1)
    if row.replicas_after_zone_loss == 0 and (share > 0 or not row.demand_complete):
        where = "the largest zone"
        if row.zones == 1:
            where = "a region's only zone" if len(row.regions) > 1 else "its only zone"
        served = f" for {rate(share, row.unit)}" if share > 0 else ""
        found.append(f"losing {where} leaves no replicas{served}")
    elif (
        row.utilisation_after_zone_loss is not None
        and row.utilisation_after_zone_loss > row.target_utilisation
    ):
        found.append(
            f"losing the largest zone leaves {row.replicas_after_zone_loss} replicas "
            f"({rate(row.after_zone_loss or 0.0, row.unit)}) at "
            f"{percent(row.utilisation_after_zone_loss)}"
        )
    if (
        row.utilisation_after_region_loss is not None
        and row.utilisation_after_region_loss > row.target_utilisation
    ):
        found.append(
            f"losing a region leaves {rate(row.after_region_loss or 0.0, row.unit)} at "
            f"{percent(row.utilisation_after_region_loss)}"
        )
    return found


def _judge(target: Target, model: Fleet) -> Iterator[Outcome]:
    """Judge whether one GPU fleet survives losing a zone and a region."""
    row = model.row
    evidence = row_evidence(row, *FIELDS)
    problems = _problems(row)
    needed = (
        f" Statically stable needs {row.replicas_needed} replicas per region."
        if row.replicas_needed
        else " No replica count is enough while each region has a single zone."
        if row.zones == 1
        else ""
    )
    target_words = f"the {percent(row.target_utilisation)} target"
    if problems:
        yield failed(
            target,
            f"{target.id} is not statically stable: {'; '.join(problems)}, against "
            f"{target_words}.{needed}",
            ("placement",),
            **evidence,
        )
    elif row.utilisation_after_zone_loss is None or not row.demand_complete:
        yield unknown(
            target,
            f"{target.id}'s capacity after losing a zone cannot be computed: the spec or "
            f"catalog lacks {missing_text(row)}.",
            ("placement",),
            **evidence,
        )
    else:
        region = (
            f", and {percent(row.utilisation_after_region_loss)} after losing a region"
            if row.utilisation_after_region_loss is not None
            else ""
        )
        yield passed(
            target,
            f"{target.id} runs at {percent(row.utilisation_after_zone_loss)} after losing "
            f"its largest zone ({row.replicas_after_zone_loss} of {row.replicas} replicas "
            f"left){region}, within {target_words}.",
            ("replicas",),
            **evidence,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model served on the team's GPUs."""
    yield from judge_fleets(
        ctx,
        _judge,
        quota=False,
        elsewhere="{target} is a managed model: its provider spreads it over zones.",
        need_journeys=True,
    )


RULE = PythonRule(META, check)
