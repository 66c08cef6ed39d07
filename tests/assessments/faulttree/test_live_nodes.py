"""The manager's size read through CUDD's counters equals dd's ``statistics()`` (issue 21)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from cellguard.assessments.faulttree import live_nodes as module
from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.live_nodes import live_nodes


def dd_count(bdd: Any) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return int(bdd.statistics(exact_node_count=False)["n_nodes"])


@pytest.mark.parametrize("small", [True, False])
def test_counts_equal_dd_statistics_as_diagrams_grow_and_die(small: bool) -> None:
    bdd = cudd.BDD(memory_estimate=2**26, initial_cache_size=2**12) if small else cudd.BDD()
    names = [f"x{i}" for i in range(40)]
    bdd.declare(*names)
    seen = [(live_nodes(bdd), dd_count(bdd))]
    f = bdd.false
    for i in range(0, 40, 2):
        f = f | (bdd.var(names[i]) & bdd.var(names[i + 1]))
        seen.append((live_nodes(bdd), dd_count(bdd)))
    g = f & ~bdd.var("x0")
    seen.append((live_nodes(bdd), dd_count(bdd)))
    del f, g  # their nodes die: both counts drop
    seen.append((live_nodes(bdd), dd_count(bdd)))
    assert [ours for ours, _ in seen] == [theirs for _, theirs in seen]
    assert seen[-2][0] > seen[-1][0] and max(s for s, _ in seen) > 40


def test_the_counter_reader_passes_its_layout_check_here() -> None:
    # the engine must not silently fall back to the slow path with the pinned dd
    assert module._reader() is not None


def test_a_layout_that_does_not_match_falls_back_to_dd(monkeypatch: pytest.MonkeyPatch) -> None:
    module._reader.cache_clear()
    monkeypatch.setattr(module, "_method_table", lambda: 1)  # not the word before the pointer
    try:
        assert module._reader() is None
        bdd = cudd.BDD(memory_estimate=2**22, initial_cache_size=2**10)
        bdd.declare("a", "b")
        f = bdd.var("a") | bdd.var("b")
        assert live_nodes(bdd) == dd_count(bdd) > 2
        del f
    finally:
        module._reader.cache_clear()
