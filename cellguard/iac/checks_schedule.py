"""``--verify``'s schedulability check: every pod fits a node its groups may launch, and the
groups at their minimum size hold every replica, zone by zone.

A workload's pods may land on the managed node groups of its cluster whose taints it tolerates
and whose node labels (the group's labels, zone id, instance type, capacity type) its
nodeSelector and required node affinity admit. Fit: the pod's requests (containers summed, the
largest init container if larger) within the allocatable of at least one instance type of such
a group (:mod:`cellguard.iac.nodes`). Static capacity: every group at ``minSize`` (spread evenly
over its zones, rounded down), each node counted at the smallest allocatable of its group's
types, resource by resource, must take every replica: workloads are placed largest first, pod by
pod, as the scheduler may place them: a pod with a ``DoNotSchedule`` zone spread only in a zone
where it keeps the spread within ``maxSkew`` (fewest of its pods first, then most room, as the
scheduler's spread and least-allocated scores prefer), any other pod in any zone with room. Replicas are the Deployment's, else the minimum of its HPA or KEDA
ScaledObject, else 1.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from cellguard.blueprints.model import Blueprint
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.nodes import (
    ZONE,
    ZONE_ID,
    Allocatable,
    NodeGroup,
    allocatable,
    node_groups,
    pod_requests,
    selects,
    tolerates,
)
from cellguard.iac.verify_base import CheckResult, cluster_of, ident, pod_spec, workloads

NAME = "schedulable"
SHOWN = 5
HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"


@dataclass(frozen=True)
class Placement:
    """Where one workload's pods may go, and how big they are."""

    workload: CapturedResource
    requests: tuple[int, int, int]
    replicas: int
    fits: frozenset[tuple[str, str]]
    """(node group, zone) pairs whose nodes admit the pod and have a type it fits."""
    types: tuple[str, ...]
    spread_skew: int | None
    cluster: str | None

    @property
    def name(self) -> str:
        """``namespace/name (cluster)``."""
        return f"{ident(self.workload)} ({self.cluster})"


def replicas(cap: Capture, workload: CapturedResource, cluster: str | None) -> int:
    """The workload's replicas, else the minimum of the HPA (default 1) or KEDA ScaledObject
    (``minReplicaCount``, default 0) scaling it, else 1."""
    count = workload.inputs.get("spec", {}).get("replicas")
    if count is not None:
        return int(count)
    meta = workload.inputs.get("metadata", {})
    for scaler in cap.of_type(HPA) + cap.of_type(SCALED_OBJECT):
        spec = scaler.inputs.get("spec", {})
        ref = spec.get("scaleTargetRef", {})
        same = scaler.inputs.get("metadata", {}).get("namespace") == meta.get("namespace")
        kind = ref.get("kind", "Deployment")
        target = ref.get("name") == meta.get("name") and kind == workload.inputs.get("kind")
        if same and target and cluster_of(cap, scaler) == cluster:
            if scaler.type == HPA:
                return int(spec.get("minReplicas", 1))
            return int(spec.get("minReplicaCount", 0))
    return 1


def _zone_skew(pod: dict[str, object]) -> int | None:
    for c in pod.get("topologySpreadConstraints") or []:  # type: ignore[attr-defined]
        if (
            c.get("topologyKey") in (ZONE, ZONE_ID)
            and c.get("whenUnsatisfiable") == "DoNotSchedule"
        ):
            return int(c.get("maxSkew", 1))
    return None


def _admits(pod: dict[str, object], group: NodeGroup) -> list[tuple[str, str]]:
    """(zone, instance type) of the group's nodes the pod may be scheduled on."""
    tolerations = list(pod.get("tolerations") or [])  # type: ignore[call-overload]
    if not all(tolerates(tolerations, t) for t in group.taints):
        return []
    return [
        (zone, t)
        for zone in group.zones
        for t in group.instance_types
        if selects(pod, group.node_labels(zone, t))
    ]


def _size(requests: tuple[int, int, int]) -> str:
    cpu, mib, gpus = requests
    gpu = f", {gpus} GPU" if gpus else ""
    return f"{cpu}m CPU, {mib} MiB{gpu}"


def _place(cap: Capture, w: CapturedResource, groups: list[NodeGroup]) -> Placement | str:
    """Where the workload's pods fit, or why they fit nowhere."""
    pod = pod_spec(w)
    cluster = cluster_of(cap, w)
    requests = pod_requests(pod)
    admitted = [(g, z, t) for g in groups if g.cluster == cluster for z, t in _admits(pod, g)]
    if not admitted:
        return (
            f"{ident(w)} ({cluster}): no node group of the cluster admits it "
            "(node selector, affinity or taints)"
        )
    fits = set()
    types: set[str] = set()
    unknown: set[str] = set()
    for g, zone, t in admitted:
        alloc = allocatable(t, g.nvidia)
        if alloc is None:
            unknown.add(t)
        elif alloc.holds(*requests) >= 1:
            fits.add((g.name, zone))
            types.add(t)
    if not fits:
        offered = sorted({t for _, _, t in admitted})
        why = f" (not in the instance catalog: {sorted(unknown)})" if unknown else ""
        return f"{ident(w)} ({cluster}): requests {_size(requests)} fit none of {offered}{why}"
    return Placement(
        w,
        requests,
        replicas(cap, w, cluster),
        frozenset(fits),
        tuple(sorted(types)),
        _zone_skew(pod),
        cluster,
    )


