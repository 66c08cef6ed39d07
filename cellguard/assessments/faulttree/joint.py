"""Hard modules: sub-functions built under group sifting, their top combined without a BDD.

:mod:`.quantify` turns to :func:`quantify_hard` when a module's diagram outgrows
:data:`HARD_AT` live nodes under the static order (Aralia's das9701: 2-3.6 million nodes
before half its gates are built). The module is then quantified again, in a manager of its own:

1. **The top circuit**: the module's gates whose support holds at least :data:`TOP_SHARE` of the
   module's variables (the gates that recombine nearly everything, and all their ancestors)
   are not built. Their arguments below (at most :data:`JOINT_MAX` diagrams) are.
2. **Group sifting during construction**: CUDD's group sifting runs whenever the live nodes have
   doubled since the last sifting (from :data:`SIFT_FIRST` nodes on, up to :data:`SIFT_CAP`:
   above it one sifting costs more than it saves), and argument diagrams are freed as soon as
   no gate needs them.
3. **Final sifting** with only the circuit's inputs alive, repeated while it still gains
   :data:`SIFT_GAIN` of the nodes (one pass leaves das9701's inputs at twice their size).
4. **The circuit's probability without its diagram**: the C walker's ``joint`` expands the
   tuple of input diagrams variable by variable (Shannon), memoised on the tuple, and splits it
   into groups of inputs with disjoint supports as soon as it can: ``P(φ) = Σ_a Π_g P(group g
   takes values a_g) · φ(a)``. Exact, from non-negative terms only.

Measured on das9701 (267 events, 3,218 gates, one module): the circuit is the top six gates over
eight inputs; 7.44694E-02 as published (see ``benchmarks/RESULTS.md`` for the times).

Returns ``None`` (the caller goes on as before) when the C walker is not available, the module
has more than :data:`HARD_VARS` variables, the circuit has more than :data:`JOINT_MAX` inputs,
an input is a bounded sub-module, or the time or the memory budget runs out.
"""

from __future__ import annotations

import os
import time
import warnings
from array import array
from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.gates import gate_function
from cellguard.assessments.faulttree.interrupt import Deadline
from cellguard.assessments.faulttree.native import pointer, walker
from cellguard.assessments.faulttree.tree import FALSE, TRUE, Gate, GateOp

HARD_AT = 2_000_000
"""Live nodes of a module's static build from which it is tried again here. Every Aralia tree
but das9701 and nus9601 peaks below 1.2 million (cea9601 1.14M, edf9204 0.67M)..."""

HARD_AFTER = 5.0
"""...or CPU seconds of the static build: every other Aralia tree's engine needs less than
4.1 s of CPU even on a loaded machine; das9701 crawls at 600,000-800,000 live nodes after 3 s."""

HARD_VARS = 1000
"""Most variables (events and sub-modules) of a module tried here: group sifting moves every
variable through every level, and nus9601's module (1,567 events) built 600 of its 2,830 gates
in 12 s of CPU under it, then overran its time limit in one sifting (its static build alone
reaches a non-trivial bound)."""

TOP_SHARE = 0.9
"""Share of the module's variables a gate's support must hold to belong to the top circuit."""

JOINT_MAX = 12
"""Most circuit inputs (the C walker's truth table has 2^12 entries)."""

SIFT_FIRST = 20_000
SIFT_CAP = 200_000
SIFT_GAIN = 0.03
SIFT_PASSES = 4

STATE_BYTES = 256
"""Memory one memoised state of the joint traversal takes, generously (keys, values, table)."""


