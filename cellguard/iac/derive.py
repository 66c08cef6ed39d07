"""Derive the DEPLOYED topology of a mock-run blueprint as a cellguard spec.

The round trip (:mod:`cellguard.iac.roundtrip`) assesses this spec beside the target: the
infrastructure must score what the plan promised. So every field the infrastructure is supposed
to prove is rebuilt from the captured resources (their ``cellguard:*`` tags, Kubernetes labels
and properties) and never copied from the target; a resource that is missing shows up as a
weaker spec, not as the target's claim.

From the resources (the target's value is discarded first):

- ``topology.regions``: regions of the AWS providers that have a VPC; zones: the zone ids of
  their private subnets. ``topology.cells``: namespaces created by an ``InferenceCell`` (the
  implicit ``shared`` unit is not a cell), region from the cluster's provider, partition from
  the router's cell map.
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
- DynamoDB tables: regions (home + replicas), cells (tag), ``replication`` (global table
  replicas), a ``same_region`` backup when point-in-time recovery is on (continuous; recorded
  as every 5 minutes, the PITR restore granularity AWS documents). DynamoDB is a regional
  service spread over three zones by AWS: ``placement.zones`` is 3.
- OpenSearch domains: regions, cells, ``placement.zones`` (zone-awareness count), ``replicas``
  (data nodes per region), ``multi_az``; automated snapshots give a ``same_region`` backup every
  60 minutes (OpenSearch's hourly automated snapshots); a snapshot bucket in another region
  gives a ``cross_region`` backup. No cross-cluster replication is generated, so ``replication``
  is empty.
- ``practices.chaos.experiments``: the FIS templates (type from the ``chaos-<type>`` role tag,
  targets from their pod label selector or component tag).
- ``practices.observability.metrics`` / ``gpu_metrics``: per-cell alarms / GPU-health alarms.
- ``practices.disaster_recovery``: ``recovery_region`` is the region of the artifact replica
  bucket, else the first other region holding a data copy (backup copy vault, global-table
  replica, vector snapshot bucket); the strategy is the target's only when at least two
  regions are deployed with health checked routing records, else ``backup_restore`` (a target
  without a strategy keeps none).

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

from cellguard.blueprints._base import LABEL_COMPONENT, TOKEN_PREFIX
from cellguard.blueprints.manifests import ZONE_ID_KEY
from cellguard.blueprints.manifests import ZONE_KEY as ZONE_NAME_KEY
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
CELL_TOKEN = f"{TOKEN_PREFIX}InferenceCell"
IMPLICIT_UNITS = ("shared", "shared-unit")
PITR_MINUTES = 5
OPENSEARCH_SNAPSHOT_MINUTES = 60
DYNAMODB_ZONES = 3
_HPA_METRICS = {"vllm:num_requests_waiting": "queue_depth", "cpu": "cpu"}


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


class _Index:
    """Lookups over one capture: region of a resource, resources by type."""

    def __init__(self, cap: Capture) -> None:
        self.cap = cap
        self.by_urn = cap.by_urn()
        self.aws_region: dict[str, str] = {}
        for r in cap.of_type("pulumi:providers:aws"):
            self.aws_region[r.urn] = str(r.inputs.get("region"))
        for r in cap.resources:
            if r.type == "pulumi:providers:kubernetes":
                siblings = [
                    p
                    for p in cap.of_type("pulumi:providers:aws")
                    if p.parent and p.parent == r.parent
                ]
                if siblings:
                    self.aws_region[r.urn] = self.aws_region[siblings[0].urn]

    def region(self, r: CapturedResource) -> str | None:
        return self.aws_region.get((r.provider or "").rsplit("::", 1)[0])

    def of(self, token: str) -> list[CapturedResource]:
        return self.cap.of_type(token)


def _tags(r: CapturedResource) -> dict[str, str]:
    tags = r.inputs.get("tags") or {}
    return {str(k): str(v) for k, v in tags.items()}


def _labels(r: CapturedResource) -> dict[str, str]:
    return dict(r.inputs.get("metadata", {}).get("labels") or {})


def _regions(ix: _Index, order: list[str]) -> dict[str, list[str]]:
    zones: dict[str, list[str]] = defaultdict(list)
    with_vpc = {ix.region(v) for v in ix.of("aws:ec2/vpc:Vpc")}
    for s in ix.of("aws:ec2/subnet:Subnet"):
        region = ix.region(s)
        zone = s.inputs.get("availabilityZoneId")
        if region in with_vpc and region and zone and _tags(s).get("cellguard:role") == "private":
            zones[region].append(str(zone))
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(zones, key=lambda n: (rank.get(n, len(rank)), n))
    return {n: list(dict.fromkeys(zones[n])) for n in names}


def _cells(ix: _Index) -> dict[str, str]:
    """Cell id -> region."""
    cell_urns = {c.urn for c in ix.of(CELL_TOKEN)}
    out: dict[str, str] = {}
    for ns in ix.of("kubernetes:core/v1:Namespace"):
        name = str(ns.inputs.get("metadata", {}).get("name"))
        region = ix.region(ns)
        if ns.parent in cell_urns and name not in IMPLICIT_UNITS and region:
            out[name] = region
    return out


def _partition(ix: _Index) -> str | None:
    import json

    for cm in ix.of("kubernetes:core/v1:ConfigMap"):
        text = cm.inputs.get("data", {}).get("cells.json")
        if text:
            strategy = json.loads(text).get("strategy")
            return str(strategy) if strategy else None
    return None


def _pod_spec(dep: CapturedResource) -> dict[str, Any]:
    spec: dict[str, Any] = dep.inputs["spec"]["template"]["spec"]
    return spec


def _zones_of(dep: CapturedResource) -> int:
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
    replicas = int(dep.inputs["spec"].get("replicas", 1))
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


def _services(ix: _Index, cells: dict[str, str]) -> dict[str, _Service]:
    out: dict[str, _Service] = defaultdict(_Service)
    for dep in ix.of("kubernetes:apps/v1:Deployment"):
        name = _labels(dep).get(LABEL_NAME)
        region = ix.region(dep)
        if not name or not region:
            continue
        svc = out[name]
        svc.regions[region] += int(dep.inputs["spec"].get("replicas", 1))
        svc.zones.append(_zones_of(dep))
        svc.gpus_per_replica = max(svc.gpus_per_replica, _gpus(dep))
        ns = dep.inputs["metadata"].get("namespace")
        if ns in cells and ns not in svc.cells:
            svc.cells.append(str(ns))
    for hpa in ix.of("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        name = _labels(hpa).get(LABEL_NAME)
        region = ix.region(hpa)
        if not name or not region or name not in out:
            continue
        svc = out[name]
        svc.hpa_min[region] += int(hpa.inputs["spec"].get("minReplicas", 1))
        svc.hpa_max[region] += int(hpa.inputs["spec"]["maxReplicas"])
        for m in hpa.inputs["spec"].get("metrics", []):
            key = m.get("pods", {}).get("metric", {}).get("name") or m.get("resource", {}).get(
                "name"
            )
            svc.metric = _HPA_METRICS.get(str(key), svc.metric)
    return out


def _gpu_fields(
    ix: _Index, comp: str, gpus_per_replica: int, cells: list[str]
) -> dict[str, Any] | None:
    groups = [
        g
        for g in ix.of("aws:eks/nodeGroup:NodeGroup")
        if _tags(g).get("cellguard:component") == comp
        and _tags(g).get("cellguard:role") == "gpu-nodes"
    ]
    if not groups:
        return None
    types = list(dict.fromkeys(t for g in groups for t in g.inputs.get("instanceTypes", [])))
    reserved: dict[str, int] = defaultdict(int)
    for cr in ix.of("aws:ec2/capacityReservation:CapacityReservation"):
        if _tags(cr).get("cellguard:component") != comp:
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
        _tags(a).get("cellguard:cell")
        for a in ix.of("aws:cloudwatch/metricAlarm:MetricAlarm")
        if _tags(a).get("cellguard:role") == "alarm-gpu-health"
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


def _kept(backups: list[dict[str, Any]], scope: str, every: int | None) -> dict[str, Any]:
    """A backup of ``scope`` proven by a resource, with the target's operational facts."""
    old = next((b for b in backups if b.get("scope") == scope), {})
    out: dict[str, Any] = {"scope": scope}
    if every is not None:
        out["every_minutes"] = every
    elif old.get("every_minutes"):
        out["every_minutes"] = old["every_minutes"]
    for key in ("retention_days", "restore_tested"):
        if key in old:
            out[key] = old[key]
    return out


