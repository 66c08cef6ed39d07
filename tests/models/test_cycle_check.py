"""The loader's cycle check answers as graphlib's topological sort does (issue 21 item 5: it
replaced ``graphlib.TopologicalSorter.prepare()``, three times slower at 10,001 components)."""

from __future__ import annotations

import graphlib

from hypothesis import given
from hypothesis import strategies as st

from cellguard.models.loader.organisation import _has_cycle

_NODES = st.sampled_from(["a", "b", "c", "d", "e", "f"])


def _graphlib_says(edges: list[tuple[str, str]]) -> bool:
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for caller, callee in edges:
        if caller != callee:
            sorter.add(caller, callee)
    try:
        sorter.prepare()
    except graphlib.CycleError:
        return True
    return False


@given(st.lists(st.tuples(_NODES, _NODES), max_size=12))
def test_has_cycle_agrees_with_graphlib(edges: list[tuple[str, str]]) -> None:
    assert _has_cycle(edges) == _graphlib_says(edges)


def test_examples() -> None:
    assert not _has_cycle([("a", "a")])  # a self-loop is reported elsewhere
    assert not _has_cycle([("a", "b"), ("b", "c"), ("a", "c")])
    assert _has_cycle([("a", "b"), ("b", "c"), ("c", "a")])
    chain = [(f"n{i}", f"n{i + 1}") for i in range(5000)]  # deep: no recursion limit
    assert not _has_cycle(chain)
    assert _has_cycle([*chain, ("n5000", "n0")])
