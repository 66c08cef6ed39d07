"""Sufficient capacity of every model endpoint and embedding model: demand against supply.

**Demand** is what the journeys reaching a component bring at peak (:mod:`demand`), in the unit
its supply is counted in:

* GPU fleets (self-hosted or SageMaker) serving generative models: **output tokens/s**
  (``peak_rps x output_tokens``), because serving throughput is measured as aggregate output
  tokens/s per server (DESIGN §10); the input side is priced into the per-replica figure
  (prefill, see :mod:`throughput`).
* Quota-bound managed models: **tokens/s** (input + output, what a tokens-per-minute quota
  counts) or **requests/s**, whichever quota is closer to exhaustion.
* Embedding models: **requests/s** (one embedding call per journey request).

**Supply** is replicas per region x regions x the per-replica throughput (measured, or an
estimate labelled ``estimate``), or the quota. Utilisation is demand / supply at peak.

**Static stability** (per region, replicas spread round-robin over the region's zones as
:meth:`EffectivePlacement.replica_counts` places them, demand split evenly over the regions):
after losing the zone with most replicas, the region's survivors must carry the region's share
of peak at or below :data:`TARGET_UTILISATION`; with several regions, the others must carry the
whole peak after losing one region. :func:`replicas_for_static_stability` (defined in
:mod:`stability`, re-exported here) turns this around into replicas per region, for the planner.

**Failover demand** of a fallback target is the share of its primaries' demand their own
fleet cannot carry after their worst single zone or region loss (all of it for a primary in a
single zone, or for a managed primary in a single region).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from weakref import WeakKeyDictionary

from cellguard.assessments.demand import Load, load_on
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.queueing import QueueStats, mmc
from cellguard.assessments.stability import (
    TARGET_UTILISATION,
    replicas_after_zone_loss,
    replicas_for_static_stability,
    survivors_of_zone_loss,
)
from cellguard.assessments.throughput import ReplicaSpec, replica_spec, replica_throughput
from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.enums import ComponentKind, Hosting
from cellguard.models.findings import Evidence

__all__ = [
    "QUOTA",
    "TARGET_UTILISATION",
    "CapacityRow",
    "Fleet",
    "capacity_rows",
    "fleet",
    "replicas_after_zone_loss",
    "replicas_for_static_stability",
    "rounded",
    "shift_share",
]

OUTPUT_TPS = "output tokens/s"
TOKENS_PS = "tokens/s"
REQUESTS_PS = "requests/s"
QUOTA = "quota"
_MODEL_KINDS = (ComponentKind.MODEL_ENDPOINT, ComponentKind.EMBEDDING_MODEL)
_FLEETS: WeakKeyDictionary[StackGraph, dict[str, Fleet]] = WeakKeyDictionary()


@dataclass(frozen=True)
class CapacityRow:
    """Capacity of one model endpoint or embedding model (``None`` where data is missing).

    ``replicas`` and ``replicas_needed`` are per region; ``after_zone_loss`` is the capacity
    left in the worst-hit region after losing its largest zone (its utilisation is against
    that region's share of demand); ``after_region_loss`` is what the other regions hold.
    """

    stack: str
    id: str
    kind: str
    basis: str
    unit: str
    demand: float | None
    demand_complete: bool
    journeys: tuple[str, ...]
    supply: float | None
    utilisation: float | None
    failover_demand: float | None = None
    per_replica: float | None = None
    replicas: int | None = None
    regions: tuple[str, ...] = ()
    zones: int | None = None
    replicas_after_zone_loss: int | None = None
    after_zone_loss: float | None = None
    utilisation_after_zone_loss: float | None = None
    after_region_loss: float | None = None
    utilisation_after_region_loss: float | None = None
    replicas_needed: int | None = None
    p99_wait_ms: float | None = None
    queue_saturated: bool = False
    throughput_source: str | None = None
    throughput_basis: dict[str, Evidence] = field(default_factory=dict)
    shared_with: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    target_utilisation: float = TARGET_UTILISATION

    @property
    def qid(self) -> str:
        """``stack/id``."""
        return f"{self.stack}/{self.id}"

    def to_json(self) -> dict[str, Evidence]:
        """The row as JSON-ready data: fixed key order, rates to 0.1, utilisations to 0.001."""
        return {
            "stack": self.stack,
            "id": self.id,
            "kind": self.kind,
            "basis": self.basis,
            "unit": self.unit,
            "demand": rounded(self.demand, 1),
            "demand_complete": self.demand_complete,
            "journeys": list(self.journeys),
            "failover_demand": rounded(self.failover_demand, 1),
            "supply": rounded(self.supply, 1),
            "utilisation": rounded(self.utilisation, 3),
            "per_replica": rounded(self.per_replica, 1),
            "replicas": self.replicas,
            "regions": list(self.regions),
            "zones": self.zones,
            "replicas_after_zone_loss": self.replicas_after_zone_loss,
            "after_zone_loss": rounded(self.after_zone_loss, 1),
            "utilisation_after_zone_loss": rounded(self.utilisation_after_zone_loss, 3),
            "after_region_loss": rounded(self.after_region_loss, 1),
            "utilisation_after_region_loss": rounded(self.utilisation_after_region_loss, 3),
            "replicas_needed": self.replicas_needed,
            "target_utilisation": self.target_utilisation,
            "p99_wait_ms": rounded(self.p99_wait_ms, 1),
            "queue_saturated": self.queue_saturated,
            "throughput_source": self.throughput_source,
            "throughput_basis": dict(sorted(self.throughput_basis.items())),
            "shared_with": list(self.shared_with),
            "missing": list(self.missing),
        }


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` rounded to ``digits`` decimals (``None`` stays ``None``; no ``-0.0``)."""
    return None if value is None else round(value, digits) + 0.0


@dataclass(frozen=True)
class Fleet:
    """A row with what produced it: the replica's hardware and the load (for latency)."""

    row: CapacityRow
    load: Load
    replica: ReplicaSpec | None = None
    queue: QueueStats | None = None


def _ratio(demand: float, supply: float | None) -> float | None:
    if supply is None or supply <= 0:
        return None
    return demand / supply


def _gpu_fleet(
    graph: StackGraph, qid: str, comp: ModelEndpoint | EmbeddingModel, kind: str
) -> Fleet:
    load = load_on(graph, qid)
    placement = graph.placement(qid)
    n, regions = placement.replicas, placement.regions
    spec = replica_spec(comp)
    missing: list[str] = []
    if kind == ComponentKind.EMBEDDING_MODEL.value:
        unit, demand = REQUESTS_PS, load.rps
        lacking = load.lacking("peak_rps")
        per: float | None = None
        source: str | None = None
        basis: dict[str, Evidence] = {}
        missing.append("a measured throughput of the embedding model (the catalog has none)")
    else:
        unit, demand = OUTPUT_TPS, load.output_tps
        lacking = load.lacking("peak_rps", "output_tokens")
        throughput = replica_throughput(spec, load.input_per_output)
        per, source, basis = throughput.output_tokens_per_s, throughput.source, throughput.basis
        missing += throughput.missing
    if lacking:
        missing.append(f"the peak demand of {', '.join(lacking)} (peak_rps, output_tokens)")
    supply = per * n * len(regions) if per is not None else None
    by_region = placement.replica_counts()
    zone_lists = placement.zones or {}
    zones_known = all(zone_lists.get(r) for r in regions) and bool(zone_lists)
    if not zones_known:
        missing.append("the zones the replicas run in (placement.zones)")
    left = (
        min(survivors_of_zone_loss([c for _, c in by_region[r]]) for r in regions)
        if zones_known
        else None
    )
    zones = min(len(zone_lists[r]) for r in regions) if zones_known else None
    share = demand / len(regions)
    after_zone = left * per if left is not None and per is not None else None
    after_region = (len(regions) - 1) * n * per if len(regions) > 1 and per is not None else None
    needed = (
        replicas_for_static_stability(demand, per, zones=zones, regions=len(regions))
        if per and zones and not lacking
        else None
    )
    queue = None
    mean_out = load.mean_output_tokens
    if per and mean_out and n > 0:
        queue = mmc(load.rps / len(regions), per / mean_out, n)
    row = CapacityRow(
        stack=graph.stack_of(qid),
        id=comp.id,
        kind=kind,
        basis="gpu",
        unit=unit,
        demand=demand,
        demand_complete=not lacking,
        journeys=load.names,
        supply=supply,
        utilisation=_ratio(demand, supply),
        per_replica=per,
        replicas=n,
        regions=regions,
        zones=zones,
        replicas_after_zone_loss=left,
        after_zone_loss=after_zone,
        utilisation_after_zone_loss=_ratio(share, after_zone),
        after_region_loss=after_region,
        utilisation_after_region_loss=_ratio(demand, after_region),
        replicas_needed=needed,
        p99_wait_ms=queue.p99_wait * 1000 if queue and queue.p99_wait is not None else None,
        queue_saturated=queue is not None and not queue.stable,
        throughput_source=source,
        throughput_basis=basis,
        missing=tuple(missing),
    )
    return Fleet(row, load, spec, queue)


@dataclass(frozen=True)
class _Dimension:
    """One quota dimension: demand and supply per second, and journeys lacking numbers."""

    unit: str
    demand: float
    lacking: tuple[str, ...]
    supply: float | None

    @property
    def utilisation(self) -> float:
        """Demand over supply; 0 without a supply."""
        return self.demand / self.supply if self.supply else 0.0


def _quota_dimensions(
    load: Load, comp: ModelEndpoint | EmbeddingModel, kind: str
) -> list[_Dimension]:
    """The declared quota dimensions; one without supply when no quota applies."""
    quota = comp.quota
    tokens = (TOKENS_PS, load.total_tps, load.lacking("peak_rps", "input_tokens", "output_tokens"))
    requests = (REQUESTS_PS, load.rps, load.lacking("peak_rps"))
    embedding = kind == ComponentKind.EMBEDDING_MODEL.value
    found: list[_Dimension] = []
    if quota is not None and quota.tokens_per_minute and not embedding:
        found.append(_Dimension(*tokens, quota.tokens_per_minute / 60))
    if quota is not None and quota.requests_per_minute:
        found.append(_Dimension(*requests, quota.requests_per_minute / 60))
    if not found:
        found.append(_Dimension(*(requests if embedding else tokens), None))
    return found


def _quota_fleet(
    graph: StackGraph, qid: str, comp: ModelEndpoint | EmbeddingModel, kind: str
) -> Fleet:
    load = load_on(graph, qid)
    quota = comp.quota
    shared = tuple(quota.shared_with) if quota else ()
    unloaded = [s for s in shared if s not in set(graph.stacks())]
    dims = _quota_dimensions(load, comp, kind)
    binding = max(dims, key=lambda d: (d.utilisation, d.unit))
    missing: list[str] = []
    if binding.supply is None:
        if quota is not None and quota.tokens_per_minute:
            missing.append("a request quota: tokens per embedding request are not declared")
        else:
            missing.append("a quota (quota.tokens_per_minute or quota.requests_per_minute)")
    if binding.lacking:
        missing.append(f"the peak demand of {', '.join(binding.lacking)}")
    if unloaded:
        missing.append(f"the demand of {', '.join(unloaded)}, sharing the quota but not loaded")
    basis: dict[str, Evidence] = {
        "tokens_per_minute": quota.tokens_per_minute if quota else None,
        "requests_per_minute": quota.requests_per_minute if quota else None,
    }
    for dim in dims:
        if dim.supply is not None:
            basis[f"utilisation_{dim.unit.replace('/s', '_per_s')}"] = rounded(dim.utilisation, 3)
    row = CapacityRow(
        stack=graph.stack_of(qid),
        id=comp.id,
        kind=kind,
        basis=QUOTA,
        unit=binding.unit,
        demand=binding.demand,
        demand_complete=not binding.lacking and not unloaded,
        journeys=load.names,
        supply=binding.supply,
        utilisation=_ratio(binding.demand, binding.supply),
        regions=graph.placement(qid).regions,
        throughput_source=QUOTA if binding.supply is not None else None,
        throughput_basis=basis,
        shared_with=shared,
        missing=tuple(missing),
    )
    return Fleet(row, load)


def _in_unit(load: Load, unit: str) -> float:
    if unit == OUTPUT_TPS:
        return load.output_tps
    if unit == TOKENS_PS:
        return load.total_tps
    return load.rps


def shift_share(row: CapacityRow) -> float | None:
    """Share of ``row``'s demand its own capacity cannot carry after its worst single loss.

    Zone loss: the worst-hit region's share beyond what its surviving replicas carry (at 100%).
    Region loss (several regions): demand beyond what the other regions carry. A managed model
    in one region loses everything with its region. ``None`` when it cannot be told.
    """
    demand = row.demand or 0.0
    regions = max(len(row.regions), 1)
    if row.basis == QUOTA:
        return 1.0 if regions == 1 else None
    if demand <= 0:
        return 0.0
    shares: list[float] = []
    zone_cap = row.after_zone_loss
    if zone_cap is None and row.replicas_after_zone_loss == 0:
        zone_cap = 0.0
    if zone_cap is None:
        return None
    shares.append(max(0.0, demand / regions - zone_cap) / demand)
    if regions > 1:
        region_cap = row.after_region_loss
        if region_cap is None:
            return None
        shares.append(max(0.0, demand - region_cap) / demand)
    return max(shares)


def _with_failover(graph: StackGraph, fleets: dict[str, Fleet]) -> None:
    """Add failover demand to every fallback target among ``fleets`` (in place)."""
    primaries: dict[str, set[str]] = {}
    for edge in graph.fallback_edges():
        if edge.target in fleets:
            primaries.setdefault(edge.target, set()).update(edge.primaries)
    for target, sources in sorted(primaries.items()):
        fallback = fleets[target]
        total: float | None = 0.0
        for primary in sorted(sources):
            main = fleets.get(primary)
            share = shift_share(main.row) if main is not None else None
            if main is None or share is None or total is None:
                total = None
                continue
            total += share * _in_unit(main.load, fallback.row.unit)
        fleets[target] = replace(fallback, row=replace(fallback.row, failover_demand=total))


def _fleets(graph: StackGraph) -> dict[str, Fleet]:
    cached = _FLEETS.get(graph)
    if cached is not None:
        return cached
    fleets: dict[str, Fleet] = {}
    for qid in graph.components():
        kind = graph.kind(qid)
        comp = graph.component(qid)
        if kind not in _MODEL_KINDS or not isinstance(comp, ModelEndpoint | EmbeddingModel):
            continue
        gpus = comp.hosting in (Hosting.SELF_HOSTED, Hosting.SAGEMAKER)
        build = _gpu_fleet if gpus else _quota_fleet
        fleets[qid] = build(graph, qid, comp, kind.value)
    _with_failover(graph, fleets)
    _FLEETS[graph] = fleets
    return fleets


def fleet(graph: StackGraph, qid: str) -> Fleet | None:
    """The capacity of model component ``qid`` with its inputs; ``None`` for other components."""
    return _fleets(graph).get(qid)


def capacity_rows(graph: StackGraph) -> list[CapacityRow]:
    """One row per model endpoint and embedding model, sorted by (stack, id)."""
    rows = [f.row for f in _fleets(graph).values()]
    return sorted(rows, key=lambda r: (r.stack, r.id))
