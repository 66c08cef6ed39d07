"""Bounds of a module too large for an exact diagram, from truncated diagrams (issue 21 item 2).

:mod:`.quantify` turns a module here when its static build has outgrown ``HARD_AT`` live nodes,
the joint path of :mod:`.joint` declined it, and its gates are all monotone (``AND``, ``OR``,
``atleast``) with no gate left free so far. The gates built until then are exact; from then on
each gate has a *lower* diagram ``L <= g`` and an *upper* one ``U >= g`` (functions of the
events): monotone connectives map lower arguments to a lower result and upper ones to an upper
one, and a pair stays one diagram until its two sides first differ.

Each diagram of :data:`SMALL` nodes or more is *truncated* by the C walker (``truncate`` in
``_cudd_truncate.c``): nodes reached from the root with little probability are replaced by
``FALSE`` in ``L`` and by ``TRUE`` in ``U``, within the gate's budget, and the rest is rebuilt
with CUDD. A node reached along paths of total probability ``r`` (through nodes that are kept)
with function ``h`` changes the result only where ``r``'s paths meet it and ``h`` disagrees
with the constant: ``r * P(h)`` down, ``r * P(not h)`` up. The module's probability lies in
``[P(L), P(U)]`` (both exact, from the final diagrams: whatever the budgets, the bound holds;
only its width depends on them), and below ``P(L) + slack``, the sum of the lower cuts' costs
(a state where the exact module and ``L`` differ is one where some cut changed its gate).

A gate's budget is :data:`SHARE` of the tree's estimated top probability divided by the gate's
estimated importance to the top (the module's to the top times the gate's to the module), both
from :mod:`.estimate`: a gate that matters little to the top may lose more. No cap relative to
the gate's own probability: a gate estimated unimportant may become ``FALSE`` / ``TRUE`` whole
(capping each cut at the diagram's own probability kept nus9601's upper diagrams in the
millions of nodes). The budgets only steer: where shared events make the estimated importance
far too small, a gate is cut whole and the bound is wide, still a bound (edf9206, forced
through here in a review: its top estimated at 1.1e-68 against 8.6e-12 exact, its modules'
importances at 1e-106 to 1e-110, so budgets of 1e30 even at ``SHARE`` 1e-9: 99.9% wide).

Measured on nus9601, the one Aralia tree that comes here (one process each, quiet 2-core
machine, 2026-12-03; the whole-process benchmark is in ``benchmarks/RESULTS.md``): limits 55
and 20 s, the same bits, [9.939447E-06, 1.001315E-05] (0.74% wide) in 16.4 and 14.7 s: the
switch at 3.6-4.0 s, :meth:`Truncation.start` (budgets, and cutting the diagrams then alive)
1.5-1.8 s, the 2,201 truncations in all 4.0-4.1 s (3.6 s of it in C); limit 10 s:
[9.939274E-06, 1.206529E-05] in 8.7 s, 758 gates not built. A truncation is not interrupted by
the deadline (the longest took 0.42 s), nor is :meth:`Truncation.start`.
"""

from __future__ import annotations

import math
import time
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.estimate import estimates
from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.interrupt import Deadline, interruptible
from cellguard.assessments.faulttree.native import pointer, walker
from cellguard.assessments.faulttree.top import circuit_probability
from cellguard.assessments.faulttree.tree import FaultTree, Gate

SHARE = 1e-5
"""Change of the top event's probability one truncation may make, as a share of the tree's
estimated top probability (chosen on nus9601 by its author's runs, one each, at commit 6d7949d:
1e-4 gave a width of 2.1%, 1e-5 0.74% in 12 s, 3e-6 0.54% but 53 s as its top circuit had to
be built)."""

SMALL = 20_000
"""Nodes below which a diagram is kept whole."""

SLACK_MARGIN = 1e-9
"""Relative margin on the summed cut costs for the rounding of their floating-point sums."""


def available() -> bool:
    """Whether the C walker offers ``truncate`` (it is not done in pure Python)."""
    native = walker()
    return native is not None and hasattr(native, "truncate")


def truncated(
    bdd: Any, f: Any, q: array[float], up: bool, budget: float, small: int | None = None
) -> tuple[Any, float]:
    """A diagram ``g >= f`` (``up``) or ``g <= f`` and an upper bound on ``P(g != f)`` (at
    most ``budget``); ``(f, 0.0)`` when ``f`` has fewer than ``small`` nodes or nothing fits."""
    native = walker()
    assert native is not None
    out = native.truncate(
        pointer(f), pointer(bdd.true), q, up, budget, SMALL if small is None else small
    )
    if out is None or out[2] == 0.0:
        return f, 0.0
    root, rows, cost, _ = out
    built: list[Any] = [bdd.false, bdd.true]
    table = memoryview(rows).cast("q")
    reordering = bdd.configure()["reordering"]
    if reordering:  # the rows follow the order of the walk; CUDD's unique table returns NULL
        bdd.configure(reordering=False)  # when it reorders (dd: ValueError)
    try:
        for i in range(0, len(table), 3):
            high, low = built[table[i + 1]], built[table[i + 2]]
            if high == low:  # both children cut to the same constant (CUDD's unique table
                built.append(high)  # does not reduce: find_or_add would make a redundant node)
                continue
            name = f"x{table[i]}"
            if high.negated:  # CUDD's canonical form: the then-edge is never complemented
                built.append(~bdd.find_or_add(name, ~low, ~high))
            else:
                built.append(bdd.find_or_add(name, low, high))
    finally:
        if reordering:
            bdd.configure(reordering=True)
    return built[root], cost


