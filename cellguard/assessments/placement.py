"""Failure domains and the effective placement of components.

A component's failure domains are derived from its (possibly omitted) ``placement`` and the
topology of the document that declares it. The rules, applied by :func:`effective_placement`:

* ``placement`` omitted: the document's first region and first account; zones unknown (a
  regional managed service). The component is a member of that region and account only.
* ``placement.regions`` omitted: the first region of the topology.
* ``placement.account`` omitted: the first account of the topology.
* ``placement.zones`` omitted: zones unknown (member of region and account only).
* ``zones: N``: the first N zones of each placement region, in the topology's preference order.
* ``zones: [ids]``: exactly those zones (the loader allows this with a single region only).
* ``replicas`` is per region, spread round-robin over that region's zones; ``replicas``
  omitted means one replica per region.
* ``placement.cells``: the component is a member of each named cell. Cells that declare
  ``zones`` confine it: ``zones: N`` takes the first N of the cells' zones, and with
  ``placement.zones`` omitted the component runs in the cells' zones (issue 15 item 6).
* ``shared_domains``: explicit shared-fate domains, ``id`` in the declaring document or
  ``other-stack/id`` in another document.

Accounts, regions and zones are global: the same account name, region name or zone id in two
documents is the same failure domain (AZ ids such as ``use1-az1`` are global). Cells and shared
domains belong to the document that declares them.

Endpoints sharing GPUs (``serving.gpu_sharing``: MIG instances, MPS or time slicing on the
same GPUs) are a shared domain without being declared either (:func:`gpu_sharing_refs`): the
GPUs, their driver and their MIG or MPS set-up fail every endpoint on them. The domain belongs
to the pseudo-document :data:`GPU_SHARING`, one per group, account and region, and like the
pools below it is added when two or more single-region components name the same group.

Pools AWS imposes are shared domains without being declared (:func:`aws_pool_refs`): Lambda's
concurrency quota per account and region (every ``runtime: lambda`` component) and Bedrock's
on-demand quota per account, region and model (every ``hosting: bedrock`` component naming its
``model.name``). They belong to the pseudo-document :data:`AWS_POOLS` and are added by
:func:`aws_pools` to the placement of their members when two or more components draw on the
same pool (one member alone shares nothing). Only components placed in one region get them: a
component's shared domains fail it in every region it runs in, which a per-region pool must
not do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from cellguard.models.components import ComponentBase
from cellguard.models.components.common import ServiceFields
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import Hosting, Runtime
from cellguard.models.references import split_reference
from cellguard.models.topology import Topology


class DomainKind(StrEnum):
    """Kinds of failure domain, in the order they are listed and drawn."""

    ACCOUNT = "account"
    REGION = "region"
    ZONE = "zone"
    CELL = "cell"
    SHARED = "shared"


_KIND_ORDER = {kind: index for index, kind in enumerate(DomainKind)}


@dataclass(frozen=True)
class DomainRef:
    """A failure domain: its kind and id.

    Ids of accounts, regions and zones are global names (``prod-support``, ``us-east-1``,
    ``use1-az1``); ids of cells and shared domains are qualified with the name of the document
    that declares them (``support-assistant/cell-a``).
    """

    kind: DomainKind
    id: str

    @property
    def node_id(self) -> str:
        """The graph node id, e.g. ``region:us-east-1`` or ``cell:support-assistant/cell-a``."""
        return f"{self.kind.value}:{self.id}"

    @property
    def stack(self) -> str | None:
        """The declaring document of a cell or shared domain; ``None`` for global domains."""
        if self.kind in (DomainKind.CELL, DomainKind.SHARED):
            return self.id.split("/", 1)[0]
        return None

    @property
    def sort_key(self) -> tuple[int, str]:
        """Orders domains by kind (account, region, zone, cell, shared), then by id."""
        return (_KIND_ORDER[self.kind], self.id)

    def __lt__(self, other: DomainRef) -> bool:
        """Domains sort by :attr:`sort_key`."""
        return (_KIND_ORDER[self.kind], self.id) < (_KIND_ORDER[other.kind], other.id)

    @classmethod
    def parse(cls, node_id: str) -> DomainRef:
        """Parse a node id such as ``zone:use1-az1``; raise ``ValueError`` if it is not one."""
        kind, sep, ident = node_id.partition(":")
        if not sep or not ident:
            raise ValueError(f"not a failure-domain node id: {node_id!r}")
        return cls(DomainKind(kind), ident)

    @classmethod
    def account(cls, name: str) -> DomainRef:
        """The account called ``name``."""
        return cls(DomainKind.ACCOUNT, name)

    @classmethod
    def region(cls, name: str) -> DomainRef:
        """The region called ``name``."""
        return cls(DomainKind.REGION, name)

    @classmethod
    def zone(cls, zone_id: str) -> DomainRef:
        """The availability zone with the (global) AZ id ``zone_id``."""
        return cls(DomainKind.ZONE, zone_id)

    @classmethod
    def cell(cls, stack: str, cell_id: str) -> DomainRef:
        """Cell ``cell_id`` of document ``stack``."""
        return cls(DomainKind.CELL, f"{stack}/{cell_id}")

    @classmethod
    def shared(cls, stack: str, domain_id: str) -> DomainRef:
        """Shared-fate domain ``domain_id`` declared in document ``stack``."""
        return cls(DomainKind.SHARED, f"{stack}/{domain_id}")


@dataclass(frozen=True)
class EffectivePlacement:
    """Where a component runs once the defaults are applied.

    ``zones`` maps each region to its zones in preference order, or is ``None`` when the zones
    are unknown (placement or ``placement.zones`` omitted). ``replicas`` is per region.
    ``cells`` holds qualified cell ids (``stack/cell``); ``declared`` is false when the spec
    omits ``placement`` altogether.
    """

    account: str
    regions: tuple[str, ...]
    zones: dict[str, tuple[str, ...]] | None = field(hash=False)
    replicas: int
    cells: tuple[str, ...] = ()
    shared: tuple[DomainRef, ...] = ()
    declared: bool = True

    @property
    def zones_known(self) -> bool:
        """Whether the zones the component runs in are known."""
        return self.zones is not None

    def replica_counts(self) -> dict[str, list[tuple[str, int]]]:
        """Region -> ``(zone, replicas)`` of each zone holding replicas, in zone order
        (round-robin, :func:`round_robin`); empty lists if zones unknown. Its size is that of the
        zones, whatever ``replicas`` is."""
        out: dict[str, list[tuple[str, int]]] = {}
        for region in self.regions:
            zones = self.zones.get(region, ()) if self.zones is not None else ()
            out[region] = round_robin(zones, self.replicas)
        return out

    def replica_zones(self) -> dict[str, list[str]]:
        """Region -> zone of each replica, in order (round-robin); empty lists if zones unknown.

        One entry per replica: for tests and small fleets; :meth:`replica_counts` otherwise."""
        out: dict[str, list[str]] = {}
        for region in self.regions:
            zones = self.zones.get(region, ()) if self.zones is not None else ()
            out[region] = [zones[i % len(zones)] for i in range(self.replicas)] if zones else []
        return out

    def domains(self) -> list[DomainRef]:
        """Every failure domain the component is a member of, sorted."""
        found = {DomainRef.account(self.account)}
        found.update(DomainRef.region(r) for r in self.regions)
        if self.zones is not None:
            found.update(DomainRef.zone(z) for zones in self.zones.values() for z in zones)
        found.update(self.cells_refs())
        found.update(self.shared)
        return sorted(found)

    def cells_refs(self) -> list[DomainRef]:
        """The cell domains (qualified ids are stored in :attr:`cells`)."""
        return [DomainRef(DomainKind.CELL, c) for c in self.cells]


def round_robin(zones: tuple[str, ...], replicas: int) -> list[tuple[str, int]]:
    """How many of ``replicas`` each of ``zones`` holds when replica ``i`` goes to zone
    ``i mod len(zones)``: ``(zone, count)`` in zone order, zones with none left out."""
    if not zones:
        return []
    counts: dict[str, int] = {}
    for j, zone in enumerate(zones):
        count = replicas // len(zones) + (1 if j < replicas % len(zones) else 0)
        if count:
            counts[zone] = counts.get(zone, 0) + count
    return list(counts.items())


def _cell_zones(topology: Topology, cells: list[str], region: str) -> list[str]:
    """Zones that the named cells in ``region`` declare, in order (empty when none does)."""
    found: list[str] = []
    for cell in topology.cells:
        if cell.id in cells and cell.region == region:
            found += [z for z in cell.zones or [] if z not in found]
    return found


def _zones_for(
    topology: Topology, region: str, spec: int | list[str] | None, cells: list[str]
) -> tuple[str, ...]:
    declared = topology.region(region)
    available = _cell_zones(topology, cells, region) or (
        list(declared.zones) if declared is not None else []
    )
    if isinstance(spec, int):
        return tuple(available[:spec])
    return tuple(spec or ())


def _confined(
    topology: Topology, regions: tuple[str, ...], cells: list[str]
) -> dict[str, tuple[str, ...]] | None:
    """Zones omitted: the zones the component's cells declare in every region, else unknown."""
    found = {r: tuple(_cell_zones(topology, cells, r)) for r in regions}
    return found if cells and all(found.values()) else None


