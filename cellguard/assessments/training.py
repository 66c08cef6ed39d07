"""Training jobs: where they run, how fast they can be launched, and what interruptions cost.

Three analyses, each a pure function of the spec and the catalog:

- :func:`infer_platform`: a training job's platform, declared or inferred (``ml.*`` instance
  types are SageMaker's; a stack whose only training-capable platform is SageMaker trains there).
- :func:`launch_plan`: the launch path of per-tenant fine-tuning. At the peak, fine-tunes arrive
  at ``lambda`` per second for ``T`` seconds, ``k`` to a job, so jobs need launching at
  ``lambda / k`` per second against the launch API's rate ``r``. Without a queue, everything
  above ``r`` is throttled. With a queue drained at ``mu`` (the launcher's pacing, at most
  ``r``), the backlog at the end of the peak is ``(lambda / k - mu) x T`` jobs and the last
  request of the peak waits ``backlog / mu`` seconds before its job launches. ``mu`` is also at
  most ``max_concurrent_jobs / (start-up + run)``: jobs cannot start faster than they finish.
- :func:`checkpoint_loss`: a synchronous run of ``n`` GPUs is interrupted at ``n x f`` per hour
  (``f`` the per-GPU rate in the catalog, from the Llama 3 report); each interruption loses on
  average half a checkpoint interval of work plus the restart time, so the expected share of
  the run lost is ``n x f x (interval / 2 + restart)`` (first order: interruptions rarer than
  checkpoints).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cellguard.models.catalog.services import api_rate
from cellguard.models.catalog.training import InterruptionRate, interruption_rate
from cellguard.models.components import ComponentBase, TrainingJob
from cellguard.models.enums import Hosting, Runtime, TrainingPlatform

SAGEMAKER_INSTANCE_PREFIX = "ml."
"""SageMaker's instance types are named ``ml.<family>.<size>``; EC2's never start with ``ml.``."""

_RUNTIME_PLATFORM = {Runtime.EKS: TrainingPlatform.EKS, Runtime.KUBERNETES: TrainingPlatform.EKS}
"""Service runtimes that can run GPU training jobs (a Kubernetes cluster); Lambda, Fargate and
managed services cannot, so they do not make the platform ambiguous."""

_HOSTING_PLATFORM = {
    Hosting.SAGEMAKER: TrainingPlatform.SAGEMAKER,
    Hosting.BEDROCK: TrainingPlatform.BEDROCK,
}


@dataclass(frozen=True)
class PlatformGuess:
    """A training job's platform and what it rests on."""

    platform: TrainingPlatform | None
    """The platform, or ``None`` where it cannot be told."""
    sagemaker: bool | None
    """Whether SageMaker's launch API applies (known even when the platform is not: EC2
    instance types rule SageMaker out without telling EKS from other)."""
    basis: str
    """How it was found: ``declared``, or the instance types or stack it was inferred from."""


def infer_platform(job: TrainingJob, stack_components: Iterable[ComponentBase]) -> PlatformGuess:
    """The platform of ``job``: declared, else from its instance types, else from its stack."""
    if job.platform is not None:
        return PlatformGuess(job.platform, job.platform is TrainingPlatform.SAGEMAKER, "declared")
    types = job.instance_types
    if types:
        on_sagemaker = [t.startswith(SAGEMAKER_INSTANCE_PREFIX) for t in types]
        names = ", ".join(types)
        if all(on_sagemaker):
            return PlatformGuess(
                TrainingPlatform.SAGEMAKER, True, f"SageMaker instance types ({names})"
            )
        if not any(on_sagemaker):
            return PlatformGuess(None, False, f"EC2 instance types ({names}), not SageMaker's")
    found: dict[TrainingPlatform, list[str]] = {}
    for comp in stack_components:
        if isinstance(comp, TrainingJob):
            continue
        hosting = getattr(comp, "hosting", None)
        runtime = getattr(comp, "runtime", None)
        platform = _HOSTING_PLATFORM.get(hosting) if isinstance(hosting, Hosting) else None
        if platform is None and isinstance(runtime, Runtime):
            platform = _RUNTIME_PLATFORM.get(runtime)
        if platform is not None:
            found.setdefault(platform, []).append(comp.id)
    if len(found) == 1:
        (platform, ids), *_ = found.items()
        return PlatformGuess(
            platform,
            platform is TrainingPlatform.SAGEMAKER,
            f"the stack's only training platform ({platform.value}: {', '.join(sorted(ids))})",
        )
    if found:
        names = ", ".join(sorted(p.value for p in found))
        return PlatformGuess(None, None, f"the stack runs on several platforms ({names})")
    return PlatformGuess(None, None, "no platform in the stack")


CREATE_TRAINING_JOB = api_rate("sagemaker.create_training_job")
"""SageMaker's CreateTrainingJob rate from the services catalog (an estimate there)."""


