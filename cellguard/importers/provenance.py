"""Where each imported key comes from: the kinds of object each importer reads it from.

The spec reference (``cellguard schema --format markdown``) says, for each key an importer
writes, "Imported from: ..." with these kinds. The mapping lives here, beside the readers, and
``tests/importers/test_provenance.py`` imports the fixtures and checks it both ways: every key a
draft holds, read from an object of a kind, is listed with that kind, and every listed key and
kind is written by some fixture, so the reference cannot drift from what the importers do.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass
from types import UnionType
from typing import Annotated, Any, Union

from pydantic import BaseModel

from cellguard.importers.classify import GATEWAY_IMAGES, MODEL_KINDS, STORE_IMAGES
from cellguard.importers.cloudformation import TYPES
from cellguard.importers.k8s import WORKLOADS
from cellguard.models.components import KIND_MODELS
from cellguard.models.enums import ComponentKind

WORKLOAD = "the workload"
"""The object the component is made from (a Deployment, a RayService, ... or a CloudFormation
resource of one of :data:`~cellguard.importers.cloudformation.TYPES`), not another object."""


@dataclass(frozen=True)
class Source:
    """One key the importer writes into components, and the kinds it reads it from."""

    path: str
    """Key path inside a component: ``serving.gpu``, ``labels.k8s/pdb``, ``depends_on.to``."""
    kinds: tuple[str, ...]
    """Kinds of the objects it is read from (:data:`WORKLOAD`: the component's own object)."""
    components: tuple[str, ...] = ()
    """Component kinds it is written for; empty: every kind the importer makes that has it."""

    @property
    def parts(self) -> tuple[str, ...]:
        """The path as keys (a label's key is one part: ``("labels", "k8s/pdb")``)."""
        if self.path.startswith("labels."):
            return ("labels", self.path.removeprefix("labels."))
        return tuple(self.path.split("."))


_W = WORKLOAD
_POOL = "NodePool"
_HPA = "HorizontalPodAutoscaler"
_KEDA = "ScaledObject"

K8S: tuple[Source, ...] = (
    Source("id", (_W,)),
    Source("kind", (_W,)),
    Source("runtime", (_W,)),
    Source("hosting", (_W,)),
    Source("platform", (_W, _POOL)),
    Source("engine", (_W,)),
    Source("product", (_W,)),
    Source("gpu", (_W, _POOL)),
    Source("instance_types", (_W, _POOL)),
    Source("model.name", (_W,)),
    Source("model.pinned_version", (_W,)),
    Source("model.context_tokens", (_W,)),
    Source("model.precision", (_W,)),
    Source("serving.engine", (_W,)),
    Source("serving.gpu", (_W, _POOL)),
    Source("serving.gpus_per_replica", (_W,)),
    Source("serving.instance_types", (_W, _POOL)),
    Source("serving.max_concurrency", (_W,)),
    Source("serving.model_cache", ("NIMService",)),
    Source("image.reference", (_W,)),
    Source("placement.zones", (_W, _POOL)),
    Source("replicas", (_W, _HPA, _KEDA)),
    Source("autoscaling.min", (_W, _HPA, _KEDA)),
    Source("autoscaling.max", (_W, _HPA, _KEDA)),
    Source("autoscaling.metric", (_HPA, _KEDA)),
    Source("capacity.purchase", (_W, _POOL)),
    Source("rollout.strategy", (_W,)),
    Source("labels.k8s/workload", (_W,)),
    Source("labels.k8s/probes", (_W,)),
    Source("labels.k8s/pdb", ("PodDisruptionBudget",)),
    Source("labels.k8s/priority-class", (_W,)),
    Source("labels.k8s/served-model-name", (_W,), MODEL_KINDS),
    Source("labels.k8s/accelerators", (_W,), (*MODEL_KINDS, "training_job")),
    Source("gpus", (_W,), ("training_job",)),
    Source("labels.k8s/schedule", ("CronJob",)),
    Source("depends_on.to", (_W, "ConfigMap", _KEDA)),
    Source("shared_domains", (_W, _POOL)),
)
"""What ``import k8s`` writes (addresses in ``depends_on`` are resolved through Services)."""

_SM = "AWS::SageMaker::"
_MODELS = MODEL_KINDS
_ASG = "AWS::AutoScaling::AutoScalingGroup"
_DOMAIN = "AWS::OpenSearchService::Domain"
_COLLECTION = "AWS::OpenSearchServerless::Collection"
_APIS = ("AWS::ApiGateway::RestApi", "AWS::ApiGatewayV2::Api", "AWS::AppSync::GraphQLApi")
_TABLES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")

CLOUDFORMATION: tuple[Source, ...] = (
    Source("id", (_W,)),
    Source("kind", (_W,)),
    Source("labels.cfn/resource", (_W,)),
    Source("runtime", (f"{_SM}EndpointConfig",), _MODELS),
    Source("runtime", ("AWS::Lambda::Function", _ASG), ("app",)),
    Source("runtime", ("AWS::Bedrock::KnowledgeBase",), ("app",)),
    Source("runtime", ("AWS::Bedrock::Agent",), ("agent",)),
    Source("runtime", _APIS, ("gateway",)),
    Source("product", _APIS, ("gateway",)),
    Source("framework", ("AWS::Bedrock::KnowledgeBase",), ("app",)),
    Source("framework", ("AWS::Bedrock::Agent",), ("agent",)),
    Source("labels.cfn/foundation-model", ("AWS::Bedrock::Agent",), ("agent",)),
    Source("labels.cfn/storage", ("AWS::Bedrock::KnowledgeBase",), ("app",)),
    Source("labels.cfn/embedding-model", ("AWS::Bedrock::KnowledgeBase",), ("app",)),
    Source("labels.cfn/reserved-concurrency", ("AWS::Lambda::Function",), ("app",)),
    Source("provider", ("AWS::Bedrock::Guardrail",), ("guardrail",)),
    Source("checks", ("AWS::Bedrock::Guardrail",), ("guardrail",)),
    Source("mode", ("AWS::Bedrock::DataSource",), ("ingestion_pipeline",)),
    Source("hosting", (f"{_SM}Endpoint", f"{_SM}InferenceComponent"), _MODELS),
    Source("replicas", (f"{_SM}EndpointConfig", f"{_SM}InferenceComponent"), _MODELS),
    Source("replicas", (_ASG,), ("app",)),
    Source("replicas", (_DOMAIN,), ("vector_store",)),
    Source("serving.instance_types", (f"{_SM}EndpointConfig",), _MODELS),
    Source("serving.gpu", (f"{_SM}EndpointConfig",), _MODELS),
    Source("serving.gpus_per_replica", (f"{_SM}InferenceComponent",), _MODELS),
    Source("serving.engine", (f"{_SM}Model",), _MODELS),
    Source("model.name", (f"{_SM}Model",), _MODELS),
    Source("model.pinned_version", (f"{_SM}Model",), _MODELS),
    Source("labels.cfn/image", (f"{_SM}Model",), _MODELS),
    Source("labels.cfn/variants", (f"{_SM}EndpointConfig",), _MODELS),
    Source("autoscaling.min", ("AWS::ApplicationAutoScaling::ScalableTarget",), _MODELS),
    Source("autoscaling.max", ("AWS::ApplicationAutoScaling::ScalableTarget",), _MODELS),
    Source("autoscaling.min", (_ASG,), ("app",)),
    Source("autoscaling.max", (_ASG,), ("app",)),
    Source("labels.cfn/health-check", (_ASG,), ("app",)),
    Source("labels.cfn/subnets", (_ASG,), ("app",)),
    Source("placement.zones", (_ASG,), ("app",)),
    Source("placement.zones", (_DOMAIN,), ("vector_store",)),
    Source("engine", (_DOMAIN, _COLLECTION), ("vector_store",)),
    Source("multi_az", (_DOMAIN, _COLLECTION), ("vector_store",)),
    Source("labels.cfn/dedicated-masters", (_DOMAIN,), ("vector_store",)),
    Source("engine", _TABLES, ("database",)),
    Source("labels.cfn/point-in-time-recovery", _TABLES, ("database",)),
    Source("replication.cross_region", ("AWS::DynamoDB::GlobalTable",), ("database",)),
    Source("replication.regions", ("AWS::DynamoDB::GlobalTable",), ("database",)),
    Source("engine", ("AWS::S3::Bucket", "AWS::ECR::Repository"), ("object_store",)),
    Source("versioning", ("AWS::S3::Bucket",), ("object_store",)),
    Source("labels.cfn/replication", ("AWS::S3::Bucket",), ("object_store",)),
    Source("engine", ("AWS::SQS::Queue", "AWS::SNS::Topic"), ("queue",)),
    Source("fifo", ("AWS::SQS::Queue",), ("queue",)),
    Source("dead_letter", ("AWS::SQS::Queue",), ("queue",)),
    Source("depends_on.to", (_W,)),
    Source("shared_domains", (f"{_SM}InferenceComponent",), _MODELS),
)
"""What ``import cloudformation`` writes (a ``depends_on`` is a reference in the properties)."""

IMPORTERS: dict[str, tuple[Source, ...]] = {"k8s": K8S, "cloudformation": CLOUDFORMATION}
"""The mapping of each importer, by its ``cellguard import`` subcommand."""

MADE: dict[str, frozenset[str]] = {
    "k8s": frozenset(
        {kind for _, kind, _ in STORE_IMAGES}
        | {"gateway" for _ in GATEWAY_IMAGES}
        | {"app", "training_job", *MODEL_KINDS}
    ),
    "cloudformation": frozenset({kind for kind, _ in TYPES.values()} | {"embedding_model"}),
}
"""The component kinds each importer makes (a SageMaker model may be an embedding model)."""

_TITLES = {"k8s": "Kubernetes", "cloudformation": "CloudFormation"}


def components_of(importer: str, source: Source) -> tuple[str, ...]:
    """The component kinds ``source`` is written for, in the models' order."""
    wanted = set(source.components) if source.components else MADE[importer]
    return tuple(
        kind.value
        for kind, model in KIND_MODELS.items()
        if kind.value in wanted and source.parts[0] in model.model_fields
    )


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside ``X | None``, ``list[X]`` or ``Annotated[X, ...]``."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _inner_model(typing.get_args(annotation)[0])
    if origin in (Union, UnionType, list, tuple):
        found = [_inner_model(a) for a in typing.get_args(annotation)]
        models = [m for m in found if m is not None]
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def field_of(component: str, parts: tuple[str, ...]) -> tuple[type[BaseModel], str]:
    """The model and key that ``parts`` names in a component of kind ``component``.

    A label is the component's ``labels`` key. :class:`KeyError` for a path the models do not
    have (a mapping that names a key the spec lost).
    """
    model: type[BaseModel] = KIND_MODELS[ComponentKind(component)]
    steps = parts[:1] if parts[0] == "labels" else parts
    for i, key in enumerate(steps):
        info = model.model_fields[key]
        if i == len(steps) - 1:
            return model, info.alias or key
        inner = _inner_model(info.annotation)
        if inner is None:
            raise KeyError(f"{component}: {'.'.join(parts)}: {key} holds no keys")
        model = inner
    raise KeyError(f"{component}: empty path")


def _shown(importer: str, kind: str) -> str:
    if kind == WORKLOAD:
        return "the resource" if importer == "cloudformation" else WORKLOAD
    return f"`{kind}`"


def reference_notes() -> dict[tuple[str, str], str]:
    """``Imported from: ...`` for each (model name, key) of the spec reference an importer writes.

    Labels are listed on the ``labels`` key, each with its kinds.
    """
    found: dict[tuple[str, str], dict[str, dict[str, list[str]]]] = {}
    for importer, sources in IMPORTERS.items():
        for source in sources:
            for component in components_of(importer, source):
                model, key = field_of(component, source.parts)
                label = source.parts[1] if source.parts[0] == "labels" else ""
                kinds = found.setdefault((model.__name__, key), {}).setdefault(importer, {})
                listed = kinds.setdefault(label, [])
                listed.extend(k for k in source.kinds if k not in listed)
    notes: dict[tuple[str, str], str] = {}
    for place, by_importer in found.items():
        sentences = []
        for importer, by_label in by_importer.items():
            shown = "; ".join(
                (f"`{label}` from " if label else "")
                + ", ".join(_shown(importer, k) for k in kinds)
                for label, kinds in sorted(by_label.items())
            )
            sentences.append(f"Imported from {_TITLES[importer]}: {shown}.")
        notes[place] = " ".join(sentences)
    return notes


def reference_preamble() -> str:
    """What "Imported from" means in the spec reference."""
    workloads = ", ".join(sorted(WORKLOADS))
    return (
        "Keys `cellguard import k8s` and `cellguard import cloudformation` write say "
        '"Imported from" the kinds of object they read them from (see "Start from what you '
        'have" in the README). *The workload* is the Kubernetes object the component is made '
        f"from, one of {workloads}; *the resource* the CloudFormation resource it is made from."
    )
