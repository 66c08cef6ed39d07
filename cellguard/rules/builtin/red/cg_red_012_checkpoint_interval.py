"""CG-RED-012: a training run checkpoints often enough for the interruptions its size brings.

Criterion: the expected share of the run lost to unexpected interruptions,
``gpus x f x (interval / 2 + restart)``, is at most 5% (``f``: interruptions per GPU-hour, from
the Llama 3 report in the catalog; ``interval`` at most the run's duration). Each interruption
loses on average half a checkpoint interval of work plus the time to restart; a run of ``n``
GPUs is interrupted ``n`` times as often as one GPU.

Why this and not the Young/Daly optimum ``sqrt(2 x checkpoint cost x MTBF)``: the optimum needs
the time to write a checkpoint, which few teams know and which varies with storage and sharding,
while the lost share needs only the interval and the restart time, and it is what the run pays
(GPU-hours, days of delay). 5% keeps a run within the >90% effective training time the Llama 3
team reports with every cause of lost time counted. Without ``restart_minutes`` the interval's
share alone (a lower bound) can still FAIL a run; it cannot PASS one.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.training import LOST_FRACTION_LIMIT, CheckpointLoss, checkpoint_loss
from cellguard.models.catalog.training import interruption_rate
from cellguard.models.components import TrainingJob
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

RATE = interruption_rate()
"""Unexpected interruptions per GPU-hour, from the catalog (``training.yaml``)."""

META = RuleMeta(
    id="CG-RED-012",
    title="Training runs checkpoint often enough for their size",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.MEDIUM,
    applies_to=("training_job",),
    rationale=(
        "A synchronous training run stops when any of its GPUs, hosts or links fails, so every "
        "GPU is a single point of failure and a run of n GPUs is interrupted n times as often "
        "as one: Llama 3's pre-training saw 419 unexpected interruptions in 54 days on 16,384 "
        "H100s (about 2e-5 per GPU-hour), i.e. one every ~25 h for 2,048 GPUs. Each "
        "interruption loses the work since the last checkpoint (half the interval on average) "
        "plus the restart. The rule FAILs when the expected share of the run lost, GPUs x rate "
        "x (interval / 2 + restart), exceeds 5%: what the run pays in GPU-hours, within the "
        "more than 90% effective training time Llama 3 reports for every cause together. It "
        "judges the lost share rather than the Young/Daly optimum sqrt(2 x checkpoint cost x "
        "MTBF) because that needs the time to write a checkpoint, which few teams know; "
        "without restart_minutes the interval's share alone can FAIL a run but not PASS it."
    ),
    source=(
        "The Llama 3 Herd of Models, arXiv:2407.21783, section 3.3.4 (419 unexpected "
        "interruptions in 54 days, 16,384 H100 GPUs; >90% effective training time); J. W. "
        "Young, A first order approximation to the optimum checkpoint interval (CACM, 1974) "
        "and J. T. Daly (FGCS, 2006) for the lost-work model"
    ),
    remediation=(
        "Checkpoint more often (asynchronous or in-memory checkpoints make short intervals "
        "cheap), shorten the restart (hot spares, automatic node replacement, fast checkpoint "
        "loading); declare gpus, duration_hours, "
        "checkpoint_interval_minutes and restart_minutes."
    ),
    action="shorten-checkpoint-interval",
)


def _evidence(loss: CheckpointLoss) -> dict[str, Evidence]:
    return {
        "gpus": loss.gpus,
        "interruptions_per_gpu_hour": loss.rate.per_gpu_hour,
        "rate_source": loss.rate.source.cite(),
        "interruptions_per_hour": loss.interruptions_per_hour,
        "mtbf_hours": loss.mtbf_hours,
        "interval_hours": loss.interval_hours,
        "restart_hours": loss.restart_hours,
        "lost_per_interruption_hours": loss.lost_per_interruption_hours,
        "lost_fraction": loss.lost_fraction,
        "lost_fraction_at_least": loss.lost_fraction_at_least,
        "lost_fraction_limit": LOST_FRACTION_LIMIT,
        "duration_hours": loss.duration_hours,
        "interruptions_per_run": loss.interruptions_per_run,
    }


def _pct(share: float) -> str:
    """A share as a percentage with two significant digits below 0.1%: 0.0011%, 1.68%."""
    return f"{share:.2%}" if share >= 0.001 else f"{share * 100:.2g}%"


def _hours(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


def _arithmetic(loss: CheckpointLoss) -> str:
    """``2,048 GPUs x 1.97e-05/GPU-h = 0.0404/h (MTBF 24.7 h) x (3 h + 0.167 h) = 12.8%``."""
    head = (
        f"{loss.gpus:,} GPU{'s' if loss.gpus > 1 else ''} x {loss.rate.per_gpu_hour:.3g}/GPU-h "
        f"= {loss.interruptions_per_hour:.3g} interruptions/h (one every "
        f"{_hours(loss.mtbf_hours)} h)"
    )
    half = loss.interval_hours / 2
    if loss.lost_fraction is None or loss.restart_hours is None:
        return f"{head} x half the interval {half:.3g} h = {_pct(loss.lost_fraction_at_least)}"
    return (
        f"{head} x (half the interval {half:.3g} h + restart {loss.restart_hours:.3g} h) = "
        f"{_pct(loss.lost_fraction)}"
    )


def _per_run(loss: CheckpointLoss) -> str:
    if loss.interruptions_per_run is None or loss.duration_hours is None:
        return ""
    return (
        f"; about {loss.interruptions_per_run:.3g} interruptions in a {loss.duration_hours:g} h run"
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every training job that declares its GPUs and checkpoint interval."""
    for qid, comp in ctx.components_for(META):
        assert isinstance(comp, TrainingJob)
        target = ctx.component_target(qid)
        loss = checkpoint_loss(comp)
        if loss is None:
            missing = [
                key
                for key, value in (
                    ("gpus", comp.gpus),
                    ("checkpoint_interval_minutes", comp.checkpoint_interval_minutes),
                )
                if value is None
            ]
            yield unknown(
                target,
                f"{target.id} does not declare {' or '.join(missing)}, so the work its "
                "interruptions lose is unknown.",
                (),
                gpus=comp.gpus,
                checkpoint_interval_minutes=comp.checkpoint_interval_minutes,
            )
            continue
        evidence = _evidence(loss)
        limit = f"the {LOST_FRACTION_LIMIT:.0%} limit"
        field = ("checkpoint_interval_minutes",)
        if loss.lost_fraction_at_least > LOST_FRACTION_LIMIT:
            yield failed(
                target,
                f"{target.id} checkpoints every {loss.interval_hours:g} h: expected work lost "
                f"{_arithmetic(loss)} of the run, above {limit}{_per_run(loss)}.",
                field,
                **evidence,
            )
        elif loss.lost_fraction is None:
            yield unknown(
                target,
                f"{target.id} loses at least {_arithmetic(loss)} of the run to interruptions, "
                "but does not declare its restart time (restart_minutes).",
                field,
                **evidence,
            )
        elif loss.lost_fraction > LOST_FRACTION_LIMIT:
            yield failed(
                target,
                f"{target.id} checkpoints every {loss.interval_hours:g} h: expected work lost "
                f"{_arithmetic(loss)} of the run, above {limit} once the restart is counted"
                f"{_per_run(loss)}.",
                ("restart_minutes",),
                **evidence,
            )
        else:
            yield passed(
                target,
                f"{target.id} checkpoints every {loss.interval_hours:g} h: expected work lost "
                f"{_arithmetic(loss)} of the run, within {limit}{_per_run(loss)}.",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
