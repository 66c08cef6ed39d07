"""Model-serving and training components: model endpoints, embedding models and training jobs."""

from typing import Literal

from pydantic import Field, model_validator

from cellguard.models.base import (
    MAX_HOURS,
    MAX_MINUTES,
    MAX_MS,
    MAX_PER_MINUTE,
    MAX_PER_REPLICA,
    MAX_RATE,
    MAX_REPLICAS,
    MAX_SECONDS,
    MAX_TOKENS,
    NonNegativeInt,
    PositiveInt,
    Reference,
    SpecModel,
)
from cellguard.models.components.common import ComponentBase, ServiceFields
from cellguard.models.components.gpu_sharing import GpuSharing
from cellguard.models.components.hosted import HostedModels
from cellguard.models.dates import IsoDate
from cellguard.models.enums import (
    Hosting,
    Precision,
    PurchaseOption,
    ServingEngine,
    TrainingPlatform,
)


class ModelInfo(SpecModel):
    """The model served."""

    name: str = Field(min_length=1, description="Model name or id, e.g. meta-llama/Llama-3.1-8B.")
    params_b: float | None = Field(None, ge=0.001, le=10000, description="Parameters, in billions.")
    precision: Precision | None = Field(None, description="Precision of the served weights.")
    context_tokens: PositiveInt | None = Field(
        None, le=MAX_TOKENS, description="Context window in tokens."
    )
    pinned_version: str | None = Field(None, description="Pinned model version or weights digest.")
    fine_tuned: bool | None = Field(None, description="A fine-tuned (custom) model.")


class MeasuredServing(SpecModel):
    """Serving figures measured on this endpoint's own set-up; they win over the catalog.

    A load test, a benchmark run or production metrics: they win over the catalog's
    measurements and the hardware estimate, and reports call them ``measured`` with their date.
    """

    output_tokens_per_s: float | None = Field(
        None,
        gt=0,
        le=MAX_RATE,
        description="Aggregate output tokens per second of one replica at at_concurrency.",
    )
    at_concurrency: PositiveInt | None = Field(
        None,
        le=MAX_PER_REPLICA,
        description="Concurrent requests per replica while output_tokens_per_s was measured.",
    )
    ttft_p50_ms: float | None = Field(
        None, gt=0, le=MAX_MS, description="Median time to first token measured, ms."
    )
    ttft_p99_ms: float | None = Field(
        None, gt=0, le=MAX_MS, description="p99 time to first token measured, ms."
    )
    measured_on: IsoDate = Field(description="When it was measured (YYYY-MM-DD).")
    method: str = Field(
        min_length=1,
        description="How: the tool and load, e.g. 'vllm bench serve, 1500 in / 48 out, 64 users'.",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "MeasuredServing":
        """At least one figure; a throughput with its concurrency; p50 at most p99."""
        if self.output_tokens_per_s is None and self.ttft_p99_ms is None:
            raise ValueError(
                "'measured' needs output_tokens_per_s (with at_concurrency) or ttft_p99_ms: "
                "a measurement without a figure says nothing"
            )
        if (self.output_tokens_per_s is None) != (self.at_concurrency is None):
            raise ValueError(
                "'output_tokens_per_s' and 'at_concurrency' go together: a throughput is "
                "only meaningful at the concurrency it was measured at"
            )
        if (
            self.ttft_p50_ms is not None
            and self.ttft_p99_ms is not None
            and self.ttft_p50_ms > self.ttft_p99_ms
        ):
            raise ValueError(
                f"'ttft_p50_ms' ({self.ttft_p50_ms:g}) exceeds 'ttft_p99_ms' "
                f"({self.ttft_p99_ms:g}): the median cannot be slower than the p99"
            )
        return self

    def label(self) -> str:
        """``measured: serving.measured (<date>, <method>)``: how outputs name the figure."""
        return f"measured: serving.measured ({self.measured_on.isoformat()}, {self.method})"


class Serving(SpecModel):
    """How a self-hosted (or SageMaker) model is served."""

    engine: ServingEngine | None = Field(None, description="Inference engine.")
    gpu: str | None = Field(None, description="GPU type, e.g. H100, L40S, A10G.")
    gpus_per_replica: PositiveInt | None = Field(
        None, le=MAX_PER_REPLICA, description="GPUs per replica."
    )
    instance_types: list[str] = Field(
        default_factory=lambda: [], description="Instance types the replicas may run on."
    )
    cold_start_seconds: PositiveInt | None = Field(
        None, le=MAX_SECONDS, description="Seconds from scale-out decision to serving traffic."
    )
    model_cache: bool | None = Field(None, description="Weights cached near the node.")
    image_prepull: bool | None = Field(None, description="Images pre-pulled onto nodes.")
    warm_pool: bool | None = Field(None, description="Warm standby nodes exist.")
    max_concurrency: PositiveInt | None = Field(
        None, le=MAX_PER_REPLICA, description="Concurrent sequences per replica."
    )
    measured: MeasuredServing | None = Field(
        None,
        description=(
            "Throughput and time to first token measured on this set-up; they win over the "
            "catalog and the estimate."
        ),
    )
    hosted_models: list[HostedModels] = Field(
        default_factory=lambda: [],
        description=(
            "Models or adapters sharing this endpoint's GPU pool (multi-model endpoints, "
            "inference components, multi-LoRA): their journeys' demand adds up on the pool, "
            "one failure takes them all, a cold load enters the latency budget."
        ),
    )
    gpu_sharing: GpuSharing | None = Field(
        None,
        description=(
            "GPUs shared with other endpoints (MIG instances, MPS or time slicing): endpoints "
            "naming the same group are one failure and capacity domain; a MIG instance's "
            "throughput and memory are its profile's slice."
        ),
    )

    @model_validator(mode="after")
    def _unique_hosted(self) -> "Serving":
        """Hosted model names are unique."""
        names = [h.name for h in self.hosted_models]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                f"hosted_models names must be unique: {', '.join(twice)} given twice; "
                "merge them or rename one"
            )
        return self


