"""GPU pools of a blueprint: one per self-hosted model per region (split from ``from_spec``).

Nodes per zone carry the region's replicas with one zone lost (static stability):
``ceil(replicas / (zones - 1))``. Fewer than two instance types in the spec are completed from
the catalog (same GPU, enough GPUs per node); instance types are ordered smallest first, and pod
requests are sized to fit every one of them (:mod:`cellguard.blueprints.sizing`).
"""

from __future__ import annotations

import math

from cellguard.blueprints.model import GpuPool
from cellguard.models.catalog.hardware import (
    find_gpu,
    find_instance,
    instance_catalog,
    weight_bytes,
)
from cellguard.models.components import ComponentBase, EmbeddingModel, ModelEndpoint
from cellguard.models.enums import Hosting, Precision, PurchaseOption
from cellguard.models.stack import Stack

WEIGHT_SHARE = 0.8
"""Largest share of a replica's GPU memory the weights may take: vLLM allocates 90 % of the
memory by default and needs the rest of that for activations and a usable KV cache."""


class BlueprintError(ValueError):
    """A spec the blueprint cannot deploy as written (message, and a hint what to change)."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


def check_weights_fit(
    comp: ModelEndpoint | EmbeddingModel, gpu_name: str | None, gpus: int
) -> None:
    """Refuse a replica whose weights leave vLLM no room to start (e.g. 70B bf16 on 2 x H100)."""
    model = comp.model
    gpu = find_gpu(gpu_name) if gpu_name else None
    if model is None or model.params_b is None or gpu is None:
        return
    precision = model.precision or Precision.BF16
    need = weight_bytes(model.params_b, precision) / 1e9
    have = gpus * gpu.memory_gb
    if need <= WEIGHT_SHARE * have:
        return
    more = gpus
    while need > WEIGHT_SHARE * more * gpu.memory_gb:
        more *= 2
    raise BlueprintError(
        f"components[{comp.id}]: {model.params_b:g}B parameters in {precision.value} are "
        f"{need:.0f} GB of weights, more than {WEIGHT_SHARE:.0%} of the {have:.0f} GB of "
        f"{gpus} x {gpu.name} per replica: vLLM could not start",
        f"set serving.gpus_per_replica to {more}, or serve smaller weights "
        "(model.precision: fp8 where the GPU supports it)",
    )


def is_self_hosted_model(comp: ComponentBase) -> bool:
    """A model endpoint or embedding model the blueprint serves with vLLM."""
    return isinstance(comp, ModelEndpoint | EmbeddingModel) and comp.hosting is Hosting.SELF_HOSTED


def _size(name: str) -> int:
    """The size multiplier of an instance type (``xlarge`` 1, ``48xlarge`` 48, ``metal`` last)."""
    size = name.rsplit(".", 1)[-1]
    digits = size.removesuffix("xlarge")
    if size.endswith("xlarge"):
        return int(digits) if digits.isdigit() else 1
    return 10_000


def _instance_types(types: list[str], gpus_per_replica: int) -> list[str]:
    """The spec's instance types, completed from the catalog to at least two."""
    chosen = list(dict.fromkeys(types))
    if len(chosen) >= 2 or not chosen:
        return chosen
    first = find_instance(chosen[0])
    if first is None:
        return chosen
    alternates = sorted(
        (
            t
            for t in instance_catalog().instance_types()
            if t.platform == "ec2" and t.gpu == first.gpu and t.gpus >= gpus_per_replica
        ),
        key=lambda t: (abs(t.gpus - first.gpus), t.gpus, _size(t.name), t.name),
    )
    for alt in alternates:
        if alt.name not in chosen:
            chosen.append(alt.name)
            break
    return chosen


def _per_zone(counts: list[int], surviving: int) -> int:
    """Pods a zone must hold with one zone lost: each cell spreads its own pods over the
    surviving zones (maxSkew 1), so a zone gets up to ``ceil(n / surviving)`` of every cell."""
    return sum(math.ceil(n / surviving) for n in counts)


def gpu_pools(
    stack: Stack,
    region: str,
    zones_by_model: dict[str, list[str]],
    cell_pods: dict[str, list[tuple[int, int]]] | None = None,
) -> list[GpuPool]:
    """The GPU pools of ``region``: one per self-hosted model placed there. ``cell_pods`` gives
    each model's (replicas, autoscaling ceiling) per cell of the region: the pods the pools must
    hold (a cell's share is rounded up, so they can exceed the spec's replicas)."""
    pools: list[GpuPool] = []
    for comp in stack.components:
        if not isinstance(comp, ModelEndpoint | EmbeddingModel) or not is_self_hosted_model(comp):
            continue
        if comp.id not in zones_by_model:
            continue
        serving = comp.serving
        per_replica = (serving.gpus_per_replica if serving else None) or 1
        types = _instance_types(list(serving.instance_types) if serving else [], per_replica)
        first = find_instance(types[0]) if types else None
        gpus_per_node = first.gpus if first else per_replica
        check_weights_fit(
            comp, (serving.gpu if serving else None) or (first.gpu if first else None), per_replica
        )
        zones = zones_by_model[comp.id]
        replicas = comp.replicas or 1
        surviving = len(zones) - 1 if len(zones) > 1 else 1
        per_node = max(1, gpus_per_node // per_replica)
        auto_max = comp.autoscaling.max if comp.autoscaling else replicas
        cells = (cell_pods or {}).get(comp.id) or [(replicas, auto_max)]
        nodes = math.ceil(_per_zone([c[0] for c in cells], surviving) / per_node)
        max_nodes = max(nodes, math.ceil(_per_zone([c[1] for c in cells], surviving) / per_node))
        purchase = (comp.capacity.purchase if comp.capacity else None) or PurchaseOption.ON_DEMAND
        reserved_total = (comp.capacity.reserved_replicas if comp.capacity else None) or 0
        if purchase not in (PurchaseOption.ODCR, PurchaseOption.CAPACITY_BLOCK):
            reserved = 0
        elif reserved_total == 0:
            reserved = nodes
        else:
            reserved = min(nodes, math.ceil(math.ceil(reserved_total / surviving) / per_node))
        pools.append(
            GpuPool(
                id=comp.id,
                region=region,
                gpu=(serving.gpu if serving else None) or (first.gpu if first else None),
                instance_types=types,
                gpus_per_node=gpus_per_node,
                zones=zones,
                nodes_per_zone=nodes,
                max_nodes_per_zone=max_nodes,
                purchase=purchase,
                reserved_nodes_per_zone=reserved,
                node_auto_repair=not (comp.health and comp.health.node_auto_repair is False),
            )
        )
    return pools
