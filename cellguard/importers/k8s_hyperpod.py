"""Amazon SageMaker HyperPod inference operator: InferenceEndpointConfig and JumpStartModel.

Both deploy a model onto the EKS-orchestrated HyperPod cluster's nodes (self-hosted, EKS):
``instanceType`` (``spec.instanceType``; a JumpStartModel's ``spec.server.instanceType``) gives
the instance type and its GPU, ``autoScalingSpec`` the replica range (``minReplicaCount``,
``maxReplicaCount``), ``spec.replicas`` a fixed count. An InferenceEndpointConfig's ``worker``
is its container: ``image`` (the engine), ``resources`` (GPUs per replica) and
``environmentVariables`` (``HF_MODEL_ID``, ``MODEL_ID``, ``OPTION_MODEL_ID``); a
JumpStartModel names its model by ``spec.model.modelId`` and ``modelVersion``. Shapes as AWS's
HyperPod model deployment documentation and aws-samples/sagemaker-genai-hosting-examples show
them.
"""

from __future__ import annotations

from cellguard.importers.classify import apply_pod
from cellguard.importers.context import Context
from cellguard.importers.engines import engine_of_image, is_embedding_image
from cellguard.importers.facts import Workload
from cellguard.importers.k8s_links import _set_range
from cellguard.importers.manifests import Manifest
from cellguard.importers.nodes import gpu_of_instance
from cellguard.importers.pods import PodFacts, gpu_count
from cellguard.models.loader.errors import KeyPath

_VERSIONS = ("inference.sagemaker.aws.amazon.com/v1alpha1", "inference.sagemaker.aws.amazon.com/v1")
KINDS = {"InferenceEndpointConfig": _VERSIONS, "JumpStartModel": _VERSIONS}

_MODEL_ENV = ("HF_MODEL_ID", "MODEL_ID", "OPTION_MODEL_ID")


def _worker(ctx: Context, m: Manifest, pod: PodFacts) -> None:
    worker = ("spec", "worker")
    image = ctx.text(m, (*worker, "image"))
    if image is not None:
        pod.image = (image, m.origin(*worker, "image"))
        engine = engine_of_image(image)
        if engine is not None:
            pod.engine = (engine, m.origin(*worker, "image"))
        pod.embedding = is_embedding_image(image)
    pod.gpus = gpu_count(m, (*worker, "resources"), ctx.problems)
    for i, item in enumerate(ctx.sequence(m, (*worker, "environmentVariables"))):
        name = item.get("name") if isinstance(item, dict) else None
        value = item.get("value") if isinstance(item, dict) else None
        local = not isinstance(value, str) or value.startswith(("/", "s3://", "file://"))
        if name in _MODEL_ENV and value and not local and pod.model is None:
            pod.model = (str(value), m.origin(*worker, "environmentVariables", i, "value"))


def read_hyperpod(ctx: Context, m: Manifest) -> None:
    """One HyperPod model deployment as a model endpoint."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    pod = PodFacts(("spec",), m.origin("spec"))
    instance_path: KeyPath = ("spec", "instanceType")
    if m.kind == "InferenceEndpointConfig":
        _worker(ctx, m, pod)
    else:
        model = ctx.text(m, ("spec", "model", "modelId"))
        if model is not None:
            pod.model = (model, m.origin("spec", "model", "modelId"))
        version = ctx.text(m, ("spec", "model", "modelVersion"))
        if version is not None:
            pod.revision = (version, m.origin("spec", "model", "modelVersion"))
        instance_path = ("spec", "server", "instanceType")
    w = Workload(m, "embedding_model" if pod.embedding else "model_endpoint")
    w.kind_why = f"a SageMaker HyperPod {m.kind}"
    apply_pod(w, pod)
    w.set(("runtime",), "eks", m.origin("kind"), "SageMaker HyperPod (EKS-orchestrated)")
    instance = ctx.text(m, instance_path)
    if instance is not None:
        origin = m.origin(*instance_path)
        w.set(("serving", "instance_types"), [instance], origin)
        gpu = gpu_of_instance(instance)
        if gpu is not None:
            w.set(("serving", "gpu"), gpu, origin, f"the GPU of {instance}")
    scaling = ("spec", "autoScalingSpec")
    low = ctx.integer(m, (*scaling, "minReplicaCount"))
    # an inverted range (min over max) is a located error, not a silently dropped range
    high = ctx.integer(m, (*scaling, "maxReplicaCount"), minimum=max(1, low or 0))
    count = ctx.integer(m, ("spec", "replicas"))
    if high is not None and high >= (low or 0):
        low_at = m.origin(*scaling, "minReplicaCount") if low is not None else m.origin(*scaling)
        high_at = m.origin(*scaling, "maxReplicaCount")
        _set_range(w, low or 0, low_at, high, high_at, "autoScalingSpec")
    elif count is not None:
        w.set(("replicas",), count, m.origin("spec", "replicas"))
    endpoint = ctx.text(m, ("spec", "endpointName")) or ctx.text(
        m, ("spec", "sageMakerEndpoint", "name")
    )
    w.service_names |= {m.name} | ({endpoint} if endpoint else set())
    ctx.workloads.append(w)