def _partners(ix: _Index) -> dict[str, str]:
    import json

    out: dict[str, str] = {}
    for cm in ix.of("kubernetes:core/v1:ConfigMap"):
        text = cm.inputs.get("data", {}).get("cells.json")
        for cell in json.loads(text).get("cells", []) if text else []:
            if cell.get("partner"):
                out[str(cell["id"])] = str(cell["partner"])
    return out


def _table_fields(ix: _Index, comp: dict[str, Any], cells: dict[str, str]) -> dict[str, Any] | None:
    tables = [
        t
        for t in ix.of("aws:dynamodb/table:Table")
        if _tags(t).get("cellguard:component") == comp["id"]
    ]
    if not tables:
        return None
    partners = _partners(ix)
    regions: list[str] = []
    placed: list[str] = []
    replica_regions: list[str] = []
    for t in tables:
        home = ix.region(t)
        replicas = [str(r.get("regionName")) for r in t.inputs.get("replicas", [])]
        regions.extend(r for r in [home, *replicas] if r and r not in regions)
        replica_regions.extend(r for r in replicas if r not in replica_regions)
        name = str(t.inputs.get("name", ""))
        home_cell = max((c for c in cells if name.endswith(f"-{c}")), key=len, default=None)
        if home_cell:
            group = [home_cell]  # and the partner chain through the replica regions
            nxt = partners.get(home_cell)
            while nxt and nxt not in group and cells.get(nxt) in replicas:
                group.append(nxt)
                nxt = partners.get(nxt)
            placed.extend(c for c in group if c not in placed)
    backups = list(comp.get("backups") or [])
    pitr = all(t.inputs.get("pointInTimeRecovery", {}).get("enabled") for t in tables)
    copied = _copied_tables(ix, comp["id"])
    out_backups = [_kept(backups, "same_region", PITR_MINUTES)] if pitr else []
    if all(copied.get(str(t.inputs.get("name", ""))) not in (None, ix.region(t)) for t in tables):
        out_backups.append(_kept(backups, "cross_region", None))
    old_rep = comp.get("replication") or {}
    fields: dict[str, Any] = {
        "placement": {"regions": regions, "zones": DYNAMODB_ZONES, **_account(comp)},
        "backups": out_backups,
        "replication": _replication(old_rep, replica_regions, regions),
    }
    if placed:
        fields["placement"]["cells"] = placed
    return fields


