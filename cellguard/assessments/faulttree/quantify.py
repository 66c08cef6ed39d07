"""Exact top-event probability of a fault tree with BDDs (``dd.cudd``), or a labelled bound.

The procedure:

1. **Modules** (:mod:`.modules`) are quantified bottom-up; each module's BDD sees its
   sub-modules as single independent variables carrying their computed probability.
2. **Static variable order** (:mod:`.order`): depth-first order of first appearance inside each module, which
   keeps events that meet in a gate next to each other; of two such orders (arguments as
   written, or lightest sub-tree first) the one with the smaller total gate span is used.
   Events that meet only in the same ``OR`` (``AND``) gates of a monotone module are then one
   variable (:mod:`.merge`), in the place of the group's first member.
3. **Gates** are rewritten inside each module (:func:`.rewrite.rewrite`: nested AND/OR flattened,
   common factors of OR-of-ANDs pulled out, arguments narrowest first, one operation per
   gate) and built in topological order; ``atleast k-of-n`` by the dynamic programme
   ``≥j of args[i:] = ite(args[i], ≥j−1 of args[i+1:], ≥j of args[i+1:])`` in ``O(n·k)`` ITE
   operations, not by enumerating the ``C(n, k)`` combinations.
4. **Dynamic reordering** (CUDD sifting, with a bounded number of swaps) is the rescue when
   a module's diagram grows past :data:`REORDER_AT` nodes after :data:`SIFT_AFTER` seconds
   of work; earlier, the static order measured faster on every Aralia tree.
5. **Budget**: a gate whose diagram would push the manager past the node budget, or that is
   reached when twice the slowest operation so far no longer fits before the time limit (one
   BDD operation cannot be interrupted), is replaced by a *free* variable. The result is then an
   interval: ``P(∀free: top) ≤ P(top) ≤ P(∃free: top)``, valid for any tree (coherent or
   not) because the true value of the gate is one of the two for every state of the events.
   Such a result says ``exact: false`` and carries both bounds; it never hangs or crashes. An
   operation still running at the limit is stopped inside CUDD (:mod:`.interrupt`); a module
   reached after the limit still gets :data:`LATE_MODULE` seconds, so that small modules above a
   hard one are built; bounds are narrowed as :mod:`.bounds` describes.
6. **Truncation**: a monotone module whose static build outgrows ``HARD_AT`` live nodes, and that
   the joint path of :mod:`.joint` declined, goes on as lower and upper diagrams with their
   least probable nodes cut (:mod:`.truncate`): a bound, narrow where the tree is rare.

Probabilities are evaluated by :mod:`.evaluate` without subtractions.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from cellguard.assessments.faulttree.bounds import forced, module_bounds, tighten
from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.gates import at_least as at_least
from cellguard.assessments.faulttree.gates import gate_function as gate_function
from cellguard.assessments.faulttree.interrupt import Deadline, interruptible
from cellguard.assessments.faulttree.joint import HARD_AFTER, HARD_AT, HARD_VARS, quantify_hard
from cellguard.assessments.faulttree.live_nodes import live_nodes
from cellguard.assessments.faulttree.merge import merge_events
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.order import module_gates
from cellguard.assessments.faulttree.rewrite import rewrite
from cellguard.assessments.faulttree.top import circuit_probability, top_circuit
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp
from cellguard.assessments.faulttree.truncate import Truncation, available

DEFAULT_NODE_BUDGET = 4_000_000
"""Most BDD nodes the manager may hold before a gate is replaced by a free variable."""

DEFAULT_TIME_LIMIT = 50.0
"""Seconds after which the remaining gates are replaced by free variables."""

LATE_MODULE = 0.5
LATE_SHARE = 0.05
"""A module reached after the time limit still gets :data:`LATE_MODULE` seconds (all of them
together the larger of that and :data:`LATE_SHARE` of the limit; none with a zero limit): a hard
module that used up the limit must not leave the small modules above it free (nus9601: its
13-leaf top module free made the bound [0, 1])."""

REORDER_AT = 300_000
"""Live nodes at which a hard module's build is sifted once (see :data:`SIFT_AFTER`)."""

