"""Events that meet only in the same AND/OR gates are merged into one event (issue 21 item 3)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree import merge
from cellguard.assessments.faulttree.mef import read_mef_file
from cellguard.assessments.faulttree.merge import Group, group_probability, merge_events
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.order import module_gates
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FaultTree, GateOp
from tests.assessments.faulttree.test_aralia import ARALIA
from tests.assessments.faulttree.trees import evaluate, make_tree, truth_table_probability


def _merged(tree: FaultTree, module: str = "top") -> tuple[FaultTree, list[str], dict[str, Group]]:
    gates, leaves = module_gates(tree, module, find_modules(tree))
    return merge_events(tree, gates, leaves)


def _two_ors(pa: float = 0.1, pb: float = 0.2, op: GateOp = GateOp.OR) -> FaultTree:
    # a and b meet only in g1 and g2 (in another order there); x and y each in one gate
    return make_tree(
        "top",
        {"a": pa, "b": pb, "x": 0.3, "y": 0.4, "z": 0.05},
        [
            ("g1", op, ("x", "a", "b"), None),
            ("g2", op, ("b", "y", "a"), None),
            ("g3", GateOp.OR, ("g1", "z"), None),
            ("top", GateOp.AND, ("g3", "g2"), None),
        ],
    )


def test_a_group_of_events_becomes_one_event_in_place_of_its_first_member() -> None:
    tree = _two_ors()
    view, leaves, groups = _merged(tree)
    assert groups == {"a~merged": (GateOp.OR, ("a", "b"))}
    assert view.gates["g1"].args == ("x", "a~merged")
    assert view.gates["g2"].args == ("a~merged", "y")
    assert view.gates["g3"] == tree.gates["g3"] and view.gates["top"] == tree.gates["top"]
    assert leaves == ["x", "a~merged", "z", "y"]  # the original order without b
    assert view.events["a~merged"].probability == 0.1 + 0.2 * 0.9
    assert tree.gates["g1"].args == ("x", "a", "b")  # the tree itself is untouched


def test_an_and_group_multiplies() -> None:
    view, _, _ = _merged(_two_ors(op=GateOp.AND))
    assert view.gates["g1"].args == ("x", "a~merged")
    assert view.events["a~merged"].probability == 0.1 * 0.2


def test_groups_that_cannot_be_read_as_one_event_stay() -> None:
    mixed = make_tree(  # a, b in an OR and in an AND: OR(a, b) is not AND(a, b)
        "top",
        {"a": 0.1, "b": 0.2, "x": 0.3},
        [
            ("g1", GateOp.OR, ("a", "b", "x"), None),
            ("g2", GateOp.AND, ("a", "b"), None),
            ("top", GateOp.OR, ("g1", "g2"), None),
        ],
    )
    voted = make_tree(
        "top", {"a": 0.1, "b": 0.2, "x": 0.3}, [("top", GateOp.ATLEAST, ("a", "b", "x"), 2)]
    )
    negated = make_tree(  # not monotone: 1 - P(a or b) would have lost the digits of P
        "top",
        {"a": 0.9, "b": 0.9, "x": 0.3},
        [("g1", GateOp.OR, ("a", "b"), None), ("top", GateOp.NOT, ("g1",), None)],
    )
    for tree in (mixed, voted, negated):
        view, leaves, groups = _merged(tree)
        assert view is tree and not groups
        assert leaves == module_gates(tree, "top", find_modules(tree))[1]


def test_a_module_with_more_than_max_leaves_variables_is_left_alone(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(merge, "MAX_LEAVES", 4)
    tree = _two_ors()
    assert _merged(tree)[0] is tree  # five leaves
    monkeypatch.setattr(merge, "MAX_LEAVES", 5)
    assert _merged(tree)[0] is not tree


def test_the_name_of_a_merged_event_is_new() -> None:
    tree = make_tree(
        "top",
        {"a": 0.1, "b": 0.2, "a~merged": 0.3},
        [("top", GateOp.AND, ("a", "b", "a~merged"), None)],
    )
    view, leaves, _ = _merged(tree)
    assert view.gates["top"].args == ("a~merged2",)
    assert leaves == ["a~merged2"]
    assert view.events["a~merged2"].probability == 0.1 * 0.2 * 0.3


def test_the_group_probability_keeps_every_digit_of_rare_events() -> None:
    # 1 - (1 - p)(1 - p) would be 0.0 for p = 1e-20; the sum of non-negative terms is not
    assert group_probability(GateOp.OR, [1e-20, 1e-20]) == 2e-20
    assert group_probability(GateOp.OR, [0.5, 0.5]) == 0.75
    # the sum of the terms rounds above 1 here (hypothesis found it through variants.probabilities:
    # a merged event of probability 1.0000000000000002 was refused, ValueError)
    assert group_probability(GateOp.OR, [0.2, 0.2, 1.0]) == 1.0
    assert group_probability(GateOp.AND, [1e-200, 1e-100]) == 1e-300


def test_merged_quantification_is_exact() -> None:
    tree = _two_ors()
    result = quantify(tree)
    assert result.exact
    assert abs(result.probability - truth_table_probability(tree)) <= 1e-16


@st.composite
def shared_groups(draw: st.DrawFn) -> FaultTree:
    """ORs and ANDs over a few groups of events that travel together, some of them sharing a
    gate with a stray event or a sub-gate."""
    events: dict[str, float] = {}
    groups = []
    for g in range(draw(st.integers(min_value=1, max_value=3))):
        size = draw(st.integers(min_value=1, max_value=3))
        names = [f"e{g}_{i}" for i in range(size)]
        events.update({n: draw(st.floats(min_value=0.0, max_value=1.0)) for n in names})
        groups.append(tuple(names))
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    names_so_far: list[str] = []
    for j in range(draw(st.integers(min_value=2, max_value=6))):
        op = draw(st.sampled_from([GateOp.AND, GateOp.OR]))
        args: list[str] = []
        for group in draw(st.lists(st.sampled_from(groups), min_size=1, max_size=2)):
            args.extend(group)
        below = draw(st.sampled_from(names_so_far)) if names_so_far else None
        if below is not None and draw(st.booleans()):
            args.append(below)
        if draw(st.booleans()):
            events[f"s{j}"] = draw(st.floats(min_value=0.0, max_value=1.0))
            args.append(f"s{j}")
        gates.append((f"g{j}", op, tuple(dict.fromkeys(args)), None))
        names_so_far.append(f"g{j}")
    gates.append(("top", draw(st.sampled_from([GateOp.AND, GateOp.OR])), tuple(names_so_far), None))
    return make_tree("top", events, gates)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(shared_groups(), st.data())
def test_merging_keeps_every_function_and_the_probability(
    tree: FaultTree, data: st.DataObject
) -> None:
    modules = find_modules(tree)
    for module in tree.topological_order():
        if module not in modules:
            continue
        gates, leaves = module_gates(tree, module, modules)
        view, merged_leaves, groups = merge_events(tree, gates, leaves)
        state = {e: data.draw(st.booleans()) for e in sorted(tree.events)}
        merged_state = dict(state)
        for name in set(view.events) - set(tree.events):  # a group's event
            parents = [g for g in gates if name in view.gates[g].args]
            op = view.gates[parents[0]].op
            members = [  # gone from the gates and met in exactly the event's gates
                e
                for e in tree.gates[parents[0]].args
                if e not in view.gates[parents[0]].args
                and {g for g in gates if e in tree.gates[g].args} == set(parents)
            ]
            assert len(members) >= 2 and name in merged_leaves
            assert not set(members) & set(merged_leaves)
            assert all(view.gates[g].op is op for g in parents)
            assert all(m not in view.gates[g].args for g in gates for m in members)
            values = [state[m] for m in members]
            merged_state[name] = all(values) if op is GateOp.AND else any(values)
            probabilities = [tree.events[m].probability for m in members]
            assert view.events[name].probability == group_probability(op, probabilities)
            assert groups[name] == (op, tuple(members))
        original = FaultTree("o", module, dict(tree.events), dict(tree.gates))
        merged_tree = FaultTree("m", module, dict(view.events), dict(view.gates))
        assert evaluate(merged_tree, merged_state) == evaluate(original, state)
    result = quantify(tree)
    assert result.exact
    assert abs(result.probability - truth_table_probability(tree)) <= 1e-12


def test_edf9203_diagrams_are_half_as_large() -> None:
    """edf9203 (362 events, 75 groups over 207 of them): the live nodes of its top circuit's
    input diagrams were 333,217; its value is the published one."""
    result = quantify(read_mef_file(ARALIA / "edf9203.xml"))
    assert result.exact
    assert f"{result.probability:.5E}" == "5.99589E-01"
    assert result.bdd_nodes < 200_000, result.bdd_nodes
