"""Exact availability of every journey, with what dominates it and what it costs.

For each journey: the compiled fault tree (:mod:`.compile`) is quantified exactly with one
BDD (:mod:`cellguard.assessments.faulttree.importance`), giving the unavailability ``U``:

* availability ``100·(1 − U)`` %, nines ``−log10 U``;
* expected downtime ``U · 8766`` h/year; failures per year ``Σ I_B(i)·q_i/repair_i · 8766``;
* expected annual loss ``downtime · revenue_per_hour + failures · penalty_per_incident``;
* the events with the largest Fussell–Vesely importance, and the minimal cut sets of order
  ≤ 2 (order 1 = single points of failure), where an event standing for several replica
  failures counts with their number (:attr:`.compile.EventInfo.order`), as the replicas did.

Journey trees stay small (replicas are aggregated per zone, :mod:`.replicas`), but a journey
through thousands of components can still pass the importance analysis's limit of
:data:`ANALYSIS_LIMIT` events: its probability then comes from the modular engine
(:func:`~cellguard.assessments.faulttree.quantify.quantify`, exact or a labelled bound within
:data:`FALLBACK_SECONDS`), without importances or failure frequency. ``exact`` is false when
the figure is an upper bound (from that engine's budget or from replicas too unevenly spread
over too many zones to encode exactly).

Results are computed once per graph and cached.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass

from cellguard.assessments.availability.compile import JourneyTree, compile_journey
from cellguard.assessments.availability.priors import Priors
from cellguard.assessments.availability.shapes import Memo, Shape, shape_of
from cellguard.assessments.faulttree.cutsets import CutSetLimitError, minimal_cut_sets
from cellguard.assessments.faulttree.importance import (
    HOURS_PER_YEAR,
    AnalysisLimitError,
    Importance,
    analyse,
)
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FaultTree
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.routes import RouteStep
from cellguard.models.findings import Evidence
from cellguard.models.references import localise

TOP_IMPORTANCES = 5
CUT_SET_ORDER = 2
CUT_SETS_SHOWN = 10
ANALYSIS_LIMIT = 5000
"""Most basic events a journey's tree may have for the importance analysis."""
FALLBACK_SECONDS = 10.0
"""Time limit of the modular engine for a tree beyond :data:`ANALYSIS_LIMIT`."""


def sig(value: float | None, digits: int = 6) -> float | None:
    """``value`` to ``digits`` significant digits (deterministic JSON); ``None`` stays."""
    if value is None or value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.{digits}g}")


