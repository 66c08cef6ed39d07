"""Derive the DEPLOYED topology of a mock-run blueprint as a cellguard spec.

The round trip (:mod:`cellguard.iac.roundtrip`) assesses this spec beside the target: the
infrastructure must score what the plan promised. So every field the infrastructure is supposed
to prove is rebuilt from the captured resources (their ``cellguard:*`` tags, Kubernetes labels
and properties) and never copied from the target; a resource that is missing shows up as a
weaker spec, not as the target's claim.

From the resources (the target's value is discarded first):

- ``topology.regions`` (regions with a VPC, zones of their private subnets) and
  ``topology.cells`` (``InferenceCell`` namespaces, partition from the router's cell map): see
  :mod:`cellguard.iac.capture_index`.
- Services (Kubernetes Deployments, label ``app.kubernetes.io/name``): ``placement.regions``,
  ``placement.cells``, ``placement.zones`` (the fewest zones any of its Deployments may be
  scheduled in: the zone-id node affinity, and one zone when the pods are not spread over zones
  with ``DoNotSchedule`` or have fewer replicas than zones), ``replicas`` (per region, the
  smallest region's sum of Deployment replicas) and ``autoscaling`` (summed HPA min/max,
  metric from the HPA: vLLM queue depth or CPU).
- GPU models: ``serving.instance_types`` (the node groups' types, in order), ``serving
  .gpus_per_replica`` (the pods' ``nvidia.com/gpu`` limit), ``capacity`` (``odcr`` when
  capacity reservations exist, ``capacity_block`` for capacity-block node groups, else
  ``on_demand``; ``reserved_replicas``: the smallest region's reserved GPUs / GPUs per
  replica), ``health.node_auto_repair`` (every node group's ``nodeRepairConfig``) and
  ``health.gpu_health_checks`` (a GPU-health alarm in every cell the model runs in).
- DynamoDB tables and OpenSearch domains (regions, cells, zones, replicas, backups from PITR,
  snapshots and copies, replication from global tables): see :mod:`cellguard.iac.derive_stores`.
- ``practices.chaos`` (FIS templates), ``observability`` (alarms) and ``disaster_recovery``
  (recovery region, health-checked routing): see :mod:`cellguard.iac.derive_practices`.

From the target (infrastructure does not express them): ``metadata``, ``business`` (journeys,
objectives, demand, risks), ``topology.accounts`` and ``availability``, ``waivers``; per component
its ``kind``, description, ``depends_on`` (timeouts, retries, fallbacks), ``protections``,
``rollout``, ``model``, ``image``, engine, contents, checks and the other behavioural fields;
the serving fields other than instance types and GPUs (engine, cold start, caching); the
operational facts about a resource that exists (backup ``retention_days`` and
``restore_tested``, replication ``lag_seconds`` and ``failover_tested``, a chaos experiment's
``last_run``); practices for evaluation, change management, tracing, user feedback and drift.
Components the blueprint never generates (managed models, pipelines, observability, non-EKS
runtimes) are copied whole and listed in :attr:`Derivation.copied`; a generated component with
no resource at all is listed in :attr:`Derivation.missing` and keeps only one zone, one region
and one replica.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml

from cellguard.blueprints._base import LABEL_COMPONENT
from cellguard.blueprints.manifests import ZONE_ID_KEY
from cellguard.blueprints.manifests import ZONE_KEY as ZONE_NAME_KEY
from cellguard.iac.capture_index import (
    CaptureIndex,
    cell_partition,
    deployed_cells,
    deployed_regions,
    labels,
    tags,
)
from cellguard.iac.derive_practices import update_practices
from cellguard.iac.derive_stores import placement_account, store_fields
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.models.catalog.hardware import find_instance
from cellguard.models.loader.document import parse_document
from cellguard.models.loader.organisation import build_organisation
from cellguard.models.spec_writer import dump_document
from cellguard.models.stack import Stack

LABEL_NAME = LABEL_COMPONENT
ZONE_KEY = ZONE_ID_KEY
SPREAD_KEYS = (ZONE_NAME_KEY, ZONE_ID_KEY)
GPU = "nvidia.com/gpu"
_HPA_METRICS = {
    "vllm:num_requests_waiting": "queue_depth",
    "QueueDepth": "queue_depth",
    "cpu": "cpu",
}
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
"""KEDA ScaledObjects (the blueprints' queue autoscaling) count as HPAs."""


@dataclass
class Derivation:
    """The derived spec and what the derivation could not take from resources."""

    stack: Stack
    derived: list[str] = field(default_factory=list)
    """Components rebuilt from resources."""
    copied: list[str] = field(default_factory=list)
    """Components the blueprint does not generate, copied whole from the target."""
    missing: list[str] = field(default_factory=list)
    """Generated components with no resource in the capture."""


def _pod_spec(dep: CapturedResource) -> dict[str, Any]:
    spec: dict[str, Any] = dep.inputs["spec"]["template"]["spec"]
    return spec


def _zones_of(dep: CapturedResource, minimum: int | None = None) -> int:
    """Zones the Deployment's replicas are guaranteed to be spread over."""
    pod = _pod_spec(dep)
    terms = (
        pod.get("affinity", {})
        .get("nodeAffinity", {})
        .get("requiredDuringSchedulingIgnoredDuringExecution", {})
        .get("nodeSelectorTerms", [])
    )
    allowed = [
        len(e.get("values", []))
        for t in terms
        for e in t.get("matchExpressions", [])
        if e.get("key") == ZONE_KEY and e.get("operator") == "In"
    ]
    spread = any(
        c.get("topologyKey") in SPREAD_KEYS and c.get("whenUnsatisfiable") == "DoNotSchedule"
        for c in pod.get("topologySpreadConstraints", [])
    )
    replicas = int(dep.inputs["spec"].get("replicas") or minimum or 1)
    if not spread or not allowed:
        return 1
    return max(1, min(min(allowed), replicas))


def _gpus(dep: CapturedResource) -> int:
    return max(
        (
            int(c.get("resources", {}).get("limits", {}).get(GPU, 0))
            for c in _pod_spec(dep)["containers"]
        ),
        default=0,
    )


@dataclass
class _Service:
    regions: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    cells: list[str] = field(default_factory=list)
    zones: list[int] = field(default_factory=list)
    hpa_min: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    hpa_max: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    metric: str | None = None
    gpus_per_replica: int = 0


def _autoscaled(ix: CaptureIndex) -> list[tuple[CapturedResource, int, int, list[str]]]:
    """(object, min, max, metric names) of every HPA and KEDA ScaledObject."""
    out = []
    for hpa in ix.of("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        spec = hpa.inputs["spec"]
        metrics = [
            str(
                m.get("pods", {}).get("metric", {}).get("name") or m.get("resource", {}).get("name")
            )
            for m in spec.get("metrics", [])
        ]
        out.append((hpa, int(spec.get("minReplicas", 1)), int(spec["maxReplicas"]), metrics))
    for scaled in ix.of(SCALED_OBJECT):
        spec = scaled.inputs["spec"]
        metrics = [str(t.get("metadata", {}).get("metricName")) for t in spec.get("triggers", [])]
        out.append(
            (scaled, int(spec.get("minReplicaCount", 0)), int(spec["maxReplicaCount"]), metrics)
        )
    return out


def _minimum(
    auto: list[tuple[CapturedResource, int, int, list[str]]], dep: CapturedResource
) -> int | None:
    """The autoscaler minimum of a Deployment that leaves its replica count to it."""
    meta = dep.inputs["metadata"]
    for obj, low, _, _ in auto:
        other = obj.inputs["metadata"]
        if (other.get("name"), other.get("namespace")) == (
            meta.get("name"),
            meta.get("namespace"),
        ) and obj.provider == dep.provider:
            return low
    return None


def _services(ix: CaptureIndex, cells: dict[str, str]) -> dict[str, _Service]:
    out: dict[str, _Service] = defaultdict(_Service)
    auto = _autoscaled(ix)
    for dep in ix.of("kubernetes:apps/v1:Deployment"):
        name = labels(dep).get(LABEL_NAME)
        region = ix.region(dep)
        if not name or not region:
            continue
        svc = out[name]
        minimum = _minimum(auto, dep)
        svc.regions[region] += int(dep.inputs["spec"].get("replicas") or minimum or 1)
        svc.zones.append(_zones_of(dep, minimum))
        svc.gpus_per_replica = max(svc.gpus_per_replica, _gpus(dep))
        ns = dep.inputs["metadata"].get("namespace")
        if ns in cells and ns not in svc.cells:
            svc.cells.append(str(ns))
    for hpa, low, high, metrics in auto:
        name = labels(hpa).get(LABEL_NAME)
        region = ix.region(hpa)
        if not name or not region or name not in out:
            continue
        svc = out[name]
        svc.hpa_min[region] += low
        svc.hpa_max[region] += high
        for key in metrics:
            svc.metric = _HPA_METRICS.get(key, svc.metric)
    return out


def _gpu_fields(
    ix: CaptureIndex, comp: str, gpus_per_replica: int, cells: list[str]
) -> dict[str, Any] | None:
    groups = [
        g
        for g in ix.of("aws:eks/nodeGroup:NodeGroup")
        if tags(g).get("cellguard:component") == comp
        and tags(g).get("cellguard:role") == "gpu-nodes"
    ]
    if not groups:
        return None
    types = list(dict.fromkeys(t for g in groups for t in g.inputs.get("instanceTypes", [])))
    reserved: dict[str, int] = defaultdict(int)
    for cr in ix.of("aws:ec2/capacityReservation:CapacityReservation"):
        if tags(cr).get("cellguard:component") != comp:
            continue
        inst = find_instance(str(cr.inputs.get("instanceType")))
        gpus = (inst.gpus if inst else 1) * int(cr.inputs.get("instanceCount", 0))
        reserved[ix.region(cr) or "?"] += gpus // max(gpus_per_replica, 1)
    block = any(g.inputs.get("capacityType") == "CAPACITY_BLOCK" for g in groups)
    regions = {ix.region(g) for g in groups}
    purchase = "capacity_block" if block else "odcr" if reserved else "on_demand"
    capacity: dict[str, Any] = {"purchase": purchase}
    if reserved:
        capacity["reserved_replicas"] = min(reserved.get(r or "?", 0) for r in regions)
    gpu_alarm_cells = {
        tags(a).get("cellguard:cell")
        for a in ix.of("aws:cloudwatch/metricAlarm:MetricAlarm")
        if tags(a).get("cellguard:role") == "alarm-gpu-health"
    }
    return {
        "instance_types": types,
        "capacity": capacity,
        "health": {
            "gpu_health_checks": bool(cells) and all(c in gpu_alarm_cells for c in cells),
            "node_auto_repair": all(
                g.inputs.get("nodeRepairConfig", {}).get("enabled") is True for g in groups
            ),
        },
    }


def _per_region_min(values: dict[str, int], regions: Iterable[str]) -> int:
    return min((values.get(r, 0) for r in regions), default=0)


def _service_fields(ix: CaptureIndex, comp: dict[str, Any], svc: _Service) -> dict[str, Any]:
    regions = list(svc.regions)
    fields: dict[str, Any] = {
        "placement": {"regions": regions, "zones": min(svc.zones), **placement_account(comp)},
        "replicas": _per_region_min(svc.regions, regions),
        "autoscaling": None,
    }
    if svc.cells:
        fields["placement"]["cells"] = svc.cells
    if svc.hpa_max:
        auto: dict[str, Any] = {
            "min": _per_region_min(svc.hpa_min, regions),
            "max": max(1, _per_region_min(svc.hpa_max, regions)),
        }
        if svc.metric:
            auto["metric"] = svc.metric
        fields["autoscaling"] = auto
    if svc.gpus_per_replica:
        gpu = _gpu_fields(ix, comp["id"], svc.gpus_per_replica, svc.cells)
        serving = dict(comp.get("serving") or {})
        serving["gpus_per_replica"] = svc.gpus_per_replica
        serving.pop("instance_types", None)
        fields["capacity"] = {"purchase": "on_demand"}
        fields["health"] = {"gpu_health_checks": False, "node_auto_repair": False}
        if gpu:
            serving["instance_types"] = gpu["instance_types"]
            fields["capacity"] = gpu["capacity"]
            fields["health"] = gpu["health"]
        fields["serving"] = serving
    return fields


def _generated(target: Stack) -> set[str]:
    """Components the blueprint of ``target`` creates resources for."""
    from cellguard.blueprints.from_spec import blueprint_of

    bp = blueprint_of(target)
    out = {w.component for c in bp.cells for w in c.workloads}
    out |= {t.component for t in bp.data.tables} | {v.component for v in bp.data.vector_stores}
    if bp.router.component:
        out.add(bp.router.component)
    return out


def derive(cap: Capture, target: Stack) -> Derivation:
    """The deployed topology of ``cap`` as a spec, with the target's non-infrastructure fields."""
    ix = CaptureIndex(cap)
    data: dict[str, Any] = yaml.safe_load(dump_document(target))
    order = [r["name"] for r in data["topology"]["regions"]]
    regions = deployed_regions(ix, order)
    cells = deployed_cells(ix)
    partition = cell_partition(ix)
    old_roles = {r["name"]: r.get("role") for r in data["topology"]["regions"]}
    data["topology"]["regions"] = [
        {"name": n, "zones": z, **({"role": old_roles[n]} if old_roles.get(n) else {})}
        for n, z in regions.items()
    ]
    data["topology"]["cells"] = [
        {"id": c, "region": r, **({"partition": partition} if partition else {})}
        for c, r in sorted(
            cells.items(), key=lambda kv: (order.index(kv[1]) if kv[1] in order else 99, kv[0])
        )
    ]
    services = _services(ix, cells)
    generated = _generated(target)
    result = Derivation(stack=target)
    first_region = next(iter(regions), order[0])
    components = []
    for comp in data["components"]:
        cid = comp["id"]
        fields = None
        if cid in services:
            fields = _service_fields(ix, comp, services[cid])
        else:
            fields = store_fields(ix, comp, cells)
        if fields is not None:
            result.derived.append(cid)
            comp = {**comp, **fields}
        elif cid in generated:
            result.missing.append(cid)
            comp = {
                **comp,
                "placement": {"regions": [first_region], "zones": 1, **placement_account(comp)},
            }
            comp.pop("replication", None)
            comp.pop("backups", None)
            if "replicas" in comp:
                comp["replicas"] = 1
        else:
            result.copied.append(cid)
            components.append(_within(comp, list(regions)))  # as written, `backups: []` too
            continue
        components.append({k: v for k, v in comp.items() if v not in (None, {}, [])} | {"id": cid})
    for comp in components:
        _clip(comp, list(regions))
    data["components"] = components
    update_practices(ix, data, regions, {c["id"] for c in components})
    loaded = parse_document(yaml.safe_dump(data, sort_keys=False), "derived.yaml")
    result.stack = build_organisation([loaded], org_mode=False).stacks[0]
    return result


def _clip(comp: dict[str, Any], regions: list[str]) -> None:
    """Drop regions that were not deployed from a component's placement and replication."""
    placement = comp.get("placement") or {}
    if placement.get("regions"):
        placement["regions"] = [r for r in placement["regions"] if r in regions] or regions[:1]
    replication = comp.get("replication") or {}
    if replication.get("regions"):
        replication["regions"] = [r for r in replication["regions"] if r in regions]
        if not replication["regions"]:
            comp.pop("replication", None)


def _within(comp: dict[str, Any], regions: list[str]) -> dict[str, Any]:
    """A copied component, restricted to the deployed regions (its others do not exist)."""
    placement = dict(comp.get("placement") or {})
    if placement.get("regions"):
        kept = [r for r in placement["regions"] if r in regions] or regions[:1]
        placement["regions"] = kept
        return {**comp, "placement": placement}
    return comp


def replicas_of(stack: Stack, component: str) -> int | None:
    """Replicas per region of ``component`` in ``stack`` (a helper for reports and tests)."""
    comp = next((c for c in stack.components if c.id == component), None)
    value = getattr(comp, "replicas", None)
    return int(value) if value is not None else None


__all__ = ["Derivation", "derive"]
