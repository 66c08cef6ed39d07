"""Truncated diagrams (:mod:`cellguard.assessments.faulttree.truncate`, ``_cudd_truncate.c``)
and the bounds :func:`.quantify` takes from them (issue 21 item 2)."""

from __future__ import annotations

import math
import os
from array import array
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree import quantify as quantify_module
from cellguard.assessments.faulttree import top as top_module
from cellguard.assessments.faulttree import truncate as truncate_module
from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.estimate import derivatives, estimates, gate_estimate
from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.native import pointer, walker
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FaultTree, Gate, GateOp
from cellguard.assessments.faulttree.truncate import available, truncated
from tests.assessments.faulttree.trees import make_tree, random_trees, truth_table_probability

pytestmark = pytest.mark.skipif(not available(), reason="the C walker (truncate) is not built")

VARS = 9


@st.composite
def functions(draw: st.DrawFn) -> tuple[str, list[float]]:
    """A random Boolean expression over ``x0..x8`` (with negations) and probabilities."""

    def expr(depth: int) -> str:
        if depth == 0 or draw(st.integers(0, 3)) == 0:
            var = f"x{draw(st.integers(0, VARS - 1))}"
            return f"~ {var}" if draw(st.booleans()) else var
        op = draw(st.sampled_from([" & ", " | ", " ^ "]))
        return "(" + op.join(expr(depth - 1) for _ in range(draw(st.integers(2, 3)))) + ")"

    q = [draw(st.sampled_from([0.001, 0.01, 0.1, 0.3, 0.5, 0.9])) for _ in range(VARS)]
    return expr(5), q


@settings(max_examples=300, derandomize=True, deadline=None)
@given(functions(), st.booleans(), st.sampled_from([0.0, 1e-6, 1e-3, 0.01, 0.1, 0.5, 2.0]))
def test_a_truncated_diagram_bounds_the_function_within_its_cost(
    case: tuple[str, list[float]], up: bool, budget: float
) -> None:
    """Any function (complemented edges everywhere): ``g >= f`` going up, ``g <= f`` going
    down, and ``P(g != f)`` at most the returned cost, itself at most the budget."""
    text, q = case
    bdd = cudd.BDD()
    for i in range(VARS):
        bdd.declare(f"x{i}")
    f = bdd.add_expr(text)
    g, cost = truncated(bdd, f, array("d", q), up, budget, small=0)
    assert (f & ~g if up else g & ~f) == bdd.false
    differ, _, _ = probability(bdd, bdd.apply("xor", f, g), q)
    assert cost <= budget
    assert differ <= cost * (1 + 1e-9) + 1e-15
    if cost == 0.0:
        assert g == f


def test_small_diagrams_are_kept_whole_and_a_whole_budget_cuts_to_a_constant() -> None:
    bdd = cudd.BDD()
    for i in range(VARS):
        bdd.declare(f"x{i}")
    f = bdd.add_expr("(x0 & x1) | (x2 & x3 & x4) | x5")
    q = array("d", [0.01] * VARS)
    assert truncated(bdd, f, q, True, 1.0, small=100) == (f, 0.0)
    p = probability(bdd, f, q)[0]
    assert truncated(bdd, f, q, False, 1.0, small=0) == (bdd.false, p)  # all of it: FALSE
    # the cheapest nodes: x4's (x4 | x5: reached with p ~1e-4, cost ~2e-6), then x3's (x3 & x4 |
    # x5, reached ~0.01 -> ~1e-4); then x1's (~2e-4) no longer fits. Cutting x3's node to FALSE
    # drops its x5 too: where x2 fails, only x0 & x1 is left.
    g, cost = truncated(bdd, f, q, False, 1.5e-4, small=0)
    assert g == bdd.add_expr("(x0 & x1) | (~ x2 & x5)")
    assert math.isclose(cost, p - probability(bdd, g, q)[0], rel_tol=1e-9)


