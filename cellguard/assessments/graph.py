"""The organisation as one graph: components, dependencies and failure domains.

Nodes (``type`` attribute):

* ``component``: id ``"<stack>/<component-id>"``; attributes ``stack`` (document name),
  ``component`` (the spec model), ``kind`` (:class:`~cellguard.models.enums.ComponentKind`) and
  ``placement`` (:class:`~cellguard.assessments.placement.EffectivePlacement`).
* ``domain``: id :attr:`DomainRef.node_id` (``account:prod``, ``region:us-east-1``,
  ``zone:use1-az1``, ``cell:<stack>/<cell>``, ``shared:<stack>/<domain>``); attribute ``domain``.

Edges (the multigraph key is the relation; attribute ``relation`` repeats it):

* ``depends_on``: caller -> callee, attribute ``edge`` (:class:`DependencyEdge`).
* ``fallback``: caller -> fallback target, attribute ``edge`` (:class:`FallbackEdge`).
* ``member_of``: component -> each failure domain it belongs to.
* ``part_of``: zone -> region and cell -> region.

References to components of documents that are not loaded (single-file mode) cannot be drawn;
they are kept in :attr:`StackGraph.unresolved` instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cellguard.assessments.edges import (
    COMPONENT,
    DEPENDS_ON,
    DOMAIN,
    FALLBACK,
    MEMBER_OF,
    PART_OF,
    DependencyEdge,
    FallbackEdge,
    edge_key,
)
from cellguard.assessments.graph_build import populate
from cellguard.assessments.multigraph import MultiDiGraph
from cellguard.assessments.placement import (
    DomainKind,
    DomainRef,
    EffectivePlacement,
)
from cellguard.assessments.routes import JourneyRoute, journey_route
from cellguard.models.business import Journey
from cellguard.models.components import ComponentBase
from cellguard.models.enums import ComponentKind
from cellguard.models.loader.organisation import Organisation
from cellguard.models.references import qualify
from cellguard.models.stack import Stack

if TYPE_CHECKING:
    import networkx as nx


class StackGraph:
    """Typed, deterministic queries over the organisation graph; :attr:`nx` is the raw graph
    (a :class:`~cellguard.assessments.multigraph.MultiDiGraph`: networkx's layout, without
    importing networkx)."""

    def __init__(self, graph: MultiDiGraph, org: Organisation) -> None:
        """Wrap ``graph`` built from ``org`` (use :func:`build_graph`)."""
        self.nx: MultiDiGraph = graph
        self.org = org
        self.unresolved: list[DependencyEdge | FallbackEdge] = []
        self._components: dict[str | None, list[str]] | None = None
        self._data: dict[str, dict[str, Any]] | None = None
        self._edge_lists: dict[tuple[str, bool, str], list[Any]] = {}
        self._all_edges: dict[str, list[Any]] = {}
        self._component_data: dict[str, dict[str, Any]] | None = None
        self._routes: dict[tuple[str, str], JourneyRoute] = {}
        self._journeys: dict[str | None, list[tuple[str, Journey]]] | None = None

    # -- components -------------------------------------------------------------------------

    def _node(self, qid: str, node_type: str) -> dict[str, Any]:
        if self._data is None:
            self._data = dict(self.nx.nodes(data=True))
        data: dict[str, Any] | None = self._data.get(qid)
        if data is None or data.get("type") != node_type:
            raise KeyError(f"no {node_type} {qid!r} in the graph")
        return data

    def _component(self, qid: str) -> dict[str, Any]:
        """The attributes of component ``qid`` (:meth:`_node` for components, indexed once:
        rules ask for kinds and specs hundreds of thousands of times)."""
        index = self._component_data
        if index is None:
            index = self._component_data = {
                n: d for n, d in self.nx.nodes(data=True) if d.get("type") == COMPONENT
            }
        data = index.get(qid)
        if data is None:
            raise KeyError(f"no {COMPONENT} {qid!r} in the graph")
        return data

    def stacks(self) -> list[str]:
        """Names of every loaded document (stacks and platforms), sorted."""
        return sorted(d.name for d in self.org.documents)

    def components(self, stack: str | None = None) -> list[str]:
        """Qualified ids of every component (of ``stack`` only, if given), sorted.

        Computed once: the graph is not changed after :func:`build_graph` returns.
        """
        if self._components is None:
            index: dict[str | None, list[str]] = {None: []}
            for n, d in self.nx.nodes(data=True):
                if d["type"] == COMPONENT:
                    index[None].append(n)
                    index.setdefault(d["stack"], []).append(n)
            self._components = {k: sorted(v) for k, v in index.items()}
        return list(self._components.get(stack, []))

    # The four look-ups below run hundreds of thousands of times in a large assessment: each
    # reads the index directly, and falls back to :meth:`_component` (which builds the index
    # the first time and raises the KeyError naming a missing component) only when that fails.

    def component(self, qid: str) -> ComponentBase:
        """The spec model of component ``qid``; ``KeyError`` if there is none."""
        try:
            return self._component_data[qid]["component"]  # type: ignore[index,no-any-return]
        except (KeyError, TypeError):  # not a component; the index not made yet
            return self._component(qid)["component"]  # type: ignore[no-any-return]

    def kind(self, qid: str) -> ComponentKind:
        """The kind of component ``qid``."""
        try:
            return self._component_data[qid]["kind"]  # type: ignore[index,no-any-return]
        except (KeyError, TypeError):
            return self._component(qid)["kind"]  # type: ignore[no-any-return]

    def stack_of(self, qid: str) -> str:
        """The name of the document declaring component ``qid``."""
        try:
            return self._component_data[qid]["stack"]  # type: ignore[index,no-any-return]
        except (KeyError, TypeError):
            return self._component(qid)["stack"]  # type: ignore[no-any-return]

    def placement(self, qid: str) -> EffectivePlacement:
        """Where component ``qid`` runs once defaults are applied (see ``placement`` module)."""
        try:
            return self._component_data[qid]["placement"]  # type: ignore[index,no-any-return]
        except (KeyError, TypeError):
            return self._component(qid)["placement"]  # type: ignore[no-any-return]

    def replica_zones(self, qid: str) -> dict[str, list[str]]:
        """Region -> zone of each replica of ``qid`` in order; empty lists when zones are unknown
        (one entry per replica: :meth:`replica_counts` does not grow with them)."""
        return self.placement(qid).replica_zones()

    def replica_counts(self, qid: str) -> dict[str, list[tuple[str, int]]]:
        """Region -> ``(zone, replicas)`` of ``qid``'s zones holding replicas, in zone order."""
        return self.placement(qid).replica_counts()

    # -- dependencies -----------------------------------------------------------------------

    def _edges(self, edges: Iterable[tuple[str, str, str, dict[str, Any]]], key: str) -> list[Any]:
        return sorted((d["edge"] for _, _, k, d in edges if k == key), key=edge_key)

    def _adjacent(self, qid: str, outgoing: bool, key: str) -> list[Any]:
        """Edges with ``key`` leaving (or entering) ``qid``, sorted; each list is made once (a
        shared store has thousands of callers, and rules ask for them again and again)."""
        cached = self._edge_lists.get((qid, outgoing, key))
        if cached is None:
            adjacency = (self.nx.succ if outgoing else self.nx.pred)[qid]
            found = [keyed[key]["edge"] for keyed in adjacency.values() if key in keyed]
            cached = self._edge_lists[(qid, outgoing, key)] = sorted(found, key=edge_key)
        return list(cached)

    def dependencies(self, qid: str) -> list[DependencyEdge]:
        """The dependencies ``qid`` calls, sorted by target."""
        cached = self._edge_lists.get((qid, True, DEPENDS_ON))
        if cached is not None:  # made by this method: ``qid`` is a component
            return list(cached)
        self._component(qid)
        return self._adjacent(qid, True, DEPENDS_ON)

    def dependents(self, qid: str) -> list[DependencyEdge]:
        """The dependency edges calling ``qid`` (callers are ``edge.source``), sorted by caller."""
        cached = self._edge_lists.get((qid, False, DEPENDS_ON))
        if cached is not None:  # made by this method: ``qid`` is a component
            return list(cached)
        self._component(qid)
        return self._adjacent(qid, False, DEPENDS_ON)

    def fallbacks(self, qid: str) -> list[FallbackEdge]:
        """The fallback edges leaving ``qid``, sorted by fallback target."""
        cached = self._edge_lists.get((qid, True, FALLBACK))
        if cached is not None:  # made by this method: ``qid`` is a component
            return list(cached)
        self._component(qid)
        return self._adjacent(qid, True, FALLBACK)

    def _every(self, key: str) -> list[Any]:
        """Every resolved edge with ``key``, sorted by (source, target); listed once."""
        found = self._all_edges.get(key)
        if found is None:
            found = self._all_edges[key] = self._edges(self.nx.edges(keys=True, data=True), key)
        return list(found)

    def dependency_edges(self) -> list[DependencyEdge]:
        """Every resolved dependency edge, sorted by (source, target)."""
        return self._every(DEPENDS_ON)

    def fallback_edges(self) -> list[FallbackEdge]:
        """Every resolved fallback edge, sorted by (source, target)."""
        return self._every(FALLBACK)

    # -- journeys ---------------------------------------------------------------------------

    def journeys(self, stack: str | None = None) -> list[tuple[str, Journey]]:
        """Every analysable journey (of ``stack`` only, if given) with the name of its stack,
        sorted by (stack, journey id).

        A journey whose entrypoint is a component of a document that is not loaded (single-file
        mode; the loader has warned about the reference) has nothing to analyse and is left
        out, so that no analysis has to guard :meth:`entrypoint` against it.
        """
        if self._journeys is None:  # once: rules ask for each stack's journeys many times
            found = [
                (s.name, j)
                for s in self.org.stacks
                for j in s.business.journeys
                if qualify(j.entrypoint, s.name) in self.nx
            ]
            every = sorted(found, key=lambda sj: (sj[0], sj[1].id))
            self._journeys = {None: every}
            for item in every:
                self._journeys.setdefault(item[0], []).append(item)
        return list(self._journeys.get(stack, []))

    def journey(self, stack: str, journey_id: str) -> Journey:
        """Journey ``journey_id`` of ``stack``; ``KeyError`` if there is none."""
        loaded = self.org.by_name(stack)
        if loaded is not None and isinstance(loaded.document, Stack):
            for journey in loaded.document.business.journeys:
                if journey.id == journey_id:
                    return journey
        raise KeyError(f"no journey {journey_id!r} in stack {stack!r}")

    def entrypoint(self, stack: str, journey_id: str) -> str:
        """Qualified id of the journey's entrypoint component."""
        qid = qualify(self.journey(stack, journey_id).entrypoint, stack)
        self._component(qid)
        return qid

    def route(self, stack: str, journey_id: str) -> JourneyRoute:
        """The calls the journey takes and their shares (:mod:`cellguard.assessments.routes`)."""
        key = (stack, journey_id)
        found = self._routes.get(key)
        if found is None:
            found = self._routes[key] = journey_route(self, stack, journey_id)
        return found

    def journey_components(self, stack: str, journey_id: str) -> list[str]:
        """Components the journey reaches over its calls and their fallbacks, sorted.

        Every call of the journey's route counts here (every call the entrypoint reaches
        without a route), optional and async ones included: they are part of the journey even
        when they do not decide its availability (see :meth:`required_paths`). The channel of
        an awaited answer is part of it too.
        """
        return self.route(stack, journey_id).components

    def journey_subgraph(self, stack: str, journey_id: str) -> nx.MultiDiGraph:
        """A new networkx graph of the journey's components and the dependency/fallback edges
        among them."""
        import networkx as nx

        nodes = self.journey_components(stack, journey_id)
        members = set(nodes)
        sub = nx.MultiDiGraph()
        for node in nodes:
            sub.add_node(node, **self.nx.nodes[node])
        edges = sorted(
            (u, v, k)
            for u in nodes
            for _, v, k in self.nx.out_edges(u, keys=True)
            if k in (DEPENDS_ON, FALLBACK) and v in members
        )
        for u, v, k in edges:
            sub.add_edge(u, v, key=k, **self.nx.edges[u, v, k])
        return sub

    def required_paths(self, stack: str, journey_id: str) -> list[list[str]]:
        """Every path from the entrypoint over required, blocking dependencies to a leaf, sorted.

        An edge is followed when the journey takes it and it is neither optional nor async, or
        it is a required call on the way to an awaited answer (:meth:`JourneyRoute.counts`).
        Fallback targets are
        alternatives to a dependency, not steps on the path, so fallback edges are not followed.
        A leaf is a component without required, blocking dependencies; an entrypoint without
        any yields the single path ``[entrypoint]``.

        There can be exponentially many (a lattice of ``n`` levels of two has ``2^n``): analyses
        use :meth:`required_edges` instead, which lists each step once.
        """
        start = self.entrypoint(stack, journey_id)
        route = self.route(stack, journey_id)
        paths: list[list[str]] = []
        pending = [[start]]  # an explicit stack: paths of any depth
        while pending:
            path = pending.pop()
            nexts = [
                e.target
                for e in self.dependencies(path[-1])
                if route.counts(e) and e.target not in path
            ]
            if not nexts:
                paths.append(path)
            pending += [[*path, target] for target in reversed(nexts)]
        return sorted(paths)

    def required_edges(self, stack: str, journey_id: str) -> list[DependencyEdge]:
        """Every call of the journey that decides it (:meth:`JourneyRoute.counts`: required and
        blocking, or on the way to an awaited answer) reachable from its entrypoint, once
        each: the steps of :meth:`required_paths` without listing the paths (linear in the
        graph's size). In depth-first order, each component's calls sorted by target, so a
        call comes in the order of the first sorted path through it. The channel of an
        awaited answer is a second root, walked after the entrypoint.
        """
        route = self.route(stack, journey_id)
        found: list[DependencyEdge] = []
        seen = set(route.roots)
        pending = [iter(self.dependencies(root)) for root in reversed(route.roots)]
        while pending:
            edge = next(pending[-1], None)
            if edge is None:
                pending.pop()
            elif route.counts(edge):
                found.append(edge)
                if edge.target not in seen:
                    seen.add(edge.target)
                    pending.append(iter(self.dependencies(edge.target)))
        return found

    # -- failure domains --------------------------------------------------------------------

    def domains(self, kind: DomainKind | None = None) -> list[DomainRef]:
        """Every failure domain (of ``kind`` only, if given), sorted by kind then id."""
        found = (d["domain"] for _, d in self.nx.nodes(data=True) if d["type"] == DOMAIN)
        return sorted(d for d in found if kind is None or d.kind is kind)

    def members(self, domain: DomainRef) -> list[str]:
        """Qualified ids of the components that are direct members of ``domain``, sorted."""
        self._node(domain.node_id, DOMAIN)
        return sorted(
            u for u, _, k in self.nx.in_edges(domain.node_id, keys=True) if k == MEMBER_OF
        )

    def domains_of(self, qid: str) -> list[DomainRef]:
        """The failure domains component ``qid`` is a member of, sorted by kind then id."""
        self._component(qid)
        return sorted(
            self.nx.nodes[v]["domain"]
            for _, v, k in self.nx.out_edges(qid, keys=True)
            if k == MEMBER_OF
        )

    def parents(self, domain: DomainRef) -> list[DomainRef]:
        """The domains ``domain`` is part of (a zone's or a cell's region), sorted."""
        self._node(domain.node_id, DOMAIN)
        return sorted(
            self.nx.nodes[v]["domain"]
            for _, v, k in self.nx.out_edges(domain.node_id, keys=True)
            if k == PART_OF
        )

    def stacks_sharing(self, domain: DomainRef) -> list[str]:
        """Names of the documents with at least one component in ``domain``, sorted."""
        return sorted({self.stack_of(qid) for qid in self.members(domain)})


def build_graph(org: Organisation) -> StackGraph:
    """Build the :class:`StackGraph` of a loaded organisation (or of a single loaded file).

    Placement defaults follow :mod:`cellguard.assessments.placement`. The build is
    deterministic: documents in the organisation's order, components in declaration order.
    """
    graph, unresolved = populate(org)
    result = StackGraph(graph, org)
    result.unresolved = unresolved
    return result