SIFT_AFTER = 10.0
"""Seconds of work after which a large diagram is worth sifting: below it, measured on the
Aralia trees, the static order finishes sooner than sifting would (measured before gate
rewriting, with the single static order of the time: edf9202 2 s without, 50 s with; edf9204
8 s without, 37 s when sifted after 3 s). Today only das9701 and nus9601 work this long."""

CHECK_EVERY = 8
"""The manager's size is read after every this many gates (reading it costs milliseconds,
so not before the operations since the last read took as long as that read did), and after
every gate once it passes a quarter of the budget or a gate took :data:`SLOW_GATE` seconds:
between two reads a large diagram can outgrow the budget many times over."""

SLOW_GATE = 0.1
"""Seconds of one gate operation from which the size is read after every gate..."""

QUICK_GATE = 0.001
"""...that took longer than this: in a millisecond CUDD makes at most some ten thousand nodes,
so skipping the read (milliseconds itself on a large manager) until the next
:data:`CHECK_EVERY` cannot let the budget be outgrown; :func:`.rewrite.rewrite` makes many such
two-argument gates."""

SIFT_MAX = 1_000_000
"""Above this many live nodes sifting cannot finish in time (nus9601: still running at 150 s)."""

SIFT_SWAPS = 10_000
"""Most variable swaps that rescue sifting may make: sifting cannot be interrupted, and with
100,000 swaps das9701 was still sifting 40 s later, far past its time limit."""