@dataclass
class _Node:
    group: str
    zone: str
    free: list[int]


def _nodes(groups: list[NodeGroup]) -> list[_Node]:
    out: list[_Node] = []
    for g in groups:
        allocs = [a for t in g.instance_types if (a := allocatable(t, g.nvidia)) is not None]
        if not allocs or not g.zones:
            continue
        worst: Allocatable = allocs[0]
        for a in allocs[1:]:
            worst = worst.least(a)
        per_zone = g.min_size // len(g.zones)
        for zone in g.zones:
            out.extend(
                _Node(g.name, zone, [worst.cpu_m, worst.memory_mib, worst.gpus, worst.pods])
                for _ in range(per_zone)
            )
    return out


def _room(nodes: list[_Node], p: Placement, zone: str) -> _Node | None:
    """The first node of ``zone`` admitting the pod with room for it."""
    want = [*p.requests, 1]
    for node in nodes:
        fits = all(f >= w for f, w in zip(node.free, want, strict=True))
        if node.zone == zone and (node.group, zone) in p.fits and fits:
            return node
    return None


def _slots(nodes: list[_Node], p: Placement, zone: str) -> int:
    """How many more of the workload's pods ``zone``'s nodes hold (the scheduler prefers the
    least allocated nodes)."""
    want = [*p.requests, 1]
    return sum(
        min(f // w for f, w in zip(node.free, want, strict=True) if w)
        for node in nodes
        if node.zone == zone and (node.group, zone) in p.fits
    )


def _pack(placements: list[Placement], nodes: list[_Node]) -> dict[str, list[list[str]]]:
    """Place every replica, largest workloads first, as the scheduler may: a pod with a zone
    spread goes only to zones where it keeps the skew within ``maxSkew`` (those with fewest of
    its pods first, then those with most room), any other pod to any zone with room; per workload, the zones of each pod left over."""
    short: dict[str, list[list[str]]] = defaultdict(list)
    order = sorted(placements, key=lambda p: (-p.requests[2], -p.requests[0], -p.requests[1]))
    for p in order:
        zones = sorted({z for _, z in p.fits})
        counts = dict.fromkeys(zones, 0)
        for _ in range(p.replicas):
            allowed = zones
            if p.spread_skew is not None:
                least = min(counts.values())
                allowed = [z for z in zones if counts[z] + 1 - least <= p.spread_skew]
            for zone in sorted(allowed, key=lambda z: (counts[z], -_slots(nodes, p, z), z)):
                node = _room(nodes, p, zone)
                if node is not None:
                    node.free = [f - w for f, w in zip(node.free, [*p.requests, 1], strict=True)]
                    counts[zone] += 1
                    break
            else:
                short[p.name].append(allowed)
    return short


def check_schedulable(cap: Capture, bp: Blueprint) -> CheckResult:
    """Every workload's pods fit a node type of an admitting group, and the groups at minimum
    size hold every replica zone by zone."""
    groups = node_groups(cap)
    placed: list[Placement] = []
    unfit: list[str] = []
    for w in workloads(cap):
        found = _place(cap, w, groups)
        if isinstance(found, str):
            unfit.append(found)
        else:
            placed.append(found)
    nodes = _nodes(groups)
    short = _pack(placed, nodes)
    pods = sum(p.replicas for p in placed)
    zones = len({n.zone for n in nodes})
    used = {n for p in placed for n, _ in p.fits}
    single: dict[str, int] = {}
    for g in groups:
        if len(g.instance_types) == 1 and g.name in used:
            single[g.instance_types[0]] = single.get(g.instance_types[0], 0) + 1
    gpu_fits = sorted(
        {
            f"{p.workload.inputs.get('metadata', {}).get('name')} ({_size(p.requests)}) "
            f"on {', '.join(p.types)}"
            for p in placed
            if p.requests[2]
        }
    )
    parts = [
        f"{len(placed)}/{len(placed) + len(unfit)} workloads fit an instance type their node "
        f"groups may launch; {pods} pods on {len(nodes)} nodes at minimum size in {zones} zones"
        + ("" if not short else f", {sum(len(v) for v in short.values())} pods left over"),
        "allocatable = catalog vCPUs/memory - EKS AMI kube-reserved (CPU 6/1/0.5/0.25 %, "
        "memory 11 MiB x maxPods + 255 MiB, maxPods 110 under 30 vCPUs else 250) - 100 MiB "
        "eviction threshold; each node counted at the smallest type of its group",
    ]
    if gpu_fits:
        parts.append(f"GPU pods: {'; '.join(gpu_fits)}")
    if single:
        listed = ", ".join(f"{t} ({n} groups)" for t, n in sorted(single.items()))
        parts.append(f"single-instance-type groups accepted, their pods fit the type: {listed}")
    if unfit:
        parts.append(f"do not fit: {'; '.join(unfit[:SHOWN])}" + _more(unfit))
    if short:
        lines = [
            f"{w}: {len(pods)} pods in {sorted({z for zones in pods for z in zones})}"
            for w, pods in sorted(short.items())
        ]
        parts.append(f"no room at minimum size: {'; '.join(lines[:SHOWN])}" + _more(lines))
    return CheckResult(NAME, not unfit and not short, "; ".join(parts))


def _more(items: list[str]) -> str:
    return f" and {len(items) - SHOWN} more" if len(items) > SHOWN else ""