@dataclass(frozen=True)
class LaunchPlan:
    """The launch path of a training job at its peak."""

    requested_per_second: float
    """Fine-tunes requested per second at the peak (``launch_rate_per_second``)."""
    fine_tunes_per_job: int
    jobs_per_second: float
    """Jobs to launch per second at the peak: requested / fine-tunes per job."""
    api_rate_per_second: float
    api_rate_source: str
    """``spec (api_rate_per_second)`` or the catalog entry's citation."""
    queued: bool
    paced_per_second: float | None
    """The launcher's pacing from the queue (``paced_launches_per_second``)."""
    drain_per_second: float | None
    """Launches per second out of the queue that succeed: the pacing, at most the API rate
    when throttled calls are retried."""
    finishing_per_second: float | None
    """Jobs finishing per second with ``max_concurrent_jobs`` running, each taking its start-up
    plus its run: the queue cannot drain faster (``None`` without those three figures)."""
    backlog_jobs: float | None
    """Jobs waiting in the queue at the end of the peak."""
    max_wait_seconds: float | None
    """The wait of the peak's last request before its job launches."""

    @property
    def throttled_share(self) -> float:
        """Share of launches above the API rate when nothing paces them."""
        if self.jobs_per_second <= self.api_rate_per_second:
            return 0.0
        return 1 - self.api_rate_per_second / self.jobs_per_second


def _finishing_per_second(job: TrainingJob) -> float | None:
    if job.max_concurrent_jobs is None or job.duration_hours is None:
        return None
    if job.startup_seconds is None:
        return None
    return job.max_concurrent_jobs / (job.startup_seconds + job.duration_hours * 3600)


def launch_plan(job: TrainingJob) -> LaunchPlan | None:
    """The launch path of ``job``; ``None`` without a peak rate (``launch_rate_per_second``)."""
    if job.launch_rate_per_second is None:
        return None
    per_job = job.fine_tunes_per_job or 1
    jobs = job.launch_rate_per_second / per_job
    if job.api_rate_per_second is not None:
        rate, source = job.api_rate_per_second, "spec (api_rate_per_second)"
    else:
        rate, source = CREATE_TRAINING_JOB.per_second, CREATE_TRAINING_JOB.source.cite()
    paced = job.paced_launches_per_second if job.launch_queue is not None else None
    drain: float | None = None
    if paced is not None:
        if paced <= rate:
            drain = paced
        elif job.retries is True:
            drain = rate  # throttled calls retried: the queue drains at the API's rate
    finishing = _finishing_per_second(job)
    if drain is not None and finishing is not None:
        drain = min(drain, finishing)
    backlog = wait = None
    if drain is not None:
        if jobs <= drain:
            backlog, wait = 0.0, 0.0
        elif job.peak_seconds is not None:
            backlog = (jobs - drain) * job.peak_seconds
            wait = backlog / drain
    return LaunchPlan(
        finishing_per_second=finishing,
        requested_per_second=job.launch_rate_per_second,
        fine_tunes_per_job=per_job,
        jobs_per_second=jobs,
        api_rate_per_second=rate,
        api_rate_source=source,
        queued=job.launch_queue is not None,
        paced_per_second=paced,
        drain_per_second=drain,
        backlog_jobs=backlog,
        max_wait_seconds=wait,
    )


LOST_FRACTION_LIMIT = 0.05
"""Largest expected share of a run's GPU time lost to unexpected interruptions (work since the
last checkpoint plus the restart). The Llama 3 team reports more than 90% effective training
time with every cause of lost time counted; 5% for unexpected interruptions alone keeps a run
within that, and costs 1 GPU-hour in 20."""


@dataclass(frozen=True)
class CheckpointLoss:
    """Expected work lost to interruptions by a run of ``gpus`` GPUs."""

    gpus: int
    rate: InterruptionRate
    interval_hours: float
    """The checkpoint interval, at most the run's duration (a run shorter than its interval
    restarts from zero)."""
    restart_hours: float | None
    duration_hours: float | None

    @property
    def interruptions_per_hour(self) -> float:
        """The run's interruption rate: GPUs x the per-GPU rate."""
        return self.gpus * self.rate.per_gpu_hour

    @property
    def mtbf_hours(self) -> float:
        """Mean hours between the run's interruptions."""
        return 1 / self.interruptions_per_hour

    @property
    def lost_per_interruption_hours(self) -> float | None:
        """Half the interval plus the restart; ``None`` without a restart time."""
        if self.restart_hours is None:
            return None
        return self.interval_hours / 2 + self.restart_hours

    @property
    def lost_fraction_at_least(self) -> float:
        """The share lost to the interval alone (a lower bound: restarts take time too)."""
        return self.interruptions_per_hour * self.interval_hours / 2

    @property
    def lost_fraction(self) -> float | None:
        """Expected share of the run lost; ``None`` without a restart time."""
        lost = self.lost_per_interruption_hours
        return None if lost is None else self.interruptions_per_hour * lost

    @property
    def interruptions_per_run(self) -> float | None:
        """Expected interruptions of one run; ``None`` without a duration."""
        if self.duration_hours is None:
            return None
        return self.interruptions_per_hour * self.duration_hours


def checkpoint_loss(job: TrainingJob) -> CheckpointLoss | None:
    """The interruption arithmetic of ``job``; ``None`` without GPUs or checkpoint interval."""
    if job.gpus is None or job.checkpoint_interval_minutes is None:
        return None
    interval = job.checkpoint_interval_minutes / 60
    if job.duration_hours is not None:
        interval = min(interval, job.duration_hours)
    restart = None if job.restart_minutes is None else job.restart_minutes / 60
    return CheckpointLoss(job.gpus, interruption_rate(), interval, restart, job.duration_hours)