class Quota(SpecModel):
    """A managed-service quota the endpoint consumes."""

    tokens_per_minute: PositiveInt | None = Field(
        None, le=MAX_PER_MINUTE, description="Tokens per minute."
    )
    requests_per_minute: PositiveInt | None = Field(
        None, le=MAX_PER_MINUTE, description="Requests per minute."
    )
    shared_with: list[str] = Field(
        default_factory=lambda: [],
        description=(
            "Other stacks or teams drawing on the same quota ([] for none; left out, whether "
            "it is shared is unknown)."
        ),
    )

    @property
    def sharing_declared(self) -> bool:
        """Whether the spec says who shares the quota (``shared_with``, ``[]`` included)."""
        return "shared_with" in self.model_fields_set


class Capacity(SpecModel):
    """How capacity is bought."""

    purchase: PurchaseOption | None = Field(None, description="Purchase option.")
    reserved_replicas: NonNegativeInt | None = Field(
        None, le=MAX_REPLICAS, description="Replicas covered by reservations per region."
    )
    recovery_purchase: PurchaseOption | None = Field(
        None,
        description=(
            "How replicas are obtained in the DR recovery region when it is not running them "
            "already: odcr or capacity_block held there, or bought during the outage "
            "(on_demand, spot)."
        ),
    )


class Health(SpecModel):
    """Node and accelerator health management."""

    gpu_health_checks: bool | None = Field(None, description="GPU health checks (DCGM, ...).")
    node_auto_repair: bool | None = Field(None, description="Unhealthy nodes are replaced.")


class HostedModelFields(SpecModel):
    """Fields shared by components that serve a model."""

    hosting: Hosting = Field(description="bedrock, sagemaker, self_hosted or external_api.")
    model: ModelInfo | None = Field(None, description="The model served.")
    serving: Serving | None = Field(None, description="Serving set-up (self-hosted, SageMaker).")
    quota: Quota | None = Field(None, description="Managed-service quota.")
    capacity: Capacity | None = Field(None, description="How capacity is bought.")
    health: Health | None = Field(None, description="GPU and node health management.")
    cross_region_inference: bool | None = Field(
        None, description="Managed cross-region inference profile in use."
    )

    @model_validator(mode="after")
    def _hosted_on_our_gpus(self) -> "HostedModelFields":
        """Hosted models share a GPU pool this stack runs (SageMaker or self-hosted)."""
        hosted = self.serving is not None and bool(self.serving.hosted_models)
        if hosted and self.hosting not in (Hosting.SAGEMAKER, Hosting.SELF_HOSTED):
            raise ValueError(
                f"'serving.hosted_models' describes a GPU pool the stack runs, but hosting "
                f"is {self.hosting.value}: use hosting sagemaker or self_hosted, or remove "
                "hosted_models (a provider's models are separate endpoints under its quota)"
            )
        shared = self.serving is not None and self.serving.gpu_sharing is not None
        if shared and self.hosting not in (Hosting.SAGEMAKER, Hosting.SELF_HOSTED):
            raise ValueError(
                f"'serving.gpu_sharing' places the endpoint on GPUs the stack runs, but hosting "
                f"is {self.hosting.value}: use hosting self_hosted (or sagemaker), or remove "
                "gpu_sharing (a provider's GPUs are not yours to partition)"
            )
        return self


