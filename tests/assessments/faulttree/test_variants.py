"""Several probability assignments on diagrams built once give quantify's floats, bit for bit."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree.quantify import SMALL_TREE_EVENTS, quantify
from cellguard.assessments.faulttree.tree import FaultTree, GateOp
from cellguard.assessments.faulttree.variants import probabilities
from tests.assessments.faulttree.trees import make_tree, random_trees

ANY_P = st.one_of(
    st.sampled_from([0.0, 1.0, 1e-9, 0.5]),
    st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
)


def _with(tree: FaultTree, assignment: dict[str, float]) -> FaultTree:
    events = {
        name: replace(event, probability=assignment.get(name, event.probability))
        for name, event in tree.events.items()
    }
    return FaultTree(tree.name, tree.top, events, dict(tree.gates))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tree=random_trees(min_events=1, max_events=12, max_gates=10, max_arity=4, probabilities=ANY_P),
    data=st.data(),
)
def test_each_assignment_gives_the_float_quantify_gives(
    tree: FaultTree, data: st.DataObject
) -> None:
    names = sorted(tree.events)
    assignments = [
        {
            name: data.draw(ANY_P)
            for name in data.draw(st.lists(st.sampled_from(names), unique=True))
        }
        for _ in range(data.draw(st.integers(1, 4)))
    ]
    found = probabilities(tree, assignments, time_limit=10.0)
    assert found is not None
    expected = [quantify(_with(tree, a), time_limit=10.0).probability for a in assignments]
    assert [p.hex() for p in found] == [p.hex() for p in expected]


def test_journey_like_tree_with_bases_zeroed() -> None:
    """What prior provenance asks: each basis's events set to never fail, on shared modules."""
    events = {"a": 1e-3, "b": 2e-4, "c": 5e-3, "d": 1e-5, "e": 0.02}
    tree = make_tree(
        "top",
        events,
        [
            ("g1", GateOp.AND, ("a", "b"), None),
            ("g2", GateOp.OR, ("g1", "c"), None),
            ("g3", GateOp.ATLEAST, ("c", "d", "e"), 2),
            ("top", GateOp.OR, ("g2", "g3", "d"), None),
        ],
    )
    assignments = [{"a": 0.0, "c": 0.0}, {"b": 0.0, "d": 0.0, "e": 0.0}, {}]
    found = probabilities(tree, assignments, time_limit=10.0)
    expected = [quantify(_with(tree, a)).probability for a in assignments]
    assert found == expected
    assert found[2] == quantify(tree).probability
    assert found[0] < found[2] and found[1] < found[2]


def test_trees_it_does_not_serve_are_left_to_quantify() -> None:
    single = make_tree("a", {"a": 0.1}, [])
    assert probabilities(single, [{}], time_limit=10.0) is None
    events = {f"e{i}": 0.01 for i in range(SMALL_TREE_EVENTS + 1)}
    large = make_tree("top", events, [("top", GateOp.OR, tuple(events), None)])
    assert probabilities(large, [{}], time_limit=10.0) is None