def _copied_tables(ix: _Index, component: str) -> dict[str, str]:
    """Table name -> the region its AWS Backup plan copies to (plans with a copy action and a
    selection of the same logical name; the tags name the table and the copy region)."""
    selections = {s.name for s in ix.of("aws:backup/selection:Selection")}
    out: dict[str, str] = {}
    for plan in ix.of("aws:backup/plan:Plan"):
        t = _tags(plan)
        if t.get("cellguard:component") != component or t.get("cellguard:role") != "backup-copy":
            continue
        copies = [a for r in plan.inputs.get("rules", []) for a in r.get("copyActions") or []]
        if copies and plan.name in selections:
            out[t.get("cellguard:table", "")] = t.get("cellguard:copy-region", "")
    return out


def _replication(old: dict[str, Any], replicas: list[str], regions: list[str]) -> dict[str, Any]:
    if not replicas:
        return {}
    out: dict[str, Any] = {"cross_region": True, "regions": regions}
    for key in ("lag_seconds", "failover_tested"):
        if key in old:
            out[key] = old[key]
    return out


def _account(comp: dict[str, Any]) -> dict[str, Any]:
    account = (comp.get("placement") or {}).get("account")
    return {"account": account} if account else {}


def _store_fields(ix: _Index, comp: dict[str, Any], cells: dict[str, str]) -> dict[str, Any] | None:
    domains = [
        d
        for d in ix.of("aws:opensearch/domain:Domain")
        if _tags(d).get("cellguard:component") == comp["id"]
    ]
    if not domains:
        return None
    nodes: dict[str, int] = defaultdict(int)
    zones: list[int] = []
    placed: list[str] = []
    for d in domains:
        cfg = d.inputs.get("clusterConfig", {})
        nodes[ix.region(d) or "?"] += int(cfg.get("instanceCount", 1))
        aware = cfg.get("zoneAwarenessEnabled") is True
        zones.append(
            int(cfg.get("zoneAwarenessConfig", {}).get("availabilityZoneCount", 2)) if aware else 1
        )
        cell = _tags(d).get("cellguard:cell")
        if cell in cells and cell not in placed:
            placed.append(cell)
    regions = sorted(nodes)
    backups = list(comp.get("backups") or [])
    out_backups = []
    if all(d.inputs.get("snapshotOptions") for d in domains):
        out_backups.append(_kept(backups, "same_region", OPENSEARCH_SNAPSHOT_MINUTES))
    remote = [
        b
        for b in ix.of("aws:s3/bucket:Bucket")
        if _tags(b).get("cellguard:role") == "vector-snapshots"
        and _tags(b).get("cellguard:component") == comp["id"]
        and ix.region(b) != cells.get(_tags(b).get("cellguard:cell", ""))
    ]
    if len(remote) >= len(domains):
        out_backups.append(_kept(backups, "cross_region", None))
    fields: dict[str, Any] = {
        "placement": {"regions": regions, "zones": min(zones), **_account(comp)},
        "replicas": min(nodes.values()),
        "backups": out_backups,
        "replication": {},
        "multi_az": min(zones) > 1,
    }
    if placed:
        fields["placement"]["cells"] = placed
    return fields


