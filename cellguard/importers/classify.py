"""From pod facts to spec values: which component kind a workload is, and its keys.

A pod that asks for GPUs or runs a known model server is a ``model_endpoint`` (an
``embedding_model`` when the server embeds); a GPU job without a server is a ``training_job``;
well-known data stores are recognised by their image (Qdrant, Milvus, Weaviate and pgvector are
vector stores, PostgreSQL a database, Redis/Valkey a cache, Kafka/RabbitMQ/NATS a queue,
MinIO an object store); LiteLLM and Kong are gateways; anything else is an ``app``.
"""

from __future__ import annotations

import typing

from cellguard.importers.facts import (
    LABEL_ACCELERATORS,
    LABEL_PRIORITY,
    LABEL_PROBES,
    LABEL_SERVED_NAME,
    SpecPath,
    Workload,
)
from cellguard.importers.manifests import Origin
from cellguard.importers.nodes import (
    CAPACITY_LABELS,
    EKS_PREFIXES,
    FAMILY_LABELS,
    GPU_LABELS,
    INSTANCE_LABELS,
    NODE_POOL_LABELS,
    ZONE_LABELS,
    gpu_name,
    gpu_of_family,
    gpu_of_instance,
    purchase_option,
)
from cellguard.importers.pods import PodFacts
from cellguard.models.components import COMPONENT_TYPES

STORE_IMAGES: tuple[tuple[str, str, str], ...] = (
    ("pgvector", "vector_store", "pgvector"),
    ("qdrant", "vector_store", "qdrant"),
    ("milvus", "vector_store", "milvus"),
    ("weaviate", "vector_store", "weaviate"),
    ("opensearch", "vector_store", "opensearch"),
    ("postgres", "database", "postgres"),
    ("valkey", "cache", "redis"),
    ("redis", "cache", "redis"),
    ("kafka", "queue", "kafka"),
    ("rabbitmq", "queue", "other"),
    ("nats", "queue", "other"),
    ("minio", "object_store", "other"),
)
"""(image substring, component kind, engine) of data stores recognised by their image."""

GATEWAY_IMAGES = (("litellm", "litellm"), ("kong", "kong"), ("envoyproxy/ai-gateway", "envoy"))

MODEL_KINDS = ("model_endpoint", "embedding_model")


def _fields() -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for model in COMPONENT_TYPES:
        kind = typing.get_args(model.model_fields["kind"].annotation)[0]
        out[str(kind)] = frozenset(model.model_fields)
    return out


FIELDS = _fields()
"""Top-level keys each component kind has."""


def allowed(kind: str, path: SpecPath) -> bool:
    """Whether a component of ``kind`` has the key ``path``."""
    return path[0] in FIELDS.get(kind, frozenset())


def image_kind(image: str) -> tuple[str, str, str] | None:
    """(kind, engine or product, key) of a data store or gateway image."""
    name = image.lower().rsplit("/", 1)[-1].split("@")[0].split(":")[0]
    repo = image.lower().split("@")[0]
    for part, kind, engine in STORE_IMAGES:
        if part in name:
            return kind, engine, "engine"
    for part, product in GATEWAY_IMAGES:
        if part in repo:
            return "gateway", product, "product"
    return None


def classify(pod: PodFacts, *, job: bool) -> str:
    """The component kind of a workload running ``pod``."""
    serving = pod.engine is not None or pod.model is not None
    accelerated = pod.gpus is not None or pod.accelerator is not None
    if pod.embedding and (serving or accelerated):
        return "embedding_model"
    if serving or (accelerated and not job):
        return "model_endpoint"
    if accelerated and job:
        return "training_job"
    if pod.image is not None:
        found = image_kind(pod.image[0])
        if found is not None:
            return found[0]
    return "app"


def apply_store(w: Workload, pod: PodFacts) -> None:
    """The engine (or product) of a data store or gateway recognised by its image."""
    if pod.image is None:
        return
    found = image_kind(pod.image[0])
    if found is not None and found[0] == w.component_kind:
        w.set((found[2],), found[1], pod.image[1], "by its image")


