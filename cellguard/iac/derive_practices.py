"""Derive the deployed practices of a mock-run blueprint from the captured resources.

Part of :func:`cellguard.iac.derive.derive`; the target's value of each field is discarded first.

- ``practices.chaos.experiments``: the FIS templates (type from the ``chaos-<type>`` role tag,
  targets from their pod label selector or component tag).
- ``practices.observability.metrics`` / ``gpu_metrics``: per-cell alarms / GPU-health alarms.
- ``practices.disaster_recovery``: ``recovery_region`` is the region of the artifact replica
  bucket, else the first other region holding a data copy (backup copy vault, global-table
  replica, vector snapshot bucket); the strategy is the target's only when at least two
  regions are deployed with health checked routing records, else ``backup_restore`` (a target
  without a strategy keeps none).
"""

from __future__ import annotations

from typing import Any

from cellguard.blueprints._base import LABEL_COMPONENT
from cellguard.iac.capture_index import CaptureIndex, copy_regions, tags


def update_practices(
    ix: CaptureIndex, data: dict[str, Any], regions: dict[str, list[str]], known: set[str]
) -> None:
    """Replace the practices of ``data`` that the resources express (``known``: component ids)."""
    practices = data.setdefault("practices", {})
    chaos = practices.get("chaos") or {}
    practices["chaos"] = {"experiments": _chaos(ix, chaos.get("experiments") or [], known)}
    alarms = ix.of("aws:cloudwatch/metricAlarm:MetricAlarm")
    obs = dict(practices.get("observability") or {})
    obs["metrics"] = bool(alarms)
    gpu_nodes = any(
        tags(g).get("cellguard:role") == "gpu-nodes" for g in ix.of("aws:eks/nodeGroup:NodeGroup")
    )
    if gpu_nodes:  # without GPU nodes (managed models only) the target's claim is kept
        obs["gpu_metrics"] = any(
            tags(a).get("cellguard:role") == "alarm-gpu-health" for a in alarms
        )
    practices["observability"] = obs
    dr = dict(practices.get("disaster_recovery") or {})
    replica = [
        ix.region(b)
        for b in ix.of("aws:s3/bucket:Bucket")
        if tags(b).get("cellguard:role") == "model-artifacts" and b.name.endswith("-replica")
    ]
    primary = next(iter(regions), None)
    recovery = next(
        (r for r in [*replica, *copy_regions(ix)] if r in regions and r != primary), None
    )
    routed = {
        tags(h).get("cellguard:region")
        for h in ix.of("aws:route53/healthCheck:HealthCheck")
        if tags(h).get("cellguard:region") in regions
    }
    dr["recovery_region"] = recovery
    if (len(routed) < 2 or recovery is None) and dr.get("strategy") not in (None, "none"):
        dr["strategy"] = "backup_restore"
    practices["disaster_recovery"] = {k: v for k, v in dr.items() if v is not None}


def _chaos(ix: CaptureIndex, target: list[dict[str, Any]], known: set[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for t in ix.of("aws:fis/experimentTemplate:ExperimentTemplate"):
        role = tags(t).get("cellguard:role", "")
        if not role.startswith("chaos-"):
            continue
        kind = role.removeprefix("chaos-")
        names: list[str] = []
        for tgt in t.inputs.get("targets", []):
            selector = str(tgt.get("parameters", {}).get("selectorValue", ""))
            if selector.startswith(f"{LABEL_COMPONENT}="):
                names.append(selector.split("=", 1)[1])
            raw = tgt.get("resourceTags") or {}
            if isinstance(raw, list):  # FIS takes tags as [{key, value}]
                raw = {str(x.get("key")): x.get("value") for x in raw if isinstance(x, dict)}
            tag = raw.get("cellguard:component")
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
