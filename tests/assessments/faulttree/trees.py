"""Shared test helpers for the fault-tree engines: tree builders, truth tables, strategies."""

from __future__ import annotations

import itertools
import sys
from collections.abc import Mapping

from hypothesis import strategies as st

from cellguard.assessments.faulttree.mef import read_mef
from cellguard.assessments.faulttree.tree import FALSE, TRUE, BasicEvent, FaultTree, Gate, GateOp

SHALLOW = 200
"""A recursion limit far below the nesting the reader must handle without recursing."""


def read_without_recursion(text: str) -> FaultTree:
    """``read_mef(text)`` with Python's recursion limit at :data:`SHALLOW`: a reader that
    recursed once per nesting level would raise RecursionError."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(SHALLOW)
    try:
        return read_mef(text)
    finally:
        sys.setrecursionlimit(limit)


def make_tree(
    top: str,
    events: Mapping[str, float],
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]],
    name: str = "t",
) -> FaultTree:
    """A validated tree from ``{event: probability}`` and ``(name, op, args, k)`` gates."""
    tree = FaultTree(
        name,
        top,
        {e: BasicEvent(e, p) for e, p in events.items()},
        {g: Gate(g, op, args, k) for g, op, args, k in gates},
    )
    tree.validate()
    return tree


def evaluate(tree: FaultTree, state: Mapping[str, bool]) -> bool:
    """The top event's value for one state of the basic events (``True`` = failed)."""
    memo: dict[str, bool] = {TRUE: True, FALSE: False, **state}

    def value(name: str) -> bool:
        if name not in memo:
            gate = tree.gates[name]
            args = [value(a) for a in gate.args]
            if gate.op is GateOp.AND:
                memo[name] = all(args)
            elif gate.op is GateOp.OR:
                memo[name] = any(args)
            elif gate.op is GateOp.NOT:
                memo[name] = not args[0]
            elif gate.op is GateOp.XOR:
                memo[name] = sum(args) % 2 == 1
            else:
                assert gate.k is not None
                memo[name] = sum(args) >= gate.k
        return memo[name]

    return value(tree.top)


def truth_table_probability(tree: FaultTree) -> float:
    """``P(top)`` by enumerating every state of the basic events (small trees only)."""
    names = sorted(tree.events)
    assert len(names) <= 12, "truth tables are for small trees"
    total = 0.0
    for bits in itertools.product((False, True), repeat=len(names)):
        state = dict(zip(names, bits, strict=True))
        if evaluate(tree, state):
            weight = 1.0
            for name, failed in state.items():
                p = tree.events[name].probability
                weight *= p if failed else 1.0 - p
            total += weight
    return total


OPS = st.sampled_from(
    [
        GateOp.AND,
        GateOp.AND,
        GateOp.OR,
        GateOp.OR,
        GateOp.OR,
        GateOp.ATLEAST,
        GateOp.NOT,
        GateOp.XOR,
    ]
)
"""Gate connectives, and/or weighted up so random trees look like fault trees."""

COHERENT_OPS = st.sampled_from([GateOp.AND, GateOp.OR, GateOp.OR, GateOp.ATLEAST])
"""Connectives of coherent (monotone) trees: what cut sets are defined for."""


@st.composite
def random_trees(
    draw: st.DrawFn,
    *,
    min_events: int,
    max_events: int,
    max_gates: int,
    max_arity: int,
    probabilities: st.SearchStrategy[float],
    constant_odds: int = 20,
    coherent: bool = False,
) -> FaultTree:
    """A random DAG of and/or/not/xor/atleast gates over every event, with shared arguments.

    Gates are built bottom-up: each argument is usually a node nobody uses yet (so every event
    and gate ends up below the top) and sometimes any earlier node or a constant (sharing,
    which is what breaks independence). After ``max_gates`` gates, more are added until at
    most ``max_arity`` nodes are unused; the top gate takes those. About one argument in
    ``constant_odds`` is a constant. ``coherent`` trees use and/or/atleast only.
    """
    n = draw(st.integers(min_events, max_events))
    events = {f"e{i}": draw(probabilities) for i in range(n)}
    unused = list(events)
    nodes = list(events)
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    wanted = draw(st.integers(0, max_gates))
    while len(gates) < wanted or len(unused) > max_arity:
        op = draw(COHERENT_OPS if coherent else OPS)
        arity = (
            1 if op is GateOp.NOT else draw(st.integers(2, 3 if op is GateOp.XOR else max_arity))
        )
        args: list[str] = []
        for _ in range(arity):
            choice = draw(st.integers(0, 4 * constant_odds - 1))
            if unused and choice < 3 * constant_odds:
                args.append(unused.pop(draw(st.integers(0, len(unused) - 1))))
            elif choice == 0:
                args.append(draw(st.sampled_from([TRUE, FALSE])))
            else:
                args.append(draw(st.sampled_from(nodes)))
        k = draw(st.integers(1, len(args))) if op is GateOp.ATLEAST else None
        name = f"g{len(gates)}"
        gates.append((name, op, tuple(args), k))
        unused.append(name)
        nodes.append(name)
    tops = [GateOp.AND, GateOp.OR, GateOp.ATLEAST] + ([] if coherent else [GateOp.XOR])
    top_op = draw(st.sampled_from(tops))
    top_args = tuple(unused)
    top_k = draw(st.integers(1, len(top_args))) if top_op is GateOp.ATLEAST else None
    gates.append(("top", top_op, top_args, top_k))
    return make_tree("top", events, gates, name="random")
