"""Minimal cut sets against brute force, and the k-of-n case that used to blow up."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree.cutsets import CutSetLimitError, minimal_cut_sets
from cellguard.assessments.faulttree.tree import FaultTree, GateOp
from tests.assessments.faulttree.trees import evaluate, make_tree, random_trees

COHERENT = random_trees(
    min_events=1,
    max_events=8,
    max_gates=10,
    max_arity=4,
    probabilities=st.floats(min_value=0.01, max_value=0.9),
    coherent=True,
)


def brute_force(tree: FaultTree, max_order: int) -> list[frozenset[str]]:
    """Every minimal set of at most ``max_order`` failed events that fails the top."""
    names = sorted(tree.events)
    cuts: list[frozenset[str]] = []
    for order in range(max_order + 1):
        for chosen in itertools.combinations(names, order):
            failed = frozenset(chosen)
            if any(c <= failed for c in cuts):
                continue
            if evaluate(tree, {n: n in failed for n in names}):
                cuts.append(failed)
    return sorted(cuts, key=lambda s: (len(s), sorted(s)))


@settings(max_examples=200, derandomize=True, deadline=None)
@given(COHERENT, st.integers(1, 4))
def test_cut_sets_equal_brute_force_on_random_coherent_trees(tree: FaultTree, order: int) -> None:
    assert minimal_cut_sets(tree, order) == brute_force(tree, order)


def replicas_over_zones(n: int, zones: int, k: int) -> FaultTree:
    """At least ``k`` of ``n`` replicas down; replica i is down when it or its zone is."""
    events = {f"r{i}": 0.005 for i in range(n)} | {f"z{z}": 0.001 for z in range(zones)}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = [
        (f"down{i}", GateOp.OR, (f"r{i}", f"z{i % zones}"), None) for i in range(n)
    ]
    gates.append(("top", GateOp.ATLEAST, tuple(f"down{i}" for i in range(n)), k))
    return make_tree("top", events, gates)


def test_seventeen_replicas_over_three_zones_all_needed_down() -> None:
    """17-of-17: every replica or zone combination covering all 17; order 2 leaves none,
    order 3 exactly the three zones together. Enumerating products took 2^17 steps."""
    tree = replicas_over_zones(17, 3, 17)
    assert minimal_cut_sets(tree, 2) == []
    assert minimal_cut_sets(tree, 3) == [frozenset({"z0", "z1", "z2"})]


def test_one_replica_of_seventeen_lost_is_any_replica_or_zone() -> None:
    tree = replicas_over_zones(17, 3, 1)
    cuts = minimal_cut_sets(tree, 2)
    assert len(cuts) == 20
    assert all(len(c) == 1 for c in cuts)


def test_the_limit_names_the_gate() -> None:
    tree = replicas_over_zones(12, 3, 2)
    with pytest.raises(CutSetLimitError, match="at gate top"):
        minimal_cut_sets(tree, 2, limit=10)


def test_thousands_of_pairs_are_minimised_without_comparing_every_two() -> None:
    """An OR of 6,000 pairs (the zone pairs of a component conditioned on many zones) plus
    singletons that make a third of them non-minimal: minimising used to compare every pair
    of sets (18 million subset tests, seconds); each set's subsets are looked up instead."""
    pairs = 6000
    events = {f"a{i}": 0.01 for i in range(pairs)} | {f"b{i}": 0.01 for i in range(pairs)}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = [
        (f"p{i}", GateOp.AND, (f"a{i}", f"b{i}"), None) for i in range(pairs)
    ]
    singles = tuple(f"a{i}" for i in range(0, pairs, 3))
    gates.append(("top", GateOp.OR, tuple(f"p{i}" for i in range(pairs)) + singles, None))
    tree = make_tree("top", events, gates)
    started = time.perf_counter()
    cuts = minimal_cut_sets(tree, 2)
    assert time.perf_counter() - started < 2.0  # 4 s before, 0.3 s now
    assert len(cuts) == pairs  # 2,000 singletons and the 4,000 pairs they do not contain
    assert sum(len(c) == 1 for c in cuts) == pairs // 3