def memory_bytes() -> int:
    """Physical memory of the machine (4 GiB when it cannot be read)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return 4 << 30


def max_states() -> int:
    """States the joint traversal may memoise: a quarter of the machine's memory."""
    return max(1_000_000, memory_bytes() // 4 // STATE_BYTES)


def _live(bdd: Any) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return int(bdd.statistics(exact_node_count=False)["n_nodes"])


def _supports(
    defs: Mapping[str, Gate], gates: Sequence[str], position: Mapping[str, int]
) -> dict[str, int]:
    """Each gate's support as a bit set over the leaves' positions (gates in post-order)."""
    support: dict[str, int] = {}
    for name in gates:
        bits = 0
        for arg in defs[name].args:
            if arg in support:
                bits |= support[arg]
            elif arg in position:
                bits |= 1 << position[arg]
        support[name] = bits
    return support


def top_circuit(
    defs: Mapping[str, Gate], gates: Sequence[str], leaves: Sequence[str], module: str
) -> tuple[set[str], list[str]]:
    """The gates of the top circuit and its inputs (gates below it, leaves or constants)."""
    position = {leaf: i for i, leaf in enumerate(leaves)}
    support = _supports(defs, gates, position)
    need = TOP_SHARE * support[module].bit_count()
    circuit = {name for name in gates if support[name].bit_count() >= need}
    circuit.add(module)
    inputs = list(dict.fromkeys(a for name in gates if name in circuit for a in defs[name].args))
    return circuit, [a for a in inputs if a not in circuit]


def truth_table(
    defs: Mapping[str, Gate],
    gates: Sequence[str],
    circuit: set[str],
    inputs: Mapping[str, int],
    top: str,
) -> bytes:
    """The circuit's truth table over ``m`` distinct diagrams (``inputs`` maps each input to
    its diagram's number; inputs with the same diagram share one): bit ``a`` (of byte
    ``a // 8``) is the top's value when diagram ``i`` has the value of bit ``i`` of ``a``."""
    order = [name for name in gates if name in circuit]
    m = max(inputs.values()) + 1
    bits = 0
    for a in range(1 << m):
        value: dict[str, bool] = {TRUE: True, FALSE: False}
        for name, i in inputs.items():
            value[name] = bool(a >> i & 1)
        for name in order:
            gate = defs[name]
            args = [value[x] for x in gate.args]
            if gate.op is GateOp.AND:
                value[name] = all(args)
            elif gate.op is GateOp.OR:
                value[name] = any(args)
            elif gate.op is GateOp.NOT:
                value[name] = not args[0]
            elif gate.op is GateOp.XOR:
                value[name] = sum(args) % 2 == 1
            else:
                assert gate.k is not None
                value[name] = sum(args) >= gate.k
        if value[top]:
            bits |= 1 << a
    return bits.to_bytes(max(1, (1 << m) // 8), "little")


def distinct_inputs(
    values: Mapping[str, Any], inputs: Sequence[str]
) -> tuple[list[Any], dict[str, int]]:
    """The circuit inputs' distinct diagrams (inputs that are the same function share one) and
    each input's index among them."""
    number: dict[int, int] = {}
    roots: list[Any] = []
    index: dict[str, int] = {}
    for name in inputs:
        key = int(values[name])
        if key not in number:
            number[key] = len(roots)
            roots.append(values[name])
        index[name] = number[key]
    return roots, index


def _build(
    bdd: Any,
    defs: Mapping[str, Gate],
    build: Sequence[str],
    values: dict[str, Any],
    uses: dict[str, int],
    keep: set[str],
    inputs: Sequence[str],
    deadline: float,
) -> tuple[list[Any], dict[str, int]] | None:
    """Build the gates below the top circuit under group sifting, then sift the circuit's
    inputs alone; their distinct diagrams and each input's index among them (``None`` once
    ``deadline`` passes)."""
    next_sift = SIFT_FIRST
    for position, name in enumerate(build):
        if time.perf_counter() > deadline:
            return None
        gate = defs[name]
        values[name] = gate_function(bdd, gate.op, [values[a] for a in gate.args], gate.k)
        for arg in gate.args:
            uses[arg] -= 1
            if uses[arg] == 0 and arg in defs and arg not in keep:
                del values[arg]
        if position % 4 == 0:
            size = _live(bdd)
            if next_sift < size < SIFT_CAP:
                bdd.reorder()
                next_sift = max(SIFT_FIRST, 2 * _live(bdd))
    roots, index = distinct_inputs(values, inputs)
    values.clear()  # only the inputs' diagrams stay alive for the final sifting
    size = _live(bdd)
    for _ in range(SIFT_PASSES):
        if time.perf_counter() > deadline:
            return None
        bdd.reorder()
        after = _live(bdd)
        if after > size * (1.0 - SIFT_GAIN):
            break
        size = after
    return roots, index


def quantify_hard(
    defs: Mapping[str, Gate],
    gates: Sequence[str],
    leaves: Sequence[str],
    probabilities: Mapping[str, float | None],
    module: str,
    deadline: float,
) -> tuple[float, float, int, int] | None:
    """``(P, 1 − P, nodes, states)`` of ``module`` (its rewritten ``gates`` in post-order, ``defs``,
    ``leaves`` in the static order with their ``probabilities``), or ``None``."""
    native = walker()
    if (
        not hasattr(native, "joint")
        or len(leaves) > HARD_VARS
        or any(probabilities[leaf] is None for leaf in leaves)
    ):
        return None
    circuit, inputs = top_circuit(defs, gates, leaves, module)
    if not 1 <= len(inputs) <= JOINT_MAX:
        return None
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    q = array("d")
    values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
    for i, leaf in enumerate(leaves):
        bdd.declare(f"x{i}")
        values[leaf] = bdd.var(f"x{i}")
        q.append(probabilities[leaf] or 0.0)
    build = [name for name in gates if name not in circuit]
    keep = set(inputs)
    uses: dict[str, int] = {}
    for name in build:
        for arg in defs[name].args:
            uses[arg] = uses.get(arg, 0) + 1
    guard = Deadline(bdd, deadline)  # one operation past the deadline is stopped inside CUDD
    guard.start()
    try:
        built = _build(bdd, defs, build, values, uses, keep, inputs, deadline)
    except (ValueError, RuntimeError):
        if not guard.stopped():
            raise
        return None
    finally:
        guard.stop()
    if built is None:
        return None
    roots, index = built
    level = array("i", [bdd.level_of_var(f"x{i}") for i in range(len(leaves))])
    table = truth_table(defs, gates, circuit, index, module)
    seconds = deadline - time.perf_counter()
    if seconds <= 0:
        return None
    assert native is not None
    result = native.joint(
        [pointer(r) for r in roots], pointer(bdd.true), q, level, table, max_states(), seconds
    )
    del roots
    return result