@dataclass(frozen=True)
class JourneyAvailability:
    """Exact availability figures of one journey."""

    stack: str
    journey: str
    criticality: str
    unavailability: float
    frequency_per_year: float | None
    objective: float | None
    revenue_per_hour: float | None
    penalty_per_incident: float | None
    importances: tuple[Importance, ...]
    cut_sets: tuple[tuple[str, ...], ...]
    cut_sets_complete: bool
    labels: dict[str, str]
    bdd_nodes: int
    events: int
    exact: bool = True
    several: frozenset[str] = frozenset()
    """Events that stand for several replica failures ("all 2 replicas of llm in use1-az4
    down"): a cut set of one of them alone is not a single point of failure."""
    route: tuple[RouteStep, ...] | None = None
    """The calls of the journey's declared ``route`` (``None`` without one: every call)."""
    answer: tuple[str, str, str] | None = None
    """Producer, channel and delivery of an awaited asynchronous answer, if any."""

    def route_text(self) -> str | None:
        """The route in one line (``web → llm (10%), ...; answer from fn via api (subscription)``);
        ``None`` when the journey declares neither route nor answer."""
        if self.route is None and self.answer is None:
            return None
        parts = []
        for step in self.route or ():
            share = "" if step.share == 1 else f" ({step.share:.0%})"
            parts.append(f"{self._short(step.source)} → {self._short(step.target)}{share}")
        text = ", ".join(parts) if parts else "every call"
        if self.answer is not None:
            producer, channel, delivery = self.answer
            text += f"; answer from {self._short(producer)} via {self._short(channel)} ({delivery})"
        return text

    @property
    def availability(self) -> float:
        """Availability in percent."""
        return 100.0 * (1.0 - self.unavailability)

    @property
    def nines(self) -> float:
        """``−log10`` of the unavailability (``inf`` when it cannot fail)."""
        return math.inf if self.unavailability <= 0 else -math.log10(self.unavailability)

    @property
    def downtime_hours(self) -> float:
        """Expected downtime per year, hours."""
        return self.unavailability * HOURS_PER_YEAR

    @property
    def loss_per_year(self) -> float | None:
        """Expected annual loss; ``None`` when the journey states no money at all."""
        if self.revenue_per_hour is None and self.penalty_per_incident is None:
            return None
        loss = self.downtime_hours * (self.revenue_per_hour or 0.0)
        if self.penalty_per_incident:
            if self.frequency_per_year is None:
                return None
            loss += self.frequency_per_year * self.penalty_per_incident
        return loss

    @property
    def meets_objective(self) -> bool | None:
        """Whether the availability reaches the objective (``None`` without one)."""
        if self.objective is None:
            return None
        return self.availability >= self.objective

    @property
    def single_points(self) -> list[str]:
        """Events that take the journey down on their own (order-1 cut sets)."""
        return [c[0] for c in self.cut_sets if len(c) == 1 and c[0] not in self.several]

    def to_json(self) -> dict[str, Evidence]:
        """The journey's entry of the JSON contract's ``journeys`` section.

        ``unavailability`` is the exact probability, unrounded; ``nines`` is ``None`` for a
        journey that cannot fail (unavailability 0), which JSON writes as ``null``.
        """
        return {
            "stack": self.stack,
            "journey": self.journey,
            "criticality": self.criticality,
            # exact: the engine's double, which JSON carries digit for digit (repr); the
            # percentage beside it is rounded for people
            "unavailability": self.unavailability,
            "availability": sig(self.availability, 8),
            "nines": sig(self.nines, 4) if math.isfinite(self.nines) else None,
            "objective": self.objective,
            "meets_objective": self.meets_objective,
            "downtime_hours_per_year": sig(self.downtime_hours, 4),
            "failures_per_year": sig(self.frequency_per_year, 4),
            "loss_per_year": sig(self.loss_per_year, 6),
            "exact": self.exact,
            "single_points_of_failure": [
                {"event": e, "label": self.labels.get(e, e)} for e in self.single_points
            ],
            "top_importances": [
                {
                    "event": i.event,
                    "label": self.labels.get(i.event, i.event),
                    "probability": sig(i.probability),
                    "birnbaum": sig(i.birnbaum, 4),
                    "fussell_vesely": sig(i.fussell_vesely, 4),
                }
                for i in self.importances
            ],
            "cut_sets": [list(c) for c in self.cut_sets[:CUT_SETS_SHOWN]],
            "cut_sets_max_order": CUT_SET_ORDER,
            "bdd_nodes": self.bdd_nodes,
            "basic_events": self.events,
            **self._route_json(),
        }

    def _route_json(self) -> dict[str, Evidence]:
        """``route`` and ``answer`` entries, for a journey that declares them."""
        out: dict[str, Evidence] = {}
        if self.route is not None:
            out["route"] = [
                {
                    "from": s.source,
                    "to": s.target,
                    "share": sig(s.share),
                    "reach": sig(s.reach),
                    "decides_availability": s.counts,
                    "on_answer_path": s.answer,
                }
                for s in self.route
            ]
        if self.answer is not None:
            producer, channel, delivery = self.answer
            out["answer"] = {"producer": producer, "channel": channel, "delivery": delivery}
        return out

    def _short(self, qid: str) -> str:
        """A component id as the journey's stack writes it (``id``, or ``stack/id``)."""
        return localise(qid, self.stack)


_CACHE: weakref.WeakKeyDictionary[
    StackGraph, dict[tuple[str, str], tuple[JourneyTree, JourneyAvailability]]
] = weakref.WeakKeyDictionary()


Figures = tuple[float, float | None, tuple[Importance, ...], int, bool]

_FIGURES: Memo[Figures] = Memo(2048)
FIGURES_KEPT = _FIGURES.kept
"""Journey trees whose figures are remembered (oldest forgotten first): `plan` assesses the
organisation again after every round and scores every change's avoided loss, and most
journeys' trees are the same each time; a tree is the same when its top, events (names,
probabilities, repair times, labels) and gates are. Only trees beyond :data:`ANALYSIS_LIMIT`
are remembered here, by name: the others' figures go to :data:`_SHAPED`."""

Ranked = tuple[float, float | None, tuple[tuple[int, float, float, float], ...], int, bool]
""":data:`Figures` with each importance's event given by its rank in the tree's :class:`Shape`."""

_SHAPED: Memo[Ranked | None] = Memo(FIGURES_KEPT)
"""Figures of trees by shape (``None``: too large for the importance analysis), so that the
journeys of stacks built alike are analysed once (400 journeys of 200 such stacks: 2)."""

_CUT_SETS: Memo[tuple[tuple[int, ...], ...] | None] = Memo(FIGURES_KEPT)
"""Minimal cut sets by shape, each as the ranks of its events (``None``: past the limit)."""


