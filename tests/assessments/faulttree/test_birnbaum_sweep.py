"""The one-sweep Birnbaum importances against the cofactor formula, and analyse() on a large
diagram keeping the reported events exact."""

from __future__ import annotations

from typing import Any

import dd.cudd as cudd
import pytest
from hypothesis import given, settings

from cellguard.assessments.faulttree import importance
from cellguard.assessments.faulttree.evaluate import birnbaum_all, probability
from cellguard.assessments.faulttree.quantify import gate_function
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp
from tests.assessments.faulttree.test_properties import SMALL
from tests.assessments.faulttree.trees import make_tree


def diagram(tree: FaultTree) -> tuple[Any, Any, list[float], list[str]]:
    """One BDD of ``tree``: the manager, the top, the probabilities and the event order."""
    order = tree.event_order()
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
    for i, name in enumerate(order):
        bdd.declare(f"x{i}")
        values[name] = bdd.var(f"x{i}")
    for name in tree.topological_order():
        gate = tree.gates[name]
        values[name] = gate_function(bdd, gate.op, [values[a] for a in gate.args], gate.k)
    q = [tree.events[n].probability for n in order]
    return bdd, values[tree.top], q, order


def cofactor_birnbaum(bdd: Any, top: Any, q: list[float], index: int) -> float:
    f1 = bdd.let({f"x{index}": True}, top)
    f0 = bdd.let({f"x{index}": False}, top)
    return probability(bdd, f1 & ~f0, q)[0] - probability(bdd, f0 & ~f1, q)[0]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(SMALL)
def test_the_sweep_equals_the_cofactor_difference(tree: FaultTree) -> None:
    bdd, top, q, order = diagram(tree)
    swept = birnbaum_all(bdd, top, q)
    for i in range(len(order)):
        assert abs(swept.get(i, 0.0) - cofactor_birnbaum(bdd, top, q, i)) <= 1e-12


def wide_tree(replicas: int) -> FaultTree:
    """Two tiers of k-of-n replicas over three zones behind a region (hundreds of nodes)."""
    events = {"region": 1e-4} | {f"z{z}": 1e-3 for z in range(3)}
    gates: list[tuple[str, GateOp, tuple[str, ...], int | None]] = []
    tiers = []
    for tier in ("a", "b"):
        for i in range(replicas):
            events[f"{tier}{i}"] = 5e-3 + i * 1e-5
            gates.append((f"{tier}d{i}", GateOp.OR, (f"{tier}{i}", f"z{i % 3}"), None))
        tiers.append(f"{tier}-down")
        args = tuple(f"{tier}d{i}" for i in range(replicas))
        gates.append((f"{tier}-down", GateOp.ATLEAST, args, replicas // 2))
    gates.append(("top", GateOp.OR, ("region", *tiers), None))
    return make_tree("top", events, gates)


def test_analyse_on_a_large_diagram_reports_exact_importances(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(importance, "EXACT_ALL_NODES", 100)  # 638 nodes: take the sweep
    tree = wide_tree(24)
    result = importance.analyse(tree)
    assert result.bdd_nodes > importance.EXACT_ALL_NODES
    bdd, top, q, order = diagram(tree)
    by_name = {i.event: i for i in result.importances}
    for imp in result.top_importances(importance.EXACT_TOP):
        exact = cofactor_birnbaum(bdd, top, q, order.index(imp.event))
        assert imp.birnbaum == exact  # recomputed by the same subtraction-free formula
    for name, imp in by_name.items():  # the rest: the sweep, to its absolute accuracy
        exact = cofactor_birnbaum(bdd, top, q, order.index(name))
        assert abs(imp.birnbaum - exact) <= 1e-13
