"""The organisation graph's own multigraph answers exactly as networkx's MultiDiGraph does,
and building the graph of an organisation imports no networkx (issue 21 item 5)."""

from __future__ import annotations

import random
import subprocess
import sys
import textwrap
from typing import Any

import networkx as nx
import pytest

from cellguard.assessments.multigraph import MultiDiGraph
from tests.helpers import REPO

NODES = [f"n{i}" for i in range(8)]
KEYS = ["depends_on", "fallback", "member_of", "part_of"]


def _same_operations(seed: int) -> tuple[nx.MultiDiGraph, MultiDiGraph]:
    rng = random.Random(seed)
    theirs: nx.MultiDiGraph = nx.MultiDiGraph()
    ours = MultiDiGraph()
    for step in range(60):
        if rng.random() < 0.3:
            node, attrs = rng.choice(NODES), {"step": step, rng.choice("abc"): step}
            theirs.add_node(node, **attrs)
            ours.add_node(node, **attrs)
        else:
            u, v, key = rng.choice(NODES), rng.choice(NODES), rng.choice(KEYS)
            attrs = {"relation": key, rng.choice("xy"): step}
            theirs.add_edge(u, v, key=key, **attrs)
            ours.add_edge(u, v, key=key, **attrs)
    return theirs, ours


def _plain(adjacency: Any) -> dict[str, Any]:
    return {u: {v: dict(keyed) for v, keyed in nbrs.items()} for u, nbrs in adjacency.items()}


@pytest.mark.parametrize("seed", range(25))
def test_every_view_iterates_as_networkx_does(seed: int) -> None:
    theirs, ours = _same_operations(seed)
    assert list(ours) == list(theirs)
    assert list(ours.nodes) == list(theirs.nodes)
    assert list(ours.nodes(data=True)) == list(theirs.nodes(data=True))
    assert list(ours.edges(keys=True)) == list(theirs.edges(keys=True))
    assert list(ours.edges(keys=True, data=True)) == list(theirs.edges(keys=True, data=True))
    assert list(ours.edges) == list(theirs.edges)
    assert _plain(ours.succ) == _plain(theirs.succ)
    assert [list(nbrs) for nbrs in ours.succ.values()] == [list(n) for n in theirs.succ.values()]
    assert [list(nbrs) for nbrs in ours.pred.values()] == [list(n) for n in theirs.pred.values()]
    for node in theirs:
        assert ours.nodes[node] == theirs.nodes[node]
        assert list(ours.out_edges(node, keys=True)) == list(theirs.out_edges(node, keys=True))
        assert list(ours.in_edges(node, keys=True)) == list(theirs.in_edges(node, keys=True))
        for other in NODES:
            for key in [None, *KEYS]:
                assert ours.has_edge(node, other, key) == theirs.has_edge(node, other, key)
    for u, v, key in theirs.edges(keys=True):
        assert ours.edges[u, v, key] == theirs.edges[u, v, key]
    assert ("n0" in ours, "zz" in ours, ["unhashable"] in ours) == (
        "n0" in theirs,
        "zz" in theirs,
        ["unhashable"] in theirs,
    )


def test_building_an_organisation_graph_imports_no_networkx() -> None:
    code = textwrap.dedent(
        """
        import sys
        from cellguard.assessments.graph import build_graph
        from cellguard.models.loader import load
        graph = build_graph(load(__import__("pathlib").Path("examples/org")))
        assert graph.journeys() and graph.dependency_edges() and graph.domains()
        print("networkx" in sys.modules)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