def test_independence_estimates_and_their_derivatives() -> None:
    ps = [0.1, 0.2, 0.3]
    assert math.isclose(gate_estimate(Gate("g", GateOp.AND, ("a", "b", "c")), ps), 0.006)
    assert math.isclose(
        gate_estimate(Gate("g", GateOp.OR, ("a", "b", "c")), ps), 1 - 0.9 * 0.8 * 0.7
    )
    two = gate_estimate(Gate("g", GateOp.ATLEAST, ("a", "b", "c"), 2), ps)
    assert math.isclose(two, 0.1 * 0.2 + 0.1 * 0.3 + 0.2 * 0.3 - 2 * 0.006)
    xor = gate_estimate(Gate("g", GateOp.XOR, ("a", "b")), ps[:2])
    assert math.isclose(xor, 0.1 * 0.8 + 0.9 * 0.2)
    for gate in (
        Gate("g", GateOp.AND, ("a", "b", "c")),
        Gate("g", GateOp.OR, ("a", "b", "c")),
        Gate("g", GateOp.ATLEAST, ("a", "b", "c"), 2),
        Gate("g", GateOp.XOR, ("a", "b", "c")),
    ):
        for i in range(3):
            moved = list(ps)
            moved[i] += 1e-6
            slope = (gate_estimate(gate, moved) - gate_estimate(gate, ps)) / 1e-6
            assert math.isclose(derivatives(gate, ps)[i], abs(slope), rel_tol=1e-4), (gate, i)
    wide = [0.0, 0.5, 1.0, *[0.01 * (i % 7) for i in range(40)]]  # zeros and ones: no division
    names = tuple(f"e{i}" for i in range(len(wide)))
    for gate in (
        Gate("g", GateOp.AND, names),
        Gate("g", GateOp.OR, names),
        Gate("g", GateOp.XOR, names),
        Gate("g", GateOp.ATLEAST, names, 1),
        Gate("g", GateOp.ATLEAST, names, 5),
        Gate("g", GateOp.ATLEAST, names, len(names)),
    ):
        slopes = derivatives(gate, wide)
        for i in range(len(wide)):  # the change from the argument false to true
            rises = gate_estimate(gate, [*wide[:i], 1.0, *wide[i + 1 :]])
            falls = gate_estimate(gate, [*wide[:i], 0.0, *wide[i + 1 :]])
            assert math.isclose(slopes[i], abs(rises - falls), abs_tol=1e-15), (gate.op, i)
    tree = make_tree(
        "t",
        {"a": 0.1, "b": 0.2},
        [("o", GateOp.OR, ("a", "b"), None), ("t", GateOp.AND, ("o", "a"), None)],
    )
    p, importance = estimates(tree.gates, tree.topological_order(), {"a": 0.1, "b": 0.2}, "t")
    assert math.isclose(p["t"], 0.1 * 0.28)  # a counted twice: what the estimate is
    assert math.isclose(importance["o"], 0.1) and math.isclose(importance["b"], 0.1 * 0.9)


COHERENT = random_trees(
    min_events=3,
    max_events=10,
    max_gates=14,
    max_arity=4,
    probabilities=st.sampled_from([0.001, 0.01, 0.05, 0.2, 0.5]),
    coherent=True,
)


@settings(
    max_examples=200,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    COHERENT,
    st.sampled_from([1e-9, 1e-5, 1e-3, 0.1, 10.0]),
    st.booleans(),
    st.sampled_from([None, 0, 1, 3]),
)
def test_quantify_bounds_from_truncated_diagrams_contain_the_truth(
    tree: FaultTree, share: float, circuit: bool, late_after: int | None
) -> None:
    """Every module truncated from its first gate on (the joint path declined, every diagram
    cut, budgets from tiny to everything): the bound holds the truth table's value, and an
    untouched module is exact. ``circuit``: the top circuit's joint traversal is tried on
    small modules too (both sides of :meth:`.Truncation.circuit`); ``late_after``: the deadline
    passes after that many truncated gates (:meth:`.Truncation.missing` for the rest)."""
    steps = [0]
    step = truncate_module.Truncation.step

    def late_step(self: Any, name: str, gate: Gate, guard: Any, late: bool, slow: float) -> float:
        steps[0] += 1
        late = late or (late_after is not None and steps[0] > late_after)
        return step(self, name, gate, guard, late, slow)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quantify_module, "HARD_AT", -1)
        patch.setattr(quantify_module, "CHECK_EVERY", 1)
        patch.setattr(quantify_module, "quantify_hard", lambda *args: None)
        patch.setattr(truncate_module, "SMALL", 0)
        patch.setattr(truncate_module, "SHARE", share)
        patch.setattr(truncate_module.Truncation, "step", late_step)
        if circuit:
            patch.setattr(top_module, "MIN_GATES", 1)
            patch.setattr(top_module, "MIN_NODES", 0)
        result = quantify(tree)
    truth = truth_table_probability(tree)
    assert result.lower - 1e-12 <= truth <= result.upper + 1e-12, (result, truth)
    if result.exact:
        assert math.isclose(result.probability, truth, rel_tol=1e-9, abs_tol=1e-15)


STATM = Path("/proc/self/statm")


def _resident_bytes() -> int:
    return int(STATM.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not STATM.exists(), reason="needs Linux /proc")
