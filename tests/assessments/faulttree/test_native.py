"""The optional C walker (``_cudd_walk``) against the pure-Python evaluation it accelerates."""

from __future__ import annotations

import importlib.util
from array import array
from collections.abc import Iterator
from unittest.mock import patch

import pytest
from hypothesis import given, settings

from cellguard.assessments.faulttree import evaluate, native
from cellguard.assessments.faulttree.tree import FaultTree
from tests.assessments.faulttree.test_birnbaum_sweep import diagram, wide_tree
from tests.assessments.faulttree.test_properties import SMALL

BUILT = importlib.util.find_spec("cellguard.assessments.faulttree._cudd_walk") is not None
pytestmark = pytest.mark.skipif(
    not BUILT, reason="the C walker was not built (no C compiler at install time)"
)


@pytest.fixture(autouse=True)
def _fresh_walker(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A walker checked afresh for each test, and again after it: a test that refuses the
    walker (a wrong layout, ``CELLGUARD_NO_NATIVE``) must not leave ``None`` cached for the
    tests of other files, which would then run the pure-Python path without saying so."""
    monkeypatch.delenv("CELLGUARD_NO_NATIVE", raising=False)
    native.walker.cache_clear()
    yield
    monkeypatch.undo()
    native.walker.cache_clear()


def test_the_built_walker_passes_its_layout_check() -> None:
    assert native.walker() is not None


def test_a_wrong_layout_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(native, "THEN_OFFSET", native.ELSE_OFFSET)
    assert native.walker() is None


def test_it_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CELLGUARD_NO_NATIVE", "1")
    assert native.walker() is None


@settings(max_examples=200, derandomize=True, deadline=None)
@given(SMALL)
def test_probability_equals_the_python_walks(tree: FaultTree) -> None:
    bdd, top, q, _ = diagram(tree)
    walker = native.walker()
    assert walker is not None
    for f in (top, ~top):
        if f == bdd.true or f == bdd.false:
            continue
        p, r, nodes = walker.probability(native.pointer(f), native.pointer(bdd.true), array("d", q))
        assert nodes == f.dag_size
        for expected in (evaluate._walk(bdd, f, q), evaluate._vectorised(bdd, f, q)):
            assert p == pytest.approx(expected[0], rel=1e-14, abs=1e-300)
            assert r == pytest.approx(expected[1], rel=1e-14, abs=1e-300)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(SMALL)
def test_birnbaum_equals_the_numpy_sweep(tree: FaultTree) -> None:
    bdd, top, q, _ = diagram(tree)
    fast = evaluate.birnbaum_all(bdd, top, q)
    with patch.object(evaluate, "walker", lambda: None):
        slow = evaluate.birnbaum_all(bdd, top, q)
    assert fast.keys() == slow.keys()
    for i, value in slow.items():
        assert abs(fast[i] - value) <= 1e-13


def test_a_large_diagram_gives_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    bdd, top, q, _ = diagram(wide_tree(80))  # 6,574 nodes
    assert top.dag_size > evaluate.SMALL_DAG  # the numpy path would take it
    fast = evaluate.probability(bdd, top, q)
    with monkeypatch.context() as m:
        m.setattr(evaluate, "walker", lambda: None)
        slow = evaluate.probability(bdd, top, q)
    assert fast[2] == slow[2]
    assert fast[0] == pytest.approx(slow[0], rel=1e-14)
    assert fast[1] == pytest.approx(slow[1], rel=1e-14)


def test_bad_arguments_are_errors_not_crashes() -> None:
    bdd, top, q, _ = diagram(wide_tree(6))
    walker = native.walker()
    assert walker is not None
    root, one = native.pointer(top), native.pointer(bdd.true)
    with pytest.raises(ValueError, match="beyond the"):
        walker.probability(root, one, array("d", q[:2]))
    # the same diagram walked twice gives the same numbers and counts every node
    assert walker.probability(root, one, array("d", q)) == walker.probability(
        root, one, array("d", q)
    )
    assert walker.probability(root, one, array("d", q))[2] == top.dag_size
    with pytest.raises(ValueError, match="bad arguments"):
        walker.probability(root, native.pointer(bdd.false), array("d", q))
    with pytest.raises(ValueError, match="bad arguments"):
        walker.probability(root, one, b"\x00" * 7)  # type: ignore[arg-type]  # not whole doubles


def test_a_stale_build_is_not_trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A walker whose signature does not match (built from an older source) is refused, not
    a crash of every quantification."""
    from cellguard.assessments.faulttree import _cudd_walk

    def old_signature(root: int, one: int, q: object, hint: int) -> tuple[float, float, int]:
        raise AssertionError("never called with three arguments")

    monkeypatch.setattr(_cudd_walk, "probability", old_signature)
    assert native.walker() is None
