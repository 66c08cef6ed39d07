"""A module's probability from its top circuit's inputs (faulttree/top.py)."""

from __future__ import annotations

from typing import Any

import dd.cudd as cudd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree import top
from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.gates import gate_function
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.native import walker
from cellguard.assessments.faulttree.order import module_gates
from cellguard.assessments.faulttree.rewrite import rewrite
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, Gate, GateOp
from tests.assessments.faulttree.trees import make_tree, random_trees

needs_joint = pytest.mark.skipif(
    not hasattr(walker(), "joint"), reason="the C walker (with joint) is not built"
)


def _defs(*gates: tuple[str, GateOp, tuple[str, ...]]) -> tuple[dict[str, Gate], list[str]]:
    """Definitions and the gates in the order given (post-order)."""
    return {name: Gate(name, op, args) for name, op, args in gates}, [g[0] for g in gates]


LEAVES = [f"e{i}" for i in range(10)]
FOUND: list[int] = []


def test_the_gates_over_nearly_every_variable_are_the_circuit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``a`` holds all ten variables: with the module's gate it is the circuit, over the three
    gates below them (in order of first use)."""
    monkeypatch.setattr(top, "MIN_GATES", 0)
    defs, gates = _defs(
        ("w1", GateOp.OR, ("e0", "e1", "e2", "e3", "e4")),
        ("w2", GateOp.OR, ("e5", "e6", "e7", "e8", "e9")),
        ("a", GateOp.AND, ("w1", "w2")),
        ("z", GateOp.AND, ("e0", "e9")),
        ("m", GateOp.OR, ("a", "z")),
    )
    assert top.top_circuit(defs, gates, LEAVES, "m") == ({"m", "a"}, ["w1", "w2", "z"])


def test_otherwise_the_chain_of_the_modules_connective(monkeypatch: pytest.MonkeyPatch) -> None:
    """No gate but the module's holds 90% of the variables: the circuit is the module's AND and
    the one-parent ANDs below it (not ``x``'s OR, nor the twice-used ``y``)."""
    monkeypatch.setattr(top, "MIN_GATES", 0)
    defs, gates = _defs(
        ("u", GateOp.OR, ("e0", "e1")),
        ("v", GateOp.OR, ("e2", "e3")),
        ("y", GateOp.AND, ("e4", "e5")),
        ("x", GateOp.OR, ("e6", "e7", "e8", "e9")),
        ("c2", GateOp.AND, ("u", "v", "y")),
        ("c1", GateOp.AND, ("c2", "y")),
        ("m", GateOp.AND, ("x", "c1")),
    )
    assert top.top_circuit(defs, gates, LEAVES, "m") == ({"m", "c1", "c2"}, ["u", "v", "y", "x"])


def test_no_circuit_over_too_many_inputs_or_in_a_small_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leaves = [f"e{i}" for i in range(26)]
    products = [(f"g{i}", GateOp.AND, (f"e{2 * i}", f"e{2 * i + 1}")) for i in range(13)]
    defs, gates = _defs(
        *products,
        ("o1", GateOp.OR, tuple(f"g{i}" for i in range(7))),
        ("o2", GateOp.OR, tuple(f"g{i}" for i in range(7, 13))),
        ("m", GateOp.OR, ("o1", "o2")),
    )
    assert top.top_circuit(defs, gates, leaves, "m") is None  # 16 gates: a small module
    monkeypatch.setattr(top, "MIN_GATES", 0)
    assert top.top_circuit(defs, gates, leaves, "m") is None  # 13 inputs
    monkeypatch.setattr(top, "MAX_INPUTS", 13)
    found = top.top_circuit(defs, gates, leaves, "m")
    assert found is not None and found[0] == {"m", "o1", "o2"}


def _module(tree: FaultTree) -> tuple[Any, list[float], dict[str, Gate], list[str], list[str]]:
    """The tree's top module rewritten, a manager with its leaves (sub-modules at 0.5)."""
    modules = find_modules(tree)
    post, leaves = module_gates(tree, tree.top, modules)
    gates, defs = rewrite(tree, tree.top, modules, post, leaves)
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    bdd.declare(*[f"x{i}" for i in range(len(leaves))])
    q = [tree.events[leaf].probability if leaf in tree.events else 0.5 for leaf in leaves]
    return bdd, q, defs, gates, leaves


def _build(bdd: Any, defs: dict[str, Gate], gates: list[str], leaves: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
    values.update((leaf, bdd.var(f"x{i}")) for i, leaf in enumerate(leaves))
    for name in gates:
        gate = defs[name]
        values[name] = gate_function(bdd, gate.op, [values[a] for a in gate.args], gate.k)
    return values


@needs_joint
@example(
    make_tree(
        "top", {"e0": 0.5, "e1": 0.5, "e2": 0.5}, [("top", GateOp.AND, ("e0", "e1", "e2"), None)]
    )
)
@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    random_trees(
        min_events=3,
        max_events=14,
        max_gates=30,
        max_arity=5,
        probabilities=st.floats(1e-6, 0.9),
    )
)
def test_the_circuits_probability_is_the_built_modules(tree: FaultTree) -> None:
    """Random trees (not, xor, k-of-n and constants included): ``P`` and ``1 − P`` from the
    circuit's inputs are those of the module's own diagram."""
    if tree.top not in tree.gates:
        return
    bdd, q, defs, gates, leaves = _module(tree)
    saved = top.MIN_GATES, top.MIN_NODES
    top.MIN_GATES = top.MIN_NODES = 0
    try:
        split = top.top_circuit(defs, gates, leaves, tree.top)
        if split is None:
            return
        FOUND.append(len(split[0]))
        circuit, inputs = split
        values = _build(bdd, defs, gates, leaves)
        p, r, _ = probability(bdd, values[tree.top], q)
        found = top.circuit_probability(bdd, values, q, defs, gates, circuit, inputs, tree.top, 5.0)
    finally:
        top.MIN_GATES, top.MIN_NODES = saved
    assert found is not None
    assert found[2] >= 1  # the input diagrams' nodes
    assert found[0] == pytest.approx(p, rel=1e-12, abs=1e-300)
    assert found[1] == pytest.approx(r, rel=1e-12, abs=1e-300)


def _three_inputs() -> tuple[Any, list[float], dict[str, Gate], list[str], dict[str, Any]]:
    defs, gates = _defs(
        ("w1", GateOp.OR, ("e0", "e1", "e2", "e3", "e4")),
        ("w2", GateOp.OR, ("e5", "e6", "e7", "e8", "e9")),
        ("z", GateOp.AND, ("e0", "e9")),
        ("a", GateOp.AND, ("w1", "w2")),
        ("m", GateOp.OR, ("a", "z")),
    )
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    bdd.declare(*[f"x{i}" for i in range(10)])
    q = [0.01 * (i + 1) for i in range(10)]
    return bdd, q, defs, gates, _build(bdd, defs, gates, LEAVES)


@needs_joint
def test_a_known_combination(monkeypatch: pytest.MonkeyPatch) -> None:
    """``(w1 ∧ w2) ∨ (e0 ∧ e9)`` is ``w1 ∧ w2`` (``e0`` implies ``w1``, ``e9`` implies ``w2``):
    ``P = P(w1)·P(w2)``, ``P(w1) = 1 − Π(1 − q0..q4)``, ``P(w2)`` alike."""
    monkeypatch.setattr(top, "MIN_NODES", 0)
    bdd, q, defs, gates, values = _three_inputs()
    not_w1 = not_w2 = 1.0
    for i in range(5):
        not_w1 *= 1 - q[i]
        not_w2 *= 1 - q[i + 5]
    expected = (1 - not_w1) * (1 - not_w2)
    circuit, inputs = {"m", "a"}, ["w1", "w2", "z"]
    found = top.circuit_probability(bdd, values, q, defs, gates, circuit, inputs, "m", 5.0)
    assert found is not None
    assert found[0] == pytest.approx(expected, rel=1e-14)
    assert found[0] == probability(bdd, values["m"], q)[0]


@needs_joint
def test_a_traversal_past_its_states_gives_way(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small manager, more states than allowed, no time or no walker: ``None``, the caller
    builds the circuit."""
    bdd, q, defs, gates, values = _three_inputs()
    args = (bdd, values, q, defs, gates, {"m", "a"}, ["w1", "w2", "z"], "m")
    assert top.circuit_probability(*args, 5.0) is None  # fewer than MIN_NODES live nodes
    monkeypatch.setattr(top, "MIN_NODES", 0)
    assert top.circuit_probability(*args, 5.0) is not None
    assert top.circuit_probability(*args, 0.0) is None
    monkeypatch.setattr(top, "STATES_PER_NODE", 0)
    monkeypatch.setattr(top, "MIN_STATES", 1)
    assert top.circuit_probability(*args, 5.0) is None
    monkeypatch.setattr(top, "STATES_PER_NODE", 5)
    monkeypatch.setattr(top, "MIN_STATES", 10_000)
    monkeypatch.setattr(top, "walker", lambda: None)
    assert top.circuit_probability(*args, 5.0) is None


def test_the_random_trees_had_circuits() -> None:
    """The property test above is not vacuous (it runs first, in file order)."""
    assert not needs_joint.args[0]
    assert len(FOUND) >= 10
