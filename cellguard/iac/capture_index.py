"""Lookups over the resources captured in a mock run: regions, cells and data copies.

:func:`cellguard.iac.derive.derive` rebuilds the deployed spec from these; a resource's region
is :func:`cellguard.iac.verify.region_of` (from its provider; Kubernetes: its cluster's).

- ``topology.regions`` (:func:`deployed_regions`): regions of the AWS providers that have a
  VPC; zones: the zone ids of their private subnets.
- ``topology.cells`` (:func:`deployed_cells`, :func:`cell_partition`): namespaces created by an
  ``InferenceCell`` (the implicit ``shared`` unit is not a cell), region from the cluster's
  provider, partition from the router's cell map; :func:`cell_partners` reads each cell's
  partner from the same map.
- :func:`copy_regions`: the regions holding copies of the stack's data (backup copy vaults,
  global-table replicas, vector snapshot buckets), for the disaster-recovery region.
"""

from __future__ import annotations

import json
from collections import defaultdict

from cellguard.blueprints._base import TOKEN_PREFIX
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.verify import region_of

CELL_TOKEN = f"{TOKEN_PREFIX}InferenceCell"
IMPLICIT_UNITS = ("shared", "shared-unit")


class CaptureIndex:
    """Lookups over one capture: region of a resource, resources by type."""

    def __init__(self, cap: Capture) -> None:
        self.cap = cap
        self._provider_region: dict[str, str | None] = {}

    def region(self, r: CapturedResource) -> str | None:
        """The region ``r`` is created in: :func:`cellguard.iac.verify.region_of`, looked up
        once per provider (the region depends on nothing else)."""
        provider = (r.provider or "").rsplit("::", 1)[0]
        if provider not in self._provider_region:
            self._provider_region[provider] = region_of(self.cap, r)
        return self._provider_region[provider]

    def of(self, token: str) -> list[CapturedResource]:
        """Resources of one type token, by URN: the order resources are registered in differs
        between two mock runs of the same program, and the derived spec must not."""
        return sorted(self.cap.of_type(token), key=lambda r: r.urn)


def tags(r: CapturedResource) -> dict[str, str]:
    """An AWS resource's tags (empty without any)."""
    raw = r.inputs.get("tags") or {}
    return {str(k): str(v) for k, v in raw.items()}


def labels(r: CapturedResource) -> dict[str, str]:
    """A Kubernetes object's metadata labels (empty without any)."""
    return dict(r.inputs.get("metadata", {}).get("labels") or {})


def deployed_regions(ix: CaptureIndex, order: list[str]) -> dict[str, list[str]]:
    """Region -> private-subnet zone ids, for regions with a VPC (in ``order``, then by name)."""
    zones: dict[str, list[str]] = defaultdict(list)
    with_vpc = {ix.region(v) for v in ix.of("aws:ec2/vpc:Vpc")}
    for s in ix.of("aws:ec2/subnet:Subnet"):
        region = ix.region(s)
        zone = s.inputs.get("availabilityZoneId")
        if region in with_vpc and region and zone and tags(s).get("cellguard:role") == "private":
            zones[region].append(str(zone))
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(zones, key=lambda n: (rank.get(n, len(rank)), n))
    return {n: list(dict.fromkeys(zones[n])) for n in names}


def deployed_cells(ix: CaptureIndex) -> dict[str, str]:
    """Cell id -> region."""
    cell_urns = {c.urn for c in ix.of(CELL_TOKEN)}
    out: dict[str, str] = {}
    for ns in ix.of("kubernetes:core/v1:Namespace"):
        name = str(ns.inputs.get("metadata", {}).get("name"))
        region = ix.region(ns)
        if ns.parent in cell_urns and name not in IMPLICIT_UNITS and region:
            out[name] = region
    return out


def cell_partition(ix: CaptureIndex) -> str | None:
    """The partition strategy of the first router cell map (None without one)."""
    for cm in ix.of("kubernetes:core/v1:ConfigMap"):
        text = cm.inputs.get("data", {}).get("cells.json")
        if text:
            strategy = json.loads(text).get("strategy")
            return str(strategy) if strategy else None
    return None


def cell_partners(ix: CaptureIndex) -> dict[str, str]:
    """Cell id -> its partner cell, from every router cell map."""
    out: dict[str, str] = {}
    for cm in ix.of("kubernetes:core/v1:ConfigMap"):
        text = cm.inputs.get("data", {}).get("cells.json")
        for cell in json.loads(text).get("cells", []) if text else []:
            if cell.get("partner"):
                out[str(cell["id"])] = str(cell["partner"])
    return out


def copy_regions(ix: CaptureIndex) -> list[str]:
    """Regions holding copies of the stack's data besides the artifact replica: AWS Backup copy
    destinations, DynamoDB replicas and vector snapshot buckets (by resource URN)."""
    out: list[str] = []
    for plan in ix.of("aws:backup/plan:Plan"):
        out.append(tags(plan).get("cellguard:copy-region", ""))
    for t in ix.of("aws:dynamodb/table:Table"):
        out.extend(str(r.get("regionName")) for r in t.inputs.get("replicas", []))
    for b in ix.of("aws:s3/bucket:Bucket"):
        if tags(b).get("cellguard:role") == "vector-snapshots":
            out.append(ix.region(b) or "")
    return [r for r in out if r]
