"""Node labels that say what a pod runs on: GPU type, instance types, zones, capacity type.

GPU names are mapped onto the catalog's canonical names where it knows them
(``NVIDIA-H100-80GB-HBM3`` and ``h100`` are ``H100``, ``nvidia-l4`` is ``L4``); an instance type
the catalog knows gives its GPU (``g6e.2xlarge`` -> ``L40S``).
"""

from __future__ import annotations

import re

from cellguard.models.catalog.hardware import find_gpu, find_instance

GPU_RESOURCE = "nvidia.com/gpu"

GPU_LABELS = (
    "nvidia.com/gpu.product",
    "karpenter.k8s.aws/instance-gpu-name",
    "eks.amazonaws.com/instance-gpu-name",
    "cloud.google.com/gke-accelerator",
    "accelerator",
    "nvidia.com/gpu.family",
)
"""Node labels naming the GPU, most specific first (``eks.amazonaws.com/...``: EKS Auto Mode's
well-known labels, the Karpenter ones under EKS's prefix)."""

ACCELERATOR_RESOURCES = (
    "aws.amazon.com/neuron",
    "aws.amazon.com/neuroncore",
    "aws.amazon.com/neurondevice",
    "amd.com/gpu",
    "google.com/tpu",
    "habana.ai/gaudi",
)
"""Extended resources of accelerators other than NVIDIA GPUs (AWS Trainium and Inferentia,
AMD, TPU, Gaudi): a pod asking for them runs a model or a training job, but cellguard's GPU
catalog has none of them, so their count is noted (label ``k8s/accelerators``), not written as
GPUs."""

INSTANCE_LABELS = ("node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type")
FAMILY_LABELS = ("karpenter.k8s.aws/instance-family", "eks.amazonaws.com/instance-family")
ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
REGION_LABELS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
CAPACITY_LABELS = ("karpenter.sh/capacity-type", "eks.amazonaws.com/capacityType")
NODE_POOL_LABELS = ("karpenter.sh/nodepool", "eks.amazonaws.com/nodegroup")
EKS_PREFIXES = ("eks.amazonaws.com/", "karpenter.k8s.aws/", "alpha.eksctl.io/")

_REGION_OF_ZONE = re.compile(r"^([a-z]{2}(?:-[a-z]+)+-\d+)[a-z]$")
_SPLIT = re.compile(r"[-_ ]+")
_CAPACITY = {"on-demand": "on_demand", "on_demand": "on_demand", "spot": "spot", "reserved": "odcr"}


def gpu_name(raw: str) -> str:
    """The catalog's name of the GPU ``raw`` names, or ``raw`` in upper case if it lacks it."""
    text = raw.strip()
    found = find_gpu(text)
    if found is not None:
        return found.name
    tokens = [t for t in _SPLIT.split(text) if t and t.lower() != "nvidia"]
    memory = next((t for t in tokens if re.fullmatch(r"\d+gb?", t.lower())), None)
    for token in tokens:
        if memory is not None:
            with_memory = find_gpu(f"{token}-{memory.upper().removesuffix('G')}")
            if with_memory is None:
                with_memory = find_gpu(f"{token}-{memory}")
            if with_memory is not None:
                return with_memory.name
        single = find_gpu(token)
        if single is not None:
            return single.name
    return "-".join(tokens).upper() if tokens else text


def gpu_of_instance(instance_type: str) -> str | None:
    """The GPU of ``instance_type``, if the catalog knows the type."""
    found = find_instance(instance_type)
    return found.gpu if found is not None else None


def gpu_of_family(family: str) -> str | None:
    """The GPU of an instance family (``p5``), if the catalog knows a type of it."""
    for size in ("xlarge", "2xlarge", "4xlarge", "12xlarge", "48xlarge", "24xlarge"):
        gpu = gpu_of_instance(f"{family}.{size}")
        if gpu is not None:
            return gpu
    return None


def region_of_zone(zone: str) -> str | None:
    """``us-east-1`` of the zone name ``us-east-1a``; ``None`` for other shapes."""
    match = _REGION_OF_ZONE.match(zone)
    return match.group(1) if match else None


def purchase_option(capacity_types: list[str]) -> str | None:
    """The spec's purchase option for node capacity types, when they name exactly one."""
    options = {_CAPACITY.get(c.strip().lower()) for c in capacity_types}
    if len(options) == 1 and None not in options:
        return options.pop()
    return None
