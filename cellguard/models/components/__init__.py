"""Component kinds of the spec, as one discriminated union on ``kind``."""

from __future__ import annotations

import typing
from typing import Annotated

from pydantic import Field

from cellguard.models.components.common import (
    Autoscaling,
    Backup,
    ComponentBase,
    ContainerImage,
    Placement,
    Replication,
    Rollout,
)
from cellguard.models.components.compute import Agent, App, Gateway, Router, Tool, ToolInterface
from cellguard.models.components.data import (
    Cache,
    Database,
    DataVolume,
    IngestionPipeline,
    ObjectStore,
    PromptStore,
    Queue,
    Source,
    VectorStore,
)
from cellguard.models.components.inference import (
    Capacity,
    EmbeddingModel,
    Health,
    ModelEndpoint,
    ModelInfo,
    Quota,
    Serving,
    TrainingJob,
)
from cellguard.models.components.safety import Guardrail, Observability
from cellguard.models.components.startup import Startup, StartupSource
from cellguard.models.enums import ComponentKind

Component = Annotated[
    App
    | Gateway
    | Router
    | ModelEndpoint
    | EmbeddingModel
    | VectorStore
    | IngestionPipeline
    | Guardrail
    | PromptStore
    | Agent
    | Tool
    | Cache
    | Queue
    | ObjectStore
    | Database
    | TrainingJob
    | Observability,
    Field(discriminator="kind"),
]
"""Any component; pydantic picks the model from ``kind``."""

COMPONENT_TYPES: tuple[type[ComponentBase], ...] = (
    App,
    Gateway,
    Router,
    ModelEndpoint,
    EmbeddingModel,
    VectorStore,
    IngestionPipeline,
    Guardrail,
    PromptStore,
    Agent,
    Tool,
    Cache,
    Queue,
    ObjectStore,
    Database,
    TrainingJob,
    Observability,
)


def _kind_of(model: type[ComponentBase]) -> ComponentKind:
    return ComponentKind(typing.get_args(model.model_fields["kind"].annotation)[0])


KIND_MODELS: dict[ComponentKind, type[ComponentBase]] = {_kind_of(m): m for m in COMPONENT_TYPES}
"""The model of each component kind."""

__all__ = [
    "COMPONENT_TYPES",
    "KIND_MODELS",
    "Agent",
    "App",
    "Autoscaling",
    "Backup",
    "Cache",
    "Capacity",
    "Component",
    "ComponentBase",
    "ContainerImage",
    "DataVolume",
    "Database",
    "EmbeddingModel",
    "Gateway",
    "Guardrail",
    "Health",
    "IngestionPipeline",
    "ModelEndpoint",
    "ModelInfo",
    "ObjectStore",
    "Observability",
    "Placement",
    "PromptStore",
    "Queue",
    "Quota",
    "Replication",
    "Rollout",
    "Router",
    "Serving",
    "Source",
    "Startup",
    "StartupSource",
    "Tool",
    "ToolInterface",
    "TrainingJob",
    "VectorStore",
]