def effective_placement(
    stack: str, topology: Topology, component: ComponentBase
) -> EffectivePlacement:
    """Apply the placement defaults (see the module docstring) to ``component`` of ``stack``."""
    placement = component.placement
    account = (placement.account if placement else None) or topology.accounts[0]
    regions = tuple((placement.regions if placement else None) or [topology.regions[0].name])
    zone_spec = placement.zones if placement else None
    in_cells = (placement.cells or []) if placement else []
    zones = (
        {r: _zones_for(topology, r, zone_spec, in_cells) for r in regions}
        if zone_spec is not None
        else _confined(topology, regions, in_cells)
    )
    cells = tuple(f"{stack}/{c}" for c in ((placement.cells or []) if placement else []))
    shared: list[DomainRef] = []
    for ref in component.shared_domains:
        shared.append(DomainRef.shared(*split_reference(ref, stack)))
    return EffectivePlacement(
        account=account,
        regions=regions,
        zones=zones,
        replicas=1 if component.replicas is None else component.replicas,
        cells=cells,
        shared=tuple(sorted(set(shared))),
        declared=placement is not None,
    )


AWS_POOLS = "~aws"
"""The pseudo-document that owns the pools AWS imposes (``~`` keeps it apart from any
document name a spec may use)."""

LAMBDA_CONCURRENCY = "lambda_concurrency"
BEDROCK_MODEL_QUOTA = "bedrock_model_quota"
_POOL_PREFIXES = {"lambda-concurrency": LAMBDA_CONCURRENCY, "bedrock-quota": BEDROCK_MODEL_QUOTA}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _part(text: str) -> str:
    return _UNSAFE.sub("-", text)