def budgets(
    tree: FaultTree,
    defs: Mapping[str, Gate],
    gates: Sequence[str],
    leaf_probability: Mapping[str, float],
    module: str,
) -> dict[str, float]:
    """Each of the module's gates' truncation budget (see the module docstring)."""
    events = {name: event.probability for name, event in tree.events.items()}
    top_p, top_importance = estimates(tree.gates, tree.topological_order(), events, tree.top)
    error = SHARE * top_p[tree.top] / max(top_importance.get(module, 0.0), 1e-300)
    _, importance = estimates(defs, gates, leaf_probability, module)
    return {name: error / max(importance.get(name, 0.0), 1e-300) for name in gates}


class Truncation:
    """The rest of a monotone module's gates as truncated diagrams (module docstring).

    ``values`` are the exact diagrams built so far (leaves, constants and gates); ``q`` the
    manager's probabilities (no variable is declared after the switch). Each gate has a lower
    diagram (``values``) and an upper one (``upper``). ``slack`` sums what the lower
    truncations may have removed: ``P(module) <= min(P(upper), P(lower) + slack)``.
    """

    def __init__(
        self,
        bdd: Any,
        values: dict[str, Any],
        q: Sequence[float],
        budget: Mapping[str, float],
        module: str,
        uses: dict[str, int],
    ) -> None:
        self.bdd = bdd
        self.values = values
        self.upper = dict(values)
        self.q = array("d", q)
        self.budget = budget
        self.module = module
        self.uses = uses  # later gates needing each name's diagrams
        self.slack = 0.0
        self.touched: list[str] = []  # gates truncated or not built
        for name in list(values):  # the diagrams alive now were built exactly, maybe large
            if name in budget:
                self._truncate(name, values[name], values[name])

    def _truncate(self, name: str, low: Any, high: Any) -> None:
        budget = self.budget[name]
        cut, cost = truncated(self.bdd, low, self.q, False, budget)
        cut_high, cost_high = truncated(self.bdd, high, self.q, True, budget)
        if cost or cost_high:
            self.touched.append(name)
            self.slack += cost
        self.values[name] = cut
        self.upper[name] = cut_high

    def build(self, name: str, gate: Gate, guard: Deadline) -> float | None:
        """Build ``gate`` from its arguments' diagrams and truncate them; the seconds that took,
        or ``None`` when the deadline stopped it inside CUDD (the gate is then
        :meth:`missing`)."""
        before = time.perf_counter()
        low = interruptible(self.bdd, guard, gate, [self.values[a] for a in gate.args])
        high = low
        if low is not None and any(self.values[a] != self.upper[a] for a in gate.args):
            high = interruptible(self.bdd, guard, gate, [self.upper[a] for a in gate.args])
        if low is None or high is None:
            self.missing(name)
            return None
        self._truncate(name, low, high)
        return time.perf_counter() - before

    def missing(self, name: str) -> None:
        """The gate is not built (time limit): ``FALSE`` below it and ``TRUE`` above."""
        self.values[name] = self.bdd.false
        self.upper[name] = self.bdd.true
        self.slack += 1.0
        self.touched.append(name)

    @classmethod
    def start(
        cls,
        tree: FaultTree,
        bdd: Any,
        q: Sequence[float],
        defs: Mapping[str, Gate],
        gates: Sequence[str],
        leaves: Sequence[str],
        module_prob: Mapping[str, float | None],
        values: dict[str, Any],
        uses: dict[str, int],
        module: str,
    ) -> Truncation:
        """Go on with ``module``, whose gates are built exactly so far into ``values``; its
        sub-modules' probabilities are in ``module_prob`` (all known: a module with a bounded
        one is not truncated); ``uses`` counts the later gates needing each name."""
        known: dict[str, float] = {}
        for leaf in leaves:
            p = tree.events[leaf].probability if leaf in tree.events else module_prob[leaf]
            assert p is not None, leaf
            known[leaf] = p
        return cls(bdd, values, q, budgets(tree, defs, gates, known, module), module, uses)

    def step(self, name: str, gate: Gate, guard: Deadline, late: bool, slowest: float) -> float:
        """Build ``gate`` (``missing`` when ``late``), free the argument diagrams no later gate
        needs, and return the slowest operation's seconds so far."""
        took = None
        if late:
            self.missing(name)
        else:
            took = self.build(name, gate, guard)
        for arg in gate.args:
            self.uses[arg] -= 1
            if self.uses[arg] == 0 and arg in self.budget and arg != self.module:
                del self.values[arg], self.upper[arg]
        if late:
            return slowest
        return math.inf if took is None else max(slowest, took)

    def result(self) -> tuple[float, float, int]:
        """``(low, high, nodes)`` of the module from its diagrams."""
        low, _, n = probability(self.bdd, self.values[self.module], self.q)
        high, _, m = probability(self.bdd, self.upper[self.module], self.q)
        return low, min(high, low + self.slack * (1.0 + SLACK_MARGIN)), max(n, m)

    def circuit(
        self,
        defs: Mapping[str, Gate],
        gates: Sequence[str],
        split: tuple[set[str], list[str]],
        module: str,
        seconds: float,
    ) -> tuple[float, float, int] | None:
        """``(low, high, nodes)`` of the module from its top circuit's inputs
        (:func:`.top.circuit_probability` of both sides), or ``None`` (build the circuit)."""
        circuit, inputs = split
        started = time.perf_counter()
        low = circuit_probability(
            self.bdd, self.values, self.q, defs, gates, circuit, inputs, module, seconds
        )
        if low is None:
            return None
        left = seconds - (time.perf_counter() - started)
        high = circuit_probability(
            self.bdd, self.upper, self.q, defs, gates, circuit, inputs, module, left
        )
        if high is None:
            return None
        slack = self.slack * (1.0 + SLACK_MARGIN)
        return low[0], min(high[0], low[0] + slack), max(low[2], high[2])
