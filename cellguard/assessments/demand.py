"""Which journeys load a component, and with how much: the demand side of the capacity model.

A journey loads every component its calls reach (:mod:`cellguard.assessments.routes`):
without a ``route``, every component its entrypoint reaches over ``depends_on`` edges of any
mode, required and optional, blocking and async (an asynchronous agent still spends the
model's tokens); with one, the components on the route. Fallback edges are not followed: a
fallback carries load only when its primary fails, which the capacity model counts
separately as failover demand. Each request of a journey makes one call to each component it
reaches, times the share of its requests that reach it (1 without a route): an optional model
called by one request in ten carries a tenth of the journey's rate and tokens.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cellguard.assessments.graph import StackGraph
from cellguard.models.business import Demand, DemandUnit

_REACH: WeakKeyDictionary[StackGraph, dict[str, dict[tuple[str, str], float]]] = WeakKeyDictionary()


@dataclass(frozen=True)
class JourneyLoad:
    """The load of one journey as its spec declares it (``None`` where undeclared)."""

    stack: str
    journey: str
    peak_rps: float | None
    input_tokens: int | None
    output_tokens: int | None
    share: float = 1.0
    """Share of the journey's requests that reach the component loaded (its route's)."""
    demand: Demand | None = None
    """The journey's whole demand as declared (its unit and the unit's per-request figures)."""

    @property
    def unit(self) -> DemandUnit:
        """The unit the journey's work is counted in (tokens when undeclared)."""
        return DemandUnit.TOKENS if self.demand is None else self.demand.unit

    @property
    def per_request(self) -> float | None:
        """Work of one request in :attr:`unit` (images, embedded items, audio seconds, one
        request); ``None`` for tokens (two figures) or when undeclared."""
        demand = self.demand
        if demand is None or demand.unit is DemandUnit.TOKENS:
            return None
        if demand.unit is DemandUnit.IMAGES:
            return float(demand.images.count) if demand.images else 1.0
        if demand.unit is DemandUnit.EMBEDDINGS:
            return float(demand.embeddings.count) if demand.embeddings else 1.0
        if demand.unit is DemandUnit.AUDIO_SECONDS:
            return demand.audio_seconds
        return 1.0

    @property
    def name(self) -> str:
        """``stack/journey``."""
        return f"{self.stack}/{self.journey}"

    @property
    def rps(self) -> float | None:
        """Requests per second reaching the component at peak: ``peak_rps x share``."""
        return None if self.peak_rps is None else self.peak_rps * self.share