def _service_fields(ix: _Index, comp: dict[str, Any], svc: _Service) -> dict[str, Any]:
    regions = list(svc.regions)
    fields: dict[str, Any] = {
        "placement": {"regions": regions, "zones": min(svc.zones), **_account(comp)},
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


def _chaos(ix: _Index, target: list[dict[str, Any]], known: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in ix.of("aws:fis/experimentTemplate:ExperimentTemplate"):
        role = _tags(t).get("cellguard:role", "")
        if not role.startswith("chaos-"):
            continue
        kind = role.removeprefix("chaos-")
        names: list[str] = []
        for tgt in t.inputs.get("targets", []):
            selector = str(tgt.get("parameters", {}).get("selectorValue", ""))
            if selector.startswith(f"{LABEL_NAME}="):
                names.append(selector.split("=", 1)[1])
            tag = (tgt.get("resourceTags") or {}).get("cellguard:component")
            if tag:
                names.append(str(tag))
        existing = next((e for e in out if e["type"] == kind), None)
        if existing is None:
            existing = {"type": kind, "targets": []}
            old = next((e for e in target if e.get("type") == kind), {})
            if old.get("last_run"):
                existing["last_run"] = old["last_run"]
            out.append(existing)
        existing["targets"].extend(n for n in names if n in known and n not in existing["targets"])
    for e in out:
        if not e["targets"]:
            del e["targets"]
    return sorted(out, key=lambda e: str(e["type"]))


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
    ix = _Index(cap)
    data: dict[str, Any] = yaml.safe_load(dump_document(target))
    order = [r["name"] for r in data["topology"]["regions"]]
    regions = _regions(ix, order)
    cells = _cells(ix)
    partition = _partition(ix)
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
            fields = _table_fields(ix, comp, cells) or _store_fields(ix, comp, cells)
        if fields is not None:
            result.derived.append(cid)
            comp = {**comp, **fields}
        elif cid in generated:
            result.missing.append(cid)
            comp = {**comp, "placement": {"regions": [first_region], "zones": 1, **_account(comp)}}
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
    _practices(ix, data, regions, {c["id"] for c in components})
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


def _practices(
    ix: _Index, data: dict[str, Any], regions: dict[str, list[str]], known: set[str]
) -> None:
    practices = data.setdefault("practices", {})
    chaos = practices.get("chaos") or {}
    practices["chaos"] = {"experiments": _chaos(ix, chaos.get("experiments") or [], known)}
    alarms = ix.of("aws:cloudwatch/metricAlarm:MetricAlarm")
    obs = dict(practices.get("observability") or {})
    obs["metrics"] = bool(alarms)
    gpu_nodes = any(
        _tags(g).get("cellguard:role") == "gpu-nodes" for g in ix.of("aws:eks/nodeGroup:NodeGroup")
    )
    if gpu_nodes:  # without GPU nodes (managed models only) the target's claim is kept
        obs["gpu_metrics"] = any(
            _tags(a).get("cellguard:role") == "alarm-gpu-health" for a in alarms
        )
    practices["observability"] = obs
    dr = dict(practices.get("disaster_recovery") or {})
    replica = [
        ix.region(b)
        for b in ix.of("aws:s3/bucket:Bucket")
        if _tags(b).get("cellguard:role") == "model-artifacts" and b.name.endswith("-replica")
    ]
    primary = next(iter(regions), None)
    recovery = next(
        (r for r in [*replica, *_copy_regions(ix)] if r in regions and r != primary), None
    )
    routed = {
        _tags(h).get("cellguard:region")
        for h in ix.of("aws:route53/healthCheck:HealthCheck")
        if _tags(h).get("cellguard:region") in regions
    }
    dr["recovery_region"] = recovery
    if (len(routed) < 2 or recovery is None) and dr.get("strategy") not in (None, "none"):
        dr["strategy"] = "backup_restore"
    practices["disaster_recovery"] = {k: v for k, v in dr.items() if v is not None}


def _copy_regions(ix: _Index) -> list[str]:
    """Regions holding copies of the stack's data besides the artifact replica: AWS Backup copy
    destinations, DynamoDB replicas and vector snapshot buckets (in capture order)."""
    out: list[str] = []
    for plan in ix.of("aws:backup/plan:Plan"):
        out.append(_tags(plan).get("cellguard:copy-region", ""))
    for t in ix.of("aws:dynamodb/table:Table"):
        out.extend(str(r.get("regionName")) for r in t.inputs.get("replicas", []))
    for b in ix.of("aws:s3/bucket:Bucket"):
        if _tags(b).get("cellguard:role") == "vector-snapshots":
            out.append(ix.region(b) or "")
    return [r for r in out if r]


def replicas_of(stack: Stack, component: str) -> int | None:
    """Replicas per region of ``component`` in ``stack`` (a helper for reports and tests)."""
    comp = next((c for c in stack.components if c.id == component), None)
    value = getattr(comp, "replicas", None)
    return int(value) if value is not None else None


__all__ = ["Derivation", "derive"]
