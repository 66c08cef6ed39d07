"""The C walker's joint probability of a combination of BDDs, and the hard-module path's parts."""

from __future__ import annotations

import random
from array import array
from typing import Any

import dd.cudd as cudd
import pytest

from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.joint import top_circuit, truth_table
from cellguard.assessments.faulttree.native import pointer, walker
from cellguard.assessments.faulttree.tree import Gate, GateOp

native = walker()
needs_joint = pytest.mark.skipif(
    not hasattr(native, "joint"), reason="the C walker (with joint) is not built"
)


def joint(*args: Any) -> tuple[float, float, int, int] | None:
    assert native is not None
    return native.joint(*args)


def _table(m: int, value: list[bool]) -> bytes:
    bits = sum(1 << a for a in range(1 << m) if value[a])
    return bits.to_bytes(max(1, (1 << m) // 8), "little")


@needs_joint
@pytest.mark.parametrize("seed", range(4))
def test_joint_equals_the_probability_of_the_built_combination(seed: int) -> None:
    """Random functions over shared and private variables, random combinations of up to six of
    them, under shuffled orders: P and 1 - P as the combination's own diagram gives them."""
    rng = random.Random(seed)
    n = 14
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    bdd.declare(*[f"x{i}" for i in range(n)])
    q = array("d", [rng.uniform(0.001, 0.9) for _ in range(n)])
    xs = [bdd.var(f"x{i}") for i in range(n)]

    def function(names: list[int], depth: int) -> Any:
        if depth == 0 or rng.random() < 0.2:
            x = xs[rng.choice(names)]
            return x if rng.random() < 0.7 else ~x
        a, b = function(names, depth - 1), function(names, depth - 1)
        return rng.choice([a & b, a | b, bdd.apply("xor", a, b)])

    checked = 0
    for trial in range(80):
        if trial % 20 == 0:
            order = rng.sample(range(n), n)
            bdd.reorder({f"x{i}": level for level, i in enumerate(order)})
        m = rng.randint(1, 6)
        fs = [function(rng.sample(range(n), rng.randint(1, 6)), 4) for _ in range(m)]
        if len({int(f) for f in fs}) < m:
            continue
        value = [rng.random() < 0.5 for _ in range(1 << m)]
        combined = bdd.false
        for a in range(1 << m):
            if value[a]:
                term = bdd.true
                for i, f in enumerate(fs):
                    term &= f if a >> i & 1 else ~f
                combined |= term
        p, r, _ = probability(bdd, combined, q)
        level = array("i", [bdd.level_of_var(f"x{i}") for i in range(n)])
        got = joint(
            [pointer(f) for f in fs], pointer(bdd.true), q, level, _table(m, value), 10**6, 10.0
        )
        assert got is not None
        assert got[0] == pytest.approx(p, abs=1e-13)
        assert got[1] == pytest.approx(r, abs=1e-13)
        checked += 1
    assert checked > 60


@needs_joint
def test_independent_sides_multiply_and_small_values_keep_their_digits() -> None:
    """f and g without a common variable: P(f ∧ g) = P(f) P(g), in one memoised state; a
    probability of 1e-20 is not lost in 1 - (1 - x)."""
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    bdd.declare("x0", "x1", "x2", "x3")
    x0, x1, x2, x3 = (bdd.var(f"x{i}") for i in range(4))
    q = array("d", [1e-10, 1e-10, 0.5, 0.25])
    f, g = x0 & x1, x2 | x3
    level = array("i", [0, 1, 2, 3])
    got = joint([pointer(f), pointer(g)], pointer(bdd.true), q, level, b"\x08", 100, 1.0)
    assert got is not None
    assert got[0] == pytest.approx(1e-20 * (1 - 0.5 * 0.75), rel=1e-15)
    assert got[3] == 1  # the pair itself: split at once into two groups of one


@needs_joint
def test_over_budget_is_none() -> None:
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    names = [f"x{i}" for i in range(20)]
    bdd.declare(*names)
    xs = [bdd.var(v) for v in names]
    f = g = bdd.false
    for i in range(0, 20, 2):
        f |= xs[i] & xs[i + 1]
        g |= xs[i] & ~xs[(i + 3) % 20]
    q = array("d", [0.3] * 20)
    level = array("i", range(20))
    table = b"\x08"
    assert joint([pointer(f), pointer(g)], pointer(bdd.true), q, level, table, 3, 9.0) is None
    assert joint([pointer(f), pointer(g)], pointer(bdd.true), q, level, table, 10**6, 9.0)


def test_top_circuit_and_its_truth_table() -> None:
    """The gates holding 90% of the module's variables, their inputs, and φ over them."""
    defs = {
        "a": Gate("a", GateOp.AND, ("e1", "e2")),
        "b": Gate("b", GateOp.OR, ("e3", "e4", "e5")),
        "c": Gate("c", GateOp.AND, ("a", "b")),
        "x": Gate("x", GateOp.OR, ("c", "e6")),
        "y": Gate("y", GateOp.OR, ("a", "e6")),
        "top": Gate("top", GateOp.AND, ("x", "y")),
    }
    gates = ["a", "b", "c", "x", "y", "top"]
    leaves = ["e1", "e2", "e3", "e4", "e5", "e6"]
    circuit, inputs = top_circuit(defs, gates, leaves, "top")
    assert circuit == {"x", "top"}  # c holds 5 of 6 variables (83%), y 3 of 6
    assert inputs == ["c", "e6", "y"]
    table = truth_table(defs, gates, circuit, {"c": 0, "e6": 1, "y": 2}, "top")
    # top = (c ∨ e6) ∧ y: y (bit 2) and c or e6 (bit 0 or 1)
    assert table == _table(3, [bool(a & 4 and a & 3) for a in range(8)])
    # inputs with the same diagram share a number: c and y as one input, e6 the other
    shared = truth_table(defs, gates, circuit, {"c": 0, "e6": 1, "y": 0}, "top")
    assert shared == _table(2, [bool(a & 1) for a in range(4)])