@dataclass(frozen=True)
class Load:
    """The journeys loading one component. Sums cover the journeys that declare the numbers."""

    journeys: tuple[JourneyLoad, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """``stack/journey`` of every journey, sorted."""
        return tuple(j.name for j in self.journeys)

    @property
    def units(self) -> tuple[DemandUnit, ...]:
        """The distinct units of the journeys, sorted (tokens for journeys declaring none)."""
        return tuple(sorted({j.unit for j in self.journeys}))

    def of_unit(self, unit: DemandUnit) -> tuple[JourneyLoad, ...]:
        """The journeys whose demand is counted in ``unit``."""
        return tuple(j for j in self.journeys if j.unit is unit)

    def work_rate(self, unit: DemandUnit) -> float:
        """Peak work per second in ``unit`` (``rps x share x per_request``) of the journeys
        in that unit that declare it (not for tokens: see :attr:`output_tps`)."""
        return sum(
            (j.rps or 0.0) * (j.per_request or 0.0)
            for j in self.of_unit(unit)
            if j.rps is not None and j.per_request is not None
        )

    def lacking_work(self, unit: DemandUnit) -> tuple[str, ...]:
        """Journeys in ``unit`` without ``peak_rps`` or the unit's per-request figure."""
        return tuple(j.name for j in self.of_unit(unit) if j.rps is None or j.per_request is None)

    def lacking(self, *fields: str) -> tuple[str, ...]:
        """Journeys that do not declare every one of ``fields`` (peak_rps, input/output_tokens)."""
        return tuple(j.name for j in self.journeys if any(getattr(j, f) is None for f in fields))

    def _sum(self, *fields: str) -> float:
        total = 0.0
        for j in self.journeys:
            if j.rps is None or any(getattr(j, f) is None for f in fields):
                continue
            total += j.rps * sum(getattr(j, f) for f in fields)
        return total

    @property
    def rps(self) -> float:
        """Peak requests per second reaching the component, of the journeys declaring
        ``peak_rps`` (each times its share)."""
        return sum(j.rps for j in self.journeys if j.rps is not None)

    @property
    def output_tps(self) -> float:
        """Output tokens per second at peak (``peak_rps x output_tokens``)."""
        return self._sum("output_tokens")

    @property
    def total_tps(self) -> float:
        """Input plus output tokens per second at peak (what token quotas count)."""
        return self._sum("input_tokens", "output_tokens")

    @property
    def mean_output_tokens(self) -> float | None:
        """Output tokens per request, weighted by peak rps; ``None`` if nothing is declared."""
        rps = sum(j.rps for j in self.journeys if j.rps and j.output_tokens is not None)
        return self.output_tps / rps if rps > 0 else None

    @property
    def input_per_output(self) -> float | None:
        """Input tokens per output token of the journeys declaring both; ``None`` if none do."""
        both = [j for j in self.journeys if j.input_tokens is not None and j.output_tokens]
        if not both or any(j.peak_rps is None for j in both):
            return None
        out = sum((j.rps or 0.0) * (j.output_tokens or 0) for j in both)
        inp = sum((j.rps or 0.0) * (j.input_tokens or 0) for j in both)
        return inp / out if out > 0 else None


def _reach(graph: StackGraph) -> dict[str, dict[tuple[str, str], float]]:
    """Component -> (stack, journey id) of every journey reaching it -> the share of the
    journey's requests that do, computed once per graph."""
    cached = _REACH.get(graph)
    if cached is not None:
        return cached
    found: dict[str, dict[tuple[str, str], float]] = {}
    for stack, journey in graph.journeys():
        for qid, share in graph.route(stack, journey.id).reach.items():
            if share > 0:
                found.setdefault(qid, {})[(stack, journey.id)] = share
    _REACH[graph] = found
    return found


def journeys_reaching(graph: StackGraph, qid: str) -> list[tuple[str, str]]:
    """(stack, journey id) of every journey whose calls reach ``qid``, sorted."""
    return sorted(_reach(graph).get(qid, {}))


def share_of(graph: StackGraph, qid: str, stack: str, journey_id: str) -> float:
    """Share of the journey's requests that reach ``qid`` (0 when none do)."""
    return _reach(graph).get(qid, {}).get((stack, journey_id), 0.0)


def load_on(graph: StackGraph, qid: str) -> Load:
    """The :class:`Load` the journeys reaching ``qid`` put on it, each times its share."""
    shares = _reach(graph).get(qid, {})
    return combined(graph, shares, shares)


def combined(
    graph: StackGraph,
    journeys: Iterable[tuple[str, str]],
    shares: dict[tuple[str, str], float] | None = None,
) -> Load:
    """The :class:`Load` of the given (stack, journey id) pairs, each times its share in
    ``shares`` (1 when not given: the journey's whole demand)."""
    loads = []
    for stack, journey_id in sorted(set(journeys)):
        demand = graph.journey(stack, journey_id).demand
        share = 1.0 if shares is None else shares.get((stack, journey_id), 1.0)
        loads.append(
            JourneyLoad(
                stack,
                journey_id,
                demand.peak_rps,
                demand.input_tokens,
                demand.output_tokens,
                share,
                demand,
            )
        )
    return Load(tuple(loads))
