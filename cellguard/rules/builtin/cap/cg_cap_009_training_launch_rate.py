"""CG-CAP-009: per-tenant training launches fit the launch API's rate, queued within the objective.

The numbers (see :mod:`cellguard.assessments.training`): jobs per second at the peak
(``launch_rate_per_second / fine_tunes_per_job``) against SageMaker CreateTrainingJob's rate
(the catalog's estimate, or ``api_rate_per_second``). Without ``launch_queue``, everything above
the rate is throttled: the launch path FAILs whatever ``retries`` says, since retrying callers
only hold a sustained excess until they give up. With a queue paced at or below the rate, the
backlog built during ``peak_seconds`` drains at the pacing; the last request's wait plus the
job's start-up and run must fit in the ``latency_p99_ms`` of the journeys reaching the job (the
time the user waits for the model).

The platform is declared or inferred (:func:`cellguard.assessments.training.infer_platform`),
so an all-SageMaker stack needs no ``platform`` key.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.training import CREATE_TRAINING_JOB, LaunchPlan, infer_platform
from cellguard.assessments.training import launch_plan as plan_of
from cellguard.models.components import TrainingJob
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import split_reference
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, not_applicable, passed, unknown

CREATE_TRAINING_JOB_RPS = CREATE_TRAINING_JOB.per_second
"""The catalog's estimate of SageMaker CreateTrainingJob requests per second per account and
region (``services.yaml``); a spec's ``api_rate_per_second`` overrides it."""

META = RuleMeta(
    id="CG-CAP-009",
    title="Training-job launches fit the launch API's rate, queued within the objective",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("training_job",),
    rationale=(
        "SageMaker's CreateTrainingJob API accepts a limited request rate per account and "
        "region (about one per second: a cellguard estimate, overridable with "
        "api_rate_per_second). A sign-up spike or a scheduled retrain that launches one job "
        "per tenant faster than that gets ThrottlingException for the excess; retries with "
        "backoff only smooth a burst of seconds, and over a sustained peak the callers give "
        "up, so tenants silently keep stale models. A queue drained at or below the rate "
        "absorbs the peak, at the cost of a wait: the backlog (jobs/s above the pacing x the "
        "peak's length) drains at the pacing, and that wait plus start-up (shortened by warm "
        "pools) and the run must fit the journey's objective. Batching several fine-tunes "
        "into one job divides the launches."
    ),
    source=(
        "AWS re:Post, resolving ThrottlingException with the SageMaker Python SDK (API request "
        "rates per account and region); AWS Well-Architected Reliability Pillar REL05-BP02 "
        "(throttle requests) and REL05-BP03 (control and limit retry calls)"
    ),
    remediation=(
        "Put launch requests on a queue (launch_queue) and pace the launcher at or below the "
        "API rate (paced_launches_per_second: SQS with a Lambda reserved concurrency, a token "
        "bucket in the orchestrator), retry ThrottlingException with backoff and jitter, "
        "batch fine-tunes into fewer jobs (fine_tunes_per_job) and keep warm pools to shorten "
        "start-up, until the peak's backlog drains within the journey's latency_p99_ms; or "
        "ask AWS for a higher rate and declare it (api_rate_per_second)."
    ),
    action="queue-training-launches",
)


def _objective(ctx: RuleContext, qid: str) -> tuple[int | None, str | None]:
    """The strictest ``latency_p99_ms`` of the journeys reaching ``qid``, and its journey."""
    found = [
        (j.objectives.latency_p99_ms, f"{stack}/{j.id}")
        for stack, j in ctx.journeys_of(qid)
        if j.objectives.latency_p99_ms is not None
    ]
    if not found:
        return None, None
    return min(found)


