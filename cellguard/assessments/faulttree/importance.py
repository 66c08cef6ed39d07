"""Importance measures and failure frequency from one BDD of a whole (small) fault tree.

For each basic event ``i`` with unavailability ``q_i``:

* **Birnbaum** ``I_B(i) = P(top | i failed) − P(top | i working)``, computed as
  ``P(f₁ ∧ ¬f₀) − P(f₀ ∧ ¬f₁)`` from the two cofactors, so that no two nearly equal
  probabilities are subtracted for coherent trees (where the second term is 0). That costs
  two evaluations per event; on a diagram above :data:`EXACT_ALL_NODES` nodes every event is
  first differentiated in one reverse sweep (:func:`~.evaluate.birnbaum_all`, whose absolute
  error is about 1e-16 of the terms it sums) and the :data:`EXACT_TOP` most important events
  are then recomputed by the cofactor formula, so the reported ones keep every digit;
* **Fussell–Vesely** ``FV(i) = q_i · I_B(i) / P(top)`` (the share of the top's probability
  in which ``i`` contributes, for coherent trees);
* the top's steady-state **failure frequency** ``w = Σ_i I_B(i) · w_i`` with
  ``w_i = q_i / repair_i`` (exact for coherent structures of independent repairable events).

Journey trees are small (tens to hundreds of events), so one BDD of the whole tree is built
without modularisation; :func:`analyse` refuses trees above ``max_events``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.evaluate import birnbaum_all, probability
from cellguard.assessments.faulttree.quantify import gate_function
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree

HOURS_PER_YEAR = 8766.0
"""Mean hours per year (365.25 days)."""

MANAGER_MEMORY = 2**26
MANAGER_CACHE = 2**12
"""A small CUDD manager to start with (it grows as needed): the default one costs ~6 ms to
create, which was a tenth of assessing a 1,000-component organisation (40 journeys)."""

EXACT_ALL_NODES = 4000
"""Up to this diagram size every event's Birnbaum importance uses the cofactor formula."""

EXACT_TOP = 10
"""Above it, this many events (largest Fussell–Vesely first) are recomputed exactly: twice
the five that journeys report (:data:`~cellguard.assessments.availability.journeys.TOP_IMPORTANCES`)."""


def _rank(value: float) -> float:
    """``value`` to 12 significant digits, for ranking."""
    return float(f"{value:.12g}")


class AnalysisLimitError(ValueError):
    """The tree has more basic events than :func:`analyse` takes."""


@dataclass(frozen=True)
class Importance:
    """Importance of one basic event."""

    event: str
    probability: float
    birnbaum: float
    fussell_vesely: float


@dataclass(frozen=True)
class Analysis:
    """Exact top probability, frequency and importances of a tree."""

    probability: float
    frequency_per_year: float | None
    importances: tuple[Importance, ...]
    bdd_nodes: int

    def top_importances(self, count: int) -> list[Importance]:
        """The ``count`` events with the largest Fussell–Vesely importance (ties: by name).

        Importances are ranked to 12 significant digits: symmetric events (two replicas of
        a component, two services with the same prior) are tied exactly, and the roundings
        of their computation must not decide which one is listed."""
        ranked = sorted(
            self.importances,
            key=lambda i: (-_rank(i.fussell_vesely), -_rank(i.birnbaum), i.event),
        )
        return [i for i in ranked[:count] if i.fussell_vesely > 0 or i.birnbaum > 0]


def analyse(tree: FaultTree, max_events: int = 5000) -> Analysis:
    """Build one BDD of ``tree`` and compute probability, importances and frequency."""
    order = tree.event_order()
    if len(order) > max_events:
        raise AnalysisLimitError(
            f"{tree.name}: {len(order)} events exceed the analysis limit {max_events}"
        )
    bdd = cudd.BDD(memory_estimate=MANAGER_MEMORY, initial_cache_size=MANAGER_CACHE)
    bdd.configure(reordering=False)
    q: list[float] = []
    values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
    for index, name in enumerate(order):
        bdd.declare(f"x{index}")
        values[name] = bdd.var(f"x{index}")
        q.append(tree.events[name].probability)
    for name in tree.topological_order():
        gate = tree.gates[name]
        values[name] = gate_function(bdd, gate.op, [values[a] for a in gate.args], gate.k)
    top = values[tree.top]
    p_top, _, nodes = probability(bdd, top, q)

    def exact(index: int) -> float:
        var = f"x{index}"
        f1 = bdd.let({var: True}, top)
        f0 = bdd.let({var: False}, top)
        up, _, _ = probability(bdd, f1 & ~f0, q)
        down, _, _ = probability(bdd, f0 & ~f1, q)
        return up - down

    if nodes <= EXACT_ALL_NODES:
        birnbaum = [exact(i) for i in range(len(order))]
    else:
        swept = birnbaum_all(bdd, top, q)
        birnbaum = [swept.get(i, 0.0) for i in range(len(order))]
        ranked = sorted(range(len(order)), key=lambda i: (-q[i] * birnbaum[i], order[i]))
        for i in ranked[:EXACT_TOP]:
            birnbaum[i] = exact(i)
    importances: list[Importance] = []
    frequency: float | None = 0.0
    for index, name in enumerate(order):
        event = tree.events[name]
        b = birnbaum[index]
        fv = event.probability * b / p_top if p_top > 0 else 0.0
        importances.append(Importance(name, event.probability, b, fv))
        rate = event.frequency_per_hour
        if rate is None:
            frequency = None
        elif frequency is not None:
            frequency += b * rate * HOURS_PER_YEAR
    return Analysis(p_top, frequency, tuple(importances), nodes)