class ModelEndpoint(ComponentBase, ServiceFields, HostedModelFields):
    """A generative model endpoint."""

    kind: Literal["model_endpoint"] = Field(description="Component kind.")


class EmbeddingModel(ComponentBase, ServiceFields, HostedModelFields):
    """An embedding model endpoint."""

    kind: Literal["embedding_model"] = Field(description="Component kind.")


class TrainingJob(ComponentBase):
    """Training or fine-tuning jobs: per-tenant fine-tunes launched at a rate, or large runs.

    The launch path (CG-CAP-009): fine-tunes requested at ``launch_rate_per_second`` for
    ``peak_seconds``, ``fine_tunes_per_job`` to a job, launched straight away or taken from
    ``launch_queue`` at ``paced_launches_per_second``, against the launch API's rate. A run's
    size and checkpoints (CG-RED-012): ``gpus``, ``duration_hours``,
    ``checkpoint_interval_minutes`` and ``restart_minutes``.
    """

    kind: Literal["training_job"] = Field(description="Component kind.")
    platform: TrainingPlatform | None = Field(
        None,
        description=(
            "Where jobs run. Omitted: inferred from ml.* instance types (SageMaker) or from a "
            "stack whose only training-capable platform is SageMaker, EKS or Bedrock."
        ),
    )
    launch_rate_per_second: float | None = Field(
        None,
        ge=0,
        le=MAX_RATE,
        description=(
            "Fine-tunes requested per second at the peak (sign-up spike, scheduled retrain); "
            "without launch_queue, each is launched at once."
        ),
    )
    peak_seconds: PositiveInt | None = Field(
        None, le=MAX_SECONDS, description="How long the peak request rate lasts, in seconds."
    )
    fine_tunes_per_job: PositiveInt | None = Field(
        None,
        le=MAX_PER_REPLICA,
        description="Fine-tunes batched into one job (omitted: one per job).",
    )
    launch_queue: Reference | None = Field(
        None,
        description=(
            "The queue holding requests that the launcher takes at paced_launches_per_second "
            "(omitted: launches are not queued)."
        ),
    )
    paced_launches_per_second: float | None = Field(
        None,
        gt=0,
        le=MAX_RATE,
        description="Jobs launched per second from launch_queue (the launcher's pacing).",
    )
    api_rate_per_second: float | None = Field(
        None,
        gt=0,
        le=MAX_RATE,
        description=(
            "Launch API requests accepted per second (SageMaker CreateTrainingJob), from "
            "Service Quotas or a measurement; overrides the catalog's estimate."
        ),
    )
    max_concurrent_jobs: PositiveInt | None = Field(
        None,
        le=MAX_REPLICAS,
        description=(
            "Jobs that can run at once (the account's training-instance quota divided by the "
            "instances of one job); a queue drains no faster than they finish."
        ),
    )
    startup_seconds: PositiveInt | None = Field(
        None,
        le=MAX_SECONDS,
        description="Seconds from launch to training (warm pools shorten it).",
    )
    warm_pool: bool | None = Field(None, description="Warm pools keep instances between jobs.")
    retries: bool | None = Field(None, description="Launches retry with backoff on throttling.")
    gpus: PositiveInt | None = Field(
        None, le=MAX_PER_REPLICA, description="GPUs of one job (all its nodes)."
    )
    duration_hours: float | None = Field(
        None, gt=0, le=MAX_HOURS, description="Hours one job runs without interruptions."
    )
    checkpoint_interval_minutes: float | None = Field(
        None,
        gt=0,
        le=MAX_MINUTES,
        description=(
            "Minutes between checkpoints a job resumes from (a job that never checkpoints: "
            "its whole duration)."
        ),
    )
    restart_minutes: float | None = Field(
        None,
        ge=0,
        le=MAX_MINUTES,
        description=(
            "Minutes from an interruption to training again (detect, replace the node, load "
            "the checkpoint)."
        ),
    )
    gpu: str | None = Field(None, description="GPU type used.")
    instance_types: list[str] = Field(
        default_factory=lambda: [], description="Instance types used."
    )
