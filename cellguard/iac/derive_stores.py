"""Derive the deployed fields of the generated data stores from the captured resources.

:func:`store_fields` is part of :func:`cellguard.iac.derive.derive`: the target's value of each
field is discarded first, and its operational facts (backup ``retention_days`` and
``restore_tested``, replication ``lag_seconds`` and ``failover_tested``) are kept only where a
resource proves the backup or replication they describe.

- DynamoDB tables: regions (home + replicas), cells (tag), ``replication`` (global table
  replicas), a ``same_region`` backup when point-in-time recovery is on (continuous; recorded
  as every 5 minutes, the PITR restore granularity AWS documents), a ``cross_region`` backup
  when an AWS Backup plan copies every table to another region. DynamoDB is a regional service
  spread over three zones by AWS: ``placement.zones`` is 3.
- OpenSearch domains: regions, cells, ``placement.zones`` (zone-awareness count), ``replicas``
  (data nodes per region), ``multi_az``; automated snapshots give a ``same_region`` backup every
  60 minutes (OpenSearch's hourly automated snapshots); a snapshot bucket in another region
  gives a ``cross_region`` backup. No cross-cluster replication is generated, so
  ``replication`` is empty.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from cellguard.iac.capture_index import CaptureIndex, cell_partners, tags
from cellguard.iac.mockrun import CapturedResource

PITR_MINUTES = 5
OPENSEARCH_SNAPSHOT_MINUTES = 60
DYNAMODB_ZONES = 3


def placement_account(comp: dict[str, Any]) -> dict[str, Any]:
    """The target's ``placement.account`` of ``comp`` as a mapping to merge (empty without)."""
    account = (comp.get("placement") or {}).get("account")
    return {"account": account} if account else {}


def _tagged(ix: CaptureIndex, token: str, component: str) -> list[CapturedResource]:
    """The resources of ``token`` tagged with ``component``, by URN."""
    return [r for r in ix.of(token) if tags(r).get("cellguard:component") == component]


def _kept(backups: list[dict[str, Any]], scope: str, every: int | None) -> dict[str, Any]:
    """A backup of ``scope`` proven by a resource, with the target's operational facts."""
    old = next((b for b in backups if b.get("scope") == scope), {})
    out: dict[str, Any] = {"scope": scope}
    if every is not None:
        out["every_minutes"] = every
    elif old.get("every_minutes"):
        out["every_minutes"] = old["every_minutes"]
    return out | {k: old[k] for k in ("retention_days", "restore_tested") if k in old}


def store_fields(
    ix: CaptureIndex, comp: dict[str, Any], cells: dict[str, str]
) -> dict[str, Any] | None:
    """The deployed fields of a data store: from its DynamoDB tables, else from its OpenSearch
    domains (None when the component has neither)."""
    tables = _tagged(ix, "aws:dynamodb/table:Table", comp["id"])
    if tables:
        return _table_fields(ix, tables, comp, cells)
    domains = _tagged(ix, "aws:opensearch/domain:Domain", comp["id"])
    return _domain_fields(ix, domains, comp, cells) if domains else None


def _table_fields(
    ix: CaptureIndex, tables: list[CapturedResource], comp: dict[str, Any], cells: dict[str, str]
) -> dict[str, Any]:
    """The deployed fields of a DynamoDB component with ``tables``."""
    partners = cell_partners(ix)
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
        "placement": {"regions": regions, "zones": DYNAMODB_ZONES, **placement_account(comp)},
        "backups": out_backups,
        "replication": _replication(old_rep, replica_regions, regions),
    }
    if placed:
        fields["placement"]["cells"] = placed
    return fields


def _copied_tables(ix: CaptureIndex, component: str) -> dict[str, str]:
    """Table name -> the region its AWS Backup plan copies to (plans with a copy action and a
    selection of the same logical name; the tags name the table and the copy region)."""
    selections = {s.name for s in ix.of("aws:backup/selection:Selection")}
    out: dict[str, str] = {}
    for plan in ix.of("aws:backup/plan:Plan"):
        t = tags(plan)
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
    return out | {k: old[k] for k in ("lag_seconds", "failover_tested") if k in old}


def _domain_fields(
    ix: CaptureIndex, domains: list[CapturedResource], comp: dict[str, Any], cells: dict[str, str]
) -> dict[str, Any]:
    """The deployed fields of an OpenSearch component with ``domains``."""
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
        cell = tags(d).get("cellguard:cell")
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
        if tags(b).get("cellguard:role") == "vector-snapshots"
        and tags(b).get("cellguard:component") == comp["id"]
        and ix.region(b) != cells.get(tags(b).get("cellguard:cell", ""))
    ]
    if len(remote) >= len(domains):
        out_backups.append(_kept(backups, "cross_region", None))
    fields: dict[str, Any] = {
        "placement": {"regions": regions, "zones": min(zones), **placement_account(comp)},
        "replicas": min(nodes.values()),
        "backups": out_backups,
        "replication": {},
        "multi_az": min(zones) > 1,
    }
    if placed:
        fields["placement"]["cells"] = placed
    return fields
