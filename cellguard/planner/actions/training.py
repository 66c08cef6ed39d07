"""Training actions: queue and pace per-tenant launches (CG-CAP-009), checkpoint large runs
often enough for their size (CG-RED-012)."""

from __future__ import annotations

import math

from cellguard.assessments.training import LOST_FRACTION_LIMIT, checkpoint_loss, launch_plan
from cellguard.models.components import TrainingJob
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Finding
from cellguard.models.references import localise
from cellguard.planner.actions._helpers import target_component
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult
from cellguard.planner.workspace import Workspace

PACING_SHARE = 0.8
"""The launcher is paced at 80% of the API's rate: headroom for the console's own calls and
for retries of throttled launches."""

INTERVAL_STEP_MINUTES = 5
"""Checkpoint intervals are proposed in whole steps of 5 minutes, rounded down."""


def _launcher_queue(ctx: ActionContext, qid: str) -> str | None:
    """The queue the job's launchers consume (a queue their other dependencies include)."""
    queues = sorted(
        dep.target
        for edge in ctx.graph.dependents(qid)
        for dep in ctx.graph.dependencies(edge.source)
        if dep.target in ctx.graph.nx and ctx.graph.kind(dep.target) is ComponentKind.QUEUE
    )
    return queues[0] if queues else None


def queue_training_launches(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-CAP-009: launch from the queue the launcher consumes, paced under the API's rate."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    plan = launch_plan(comp) if isinstance(comp, TrainingJob) else None
    queue = _launcher_queue(ctx, f"{stack}/{cid}")
    if plan is None or queue is None:
        return manual(
            "queue-training-launches",
            finding,
            f"Put {cid}'s launch requests on a queue and pace the launcher below the launch "
            "API's rate, retrying throttled calls with backoff.",
        )
    assert isinstance(comp, TrainingJob)
    paced = round(plan.api_rate_per_second * PACING_SHARE, 3)
    edits = ws.set(stack, ("components", cid, "launch_queue"), localise(queue, stack))
    edits += ws.set(stack, ("components", cid, "paced_launches_per_second"), paced)
    edits += ws.set(stack, ("components", cid, "retries"), True)
    text = (
        f"{cid}: launch from {localise(queue, stack)} at {paced:g}/s "
        f"({PACING_SHARE:.0%} of the API's {plan.api_rate_per_second:g}/s), retrying "
        "throttled calls with backoff; the backlog of a peak then waits in the queue."
    )
    needed = _concurrency_needed(ctx, f"{stack}/{cid}", comp, plan.jobs_per_second, paced)
    if needed is not None and needed > (comp.max_concurrent_jobs or 0):
        edits += ws.set(stack, ("components", cid, "max_concurrent_jobs"), needed)
        text += (
            f" Raise the training-instance quota to run {needed:,} jobs at once, so that the "
            "peak's backlog drains within the journey's latency_p99_ms."
        )
    return change("queue-training-launches", finding, text, edits)


def _concurrency_needed(
    ctx: ActionContext, qid: str, job: TrainingJob, jobs_per_second: float, paced: float
) -> int | None:
    """Jobs at once for the queue to drain the peak within the strictest objective.

    The last request waits ``(jobs/s - drain) x T / drain``; with the start-up and run ``P``
    it must fit the objective ``O``: ``drain >= jobs/s x T / (O - P + T)``, and jobs finish at
    ``concurrency / P`` per second. ``None`` when a figure is missing or no pacing under the
    API's rate can meet the objective.
    """
    objectives = [
        j.objectives.latency_p99_ms / 1000
        for _, j in ctx.rules.journeys_of(qid)
        if j.objectives.latency_p99_ms is not None
    ]
    if not objectives or job.startup_seconds is None or job.duration_hours is None:
        return None
    per_job = job.startup_seconds + job.duration_hours * 3600
    peak = job.peak_seconds or 0
    room = min(objectives) - per_job + peak
    if room <= 0:
        return None
    drain = jobs_per_second * peak / room if peak else jobs_per_second
    if drain > paced:
        return None
    return math.ceil(drain * per_job)


def shorten_checkpoint_interval(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-012: the longest interval (in 5-minute steps) within the lost-work limit."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    loss = checkpoint_loss(comp) if isinstance(comp, TrainingJob) else None
    restart = loss.restart_hours if loss is not None else None
    if loss is None or restart is None:
        return manual(
            "shorten-checkpoint-interval",
            finding,
            f"Checkpoint {cid} more often and declare its restart time (restart_minutes).",
        )
    longest_hours = 2 * (LOST_FRACTION_LIMIT / loss.interruptions_per_hour - restart)
    minutes = math.floor(longest_hours * 60 / INTERVAL_STEP_MINUTES) * INTERVAL_STEP_MINUTES
    if minutes < INTERVAL_STEP_MINUTES:
        return manual(
            "shorten-checkpoint-interval",
            finding,
            f"{cid}: its restart alone loses too much of the run at {loss.gpus:,} GPUs; "
            "shorten the restart (hot spares, faster checkpoint loading) or use fewer GPUs.",
        )
    edits = ws.set(stack, ("components", cid, "checkpoint_interval_minutes"), minutes)
    text = (
        f"{cid}: checkpoint every {minutes} minutes, so that interruptions every "
        f"{loss.mtbf_hours:,.3g} h on average lose at most {LOST_FRACTION_LIMIT:.0%} of the run."
    )
    return change("shorten-checkpoint-interval", finding, text, edits)


ACTIONS: dict[str, Action] = {
    "queue-training-launches": queue_training_launches,
    "shorten-checkpoint-interval": shorten_checkpoint_interval,
}
"""Training actions by id."""
