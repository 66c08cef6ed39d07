"""Small predicates the built-in rules share."""

from __future__ import annotations

from cellguard.assessments.spec_fields import field_or_none
from cellguard.models.components import (
    KIND_MODELS,
    ComponentBase,
    EmbeddingModel,
    Guardrail,
    ModelEndpoint,
)
from cellguard.models.components.common import ServiceFields
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import (
    MANAGED_SERVICE_RUNTIMES,
    ComponentKind,
    GuardrailProvider,
    Hosting,
    Runtime,
)

MODEL_KINDS = (ComponentKind.MODEL_ENDPOINT, ComponentKind.EMBEDDING_MODEL)
"""Kinds that serve a model."""

DATA_KINDS = (
    ComponentKind.VECTOR_STORE,
    ComponentKind.PROMPT_STORE,
    ComponentKind.OBJECT_STORE,
    ComponentKind.DATABASE,
)
"""Kinds that hold data worth backing up."""

SERVICE_KINDS: tuple[ComponentKind, ...] = tuple(
    kind for kind, model in KIND_MODELS.items() if issubclass(model, ServiceFields)
)
"""Kinds that run code the team deploys (their model has runtime, image, rollout, protections)."""


def kind_names(*kinds: ComponentKind) -> tuple[str, ...]:
    """``applies_to`` entries for ``kinds``."""
    return tuple(k.value for k in kinds)


MANAGED_HOSTING = (Hosting.BEDROCK, Hosting.EXTERNAL_API)
"""Hostings where the provider runs the model and its capacity."""


def hosting(comp: ComponentBase) -> Hosting | None:
    """How a model-serving component is hosted; ``None`` for other kinds."""
    return comp.hosting if isinstance(comp, HostedModelFields) else None


def runs_gpus(comp: ComponentBase) -> bool:
    """A model the team runs on its own (or SageMaker) GPU instances."""
    return isinstance(comp, ModelEndpoint | EmbeddingModel) and comp.hosting in (
        Hosting.SELF_HOSTED,
        Hosting.SAGEMAKER,
    )


def self_hosted(comp: ComponentBase) -> bool:
    """A model the team serves itself on Kubernetes or EC2."""
    return isinstance(comp, ModelEndpoint | EmbeddingModel) and comp.hosting is Hosting.SELF_HOSTED


def is_service(comp: ComponentBase) -> bool:
    """A component running code the team deploys (has runtime, image, protections, ...)."""
    return isinstance(comp, ServiceFields)


MANAGED_ENGINES = frozenset(
    {
        "dynamodb",
        "s3",
        "sqs",
        "sns",
        "ecr",
        "kinesis",
        "eventbridge",
        "parameter_store",
        "bedrock_prompt_management",
        "opensearch_serverless",
        "s3_vectors",
        "kendra",
    }
)
"""Engines that are regional services, replicated across zones by the provider."""

MANAGED_RUNTIMES = MANAGED_SERVICE_RUNTIMES
"""Runtimes where the provider spreads the service over the region's zones (Lambda, API
Gateway, AppSync, Step Functions, ... and ``managed``)."""


def provider_runs(comp: ComponentBase) -> str | None:
    """Why the provider, not the team, runs ``comp`` -- a regional managed service that it
    spreads over zones, scales and protects -- or ``None`` when the team runs it.

    GPU models (self-hosted or SageMaker) are always the team's fleet, whatever their runtime.
    The reason reads ``hosting bedrock``, ``engine dynamodb``, ``provider bedrock_guardrails``,
    ``runs on Lambda`` or ``runs on a managed runtime``.
    """
    served_by = hosting(comp)
    if served_by is not None and served_by in MANAGED_HOSTING:
        return f"hosting {served_by.value}"
    if runs_gpus(comp):
        return None  # instances we choose and size, even when the runtime is managed
    engine = field_or_none(comp, "engine")
    if engine is not None and str(engine) in MANAGED_ENGINES:
        return f"engine {engine}"
    if isinstance(comp, Guardrail) and comp.provider is GuardrailProvider.BEDROCK_GUARDRAILS:
        return "provider bedrock_guardrails"
    if isinstance(comp, ServiceFields) and comp.runtime in MANAGED_RUNTIMES:
        if comp.runtime is Runtime.LAMBDA:
            return "runs on Lambda"
        if comp.runtime is Runtime.MANAGED:
            return "runs on a managed runtime"
        return f"runs on {comp.runtime.value}"
    return None