def apply_pod(w: Workload, pod: PodFacts, *, gpus_per_replica: int | None = None) -> None:
    """Record what ``pod`` says on ``w``: image, model, GPUs, node constraints, probes."""
    w.pod_labels.update(pod.labels)
    w.secrets.extend(pod.secrets)
    w.texts.extend(pod.texts)
    w.config_refs.extend(pod.config_refs)
    model_kind = w.component_kind in MODEL_KINDS
    if pod.image is not None:
        w.set(("image", "reference"), pod.image[0], pod.image[1])
    if model_kind:
        w.set(("hosting",), "self_hosted", pod.origin, "runs in the cluster")
        if pod.engine is not None:
            w.set(("serving", "engine"), pod.engine[0], pod.engine[1])
        if pod.model is not None:
            w.set(("model", "name"), pod.model[0], pod.model[1])
        for path, found in (
            (("model", "pinned_version"), pod.revision),
            (("model", "context_tokens"), pod.context),
            (("model", "precision"), pod.precision),
            (("serving", "max_concurrency"), pod.max_seqs),
            (("labels", LABEL_SERVED_NAME), pod.served_name),
        ):
            if found is not None:
                w.set(path, found[0], found[1])
        gpus = gpus_per_replica if gpus_per_replica is not None else None
        if gpus is None and pod.gpus is not None:
            gpus = pod.gpus[0]
        if gpus:
            w.set(("serving", "gpus_per_replica"), gpus, pod.gpus[1] if pod.gpus else pod.origin)
    if pod.accelerator is not None and w.component_kind in (*MODEL_KINDS, "training_job"):
        resource, count, origin = pod.accelerator
        note = "not NVIDIA GPUs: GPU figures stay unknown"
        w.set(("labels", LABEL_ACCELERATORS), f"{count} {resource}", origin, note)
    if pod.probes is not None:
        w.set(("labels", LABEL_PROBES), pod.probes[0], pod.probes[1])
    if pod.priority_class is not None:
        w.set(("labels", LABEL_PRIORITY), pod.priority_class[0], pod.priority_class[1])
    apply_nodes(w, pod.selectors)
    w.tolerations.extend(pod.tolerations)
    w.node_selector.update(pod.selectors)
    if pod.zone_spread is not None:
        w.zone_spread = pod.zone_spread


def set_kubernetes(w: Workload, origin: Origin, note: str) -> None:
    """``runtime: kubernetes`` unless the node labels already said EKS."""
    if w.value(("runtime",)) != "eks":
        w.set(("runtime",), "kubernetes", origin, note)


def gpu_paths(kind: str) -> tuple[SpecPath, SpecPath]:
    """Where a kind keeps its GPU type and instance types."""
    if kind == "training_job":
        return ("gpu",), ("instance_types",)
    return ("serving", "gpu"), ("serving", "instance_types")


def apply_nodes(w: Workload, selectors: dict[str, tuple[list[str], Origin]]) -> None:
    """GPU type, instance types, zones, capacity type and node pool from node label constraints."""
    gpu_path, types_path = gpu_paths(w.component_kind)
    for key in reversed(GPU_LABELS):
        if key in selectors and len(selectors[key][0]) == 1:
            w.set(gpu_path, gpu_name(selectors[key][0][0]), selectors[key][1], key)
    for key in INSTANCE_LABELS:
        if key in selectors:
            types, origin = selectors[key]
            w.set(types_path, sorted(types), origin, key)
            gpus = {gpu_of_instance(t) for t in types} - {None}
            if len(gpus) == 1:
                w.setdefault(gpu_path, gpus.pop(), origin, f"the GPU of {types[0]}")
    for key in FAMILY_LABELS:
        if key in selectors and len(selectors[key][0]) == 1:
            gpu = gpu_of_family(selectors[key][0][0])
            if gpu is not None:
                w.setdefault(gpu_path, gpu, selectors[key][1], f"the GPU of {key}")
    for key in ZONE_LABELS:
        if key in selectors:
            zones, origin = selectors[key]
            w.set(("placement", "zones"), sorted(zones), origin, key)
    for key in CAPACITY_LABELS:
        if key in selectors:
            option = purchase_option(selectors[key][0])
            if option is not None:
                w.set(("capacity", "purchase"), option, selectors[key][1], key)
    for key in NODE_POOL_LABELS:
        if key in selectors and len(selectors[key][0]) == 1:
            w.node_pools.append((selectors[key][0][0], selectors[key][1]))
    if any(k.startswith(EKS_PREFIXES) for k in selectors):
        origin = next(o for k, (_, o) in selectors.items() if k.startswith(EKS_PREFIXES))
        w.set(("runtime",), "eks", origin, "EKS node labels")