def test_a_rejected_diagram_frees_what_the_walker_collected() -> None:
    """A diagram with a variable beyond the probabilities given is refused (ValueError) after
    the walker has collected part of it: that part must be freed (each refusal leaked some
    30 kB before, about 90 MB over these 3,000 calls)."""
    bdd = cudd.BDD()
    for i in range(VARS):
        bdd.declare(f"x{i}")
    f = bdd.add_expr("(x1 & x7) | x3")
    native = walker()
    assert native is not None
    short = array("d", [0.1] * 3)
    before = _resident_bytes()
    for _ in range(3000):
        with pytest.raises(ValueError, match="beyond the 3 probabilities"):
            native.truncate(pointer(f), pointer(bdd.true), short, False, 1.0, 0)
    assert _resident_bytes() - before < 20 * 2**20


def test_a_module_whose_own_gate_outgrows_the_build_is_exact() -> None:
    """When the size that calls for truncation is read after the module's own gate, its exact
    diagram is already built: its probability is that diagram's, not a truncated bound (the
    whole budget here would cut it to a constant)."""
    tree = make_tree(
        "t",
        {"a": 0.1, "b": 0.2, "c": 0.3},
        [("t", GateOp.ATLEAST, ("a", "b", "c"), 2)],
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quantify_module, "HARD_AT", -1)
        patch.setattr(quantify_module, "quantify_hard", lambda *args: None)
        patch.setattr(truncate_module, "SMALL", 0)
        patch.setattr(truncate_module, "SHARE", 10.0)
        result = quantify(tree)
    assert result.exact, result
    assert math.isclose(result.probability, 0.1 * 0.2 + 0.1 * 0.3 + 0.2 * 0.3 - 2 * 0.006)


def test_budgets_are_numbers_where_importance_sums_overflow() -> None:
    """A ladder of ``OR`` gates, each over the two below it, has Fibonacci-many paths from the
    top: summed along them the estimated importances overflow to infinity, and a gate reached
    through a zero slope (``AND`` with an impossible event) got ``inf * 0``: a NaN budget, which
    the walker refuses (``ValueError`` out of quantify)."""
    rungs = 1600
    events = {"a": 0.3, "b": 0.2, "z": 0.0, **{f"e{i}": 0.0 for i in range(rungs)}}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = [
        ("h", GateOp.OR, ("a", "b"), None),
        ("g0", GateOp.AND, ("h", "z"), None),
        ("g1", GateOp.OR, ("g0", "e1"), None),
    ]
    gates += [
        (f"g{i}", GateOp.OR, (f"g{i - 1}", f"g{i - 2}", f"e{i}"), None) for i in range(2, rungs)
    ]
    gates.append(("top", GateOp.OR, (f"g{rungs - 1}", "a"), None))
    tree = make_tree("top", events, gates)
    leaves = {name: event.probability for name, event in tree.events.items()}
    budget = truncate_module.budgets(tree, tree.gates, tree.topological_order(), leaves, "top")
    assert not any(math.isnan(b) for b in budget.values())
    assert budget["g0"] == 0.0  # importance infinite: nothing cut
    assert budget["h"] > 1e200  # importance 0 (z impossible): all of it may go


def test_a_manager_that_reorders_by_itself_gets_its_diagram_rebuilt() -> None:
    """dd's managers reorder dynamically by default: rebuilding the kept nodes must not let
    CUDD reorder under it (its unique table then answers NULL: a ValueError from dd). A case
    a random probe found: 64 nodes after one sifting, cut going up."""
    bdd = cudd.BDD()
    for i in range(10):
        bdd.declare(f"x{i}")
    bdd.reorder()
    f = bdd.add_expr(
        "((~ x4 ^ ~ x2 ^ ((((x8 ^ x0) & (~ x9 | x9 | ~ x4) & (x6 | ~ x1 | ~ x5)) | ((x8 ^ x3) & (x9 ^ x1 ^ ~ x7))) & (((~ x5 | x9 | x9) & x2 & (x2 | x1 | x0)) | (x3 ^ (x1 & x7) ^ (~ x3 ^ x0 ^ x2)) | ~ x8))) | ((((x3 & (~ x5 ^ x0) & x5) & ((~ x1 | x0) ^ x3 ^ x7) & ((~ x0 ^ x7) | (x1 & ~ x4))) & (((x0 ^ ~ x3 ^ ~ x7) | x1) | ~ x2)) & (x2 ^ (~ x4 | x7))))"
    )
    q = array("d", [0.01, 0.01, 0.3, 1e-300, 1.0, 0.0, 1e-300, 1e-12, 1.0, 1.0 - 2**-53])
    g, cost = truncated(bdd, f, q, True, 1e-4, small=0)
    assert f & ~g == bdd.false
    assert 0.0 < cost <= 1e-4
    assert probability(bdd, bdd.apply("xor", f, g), q)[0] <= cost * (1 + 1e-9)
    assert bdd.configure()["reordering"]  # given back
