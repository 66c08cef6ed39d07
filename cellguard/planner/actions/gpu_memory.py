"""CG-CAP-011 failures that more replicas cannot fix: a replica whose GPUs cannot hold the model.

Every replica holds its own copy of the weights (and, with hosted models, the hot set), so a
replica that cannot start or cannot keep its hot set resident is not helped by having more of
it. The step says so and gives the ways that do help, with the catalog's figures: more GPUs per
replica (tensor parallelism), a GPU with more memory, or lower-precision weights.
"""

from __future__ import annotations

import math

from cellguard.assessments.replica import ReplicaSpec
from cellguard.assessments.throughput_model import MEMORY_HEADROOM
from cellguard.models.catalog.hardware import Gpu, gpu_catalog, instance_catalog, weight_bytes
from cellguard.models.enums import Precision
from cellguard.models.findings import Finding
from cellguard.planner.context import manual
from cellguard.planner.model import ActionResult

_LOWER = (Precision.FP8, Precision.INT4)


def _power_of_two(count: float) -> int:
    """The smallest power of two at least ``count`` (tensor-parallel sizes must divide the
    model's attention heads, which engines require)."""
    return 1 << max(0, math.ceil(math.log2(max(count, 1.0)) - 1e-9))


def _instance_with(gpu: Gpu, gpus: int) -> str | None:
    """The catalog's smallest EC2 instance type with at least ``gpus`` of ``gpu``."""
    found = [
        t
        for t in instance_catalog().instance_types()
        if t.gpu == gpu.name and t.gpus >= gpus and t.platform == "ec2"
    ]
    best = min(found, key=lambda t: (t.gpus, t.name), default=None)
    return best.name if best is not None else None


def _larger_gpu(spec: ReplicaSpec, weights_gb: float) -> Gpu | None:
    """The catalog GPU with the least memory that holds the weights at the replica's count."""
    assert spec.gpu is not None
    fitting = [
        g
        for g in gpu_catalog().gpus
        if g.memory_gb > spec.gpu.memory_gb
        and weights_gb <= MEMORY_HEADROOM * g.memory_gb * spec.gpus
    ]
    return min(fitting, key=lambda g: (g.memory_gb, g.name), default=None)


def _options(spec: ReplicaSpec, weights_gb: float) -> list[str]:
    assert spec.gpu is not None and spec.params_b is not None and spec.precision is not None
    gpu = spec.gpu
    per_gpu = MEMORY_HEADROOM * gpu.memory_gb
    options = []
    tp = _power_of_two(weights_gb / per_gpu)
    instance = _instance_with(gpu, tp)
    where = (
        f", e.g. on {instance}"
        if instance
        else " (no single instance of the catalog has that many)"
    )
    options.append(
        f"{tp} x {gpu.name} per replica (serving.gpus_per_replica: {tp}, tensor parallelism "
        f"over a power of two of GPUs){where}"
    )
    larger = _larger_gpu(spec, weights_gb)
    if larger is not None:
        options.append(f"{spec.gpus} x {larger.name} ({larger.memory_gb:g} GB each) per replica")
    for precision in _LOWER:
        lower = weight_bytes(spec.params_b, precision) / 1e9
        if lower < weights_gb and lower <= per_gpu * spec.gpus:
            options.append(f"{precision.value} weights ({lower:,.0f} GB, quantised)")
            break
    return options


def memory_step(
    action: str, finding: Finding, spec: ReplicaSpec | None
) -> list[ActionResult] | None:
    """The manual step for a replica whose GPUs cannot hold its weights or its hot set;
    ``None`` when that is not why the fleet fails (then replicas are the fix)."""
    cid = finding.target
    hot = finding.evidence.get("hot_set_gb")
    budget = finding.evidence.get("weights_budget_gb")
    if (
        spec is not None
        and spec.fits is False
        and spec.gpu is not None
        and spec.params_b is not None
        and spec.precision is not None
    ):
        weights_gb = (spec.weights or 0.0) / 1e9
        options = _options(spec, weights_gb)
        return manual(
            action,
            finding,
            f"{cid}: more replicas cannot fix this; each replica holds its own copy of the "
            f"{weights_gb:,.0f} GB of weights ({spec.params_b:g}B at {spec.precision.value}), "
            f"and {spec.gpus} x {spec.gpu.name} ({spec.gpu.memory_gb:g} GB each, "
            f"{MEMORY_HEADROOM:.0%} usable) cannot. Give each replica room for them: "
            + "; or ".join(options)
            + ". Then size the fleet for peak demand.",
        )
    if isinstance(hot, int | float) and isinstance(budget, int | float) and hot > budget:
        return manual(
            action,
            finding,
            f"{cid}: more replicas cannot fix this; each replica must keep {hot:,.1f} GB of "
            f"hosted models resident and its GPUs hold at most {budget:,.1f} GB of weights. Lower "
            "serving.hosted_models access.hit_ratio (and count the cold loads in the latency "
            "budget), serve adapters instead of full copies, or give each replica GPUs with more "
            "memory.",
        )
    return None