def _evidence(job: TrainingJob, plan: LaunchPlan | None) -> dict[str, Evidence]:
    return {
        "launch_rate_per_second": job.launch_rate_per_second,
        "fine_tunes_per_job": plan.fine_tunes_per_job if plan else None,
        "jobs_per_second": plan.jobs_per_second if plan else None,
        "api_rate_per_second": plan.api_rate_per_second if plan else CREATE_TRAINING_JOB_RPS,
        "api_rate_source": plan.api_rate_source if plan else CREATE_TRAINING_JOB.source.cite(),
        "launch_queue": job.launch_queue,
        "paced_launches_per_second": job.paced_launches_per_second,
        "peak_seconds": job.peak_seconds,
        "retries": job.retries,
        "warm_pool": job.warm_pool,
    }


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge the launch path of every training job that runs on SageMaker."""
    for qid, comp in ctx.components(ComponentKind.TRAINING_JOB):
        assert isinstance(comp, TrainingJob)
        target = ctx.component_target(qid)
        stack, _ = split_reference(qid, "")
        guess = infer_platform(comp, ctx.document(stack).components)
        plan = plan_of(comp)
        evidence = _evidence(comp, plan)
        evidence["platform"] = guess.platform.value if guess.platform else None
        evidence["platform_basis"] = guess.basis
        if guess.sagemaker is None:
            yield unknown(
                target,
                f"{target.id} does not say where its jobs run (platform), and it cannot be "
                f"inferred ({guess.basis}), so the CreateTrainingJob rate may apply.",
                (),
                **evidence,
            )
        elif not guess.sagemaker:
            where = guess.platform.value if guess.platform else guess.basis
            yield not_applicable(target, f"{target.id} runs on {where}, not SageMaker training.")
        elif plan is None:
            yield unknown(
                target,
                f"{target.id} does not declare its peak launch rate (launch_rate_per_second).",
                (),
                **evidence,
            )
        elif not plan.queued:
            yield _unqueued(target, comp, plan, evidence)
        else:
            yield _queued(ctx, qid, target, comp, plan, evidence)


def _rate(plan: LaunchPlan) -> str:
    estimate = "" if plan.api_rate_source.startswith("spec") else " (estimate)"
    return f"{plan.api_rate_per_second:g}/s{estimate}"


def _jobs(plan: LaunchPlan) -> str:
    if plan.fine_tunes_per_job == 1:
        return f"{plan.jobs_per_second:g} jobs/s"
    return (
        f"{plan.jobs_per_second:.3g} jobs/s ({plan.requested_per_second:g} fine-tunes/s, "
        f"{plan.fine_tunes_per_job} to a job)"
    )


def _unqueued(
    target: Target, job: TrainingJob, plan: LaunchPlan, evidence: dict[str, Evidence]
) -> Outcome:
    if plan.jobs_per_second <= plan.api_rate_per_second:
        return passed(
            target,
            f"{target.id} launches at most {_jobs(plan)}, within CreateTrainingJob's "
            f"{_rate(plan)}.",
            ("launch_rate_per_second",),
            **evidence,
        )
    fate = {
        True: "retried by callers that hold the excess until they give up",
        False: "dropped (no retries)",
        None: "dropped unless retried, and retries alone only hold the excess in the callers",
    }[job.retries]
    return failed(
        target,
        f"{target.id} launches {_jobs(plan)} at its peak against CreateTrainingJob's "
        f"{_rate(plan)} with no queue pacing them (launch_queue): about "
        f"{plan.throttled_share:.0%} of launches are "
        f"throttled, {fate}.",
        ("launch_rate_per_second",),
        **evidence,
    )


def _queued(
    ctx: RuleContext,
    qid: str,
    target: Target,
    job: TrainingJob,
    plan: LaunchPlan,
    evidence: dict[str, Evidence],
) -> Outcome:
    evidence["drain_per_second"] = plan.drain_per_second
    evidence["backlog_jobs"] = plan.backlog_jobs
    evidence["max_wait_seconds"] = plan.max_wait_seconds
    evidence["max_concurrent_jobs"] = job.max_concurrent_jobs
    evidence["finishing_per_second"] = plan.finishing_per_second
    if plan.paced_per_second is None:
        return unknown(
            target,
            f"{target.id} queues launches on {job.launch_queue} but does not say how fast the "
            "launcher takes them (paced_launches_per_second).",
            ("launch_queue",),
            **evidence,
        )
    if plan.drain_per_second is None:
        share = 1 - plan.api_rate_per_second / plan.paced_per_second
        text = (
            f"{target.id} paces launches from {job.launch_queue} at "
            f"{plan.paced_per_second:g}/s, above CreateTrainingJob's {_rate(plan)}"
        )
        if job.retries is False:
            return failed(
                target,
                f"{text}, without retries: about {share:.0%} of launches are dropped.",
                ("paced_launches_per_second",),
                **evidence,
            )
        return unknown(
            target,
            f"{text}, and does not say whether throttled launches are retried (retries).",
            ("paced_launches_per_second",),
            **evidence,
        )
    wait = plan.max_wait_seconds
    if wait is None:
        return unknown(
            target,
            f"{target.id} needs {_jobs(plan)} at its peak, above the queue's "
            f"{plan.drain_per_second:g}/s, but does not say how long the peak lasts "
            "(peak_seconds), so the backlog is unknown.",
            ("peak_seconds",),
            **evidence,
        )
    return _against_objective(ctx, qid, target, job, plan, wait, evidence)


def _against_objective(
    ctx: RuleContext,
    qid: str,
    target: Target,
    job: TrainingJob,
    plan: LaunchPlan,
    wait: float,
    evidence: dict[str, Evidence],
) -> Outcome:
    objective_ms, journey = _objective(ctx, qid)
    startup = job.startup_seconds
    run = None if job.duration_hours is None else job.duration_hours * 3600
    total = wait + (startup or 0) + (run or 0)
    evidence.update(
        startup_seconds=startup,
        duration_hours=job.duration_hours,
        time_to_model_seconds=total,
        objective_ms=objective_ms,
        objective_journey=journey,
    )
    backlog = plan.backlog_jobs or 0.0
    drain = plan.drain_per_second or 0.0
    bound = (
        f" ({job.max_concurrent_jobs:,} jobs at once)"
        if plan.finishing_per_second is not None and drain >= plan.finishing_per_second
        else ""
    )
    drained = (
        f"the peak leaves {backlog:,.0f} jobs queued, drained at {drain:.3g}/s{bound} in "
        f"{wait / 60:,.1f} min"
        if backlog
        else f"the queue keeps up at {drain:.3g}/s{bound}"
    )
    parts = f"wait {wait:,.0f} s"
    parts += "" if startup is None else f" + start-up {startup:,} s"
    parts += "" if run is None else f" + run {run:,.0f} s"
    head = f"{target.id} launches {_jobs(plan)} at its peak through {job.launch_queue}: {drained}"
    if objective_ms is None:
        return unknown(
            target,
            f"{head}; no journey reaching it declares latency_p99_ms, the time a user waits "
            "for the model.",
            ("launch_queue",),
            **evidence,
        )
    limit = objective_ms / 1000
    if total > limit:
        return failed(
            target,
            f"{head}; {parts} = {total:,.0f} s exceeds {journey}'s latency_p99_ms of "
            f"{limit:,.0f} s.",
            ("paced_launches_per_second",),
            **evidence,
        )
    missing = [
        key
        for key, value in (
            ("startup_seconds", startup),
            ("duration_hours", run),
            ("max_concurrent_jobs", job.max_concurrent_jobs),
        )
        if value is None
    ]
    if missing:
        return unknown(
            target,
            f"{head}; {parts} fits {journey}'s latency_p99_ms of {limit:,.0f} s, but the job "
            f"does not declare {' or '.join(missing)}.",
            ("launch_queue",),
            **evidence,
        )
    return passed(
        target,
        f"{head}; {parts} = {total:,.0f} s fits {journey}'s latency_p99_ms of {limit:,.0f} s.",
        ("launch_queue",),
        **evidence,
    )


RULE = PythonRule(META, check)
