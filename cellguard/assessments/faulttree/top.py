"""A large module's probability without building its top gates (issue 21 item 3).

On the largest Aralia modules the last few operations cost most of the build: the top gates
combine diagrams of 100,000-700,000 nodes into results as large (cea9601: its top ``AND`` and
the ``OR`` below it, 1.0 of 2.1 s, then 0.2 s to walk the 1,027,394-node result; edf9204: the
three operations of its top ``OR`` chain, half of its build). Those gates form a small *top
circuit* over a few *inputs* whose diagrams are built anyway; the C walker's ``joint``
(:mod:`.joint`'s traversal: exact, from non-negative terms only) gives ``P(circuit(inputs))``
from the input diagrams directly, without creating a node.

:func:`top_circuit` picks the circuit: the module's gate and every gate whose support holds at
least :data:`SHARE` of the module's variables (the gates that recombine nearly everything) or,
when those have too many inputs, the module's gate and the one-parent gates of its connective
below it (the two-argument chain that :func:`.rewrite.rewrite` makes of a wide ``AND``/``OR``).
:func:`circuit_probability` evaluates it, or returns ``None`` and the caller builds the circuit's
gates as usual: a small manager, no walker, or a traversal that outgrows its states or seconds.

Measured in process (CPU seconds of the engine, best of three on a loaded machine, static
order; the same probability to the last bit, or within 2 ulp): cea9601 1.45 → 0.66, edf9204
0.96 → 0.87, edf9203 1.05 → 0.97, edfpa14o 0.36 → 0.20.
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.joint import distinct_inputs, max_states, truth_table
from cellguard.assessments.faulttree.live_nodes import live_nodes
from cellguard.assessments.faulttree.native import pointer, walker
from cellguard.assessments.faulttree.tree import Gate

SHARE = 0.9
"""Share of the module's variables a gate's support must hold to belong to the circuit."""

MAX_INPUTS = 12
"""Most distinct inputs of the circuit (the walker's truth table has ``2^12`` entries)."""

MIN_GATES = 64
"""Modules with fewer (rewritten) gates are built whole: their top operations are cheap."""

MIN_NODES = 100_000
"""Live nodes (the inputs' diagrams, mostly) below which the circuit is built: the traversal
beats building on large diagrams only. Measured on the Aralia modules where it was tried
(states of the traversal per live node): 0.5-1.5 on cea9601, edf9204, edf9203 and edfpa14o
(300,000-440,000 live nodes but edfpa14o's 135,000), 1.7-4.1 on four edfpa trees of 15,000-46,000
(faster than building, but by 10-120 ms), 12-29 on three others of 5,000-31,000 (slower than
building: edfpa14q 716,630 states, 0.37 s against 0.21 s)."""

STATES_PER_NODE = 5
"""Most states of the traversal per live node: past them it gives way to building..."""

MIN_STATES = 10_000
"""...but at least this many (a few live nodes can need some hundred states)."""


def top_circuit(
    defs: Mapping[str, Gate], gates: Sequence[str], leaves: Sequence[str], module: str
) -> tuple[set[str], list[str]] | None:
    """The circuit's gates and its inputs (gates below it, leaves or constants, in order of
    first use), or ``None`` when the module is small or the circuit has too many inputs or no
    gate besides the module's own."""
    if len(gates) < MIN_GATES:
        return None
    position = {leaf: i for i, leaf in enumerate(leaves)}
    support: dict[str, int] = {}
    parents: dict[str, int] = {}
    for name in gates:  # post-order: each gate's support from its arguments'
        bits = 0
        for arg in defs[name].args:
            parents[arg] = parents.get(arg, 0) + 1
            if arg in support:
                bits |= support[arg]
            elif arg in position:
                bits |= 1 << position[arg]
        support[name] = bits
    need = SHARE * support[module].bit_count()
    wide = {name for name in gates if support[name].bit_count() >= need} | {module}
    chain = {module}
    stack = [module]
    while stack:  # the module's own connective: the chain rewrite made of a wide AND/OR
        for arg in defs[stack.pop()].args:
            below = defs.get(arg)
            if below is not None and below.op is defs[module].op and parents[arg] == 1:
                chain.add(arg)
                stack.append(arg)
    for circuit in (wide, chain):
        inputs = _inputs(defs, gates, circuit)
        if len(circuit) > 1 and 1 <= len(inputs) <= MAX_INPUTS:
            return circuit, inputs
    return None


def _inputs(defs: Mapping[str, Gate], gates: Sequence[str], circuit: set[str]) -> list[str]:
    inputs = [a for name in gates if name in circuit for a in defs[name].args]
    return [a for a in dict.fromkeys(inputs) if a not in circuit]


def circuit_probability(
    bdd: Any,
    values: Mapping[str, Any],
    q: Sequence[float],
    defs: Mapping[str, Gate],
    gates: Sequence[str],
    circuit: set[str],
    inputs: Sequence[str],
    module: str,
    seconds: float,
) -> tuple[float, float, int, int] | None:
    """``(P, 1 − P, nodes, states)`` of ``module`` (``nodes``: of the input diagrams) from its circuit's input diagrams (``values``; every
    variable ``x<i>`` of ``bdd`` has probability ``q[i]``), or ``None`` when the walker is
    missing, the manager holds fewer than :data:`MIN_NODES` live nodes, or the traversal would
    take more than :data:`STATES_PER_NODE` states per live node (and :data:`MIN_STATES`), more
    than memory allows, or more than ``seconds``."""
    native = walker()
    if native is None or not hasattr(native, "joint") or seconds <= 0:
        return None
    live = live_nodes(bdd)
    if live < MIN_NODES:
        return None
    roots, index = distinct_inputs(values, inputs)
    table = truth_table(defs, gates, circuit, index, module)
    level = array("i", [bdd.level_of_var(f"x{i}") for i in range(len(q))])
    one = pointer(bdd.true)
    states = min(max_states(), max(MIN_STATES, STATES_PER_NODE * live))
    return native.joint(
        [pointer(r) for r in roots], one, array("d", q), level, table, states, seconds
    )