def _figures(jt: JourneyTree, shape: Shape) -> Figures:
    """Probability, failures per year, top importances, diagram size and exactness (of a tree
    of the same shape, or an identical one, computed before, when there is one)."""
    key = (shape.key, jt.bounded, ANALYSIS_LIMIT)  # the limit picks the method
    if key not in _SHAPED:
        try:
            analysis = analyse(jt.tree, max_events=ANALYSIS_LIMIT)
        except AnalysisLimitError:
            _SHAPED.keep(key, None)
        else:
            ranked = tuple(
                (shape.rank[i.event], i.probability, i.birnbaum, i.fussell_vesely)
                for i in analysis.top_importances(TOP_IMPORTANCES)
            )
            _SHAPED.keep(
                key,
                (
                    analysis.probability,
                    analysis.frequency_per_year,
                    ranked,
                    analysis.bdd_nodes,
                    not jt.bounded,
                ),
            )
    found = _SHAPED[key]
    if found is not None:
        probability, frequency, ranked, nodes, exact = found
        names = shape.names
        importances = tuple(Importance(names[r], q, b, fv) for r, q, b, fv in ranked)
        return probability, frequency, importances, nodes, exact
    tree = jt.tree
    events, gates = frozenset(tree.events.values()), frozenset(tree.gates.values())
    named = (tree.top, events, gates, jt.bounded, ANALYSIS_LIMIT)
    figures = _FIGURES.get(named)
    if figures is None:
        quantified = quantify(tree, time_limit=FALLBACK_SECONDS)
        exact = quantified.exact and not jt.bounded
        figures = _FIGURES.keep(
            named, (quantified.probability, None, (), quantified.bdd_nodes, exact)
        )
    return figures


def _cut_sets(tree: FaultTree, shape: Shape) -> list[frozenset[str]] | None:
    """:func:`minimal_cut_sets` of order :data:`CUT_SET_ORDER` (of a tree of the same shape
    when there was one), ``None`` past its limit."""
    key = (shape.key, CUT_SET_ORDER)
    if key not in _CUT_SETS:
        try:
            found = minimal_cut_sets(tree, CUT_SET_ORDER)
        except CutSetLimitError:
            _CUT_SETS.keep(key, None)
        else:
            _CUT_SETS.keep(key, tuple(shape.ranks(cut) for cut in found))
    ranked = _CUT_SETS[key]
    if ranked is None:
        return None
    names = shape.names
    return [frozenset(names[r] for r in cut) for cut in ranked]


def _evaluate(jt: JourneyTree, graph: StackGraph) -> JourneyAvailability:
    journey = graph.journey(jt.stack, jt.journey)
    route = graph.route(jt.stack, jt.journey)
    answer = None
    if route.producer is not None and route.channel is not None and route.delivery is not None:
        answer = (route.producer, route.channel, route.delivery)
    shape = shape_of(jt.tree)
    probability, frequency, importances, nodes, exact = _figures(jt, shape)
    order = {name: info.order for name, info in jt.events.items() if info.order != 1}
    cut_sets = _cut_sets(jt.tree, shape)
    found, complete = ([], False) if cut_sets is None else (cut_sets, True)
    weighed = [(sum(order.get(e, 1) for e in cut), sorted(cut)) for cut in found]
    cuts = [cut for weight, cut in sorted(weighed) if weight <= CUT_SET_ORDER]
    return JourneyAvailability(
        stack=jt.stack,
        journey=jt.journey,
        criticality=journey.criticality.value,
        unavailability=probability,
        frequency_per_year=frequency,
        objective=journey.objectives.availability,
        revenue_per_hour=journey.impact.revenue_per_hour,
        penalty_per_incident=journey.impact.penalty_per_incident,
        importances=importances,
        cut_sets=tuple(tuple(c) for c in cuts),
        cut_sets_complete=complete,
        labels={name: info.label for name, info in jt.events.items()},
        bdd_nodes=nodes,
        events=len(jt.tree.events),
        exact=exact,
        several=frozenset(order),
        route=tuple(route.steps()) if route.declared else None,
        answer=answer,
    )


def _all(graph: StackGraph) -> dict[tuple[str, str], tuple[JourneyTree, JourneyAvailability]]:
    cached = _CACHE.get(graph)
    if cached is not None:
        return cached
    priors = Priors.of(graph)
    out: dict[tuple[str, str], tuple[JourneyTree, JourneyAvailability]] = {}
    for stack, journey in graph.journeys():
        jt = compile_journey(graph, stack, journey.id, priors)
        out[(stack, journey.id)] = (jt, _evaluate(jt, graph))
    _CACHE[graph] = out
    return out


def journey_availability(graph: StackGraph) -> list[JourneyAvailability]:
    """Exact availability of every journey, sorted by (stack, journey)."""
    return [pair[1] for _, pair in sorted(_all(graph).items())]


def journey_result(
    graph: StackGraph, stack: str, journey_id: str
) -> tuple[JourneyTree, JourneyAvailability]:
    """The compiled tree and the figures of one journey."""
    return _all(graph)[(stack, journey_id)]
