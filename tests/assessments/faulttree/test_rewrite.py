"""Gate rewriting (flattening, factoring, narrowest-first chains) keeps every function."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree import rewrite as rewrite_module
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.order import module_gates
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.rewrite import rewrite
from cellguard.assessments.faulttree.tree import FaultTree, Gate, GateOp
from tests.assessments.faulttree.trees import evaluate, make_tree, truth_table_probability


@st.composite
def sums_of_products(draw: st.DrawFn) -> FaultTree:
    """An OR over ANDs of a few shared sub-gates (what factoring acts on), nested ANDs/ORs of
    one parent (what flattening acts on), and some bare events."""
    n_events = draw(st.integers(min_value=3, max_value=9))
    events = {f"e{i}": draw(st.floats(min_value=0.01, max_value=0.9)) for i in range(n_events)}
    names = list(events)
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    subs = []
    for i in range(draw(st.integers(min_value=2, max_value=5))):
        op = draw(st.sampled_from([GateOp.OR, GateOp.AND, GateOp.NOT]))
        arity = 1 if op is GateOp.NOT else 2
        args = tuple(draw(st.lists(st.sampled_from(names), min_size=arity, max_size=arity)))
        gates.append((f"s{i}", op, args, None))
        subs.append(f"s{i}")
    products = []
    for j in range(draw(st.integers(min_value=1, max_value=6))):
        args = tuple(draw(st.lists(st.sampled_from(subs), min_size=1, max_size=3)))
        if draw(st.booleans()):  # a nested AND of one parent: flattened into its parent
            gates.append((f"n{j}", GateOp.AND, args, None))
            args = (f"n{j}", draw(st.sampled_from(subs)))
        gates.append((f"p{j}", GateOp.AND, args, None))
        products.append(f"p{j}")
    extra = tuple(draw(st.lists(st.sampled_from(names + subs), max_size=2)))
    gates.append(("top", GateOp.OR, (*products, *extra), None))
    return make_tree("top", events, gates)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(sums_of_products())
def test_rewritten_trees_quantify_to_the_truth_table(tree: FaultTree) -> None:
    q = quantify(tree)
    assert q.exact
    assert abs(q.probability - truth_table_probability(tree)) <= 1e-12


@settings(max_examples=150, derandomize=True, deadline=None)
@given(sums_of_products(), st.data())
def test_every_rewritten_gate_keeps_its_function(tree: FaultTree, data: st.DataObject) -> None:
    modules = find_modules(tree)
    for module in tree.topological_order():
        if module not in modules:
            continue
        gates, leaves = module_gates(tree, module, modules)
        post, defs = rewrite(tree, module, modules, gates, leaves)
        assert post[-1] == module
        assert all(len(defs[g].args) <= 2 for g in post if defs[g].op in (GateOp.AND, GateOp.OR))
        rewritten = FaultTree(
            "r", module, dict(tree.events), {**tree.gates, **{g: defs[g] for g in post}}
        )
        original = FaultTree("o", module, dict(tree.events), dict(tree.gates))
        state = {e: data.draw(st.booleans()) for e in sorted(tree.events)}
        assert evaluate(rewritten, state) == evaluate(original, state)


def test_a_shared_factor_is_pulled_out() -> None:
    events = dict.fromkeys("abcx", 0.1)
    tree = make_tree(  # x shared, so that a2, b2, c2 are not modules of their own
        "top",
        events,
        [
            ("a2", GateOp.OR, ("a", "x"), None),
            ("b2", GateOp.OR, ("b", "x"), None),
            ("c2", GateOp.OR, ("c", "x"), None),
            ("p1", GateOp.AND, ("a2", "b2"), None),
            ("p2", GateOp.AND, ("a2", "c2"), None),
            ("top", GateOp.OR, ("p1", "p2"), None),
        ],
    )
    modules = find_modules(tree)
    gates, leaves = module_gates(tree, "top", modules)
    post, defs = rewrite(tree, "top", modules, gates, leaves)
    # (a2 ∧ b2) ∨ (a2 ∧ c2) = a2 ∧ (b2 ∨ c2): one AND of the factor, no per-product ANDs
    assert "p1" not in post and "p2" not in post
    (factored,) = defs["top"].args  # top = OR(one argument)
    top = defs[factored]
    assert top.op is GateOp.AND and "a2" in top.args
    (inner,) = (a for a in top.args if a != "a2")
    assert defs[inner] == Gate(inner, GateOp.OR, defs[inner].args)
    assert set(defs[inner].args) == {"b2", "c2"}
    assert abs(quantify(tree).probability - truth_table_probability(tree)) <= 1e-15


def test_absorption() -> None:
    tree = make_tree(
        "top",
        {"a": 0.2, "b": 0.3, "c": 0.4},
        [
            ("g", GateOp.OR, ("a", "b"), None),  # b shared: g and h are not modules
            ("h", GateOp.OR, ("b", "c"), None),
            ("p1", GateOp.AND, ("g",), None),
            ("p2", GateOp.AND, ("g", "h"), None),
            ("top", GateOp.OR, ("p1", "p2"), None),
        ],
    )
    modules = find_modules(tree)
    gates, leaves = module_gates(tree, "top", modules)
    _, defs = rewrite(tree, "top", modules, gates, leaves)
    assert defs["top"].args == ("g",)  # g ∨ (g ∧ h) = g
    assert abs(quantify(tree).probability - (1 - 0.8 * 0.7)) <= 1e-15


def _chain(link_op: GateOp = GateOp.OR) -> FaultTree:
    """``top = AND(c1, d)`` with ``c1 = OR(a, b, c2)``, ``c2 = OR(c, d2, c3)``,
    ``c3 = OR(e, x)``: an OR chain as Aralia's files write a wide OR (``x`` and ``d`` shared, so
    that the links are not modules); ``link_op`` is the connective of ``c2``."""
    return make_tree(
        "top",
        dict.fromkeys(["a", "b", "c", "d", "e", "x"], 0.1),
        [
            ("c3", GateOp.OR, ("e", "x"), None),
            ("d2", GateOp.AND, ("d", "x"), None),
            ("c2", link_op, ("c", "d2", "c3"), None),
            ("c1", GateOp.OR, ("a", "b", "c2"), None),
            ("top", GateOp.AND, ("c1", "d"), None),
        ],
    )


def test_an_or_chain_below_the_module_gate_is_inlined_with_its_events() -> None:
    tree = _chain()
    modules = find_modules(tree)
    assert modules == {"top"}
    gates, leaves = module_gates(tree, "top", modules)
    post, defs = rewrite(tree, "top", modules, gates, leaves)
    assert "c2" not in post and "c3" not in post  # before: c1 = OR(a, b, c2), c2 built
    flat: set[str] = set()
    stack = ["c1"]
    while stack:  # the two-argument chain rewrite made of c1
        for arg in defs[stack.pop()].args:
            if arg in defs and defs[arg].op is GateOp.OR and arg.startswith("c1~"):
                stack.append(arg)
            else:
                flat.add(arg)
    assert flat == {"a", "b", "c", "d2", "e", "x"}
    assert abs(quantify(tree).probability - truth_table_probability(tree)) <= 1e-15


def test_or_chains_stay_under_the_module_gate_in_large_and_non_monotone_modules(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    top_or = make_tree(  # the module's own gate: its OR arguments with events are kept
        "top",
        dict.fromkeys(["a", "b", "c"], 0.1),
        [
            ("g", GateOp.OR, ("b", "c"), None),
            ("h", GateOp.AND, ("a", "b"), None),  # b shared: g is not a module
            ("top", GateOp.OR, ("h", "g"), None),
        ],
    )
    negated = make_tree(  # a NOT in the module: as before, gates only
        "top",
        dict.fromkeys(["a", "b", "c", "d", "x"], 0.1),
        [
            ("c3", GateOp.OR, ("c", "x"), None),
            ("c1", GateOp.OR, ("a", "b", "c3"), None),
            ("n", GateOp.NOT, ("x",), None),
            ("top", GateOp.AND, ("c1", "d", "n"), None),
        ],
    )
    for tree, kept in ((top_or, "g"), (negated, "c3")):
        modules = find_modules(tree)
        gates, leaves = module_gates(tree, "top", modules)
        post, _ = rewrite(tree, "top", modules, gates, leaves)
        assert kept in post
    monkeypatch.setattr(rewrite_module, "MAX_LEAVES", 5)  # _chain has six leaves
    tree = _chain()
    modules = find_modules(tree)
    gates, leaves = module_gates(tree, "top", modules)
    post, _ = rewrite(tree, "top", modules, gates, leaves)
    assert "c2" in post and "c3" in post