@dataclass(frozen=True)
class Quantification:
    """The top-event probability and how it was obtained.

    ``exact`` is true when ``probability`` is the exact value; otherwise ``lower`` and
    ``upper`` bound it and ``probability`` is the (conservative) upper bound, and
    ``free_gates`` names the tree's gates that were (wholly or in part) left free or truncated.
    """

    name: str
    top_event: str
    probability: float
    exact: bool
    lower: float
    upper: float
    bdd_nodes: int
    modules: int
    seconds: float
    free_gates: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The ``quantify --format json`` object."""
        out: dict[str, Any] = {
            "top_event": self.top_event,
            "probability": self.probability,
            "exact": self.exact,
            "bdd_nodes": self.bdd_nodes,
            "seconds": round(self.seconds, 3),
        }
        if not self.exact:
            out["lower"] = self.lower
            out["upper"] = self.upper
            out["free_gates"] = len(self.free_gates)
        return out


def _live_nodes(bdd: Any) -> int:
    """Nodes in the manager minus dead ones, in microseconds (:mod:`.live_nodes`; dd's
    ``statistics()`` took milliseconds and ``len(bdd)`` counts references, more slowly)."""
    return live_nodes(bdd)


SMALL_TREE_EVENTS = 2000
"""Trees with at most this many basic events (every journey tree of an assessment) start
with a small CUDD manager, which grows as needed: the default one reserves a cache sized for
a gigabyte and costs 6 ms to create on a quiet machine, 60 ms under load -- 120 of them were
half of assessing a 1,000-component organisation. Larger trees (Aralia) keep the default."""
SMALL_MANAGER_MEMORY = 2**26
SMALL_MANAGER_CACHE = 2**12


class _Manager:
    """One CUDD manager with variables ``x<i>`` and their probabilities."""

    def __init__(self, small: bool = False) -> None:
        self.bdd = (
            cudd.BDD(memory_estimate=SMALL_MANAGER_MEMORY, initial_cache_size=SMALL_MANAGER_CACHE)
            if small
            else cudd.BDD()
        )
        self.bdd.configure(reordering=False)
        self.q: list[float] = []

    def new_var(self, probability: float | None, free: list[str]) -> Any:
        """A new variable; one without a probability is free and its name goes to ``free``."""
        name = f"x{len(self.q)}"
        self.q.append(0.0 if probability is None else probability)
        if probability is None:
            free.append(name)
        self.bdd.declare(name)
        return self.bdd.var(name)


MONOTONE = frozenset({GateOp.AND, GateOp.OR, GateOp.ATLEAST})


def _owner(tree: FaultTree, name: str) -> str:
    """The tree's gate that ``name`` is (or that a gate made by :func:`.rewrite.rewrite` for
    it, named ``<gate>~<n>``, is part of)."""
    return name if name in tree.gates else name.rpartition("~")[0]


def quantify(
    tree: FaultTree,
    *,
    node_budget: int = DEFAULT_NODE_BUDGET,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> Quantification:
    """Quantify ``tree``'s top event; see the module docstring for the method."""
    started = time.perf_counter()
    limit_at = started + time_limit
    late_until: float | None = None  # set when the first module is reached after the limit
    if tree.top in tree.events:
        p = tree.events[tree.top].probability
        return Quantification(tree.name, tree.top, p, True, p, p, 1, 0, 0.0)
    modules = find_modules(tree)
    manager = _Manager(small=len(tree.events) <= SMALL_TREE_EVENTS)
    bdd = manager.bdd
    module_prob: dict[str, float | None] = {}
    ranges: dict[str, tuple[float, float]] = {}
    free_gates: list[str] = []
    nodes = 0
    result: tuple[float, float] = (0.0, 0.0)
    for module in tree.topological_order():
        if module not in modules:
            continue
        now = time.perf_counter()  # a module reached late gets a moment of its own
        if now >= limit_at and late_until is None:
            late_until = now + (max(LATE_MODULE, LATE_SHARE * time_limit) if time_limit > 0 else 0)
        deadline = limit_at if late_until is None else min(now + LATE_MODULE, late_until)
        guard = Deadline(bdd, deadline)
        gates, leaves = module_gates(tree, module, modules)
        merged, leaves, _ = merge_events(tree, gates, leaves)  # events met only together: one
        gates, defs = rewrite(merged, module, modules, gates, leaves)
        values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
        local_free: list[str] = []
        monotone = all(defs[name].op in MONOTONE for name in gates)
        ranged: dict[int, tuple[float, float]] = {}  # variable -> its bounded module's range
        first = len(manager.q)
        for leaf in leaves:
            prob = merged.events[leaf].probability if leaf in merged.events else module_prob[leaf]
            if leaf in ranges and monotone:
                ranged[len(manager.q)] = ranges[leaf]
                prob = ranges[leaf][0]
            values[leaf] = manager.new_var(prob, local_free)
        split = top_circuit(defs, gates, leaves, module)
        circuit = split[0] if split else set()  # built last, and only if the traversal fails
        gates = [g for g in gates if g not in circuit] + [g for g in gates if g in circuit]
        uses: dict[str, int] = {}
        for name in gates:
            for arg in defs[name].args:
                uses[arg] = uses.get(arg, 0) + 1
        sifted = hard = False
        cpu = time.process_time()
        freed_before = len(free_gates)
        joint: tuple[float, float, int, int] | None = None
        rest: Truncation | None = None  # set when the rest of the module goes on truncated
        bounded: tuple[float, float, int] | None = None  # then its bounds from the top circuit
        slowest = 0.0  # the longest gate operation so far: a gate starts only if twice it fits
        size = 0
        spent = reading = 0.0  # operation seconds since the size was last read; that read's
        for position, name in enumerate(gates, start=1):
            gate = defs[name]
            before = time.perf_counter()
            if rest is not None:  # the module goes on truncated (.truncate)
                if split and name in circuit:
                    bounded = rest.circuit(defs, gates, split, module, deadline - before)
                    split = None  # tried once
                    if bounded is not None:
                        break
                slowest = rest.step(name, gate, guard, before + 2.0 * slowest > deadline, slowest)
                continue
            if split and name in circuit and not local_free and not ranged:
                joint = circuit_probability(
                    bdd,
                    values,
                    manager.q,
                    defs,
                    gates,
                    circuit,
                    split[1],
                    module,
                    deadline - before,
                )
                split = None  # tried once
                if joint is not None:
                    break
            if before + 2.0 * slowest > deadline:  # the next operation could overrun the limit
                values[name] = manager.new_var(None, local_free)
                free_gates.append(name)
                continue
            value = interruptible(bdd, guard, gate, [values[a] for a in gate.args])
            if value is None:  # stopped by the deadline inside the operation
                slowest = math.inf
                values[name] = manager.new_var(None, local_free)
                free_gates.append(name)
                continue
            took = time.perf_counter() - before
            slowest = max(slowest, took)
            spent += took
            for arg in gate.args:  # free argument diagrams no other gate of the module needs
                uses[arg] -= 1
                if uses[arg] == 0 and arg in defs and arg != module:
                    del values[arg]
            large = size > node_budget // 4 or (slowest > SLOW_GATE and took > QUICK_GATE)
            due = position % CHECK_EVERY == 0 and spent >= reading
            if not due and name != module and not large:
                values[name] = value
                continue
            started_reading = time.perf_counter()
            size = _live_nodes(bdd)
            slow = time.process_time() - cpu > HARD_AFTER
            if (
                size > HARD_AT or slow
            ) and not hard:  # tried once per module, in a manager of its own
                hard = True
                probs = {leaf: module_prob.get(leaf) for leaf in leaves}
                probs.update(
                    (leaf, merged.events[leaf].probability)
                    for leaf in leaves
                    if leaf in merged.events
                )
                joint = quantify_hard(defs, gates, leaves, probs, module, deadline)
                if joint is not None:
                    break
            truncate = monotone and not (local_free or ranged) and name != module  # its gate: exact
            if hard and size > HARD_AT and truncate and available():  # the joint path declined
                values[name] = value  # exact so far; the rest truncated
                rest = Truncation.start(
                    merged, bdd, manager.q, defs, gates, leaves, module_prob, values, uses, module
                )
                continue
            now = time.perf_counter()
            reading, spent = now - started_reading, 0.0
            if (
                REORDER_AT < size < SIFT_MAX
                and not sifted
                and (hard or len(leaves) > HARD_VARS)  # not before the joint path was tried
                and now - started > SIFT_AFTER
                and deadline - now > SIFT_AFTER * 3
            ):
                bdd.configure(max_swaps=SIFT_SWAPS)
                guard.start()  # sifting gives up at the deadline (dd ignores its status)
                try:
                    bdd.reorder()
                finally:
                    guard.stop()
                    guard.stopped()  # clears the error code a stopped sifting leaves
                sifted = True
                size = _live_nodes(bdd)
            if size > node_budget:
                del value
                values[name] = manager.new_var(None, local_free)
                free_gates.append(name)
                continue
            values[name] = value
        if joint is not None:  # exact: every gate of the module is in the joint's result
            del values, free_gates[freed_before:]
            module_prob[module] = joint[0]
            nodes = max(nodes, joint[2])
            result = (joint[0], joint[0])
            continue
        if rest is not None:
            free_gates.extend(rest.touched)
            low, high, n = rest.result() if bounded is None else bounded
            del values, rest
            nodes = max(nodes, n)
            if low == high and len(free_gates) == freed_before:
                module_prob[module] = low
            else:
                if monotone:
                    low, high = tighten(
                        (low, high),
                        *forced(defs, gates, leaves, module),
                        [(manager.q[first + i],) * 2 for i in range(len(leaves))],
                    )
                module_prob[module] = None
                ranges[module] = (low, high)
            result = (low, high)
            continue
        top = values[module]
        del values
        if local_free or ranged:
            low, high, n = module_bounds(bdd, top, manager.q, local_free, ranged, monotone)
            if monotone:  # narrowed by the leaves the module needs or that are enough for it
                leaf_ranges = [
                    ranged.get(first + i, (manager.q[first + i],) * 2) for i in range(len(leaves))
                ]
                low, high = tighten((low, high), *forced(defs, gates, leaves, module), leaf_ranges)
            nodes = max(nodes, n)
            module_prob[module] = None  # a bounded module is a range in monotone modules above
            ranges[module] = (low, high)  # it and a free variable in the others
            result = (low, high)
        else:
            p, _, n = probability(bdd, top, manager.q)
            nodes = max(nodes, n)
            module_prob[module] = p
            result = (p, p)
        del top
    low, high = result
    exact = not free_gates
    return Quantification(
        name=tree.name,
        top_event=tree.top,
        probability=high,
        exact=exact,
        lower=low,
        upper=high,
        bdd_nodes=nodes,
        modules=len(modules),
        seconds=time.perf_counter() - started,
        free_gates=tuple(dict.fromkeys(_owner(tree, name) for name in free_gates)),
    )
