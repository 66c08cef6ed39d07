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

**Failover** onto a fallback target (:mod:`failover`): the share of its primaries' demand
their own fleet cannot carry after their worst single zone or region loss
(``failover_demand``), and the failure-driven case of a primary down entirely, all of its
journeys' demand on the fallback less the shedding the design accepts (``primary_down``).
The rows themselves are defined in :mod:`capacity_row`.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cellguard.assessments.capacity_row import (
    OUTPUT_TPS,
    QUOTA,
    REQUESTS_PS,
    TOKENS_PS,
    CapacityRow,
    Fleet,
    PrimaryDown,
    ratio,
    rounded,
)
from cellguard.assessments.demand import Load, load_on
from cellguard.assessments.failover import Pairs, shift_share, with_failover
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.queueing import mmc
from cellguard.assessments.quota_retries import Retried, attempts_of, with_retries
from cellguard.assessments.stability import (
    TARGET_UTILISATION,
    replicas_after_zone_loss,
    replicas_for_static_stability,
    survivors_of_zone_loss,
)
from cellguard.assessments.throughput import replica_spec, replica_throughput
from cellguard.assessments.throughput_media import work_figures, work_unit
from cellguard.assessments.throughput_model import context_tokens
from cellguard.models.business import DemandUnit
from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.enums import ComponentKind, Hosting
from cellguard.models.findings import Evidence

__all__ = [
    "OUTPUT_TPS",
    "QUOTA",
    "REQUESTS_PS",
    "TARGET_UTILISATION",
    "TOKENS_PS",
    "CapacityRow",
    "Fleet",
    "PrimaryDown",
    "capacity_rows",
    "failover_when_down",
    "fleet",
    "replicas_after_zone_loss",
    "replicas_for_static_stability",
    "rounded",
    "shift_share",
]

_MODEL_KINDS = (ComponentKind.MODEL_ENDPOINT, ComponentKind.EMBEDDING_MODEL)
_FLEETS: WeakKeyDictionary[StackGraph, dict[str, Fleet]] = WeakKeyDictionary()
_DOWN: WeakKeyDictionary[StackGraph, Pairs] = WeakKeyDictionary()


def _gpu_fleet(
    graph: StackGraph, qid: str, comp: ModelEndpoint | EmbeddingModel, kind: str
) -> Fleet:
    load = load_on(graph, qid)
    placement = graph.placement(qid)
    n, regions = placement.replicas, placement.regions
    spec = replica_spec(comp, context_tokens(load.input_per_output, load.mean_output_tokens))
    missing: list[str] = []
    needs = "peak_rps, output_tokens"
    per: float | None = None
    source: str | None = None
    basis: dict[str, Evidence] = {}
    work_in = work_unit(comp, load)
    work = (
        work_figures(comp, load, work_in, spec.gpu, spec.gpus, _stands_in_for(graph, qid))
        if work_in
        else None
    )
    if work is not None:
        unit, demand, lacking = work.unit, work.demand, work.lacking
        per, source, basis = work.per_replica, work.source, work.basis
        missing += work.missing
        needs = f"peak_rps and demand.unit {work_in}"
    elif kind == ComponentKind.EMBEDDING_MODEL.value:
        unit, demand = REQUESTS_PS, load.rps
        lacking = load.lacking("peak_rps")
        missing.append("a measured throughput of the embedding model (the catalog has none)")
    else:
        unit, demand = OUTPUT_TPS, load.output_tps
        lacking = load.lacking("peak_rps", "output_tokens")
        throughput = replica_throughput(spec, load.input_per_output)
        per, source, basis = throughput.output_tokens_per_s, throughput.source, throughput.basis
        missing += throughput.missing
    if lacking:
        missing.append(f"the peak demand of {', '.join(lacking)} ({needs})")
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
    if work is not None:
        if work.service_seconds and n > 0:
            queue = mmc(
                load.rps / len(regions), 1 / work.service_seconds, n * work.slots_per_replica
            )
    elif per and mean_out and n > 0:
        # continuous batching: a request waits only for one of the replica's batch slots;
        # once in, contention slows its decode step instead (latency.tpot_seconds), so the
        # wait is counted once (a slot holds a request for mean_out x concurrency / per
        # seconds, the pace of a full batch; without a concurrency the replica is one server)
        slots = spec.concurrency or 1
        queue = mmc(load.rps / len(regions), per / (slots * mean_out), n * slots)
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
        utilisation=ratio(demand, supply),
        per_replica=per,
        replicas=n,
        regions=regions,
        zones=zones,
        replicas_after_zone_loss=left,
        after_zone_loss=after_zone,
        utilisation_after_zone_loss=ratio(share, after_zone),
        after_region_loss=after_region,
        utilisation_after_region_loss=ratio(demand, after_region),
        replicas_needed=needed,
        p99_wait_ms=queue.p99_wait * 1000 if queue and queue.p99_wait is not None else None,
        queue_saturated=queue is not None and not queue.stable,
        throughput_source=source,
        throughput_basis=basis,
        missing=tuple(missing),
    )
    return Fleet(row, load, spec, queue, work.service_seconds if work else None)


