"""Exact quantification on hand-checkable trees, module detection, and the node/time budget."""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.faulttree.mef import read_mef_file
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import (
    FALSE,
    TRUE,
    FaultTree,
    FaultTreeError,
    Gate,
    GateOp,
)
from tests.assessments.faulttree.trees import make_tree, truth_table_probability
from tests.helpers import REPO

ARALIA = REPO / "benchmarks" / "data" / "aralia"
P = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4, "e": 0.05}


def close(x: float, y: float) -> bool:
    """Equal to 1e-12 relative (and 1e-15 absolute, for zeros)."""
    return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)


def single_gate(op: GateOp, args: tuple[str, ...], k: int | None = None) -> float:
    """Exact probability of a one-gate tree over :data:`P`."""
    q = quantify(make_tree("top", P, [("top", op, args, k)]))
    assert q.exact
    assert q.lower == q.upper == q.probability
    return q.probability


def test_and_or_not_xor_closed_forms() -> None:
    a, b, c = P["a"], P["b"], P["c"]
    assert close(single_gate(GateOp.AND, ("a", "b", "c")), a * b * c)
    assert close(single_gate(GateOp.OR, ("a", "b", "c")), 1 - (1 - a) * (1 - b) * (1 - c))
    assert close(single_gate(GateOp.NOT, ("a",)), 1 - a)
    # xor: an odd number failed, P = (1 - prod(1 - 2 p)) / 2
    assert close(
        single_gate(GateOp.XOR, ("a", "b", "c")), (1 - (1 - 2 * a) * (1 - 2 * b) * (1 - 2 * c)) / 2
    )


@pytest.mark.parametrize("k", [1, 2, 3, 4, 5])
def test_atleast_matches_the_sum_over_subsets(k: int) -> None:
    names = ("a", "b", "c", "d", "e")
    expected = 0.0
    for mask in range(1 << len(names)):
        if bin(mask).count("1") >= k:
            weight = 1.0
            for i, n in enumerate(names):
                weight *= P[n] if mask >> i & 1 else 1 - P[n]
            expected += weight
    assert close(single_gate(GateOp.ATLEAST, names, k), expected)


def test_two_of_three_identical_replicas() -> None:
    p = 0.005
    tree = make_tree(
        "top", {"r1": p, "r2": p, "r3": p}, [("top", GateOp.ATLEAST, ("r1", "r2", "r3"), 2)]
    )
    assert close(quantify(tree).probability, 3 * p * p * (1 - p) + p**3)


def test_constants() -> None:
    a = P["a"]
    assert close(single_gate(GateOp.AND, ("a", TRUE)), a)
    assert single_gate(GateOp.AND, ("a", FALSE)) == 0.0
    assert close(single_gate(GateOp.OR, ("a", FALSE)), a)
    assert single_gate(GateOp.OR, ("a", TRUE)) == 1.0
    assert single_gate(GateOp.NOT, (TRUE,)) == 0.0
    assert close(single_gate(GateOp.ATLEAST, ("a", TRUE, FALSE), 2), a)


def test_a_shared_event_is_counted_once() -> None:
    a, b, c = P["a"], P["b"], P["c"]
    tree = make_tree(
        "top",
        P,
        [
            ("top", GateOp.OR, ("g1", "g2"), None),
            ("g1", GateOp.AND, ("a", "b"), None),
            ("g2", GateOp.AND, ("a", "c"), None),
        ],
    )
    exact = a * (1 - (1 - b) * (1 - c))
    assert close(quantify(tree).probability, exact)
    naive = 1 - (1 - a * b) * (1 - a * c)  # treating the two branches as independent
    assert not close(exact, naive)


def test_a_contradiction_and_a_tautology() -> None:
    gates = [("na", GateOp.NOT, ("a",), None)]
    never = make_tree("top", P, [*gates, ("top", GateOp.AND, ("a", "na"), None)])
    always = make_tree("top", P, [*gates, ("top", GateOp.OR, ("a", "na"), None)])
    assert quantify(never).probability == 0.0
    assert quantify(always).probability == 1.0


def test_top_is_a_basic_event() -> None:
    q = quantify(make_tree("a", P, []))
    assert q.exact
    assert q.probability == P["a"]
    assert q.top_event == "a"


def test_deep_nesting() -> None:
    """g_i = e_i OR (f_i AND g_{i-1}), 400 levels: no recursion limit, closed form."""
    depth = 400
    events: dict[str, float] = {"base": 0.5}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    expected = 0.5
    below = "base"
    for i in range(depth):
        pe, pf = 1e-4 * (1 + i % 7), 0.9 - 0.001 * (i % 11)
        events |= {f"e{i}": pe, f"f{i}": pf}
        gates.append((f"and{i}", GateOp.AND, (f"f{i}", below), None))
        gates.append((f"g{i}", GateOp.OR, (f"e{i}", f"and{i}"), None))
        expected = 1 - (1 - pe) * (1 - pf * expected)
        below = f"g{i}"
    q = quantify(make_tree(below, events, gates))
    assert q.exact
    assert close(q.probability, expected)


