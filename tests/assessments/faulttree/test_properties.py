"""Property tests: the BDD engine against truth tables and against the Monte Carlo simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree import quantify as quantify_module
from cellguard.assessments.faulttree.montecarlo import (
    at_least_words,
    gate_words,
    popcount,
    simulate,
    wilson_interval,
)
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FaultTree, GateOp
from tests.assessments.faulttree.trees import make_tree, random_trees, truth_table_probability

# Any probability, including the extremes and tiny ones.
ANY_P = st.one_of(
    st.sampled_from([0.0, 1.0, 1e-9, 0.5]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
)
# Probabilities where a Monte Carlo run of 2^16 trials sees enough of both outcomes.
MC_P = st.floats(min_value=0.02, max_value=0.5, allow_nan=False)

SMALL = random_trees(min_events=1, max_events=8, max_gates=10, max_arity=4, probabilities=ANY_P)
LARGE = random_trees(
    min_events=30, max_events=60, max_gates=30, max_arity=4, probabilities=MC_P, constant_odds=400
)

MC_TRIALS = 1 << 16
MC_Z = 4.5
"""A miss is a 4.5-sigma event (about 7e-6 per example): the test cannot flake in practice,
and with derandomized examples and fixed seeds it is deterministic anyway."""


@settings(max_examples=200, derandomize=True, deadline=None)
@given(SMALL)
def test_bdd_equals_the_truth_table_on_small_random_trees(tree: FaultTree) -> None:
    q = quantify(tree)
    assert q.exact
    truth = truth_table_probability(tree)
    assert math.isclose(q.probability, truth, rel_tol=1e-12, abs_tol=1e-15), (q, truth)


@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking a 60-event tree takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(LARGE, st.integers(0, 2**32 - 1))
def test_bdd_lies_inside_the_monte_carlo_interval_on_larger_trees(
    tree: FaultTree, seed: int
) -> None:
    assert 30 <= len(tree.events) <= 60
    q = quantify(tree)
    assert q.exact
    mc = simulate(tree, trials=MC_TRIALS, seed=seed, z=MC_Z)
    assert mc.trials == MC_TRIALS
    assert mc.contains(q.probability), (q.probability, mc)


@settings(max_examples=60, derandomize=True, deadline=None)
@given(SMALL, st.integers(0, 1000))
def test_monte_carlo_interval_contains_the_truth_on_small_trees(tree: FaultTree, seed: int) -> None:
    truth = truth_table_probability(tree)
    mc = simulate(tree, trials=4096 + seed, seed=seed, z=MC_Z)
    assert mc.hits <= mc.trials == 4096 + seed
    # the truth table's sum of products may round a hair past 0 or 1
    assert mc.lower - 1e-12 <= truth <= mc.upper + 1e-12, (truth, mc)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(
    st.lists(st.integers(0, 2**64 - 1), min_size=1, max_size=7),
    st.integers(1, 7),
    st.sampled_from(list(GateOp)),
)
def test_bit_sliced_gates_equal_per_bit_evaluation(words: list[int], k: int, op: GateOp) -> None:
    """Each argument is one word (64 trials); check every bit against plain Python."""
    args = [np.array([w], dtype=np.uint64) for w in words]
    if op is GateOp.NOT:
        args = args[:1]
    k = min(k, len(args))
    out = int(gate_words(op, args, k if op is GateOp.ATLEAST else None)[0])
    for bit in range(64):
        values = [w >> bit & 1 for w in words[: len(args)]]
        if op is GateOp.AND:
            expected = all(values)
        elif op is GateOp.OR:
            expected = any(values)
        elif op is GateOp.NOT:
            expected = not values[0]
        elif op is GateOp.XOR:
            expected = sum(values) % 2 == 1
        else:
            expected = sum(values) >= k
        assert bool(out >> bit & 1) == expected


def test_at_least_does_not_modify_its_arguments() -> None:
    args = [np.array([0b1100, 0b1], dtype=np.uint64), np.array([0b1010, 0], dtype=np.uint64)]
    before = [a.copy() for a in args]
    assert at_least_words(args, 2).tolist() == [0b1000, 0]
    assert all((a == b).all() for a, b in zip(args, before, strict=True))


def test_popcount_counts_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    words = np.array([0, 1, 2**64 - 1, 0b1011, 2**63 + 5], dtype=np.uint64)
    assert popcount(words) == 0 + 1 + 64 + 3 + 3
    monkeypatch.delattr(np, "bitwise_count", raising=False)  # the numpy < 2 lookup table
    assert popcount(words) == 0 + 1 + 64 + 3 + 3


def test_wilson_interval_is_ordered_and_clipped() -> None:
    assert wilson_interval(0, 100, 1.96)[0] == 0.0
    assert wilson_interval(100, 100, 1.96)[1] == 1.0
    low, high = wilson_interval(30, 100, 1.96)
    assert 0.21 < low < 0.3 < high < 0.4


def test_simulation_is_deterministic_for_a_seed() -> None:
    events = {f"e{i}": 0.3 for i in range(6)}
    tree = make_tree(
        "top",
        events,
        [
            ("g", GateOp.ATLEAST, ("e0", "e1", "e2", "e3"), 2),
            ("top", GateOp.OR, ("g", "e4", "e5"), None),
        ],
    )
    first = simulate(tree, trials=10_000, seed=7)
    again = simulate(tree, trials=10_000, seed=7)
    other = simulate(tree, trials=10_000, seed=8)
    assert (first.hits, first.lower, first.upper) == (again.hits, again.lower, again.upper)
    assert first.hits != other.hits


def test_simulation_of_a_basic_event_top_and_of_certain_events() -> None:
    tree = make_tree("a", {"a": 0.25}, [])
    mc = simulate(tree, trials=100_000, seed=1)
    assert mc.contains(0.25)
    assert math.isclose(mc.standard_error, math.sqrt(mc.probability * (1 - mc.probability) / 1e5))
    sure = make_tree("top", {"a": 1.0, "b": 0.0}, [("top", GateOp.OR, ("a", "b"), None)])
    assert simulate(sure, trials=1000).hits == 1000
    never = make_tree("top", {"a": 1.0, "b": 0.0}, [("top", GateOp.AND, ("a", "b"), None)])
    assert simulate(never, trials=1000).hits == 0


COHERENT = random_trees(
    min_events=2, max_events=8, max_gates=10, max_arity=4, probabilities=ANY_P, coherent=True
)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(st.one_of(SMALL, COHERENT))
def test_a_bound_from_free_gates_contains_the_truth(tree: FaultTree) -> None:
    bounded = quantify(tree, node_budget=1)  # every gate read over the budget becomes free
    truth = truth_table_probability(tree)
    assert bounded.lower - 1e-12 <= truth <= bounded.upper + 1e-12, (bounded, truth)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(COHERENT)
def test_monotone_bounds_walked_lie_within_the_quantified_diagrams(tree: FaultTree) -> None:
    walked = quantify(tree, node_budget=1)
    monotone = quantify_module.MONOTONE
    quantify_module.MONOTONE = frozenset()  # forall/exist, as before
    try:
        built = quantify(tree, node_budget=1)
    finally:
        quantify_module.MONOTONE = monotone
    # equal where only free variables bound a module; tighter where a bounded sub-module is
    # a range rather than a free variable of its monotone parent
    assert built.lower - 1e-12 <= walked.lower <= walked.upper <= built.upper + 1e-12
    assert walked.free_gates == built.free_gates
