"""What ``cellguard blueprint`` does not create for a stack, and why (issue 17 item 6).

The blueprint deploys cells on EKS: services running on EKS, routers, GPU node pools of
self-hosted models, DynamoDB tables and OpenSearch domains. Every other component of the spec
(a SageMaker endpoint, training jobs, Lambda functions, queues, S3 buckets, ...) is named here
with what it is, so that the plan, the blueprint's output and its README say plainly what the
team still builds by other means instead of leaving it out in silence.
"""

from __future__ import annotations

from cellguard.blueprints.from_spec import blueprint_of
from cellguard.blueprints.gpu_pools import BlueprintError
from cellguard.models.components import (
    ComponentBase,
    Database,
    EmbeddingModel,
    IngestionPipeline,
    ModelEndpoint,
    ObjectStore,
    Queue,
    TrainingJob,
    VectorStore,
)
from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import Hosting
from cellguard.models.stack import Stack
from cellguard.models.wording import plural


def _engine(comp: ComponentBase) -> str:
    engine = getattr(comp, "engine", None)
    return str(getattr(engine, "value", engine)) if engine is not None else "unset"


def _model(comp: ModelEndpoint | EmbeddingModel) -> str:
    if comp.hosting is Hosting.SELF_HOSTED:
        runtime = comp.runtime.value if comp.runtime is not None else "unset"
        return (
            f"a self-hosted model on runtime {runtime}: not generated (the blueprint serves "
            "self-hosted models on EKS GPU node pools only)"
        )
    if comp.hosting is not Hosting.SAGEMAKER:
        return (
            f"a {comp.hosting.value} model its provider runs: nothing to create (request its quota)"
        )
    hosted = comp.serving.hosted_models if comp.serving is not None else []
    count = sum(h.count for h in hosted)
    what = (
        f"a SageMaker multi-model endpoint ({plural(count, 'hosted model')})"
        if hosted
        else "a SageMaker endpoint"
    )
    return (
        f"{what}: the blueprint builds GPU node pools on EKS only; create the model, endpoint "
        "configuration, endpoint and its autoscaling with the SageMaker API or CloudFormation "
        "(AWS::SageMaker::Endpoint)"
    )


def reason(comp: ComponentBase) -> str:
    """Why the blueprint creates nothing for ``comp`` (a component it does not deploy)."""
    if isinstance(comp, ModelEndpoint | EmbeddingModel):
        return _model(comp)
    if isinstance(comp, TrainingJob):
        return (
            "training jobs are not generated: their launcher, launch queue and pacing, warm "
            "pools and training-instance quota are built with SageMaker or the cluster's job "
            "scheduler"
        )
    if isinstance(comp, IngestionPipeline):
        return "batch and stream pipelines are not generated (jobs, not services)"
    if isinstance(comp, VectorStore):
        return f"vector store engine {_engine(comp)} is not generated (OpenSearch only)"
    if isinstance(comp, Queue):
        return f"queues ({_engine(comp)}) are not generated"
    if isinstance(comp, ObjectStore):
        return (
            f"object stores ({_engine(comp)}) are not generated (only the buckets of GPU "
            "weights are)"
        )
    if isinstance(comp, Database):
        return f"databases of engine {_engine(comp)} are not generated (DynamoDB only)"
    if isinstance(comp, ServiceFields) and comp.runtime is not None:
        product = getattr(comp, "product", None)
        what = f"{getattr(product, 'value', product)} ({comp.runtime.value})" if product else ""
        return f"{what or 'runtime ' + comp.runtime.value} is not generated (EKS only)"
    return f"{getattr(comp, 'kind', type(comp).__name__)} components are not generated"


def not_generated(stack: Stack) -> list[tuple[str, str]]:
    """``(component id, why)`` of every component of ``stack`` the blueprint does not
    create, in spec order; one ``("*", why)`` when no blueprint can be made at all."""
    try:
        bp = blueprint_of(stack)
    except BlueprintError as exc:
        return [("*", f"no blueprint can be generated: {exc}")]
    made = {w.component for cell in bp.cells for w in cell.workloads}
    made |= {pool.id for region in bp.regions for pool in region.gpu_pools}
    made |= {t.component for t in bp.data.tables}
    made |= {v.component for v in bp.data.vector_stores}
    if bp.router.component is not None:
        made.add(bp.router.component)
    return [(c.id, reason(c)) for c in stack.components if c.id not in made]


def not_generated_lines(stack: Stack) -> list[str]:
    """:func:`not_generated` as one line per component: ``id: why``."""
    return [f"{cid}: {why}" if cid != "*" else why for cid, why in not_generated(stack)]
