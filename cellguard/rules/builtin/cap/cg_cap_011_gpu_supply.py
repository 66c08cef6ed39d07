"""CG-CAP-011: GPU fleets cover peak demand within the target utilisation."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.capacity import Fleet
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
    id="CG-CAP-011",
    title="GPU fleets cover peak demand within the target utilisation",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "A GPU fleet whose throughput is below peak demand builds a queue that only grows: "
        "time to first token climbs from milliseconds to the client's timeout and every "
        "retry adds to the backlog. Above about 80% utilisation the M/M/c wait already rises "
        "steeply and nothing is left for forecast error or a slow replica. Demand is the "
        "journeys' peak output tokens per second; supply is replicas times the measured "
        "per-replica throughput, or a bandwidth-bound estimate labelled as such."
    ),
    source=(
        "cellguard DESIGN §5 and §6 (GPU supply below peak demand or utilisation above a "
        "threshold), §10 (measured throughput); AWS Well-Architected Generative AI Lens "
        "GENREL01-BP01 (scale and balance foundation model throughput as a function of "
        "utilization)"
    ),
    remediation=(
        "Add replicas (or faster GPUs, FP8 weights, a smaller model) until peak utilisation is "
        "at most 80%: the capacity table's 'replicas needed' column gives the count that also "
        "survives a zone loss. Measure your own throughput at your input/output mix and record "
        "it in the throughput catalog when the figure is an estimate."
    ),
    action="add-gpu-capacity",
)

FIELDS = (
    "unit",
    "demand",
    "supply",
    "utilisation",
    "target_utilisation",
    "per_replica",
    "replicas",
    "regions",
    "replicas_needed",
    "journeys",
)


def _judge(target: Target, model: Fleet) -> Iterator[Outcome]:
    """Judge one GPU fleet against its peak demand."""
    row = model.row
    evidence = row_evidence(row, *FIELDS)
    demand = rate(row.demand or 0.0, row.unit)
    source = f" ({row.throughput_source})" if row.throughput_source else ""
    if row.supply == 0 and row.demand:
        yield failed(
            target,
            f"{target.id} has no replicas for {demand} of peak demand.",
            ("replicas",),
            **evidence,
        )
    elif row.supply is None or row.utilisation is None:
        yield unknown(
            target,
            f"{target.id} serves {demand} at peak, but its supply is unknown: the spec or "
            f"catalog lacks {missing_text(row)}.",
            ("serving",),
            **evidence,
        )
    elif row.utilisation > row.target_utilisation:
        short = "is below" if row.utilisation > 1 else "covers"
        yield failed(
            target,
            f"{target.id}'s supply of {rate(row.supply, row.unit)}{source} {short} peak "
            f"demand of {demand}: {percent(row.utilisation)} utilisation, above the "
            f"{percent(row.target_utilisation)} target"
            + (
                f"; {row.replicas_needed} replicas per region would be statically stable."
                if row.replicas_needed
                else "."
            ),
            ("replicas",),
            **evidence,
        )
    elif not row.demand_complete:
        yield unknown(
            target,
            f"{target.id} runs at {percent(row.utilisation)} for the journeys that declare "
            f"their demand, but {missing_text(row)} is missing.",
            (),
            **evidence,
        )
    else:
        yield passed(
            target,
            f"{target.id} serves {demand} at {percent(row.utilisation)} of its "
            f"{rate(row.supply, row.unit)}{source}.",
            ("replicas",),
            **evidence,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model served on the team's GPUs."""
    yield from judge_fleets(
        ctx,
        _judge,
        quota=False,
        elsewhere="{target} is served by its provider under a quota (CG-CAP-013).",
        need_journeys=True,
    )


RULE = PythonRule(META, check)
