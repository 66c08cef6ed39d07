"""The directed multigraph the organisation graph is stored in: the part of networkx's
``MultiDiGraph`` that :mod:`cellguard.assessments.graph` uses, with the same layout and orders.

Importing networkx took 0.15-0.2 s of CPU, a sixth of what ``assess`` of a 1,001-component
organisation spent importing, and its ``add_edge`` was a third of building the graph of
10,001 components; the graph needs none of its algorithms. Nodes keep their insertion order,
each node's successors and predecessors the order their first edge was added, and each pair's
edges the order of their keys, exactly as in networkx, so every iteration below yields what
``networkx.MultiDiGraph`` yields.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

Attributes = dict[str, Any]
KeyDict = dict[str, Attributes]
"""The edges from one node to another, by key, each with its attributes."""


class NodeView:
    """``graph.nodes``: iterate ids, ``nodes[id]`` for attributes, ``nodes(data=True)`` for pairs."""

    def __init__(self, nodes: dict[str, Attributes]) -> None:
        self._nodes = nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __getitem__(self, node: str) -> Attributes:
        return self._nodes[node]

    def __call__(self, data: bool = False) -> Iterator[Any]:
        """Node ids, or (id, attributes) pairs with ``data=True``."""
        return iter(self._nodes.items()) if data else iter(self._nodes)


class EdgeView:
    """``graph.edges``: ``edges[u, v, key]`` for attributes, ``edges(keys=True, data=True)``."""

    def __init__(self, succ: dict[str, dict[str, KeyDict]]) -> None:
        self._succ = succ

    def __getitem__(self, edge: tuple[str, str, str]) -> Attributes:
        u, v, key = edge
        return self._succ[u][v][key]

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return self(keys=True)  # as networkx: a multigraph's edges are (u, v, key)

    def __call__(self, *, keys: bool = False, data: bool = False) -> Iterator[Any]:
        """Every edge, by source in node order, then target, then key."""
        for u, targets in self._succ.items():
            for v, keyed in targets.items():
                for key, attributes in keyed.items():
                    if keys:
                        yield (u, v, key, attributes) if data else (u, v, key)
                    else:
                        yield (u, v, attributes) if data else (u, v)


class MultiDiGraph:
    """Nodes with attributes and keyed, directed edges with attributes."""

    def __init__(self) -> None:
        self._node: dict[str, Attributes] = {}
        self.succ: dict[str, dict[str, KeyDict]] = {}
        """Node -> successor -> key -> edge attributes."""
        self.pred: dict[str, dict[str, KeyDict]] = {}
        """Node -> predecessor -> key -> edge attributes (the same dicts as :attr:`succ`)."""
        self.nodes = NodeView(self._node)
        self.edges = EdgeView(self.succ)

    def __contains__(self, node: object) -> bool:
        try:
            return node in self._node
        except TypeError:  # unhashable, as networkx answers
            return False

    def __iter__(self) -> Iterator[str]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def add_node(self, node: str, **attributes: Any) -> None:
        """Add ``node``, or update the attributes of the node already there."""
        if node not in self._node:
            self.succ[node] = {}
            self.pred[node] = {}
            self._node[node] = attributes
        else:
            self._node[node].update(attributes)

    def add_edge(self, u: str, v: str, key: str, **attributes: Any) -> str:
        """Add edge ``key`` from ``u`` to ``v`` (and the nodes, if new), or update its
        attributes."""
        if u not in self._node:
            self.add_node(u)
        if v not in self._node:
            self.add_node(v)
        keyed = self.succ[u].get(v)
        if keyed is None:
            keyed = self.succ[u][v] = {}
            self.pred[v][u] = keyed
        found = keyed.get(key)
        if found is None:
            keyed[key] = attributes
        else:
            found.update(attributes)
        return key

    def has_edge(self, u: str, v: str, key: str | None = None) -> bool:
        """Whether an edge from ``u`` to ``v`` (with ``key``, if given) exists."""
        keyed = self.succ.get(u, {}).get(v)
        return keyed is not None and (key is None or key in keyed)

    def out_edges(self, u: str, *, keys: bool = False) -> Iterator[tuple[str, ...]]:
        """The edges leaving ``u``: ``(u, v)``, or ``(u, v, key)`` with ``keys=True``."""
        for v, keyed in self.succ[u].items():
            for key in keyed:
                yield (u, v, key) if keys else (u, v)

    def in_edges(self, v: str, *, keys: bool = False) -> Iterator[tuple[str, ...]]:
        """The edges entering ``v``: ``(u, v)``, or ``(u, v, key)`` with ``keys=True``."""
        for u, keyed in self.pred[v].items():
            for key in keyed:
                yield (u, v, key) if keys else (u, v)