def test_probabilities_keep_their_digits_far_below_one_ulp_of_one() -> None:
    tree = make_tree("top", {"a": 1e-9, "b": 1e-9}, [("top", GateOp.AND, ("a", "b"), None)])
    assert close(quantify(tree).probability, 1e-18)


def test_an_invalid_tree_is_refused() -> None:
    tree = FaultTree("bad", "top", {}, {"top": Gate("top", GateOp.AND, ("zz",))})
    with pytest.raises(FaultTreeError, match="undefined 'zz'"):
        tree.validate()


def test_replicas_over_zones_behind_shared_domains() -> None:
    """Three replicas one per zone, behind a model, a region and an account: closed form."""
    replica, zone, model, region, account = 0.005, 0.001, 0.001, 0.0001, 0.00001
    events = {"model": model, "region": region, "account": account}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    for i in range(3):
        events |= {f"replica{i}": replica, f"zone{i}": zone}
        gates.append((f"path{i}", GateOp.OR, (f"replica{i}", f"zone{i}"), None))
    gates.append(("replicas", GateOp.ATLEAST, ("path0", "path1", "path2"), 3))
    gates.append(("top", GateOp.OR, ("model", "region", "account", "replicas"), None))
    path_down = 1 - (1 - replica) * (1 - zone)
    expected = 1 - (1 - model) * (1 - region) * (1 - account) * (1 - path_down**3)
    q = quantify(make_tree("top", events, gates))
    assert math.isclose(q.probability, expected, rel_tol=1e-9)


# --- modules -------------------------------------------------------------------------


def test_independent_subtrees_are_modules_and_shared_ones_are_not() -> None:
    tree = make_tree(
        "top",
        P,
        [
            ("top", GateOp.AND, ("g1", "g2", "g4"), None),
            ("g1", GateOp.OR, ("a", "b"), None),
            ("g2", GateOp.OR, ("c", "g3"), None),
            ("g3", GateOp.AND, ("a", "d"), None),  # shares a with g1
            ("g4", GateOp.OR, ("e", "g5"), None),
            ("g5", GateOp.NOT, ("e",), None),  # e is shared, but only inside g4
        ],
    )
    assert find_modules(tree) == {"top", "g4"}


def test_a_gate_used_twice_is_still_a_module() -> None:
    tree = make_tree(
        "top",
        P,
        [
            ("top", GateOp.OR, ("x", "y"), None),
            ("x", GateOp.AND, ("m", "a"), None),
            ("y", GateOp.AND, ("m", "b"), None),
            ("m", GateOp.OR, ("c", "d"), None),
        ],
    )
    assert find_modules(tree) == {"top", "m"}
    a, b, c, d = P["a"], P["b"], P["c"], P["d"]
    m = 1 - (1 - c) * (1 - d)
    q = quantify(tree)
    assert q.modules == 2
    assert close(q.probability, m * (1 - (1 - a) * (1 - b)))
    assert close(q.probability, truth_table_probability(tree))


def test_top_that_is_an_event_has_no_modules() -> None:
    assert find_modules(make_tree("a", P, [])) == set()


# --- budget --------------------------------------------------------------------------


def test_a_tiny_node_budget_gives_a_labelled_bound_around_the_exact_value() -> None:
    tree = read_mef_file(ARALIA / "baobab1.xml")
    exact = quantify(tree)
    assert exact.exact
    bounded = quantify(tree, node_budget=2000)
    assert not bounded.exact
    assert bounded.free_gates
    assert bounded.lower <= exact.probability <= bounded.upper
    assert bounded.probability == bounded.upper
    out = bounded.to_json()
    assert out["exact"] is False
    assert out["lower"] == bounded.lower
    assert out["upper"] == bounded.upper
    assert out["free_gates"] == len(bounded.free_gates)


def test_a_zero_time_limit_returns_a_bound_instead_of_working() -> None:
    tree = read_mef_file(ARALIA / "chinese.xml")
    exact = quantify(tree).probability
    bounded = quantify(tree, time_limit=0.0)
    assert not bounded.exact
    assert 0.0 <= bounded.lower <= exact <= bounded.upper <= 1.0


def test_exact_results_say_so_in_json() -> None:
    q = quantify(read_mef_file(ARALIA / "chinese.xml"))
    assert set(q.to_json()) == {"top_event", "probability", "exact", "bdd_nodes", "seconds"}
    assert q.to_json()["exact"] is True
