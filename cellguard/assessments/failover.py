"""Failover onto fallback models: after a zone or region loss, and with a primary down entirely.

Two events send a primary's demand to its fallback (the ``fallback`` of a ``depends_on`` entry):

* **Capacity loss** (``failover_demand`` of the fallback's row): the share of each primary's
  demand its own fleet cannot carry after its worst zone or region loss (:func:`shift_share`),
  summed over the primaries, since one zone or region loss hits them together.
* **Primary down** (:class:`~cellguard.assessments.capacity_row.PrimaryDown`): the whole
  primary fails (a bad canary, a crash loop, a GPU driver fault). Every request of the journeys
  whose calls name this fallback then goes to it: the primary's demand as :mod:`demand` gives
  it (route shares included), for the journeys that reach a caller declaring the fallback. The
  design may accept shedding part of it (``shed_on_failover`` on the dependency; when several
  callers name the same primary and fallback, the least shedding any of them accepts counts).
  The fallback must carry the rest plus its own demand, within its quota (every declared
  dimension; the one closest to exhaustion is reported, and what any dimension lacks makes
  the figure incomplete) or its fleet's throughput at 100% (an emergency, not the 80% peak
  target). Each primary's failure is its own event; the
  fallback's row shows the worst of them.
"""

from __future__ import annotations

from dataclasses import replace

from cellguard.assessments.capacity_row import (
    OUTPUT_TPS,
    QUOTA,
    REQUESTS_PS,
    TOKENS_PS,
    CapacityRow,
    Fleet,
    PrimaryDown,
)
from cellguard.assessments.demand import Load, journeys_reaching, load_on
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.throughput_media import UNIT_LABELS, WORK_UNITS
from cellguard.models.enums import ComponentKind

_FIELDS: dict[str, tuple[str, ...]] = {
    OUTPUT_TPS: ("peak_rps", "output_tokens"),
    TOKENS_PS: ("peak_rps", "input_tokens", "output_tokens"),
    REQUESTS_PS: ("peak_rps",),
}
"""The journey demand fields each unit is computed from."""

Pairs = dict[tuple[str, str], PrimaryDown]
"""(primary, fallback) -> the failover when that primary is down."""


_WORK_UNIT = {label: unit for unit, label in UNIT_LABELS.items() if label in WORK_UNITS}
"""images/s, embeddings/s, audio seconds/s -> the journeys' demand.unit (issue 17)."""


def _lacking(load: Load, unit: str) -> tuple[str, ...]:
    """Journeys of ``load`` without the demand figures ``unit`` is computed from."""
    if unit in _WORK_UNIT:
        return load.lacking_work(_WORK_UNIT[unit]) + tuple(
            j.name for j in load.journeys if j.unit is not _WORK_UNIT[unit]
        )
    return load.lacking(*_FIELDS[unit])


def in_unit(load: Load, unit: str) -> float:
    """``load`` at peak in ``unit`` (output tokens/s, tokens/s, requests/s, or the images,
    embedded items or audio seconds per second of journeys declaring that demand.unit)."""
    if unit in _WORK_UNIT:
        return load.work_rate(_WORK_UNIT[unit])
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


def _supplies(graph: StackGraph, back: Fleet) -> list[tuple[str, float | None]]:
    """(unit, supply per second) of each limit of the fallback: its quota's declared
    dimensions, or its fleet's throughput; one without supply when none is known."""
    row = back.row
    if row.basis != QUOTA:
        return [(row.unit, row.supply)]
    quota = getattr(graph.component(row.qid), "quota", None)
    found: list[tuple[str, float | None]] = []
    if quota is not None:
        if quota.tokens_per_minute and row.kind != ComponentKind.EMBEDDING_MODEL.value:
            found.append((TOKENS_PS, quota.tokens_per_minute / 60))
        if quota.requests_per_minute:
            found.append((REQUESTS_PS, quota.requests_per_minute / 60))
    return found or [(row.unit, None)]


def _callers(graph: StackGraph, primary: str, fallback: str) -> tuple[list[str], float]:
    """Callers of ``primary`` that name ``fallback``, and the least shedding they accept."""
    sources = sorted(
        {
            e.source
            for e in graph.fallback_edges()
            if e.target == fallback and primary in e.primaries
        }
    )
    sheds = [
        d.shed_on_failover
        for s in sources
        for d in graph.dependencies(s)
        if d.target == primary and d.fallback == fallback
    ]
    return sources, min(sheds, default=0.0)


def _worst(found: list[PrimaryDown]) -> PrimaryDown:
    """The failover closest to exhaustion (an unknown utilisation counts least)."""
    return max(found, key=lambda p: (-1.0 if p.utilisation is None else p.utilisation, p.unit))


def primary_down(graph: StackGraph, primary: str, back: Fleet) -> PrimaryDown:
    """The failover onto fallback fleet ``back`` when ``primary`` is down entirely."""
    fallback = back.row.qid
    sources, shed = _callers(graph, primary, fallback)
    names = {f"{s}/{j}" for src in sources for s, j in journeys_reaching(graph, src)}
    load = load_on(graph, primary)
    moved = replace(load, journeys=tuple(j for j in load.journeys if j.name in names))
    own = back.load
    unloaded = [s for s in back.row.shared_with if s not in set(graph.stacks())]
    found = []
    for unit, supply in _supplies(graph, back):
        fields = _FIELDS.get(unit, ("peak_rps", "demand.unit", unit.removesuffix("/s")))
        lacking = sorted(set(_lacking(moved, unit)) | set(_lacking(own, unit)))
        missing = []
        if supply is None:
            what = "a quota (quota.tokens_per_minute or quota.requests_per_minute)"
            if back.row.basis != QUOTA:
                what = "a per-replica throughput (the catalog has none for this model and GPU)"
            missing.append(f"the capacity of {back.row.id}: {what}")
        if lacking:
            missing.append(f"the peak demand of {', '.join(lacking)} ({', '.join(fields)})")
        if unloaded:
            missing.append(f"the demand of {', '.join(unloaded)}, sharing the quota but not loaded")
        found.append(
            PrimaryDown(
                primary=primary,
                fallback=fallback,
                unit=unit,
                demand=in_unit(moved, unit),
                own_demand=in_unit(own, unit),
                shed=shed,
                supply=supply,
                journeys=moved.names,
                complete=not missing,
                missing=tuple(missing),
            )
        )
    worst = _worst(found)
    lacks = tuple(dict.fromkeys(m for p in found for m in p.missing))
    return replace(worst, complete=not lacks, missing=lacks)


def with_failover(graph: StackGraph, fleets: dict[str, Fleet]) -> Pairs:
    """Add both kinds of failover to every fallback target among ``fleets`` (in place), and
    return the failover of each (primary, fallback) pair with the primary down."""
    primaries: dict[str, set[str]] = {}
    for edge in graph.fallback_edges():
        if edge.target in fleets:
            primaries.setdefault(edge.target, set()).update(edge.primaries)
    pairs: Pairs = {}
    for target, sources in sorted(primaries.items()):
        fallback = fleets[target]
        total: float | None = 0.0
        downs = []
        for primary in sorted(sources):
            down = primary_down(graph, primary, fallback)
            pairs[(primary, target)] = down
            downs.append(down)
            main = fleets.get(primary)
            share = shift_share(main.row) if main is not None else None
            if main is None or share is None or total is None:
                total = None
                continue
            total += share * in_unit(main.load, fallback.row.unit)
        row = replace(fallback.row, failover_demand=total, primary_down=_worst(downs))
        fleets[target] = replace(fallback, row=row)
    return pairs