def _stands_in_for(graph: StackGraph, qid: str) -> Load:
    """The journeys of the primaries ``qid`` is the fallback of (their work per request sizes
    a fallback's per-replica rate when no journey reaches it directly)."""
    primaries = sorted({p for e in graph.fallback_edges() if e.target == qid for p in e.primaries})
    return Load(tuple(j for p in primaries for j in load_on(graph, p).journeys))


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
    # a journey counted in images, embeddings, audio or requests that declares no tokens does
    # not load a token quota with zero: its token demand is unknown (issue 17)
    no_tokens = tuple(
        j.name
        for j in load.journeys
        if j.unit is not DemandUnit.TOKENS and not (j.input_tokens or j.output_tokens)
    )
    lacking = load.lacking("peak_rps", "input_tokens", "output_tokens")
    tokens = (TOKENS_PS, load.total_tps, tuple(dict.fromkeys(lacking + no_tokens)))
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
    retried = _retried(graph, qid, load, binding)
    if retried is not None:
        basis["most_attempts"] = retried.most_attempts
        basis["rejected_share"] = rounded(retried.rejected_share, 3)
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
        utilisation=ratio(binding.demand, binding.supply),
        regions=graph.placement(qid).regions,
        throughput_source=QUOTA if binding.supply is not None else None,
        throughput_basis=basis,
        shared_with=shared,
        missing=tuple(missing),
        retried_demand=retried.offered if retried is not None else None,
    )
    return Fleet(row, load)


def _retried(graph: StackGraph, qid: str, load: Load, binding: _Dimension) -> Retried | None:
    """The load on a quota its first calls exceed, with the retries of the calls it throttles
    (:mod:`.quota_retries`); ``None`` within the quota or when no caller retries."""
    if binding.supply is None or binding.demand <= binding.supply:
        return None
    parts = []
    for j in load.journeys:
        tokens = (j.input_tokens, j.output_tokens) if binding.unit == TOKENS_PS else (0, 0)
        if j.rps is None or None in tokens:
            continue
        per_call = sum(t or 0 for t in tokens) if binding.unit == TOKENS_PS else 1
        parts.append((j.rps * per_call, attempts_of(graph, qid, j)))
    found = with_retries([p for p in parts if p[0] > 0], binding.supply)
    return found if found is not None and found.most_attempts > 1 else None


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
    _DOWN[graph] = with_failover(graph, fleets)
    _FLEETS[graph] = fleets
    return fleets


def fleet(graph: StackGraph, qid: str) -> Fleet | None:
    """The capacity of model component ``qid`` with its inputs; ``None`` for other components."""
    return _fleets(graph).get(qid)


def failover_when_down(graph: StackGraph, primary: str, fallback: str) -> PrimaryDown | None:
    """What falls on model ``fallback`` when ``primary`` is down entirely (``None`` when
    ``fallback`` is not a model fleet or is not ``primary``'s fallback)."""
    _fleets(graph)
    return _DOWN[graph].get((primary, fallback))


def capacity_rows(graph: StackGraph) -> list[CapacityRow]:
    """One row per model endpoint and embedding model, sorted by (stack, id)."""
    rows = [f.row for f in _fleets(graph).values()]
    return sorted(rows, key=lambda r: (r.stack, r.id))