def aws_pool_refs(component: ComponentBase, placement: EffectivePlacement) -> list[DomainRef]:
    """The pools AWS imposes that ``component`` draws on (single-region components only):
    ``~aws/lambda-concurrency@<account>@<region>`` and
    ``~aws/bedrock-quota@<account>@<region>@<model>``."""
    if len(placement.regions) != 1:
        return []
    if isinstance(component, ServiceFields) and component.runtime is Runtime.LAMBDA:
        return [DomainRef.shared(AWS_POOLS, f"lambda-concurrency@{_where(placement)}")]
    if (
        isinstance(component, HostedModelFields)
        and component.hosting is Hosting.BEDROCK
        and component.model is not None
    ):
        model = _part(component.model.name)
        return [DomainRef.shared(AWS_POOLS, f"bedrock-quota@{_where(placement)}@{model}")]
    return []


def _where(placement: EffectivePlacement) -> str:
    """``<account>@<region>`` of a single-region placement, for a pool's id."""
    return f"{_part(placement.account)}@{_part(placement.regions[0])}"


GPU_SHARING = "~gpu"
"""The pseudo-document that owns the GPUs endpoints share (``serving.gpu_sharing``)."""

GPU_SHARING_TYPE = "gpu_sharing"
"""The catalog type (``availability.yaml`` shared_domains) of shared GPUs."""


def gpu_sharing_refs(
    stack: str, component: ComponentBase, placement: EffectivePlacement
) -> list[DomainRef]:
    """The shared GPUs ``component`` of ``stack`` runs on (single-region components only):
    ``~gpu/<group's document>@<group>@<account>@<region>``."""
    # Only models have ``serving``: asking others with getattr() costs pydantic's __getattr__
    serving = component.serving if isinstance(component, HostedModelFields) else None
    sharing = getattr(serving, "gpu_sharing", None)
    if sharing is None or len(placement.regions) != 1:
        return []
    owner, group = split_reference(sharing.group, stack)
    where = _where(placement)
    return [DomainRef.shared(GPU_SHARING, f"{_part(owner)}@{_part(group)}@{where}")]


def pool_type(ref: DomainRef) -> str | None:
    """The catalog type of a domain cellguard adds without a declaration (a pool AWS imposes,
    or shared GPUs); ``None`` for any other domain."""
    if ref.kind is DomainKind.SHARED and ref.stack == GPU_SHARING:
        return GPU_SHARING_TYPE
    return aws_pool_type(ref)


def aws_pool_type(ref: DomainRef) -> str | None:
    """The catalog type (``lambda_concurrency``, ``bedrock_model_quota``) of a pool AWS
    imposes; ``None`` for any other domain."""
    if ref.kind is not DomainKind.SHARED or ref.stack != AWS_POOLS:
        return None
    ident = ref.id.split("/", 1)[1]
    return _POOL_PREFIXES.get(ident.split("@", 1)[0])


def _implicit_refs(
    qid: str, component: ComponentBase, placement: EffectivePlacement
) -> list[DomainRef]:
    stack = qid.split("/", 1)[0]
    return aws_pool_refs(component, placement) + gpu_sharing_refs(stack, component, placement)


def implicit_pools(
    members: Iterable[tuple[str, ComponentBase, EffectivePlacement]],
) -> dict[str, EffectivePlacement]:
    """The placements (by qualified id ``stack/id``) that gain a domain nobody declares (a
    pool AWS imposes, shared GPUs): those of every component in a pool or group that two or
    more components are in."""
    items = [
        (qid, placement, _implicit_refs(qid, component, placement))
        for qid, component, placement in members
    ]
    drawn: dict[DomainRef, list[str]] = {}
    for qid, _, refs in items:
        for ref in refs:
            drawn.setdefault(ref, []).append(qid)
    shared = {ref for ref, qids in drawn.items() if len(qids) >= 2}
    out: dict[str, EffectivePlacement] = {}
    for qid, placement, refs in items:
        pools = [ref for ref in refs if ref in shared]
        if pools:
            out[qid] = replace(placement, shared=tuple(sorted({*placement.shared, *pools})))
    return out
