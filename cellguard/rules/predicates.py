"""Small predicates the built-in rules share."""

from __future__ import annotations

from cellguard.models.components import (
    KIND_MODELS,
    ComponentBase,
    EmbeddingModel,
    ModelEndpoint,
)
from cellguard.models.components.common import ServiceFields
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import ComponentKind, Hosting

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
