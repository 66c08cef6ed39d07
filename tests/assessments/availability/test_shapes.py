"""Journey figures shared by trees of the same shape (:mod:`cellguard.assessments.availability.shapes`).

The memo rests on one claim: the engines give a renamed tree the same figures with the names
mapped, as long as the renaming keeps the names' sorted order and the tree's listing order.
Checked here on random trees against the engines themselves, then on an organisation whose
stacks are built alike: fewer analyses, every figure as without the memo.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellguard.assessments.availability import journeys, provenance, shapes
from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.availability.provenance import journey_provenance
from cellguard.assessments.availability.shapes import Shape
from cellguard.assessments.faulttree.cutsets import minimal_cut_sets
from cellguard.assessments.faulttree.importance import analyse
from cellguard.assessments.faulttree.tree import CONSTANTS, BasicEvent, FaultTree, Gate, GateOp
from cellguard.assessments.faulttree.variants import probabilities
from cellguard.assessments.graph import build_graph
from cellguard.models.loader import load
from tests.assessments.faulttree.trees import make_tree, random_trees
from tests.helpers import org_generator

P = st.sampled_from([0.0, 1e-3, 0.01, 0.2, 0.5, 1.0])


def _renamed(tree: FaultTree, prefix: str) -> tuple[FaultTree, dict[str, str]]:
    """``tree`` with every name ``n`` written ``prefix + n`` (same sorted and listing order)."""
    new = {n: prefix + n for n in (*tree.events, *tree.gates)}
    new.update({c: c for c in CONSTANTS})
    events = {
        new[n]: BasicEvent(new[n], e.probability, e.repair_hours) for n, e in tree.events.items()
    }
    gates = {
        new[n]: Gate(new[n], g.op, tuple(new[a] for a in g.args), g.k)
        for n, g in tree.gates.items()
    }
    return FaultTree("other", new[tree.top], events, gates), new


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=random_trees(min_events=1, max_events=9, max_gates=8, max_arity=4, probabilities=P),
    prefix=st.sampled_from(["s00007/", "zz~", "a"]),
)
def test_a_renamed_tree_has_the_same_shape_and_the_same_figures_renamed(
    tree: FaultTree, prefix: str
) -> None:
    other, new = _renamed(tree, prefix)
    shape, renamed = Shape(tree), Shape(other)
    assert shape.key == renamed.key
    assert [new[n] for n in shape.names] == renamed.names

    a, b = analyse(tree), analyse(other)
    assert (a.probability.hex(), a.bdd_nodes) == (b.probability.hex(), b.bdd_nodes)
    assert a.frequency_per_year == b.frequency_per_year
    assert [(new[i.event], i.birnbaum.hex()) for i in a.top_importances(5)] == [
        (i.event, i.birnbaum.hex()) for i in b.top_importances(5)
    ]
    zeroed = sorted(tree.events)[::2]
    rests = probabilities(tree, [dict.fromkeys(zeroed, 0.0)], time_limit=10.0)
    again = probabilities(other, [dict.fromkeys((new[n] for n in zeroed), 0.0)], time_limit=10.0)
    assert rests == again
    try:
        cuts = minimal_cut_sets(tree, 2)
    except ValueError:  # not coherent
        return
    assert [sorted(new[n] for n in c) for c in cuts] == [
        sorted(c) for c in minimal_cut_sets(other, 2)
    ]


def test_trees_differing_in_anything_but_names_differ_in_shape() -> None:
    def tree(events: dict[str, float], op: GateOp, args: tuple[str, ...]) -> Shape:
        return Shape(
            make_tree("top", events, [("top", op, args, 1 if op is GateOp.ATLEAST else None)])
        )

    base = tree({"a": 0.1, "b": 0.2}, GateOp.OR, ("a", "b"))
    assert base.key == tree({"a2": 0.1, "b2": 0.2}, GateOp.OR, ("a2", "b2")).key
    others = [
        tree({"a": 0.1, "b": 0.3}, GateOp.OR, ("a", "b")),  # a probability
        tree({"b": 0.2, "a": 0.1}, GateOp.OR, ("a", "b")),  # the listing order
        tree({"a": 0.1, "b": 0.2}, GateOp.AND, ("a", "b")),  # the operator
        tree({"a": 0.1, "b": 0.2}, GateOp.ATLEAST, ("a", "b")),  # the operator and k
        tree({"a": 0.1, "b": 0.2}, GateOp.OR, ("b", "a")),  # the arguments' order
        tree({"b": 0.1, "a": 0.2}, GateOp.OR, ("b", "a")),  # the names' sorted order
    ]
    assert all(other.key != base.key for other in others)
    zero, minus = (Shape(FaultTree("t", "e", {"e": BasicEvent("e", p)})) for p in (0.0, -0.0))
    assert zero.key != minus.key
    slow = FaultTree("t", "e", {"e": BasicEvent("e", 0.1, repair_hours=2.0)})
    assert Shape(slow).key != Shape(FaultTree("t", "e", {"e": BasicEvent("e", 0.1)})).key


class _Named(Shape):
    """A shape whose key holds the names too: nothing is shared (the figures without the memo)."""

    def __init__(self, tree: FaultTree) -> None:
        super().__init__(tree)
        self.key = (*self.key, tuple(self.names))


def _figures(org: Path) -> list[object]:
    graph = build_graph(load(org))
    return [*journey_availability(graph), *sorted(journey_provenance(graph).items())]


@pytest.fixture()
def fresh() -> None:
    for memo in (journeys._SHAPED, journeys._CUT_SETS, journeys._FIGURES, provenance._RESTS):
        memo.clear()
    shapes._SHAPES.clear()


@pytest.mark.usefixtures("fresh")
def test_stacks_built_alike_are_analysed_once_with_the_figures_of_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = tmp_path / "org"
    org.mkdir()
    assert org_generator().write_org(org, 150) == 151  # three stacks alike, two journeys each
    calls: list[str] = []

    def counted(tree: FaultTree, max_events: int = 5000) -> object:
        calls.append(tree.name)
        return analyse(tree, max_events)

    monkeypatch.setattr(journeys, "analyse", counted)
    shared = _figures(org)
    assert len(shared) == 12 and len(calls) == 2  # one tree per journey of the template

    calls.clear()
    for memo in (journeys._SHAPED, journeys._CUT_SETS, provenance._RESTS):
        memo.clear()
    shapes._SHAPES.clear()
    monkeypatch.setattr(shapes, "Shape", _Named)
    alone = _figures(org)
    assert len(calls) == 6
    assert repr(shared) == repr(alone)
