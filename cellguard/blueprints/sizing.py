"""Node allocatable, pod requests and system node counts (pure: no pulumi import).

Allocatable follows the EKS AMI's reservation: kube-reserved memory ``255 MiB + 11 MiB x max
pods`` (taken here for the worst case of 250 pods per node), CPU 6 % of the first core, 1 % of
the second, 0.5 % of the next two and 0.25 % of every further core, plus the kubelet's hard
eviction threshold of 100 MiB. vCPUs and memory come from the instance catalog
(``cellguard/models/catalog/instances.yaml``). Every node also keeps room for its DaemonSets
(VPC CNI, kube-proxy, Pod Identity agent, EBS CSI node, NVIDIA device plugin, DCGM exporter).

- A GPU pod requests an equal share of the allocatable CPU and memory of the *smallest* instance
  type its pool may launch (per GPU it takes), so it fits every type of the pool and the
  reservations; requests = limits.
- The system node group holds every non-GPU pod at its minimum replicas and the cluster's
  controllers with one zone lost, and may grow to hold every pod at its autoscaling ceiling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cellguard.blueprints.model import Blueprint, RegionPlan, Workload
from cellguard.models.catalog.hardware import find_instance, instance_catalog

MAX_PODS = 250
EVICTION_MIB = 100
DAEMONSET_CPU_M = 1000
DAEMONSET_MIB = 2048
CONTROLLERS_CPU_M = 3000
CONTROLLERS_MIB = 6144
"""Cluster controllers on the system nodes: CoreDNS, LB controller, cluster autoscaler, KEDA,
metrics-server, EBS CSI controller, metrics collector (their default requests, rounded up)."""
SERVICE_CPU_M = 1000
SERVICE_MIB = 2048
"""Requests of a non-GPU service pod (requests = limits)."""
SYSTEM_INSTANCE_TYPES = ("m7i.2xlarge", "m6i.2xlarge")


def reserved(vcpus: int) -> tuple[int, int]:
    """(millicores, MiB) the EKS AMI keeps from pods on a node with ``vcpus`` cores."""
    cpu = 60 + 10 * min(1, max(0, vcpus - 1)) + 5 * min(2, max(0, vcpus - 2))
    cpu += math.ceil(2.5 * max(0, vcpus - 4))
    return cpu, 255 + 11 * MAX_PODS + EVICTION_MIB


def allocatable(instance_type: str) -> tuple[int, int] | None:
    """(millicores, MiB) pods may request on one node, DaemonSets' room taken; None if the
    catalog does not know the type."""
    shape = instance_catalog().shape(instance_type)
    if shape is None:
        return None
    vcpus, memory_gib = shape
    cpu, mib = reserved(vcpus)
    return vcpus * 1000 - cpu - DAEMONSET_CPU_M, memory_gib * 1024 - mib - DAEMONSET_MIB


def gpu_requests(gpus_per_replica: int, instance_types: list[str]) -> tuple[int, int]:
    """(millicores, MiB) of a GPU pod: its share of the smallest allocatable of the types."""
    shares: list[tuple[int, int]] = []
    for name in instance_types:
        alloc = allocatable(name)
        found = find_instance(name)
        if alloc is None or found is None or found.gpus < gpus_per_replica:
            continue
        pods = found.gpus // gpus_per_replica
        shares.append((alloc[0] // pods, alloc[1] // pods))
    if not shares:
        return 1000 * gpus_per_replica, 4096 * gpus_per_replica
    cpu = min(s[0] for s in shares) // 100 * 100
    mib = min(s[1] for s in shares) // 1024 * 1024
    return max(cpu, 500), max(mib, 1024)


@dataclass(frozen=True)
class SystemNodes:
    """The system node group of one region: instance types and sizes (whole group)."""

    instance_types: tuple[str, ...]
    min_size: int
    max_size: int


def _nodes(cpu_m: int, mib: int, alloc: tuple[int, int], zones: int) -> int:
    """Nodes holding ``cpu_m``/``mib`` with one of ``zones`` zones lost, a multiple of zones."""
    need = max(math.ceil(cpu_m / alloc[0]), math.ceil(mib / alloc[1]), 1)
    surviving = zones - 1 if zones > 1 else 1
    return math.ceil(need / surviving) * zones


def system_nodes(region: RegionPlan, router_pods: tuple[int, int]) -> SystemNodes:
    """Size the system group for the region's non-GPU pods and controllers.

    ``router_pods`` is (replicas, autoscaling ceiling) of the region's router (0, 0 without one).
    """
    services = [w for c in region.cells for w in c.workloads if not w.is_gpu]
    low = sum(w.replicas for w in services) + router_pods[0]
    high = sum(max(w.replicas, w.max_replicas) for w in services) + router_pods[1]
    alloc = min(a for t in SYSTEM_INSTANCE_TYPES if (a := allocatable(t)) is not None)
    zones = len(region.zones)

    def size(pods: int) -> int:
        return _nodes(
            CONTROLLERS_CPU_M + pods * SERVICE_CPU_M,
            CONTROLLERS_MIB + pods * SERVICE_MIB,
            alloc,
            zones,
        )

    least = size(low)
    return SystemNodes(SYSTEM_INSTANCE_TYPES, least, max(2 * least, size(high)))


def with_requests(bp: Blueprint) -> Blueprint:
    """``bp`` with every workload's CPU and memory requests set from its pool's instance types."""
    regions = []
    for region in bp.regions:
        pools = {p.id: p for p in region.gpu_pools}
        cells = []
        for cell in region.cells:
            workloads: list[Workload] = []
            for w in cell.workloads:
                pool = pools.get(w.gpu_pool or "")
                if w.is_gpu and pool is not None:
                    cpu, mib = gpu_requests(w.gpus_per_replica, pool.instance_types)
                    w = w.model_copy(update={"cpu_millis": cpu, "memory_mib": mib})
                workloads.append(w)
            cells.append(cell.model_copy(update={"workloads": workloads}))
        regions.append(region.model_copy(update={"cells": cells}))
    return bp.model_copy(update={"regions": regions})
