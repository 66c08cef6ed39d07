"""Building the organisation's graph: the nodes and edges :mod:`cellguard.assessments.graph`
describes (:func:`cellguard.assessments.graph.build_graph` wraps them in a ``StackGraph``)."""

from __future__ import annotations

from cellguard.assessments.edges import (
    COMPONENT,
    DEPENDS_ON,
    DOMAIN,
    FALLBACK,
    MEMBER_OF,
    PART_OF,
    DependencyEdge,
    FallbackEdge,
    dependency_edge,
    edge_key,
)
from cellguard.assessments.multigraph import MultiDiGraph
from cellguard.assessments.placement import DomainRef, EffectivePlacement, implicit_pools
from cellguard.assessments.placement import effective_placement as _effective_placement
from cellguard.models.components import ComponentBase
from cellguard.models.enums import ComponentKind
from cellguard.models.loader.organisation import Organisation
from cellguard.models.stack import Platform, Stack


def _add_domain(graph: MultiDiGraph, domain: DomainRef, parent: DomainRef | None = None) -> None:
    if domain.node_id not in graph:
        graph.add_node(domain.node_id, type=DOMAIN, domain=domain)
    if parent is not None:
        _add_domain(graph, parent)
        graph.add_edge(domain.node_id, parent.node_id, key=PART_OF, relation=PART_OF)


def _add_topology(graph: MultiDiGraph, doc: Stack | Platform) -> None:
    topology = doc.topology
    for account in topology.accounts:
        _add_domain(graph, DomainRef.account(account))
    for region in topology.regions:
        _add_domain(graph, DomainRef.region(region.name))
        for zone in region.zones:
            _add_domain(graph, DomainRef.zone(zone), DomainRef.region(region.name))
    for cell in topology.cells:
        _add_domain(graph, DomainRef.cell(doc.name, cell.id), DomainRef.region(cell.region))
    for shared in topology.shared_domains:
        _add_domain(graph, DomainRef.shared(doc.name, shared.id))


def _placement_inputs(comp: ComponentBase) -> tuple[object, ...]:
    """What :func:`~cellguard.assessments.placement.effective_placement` reads of a component
    (its stack and topology aside), as a key: its placement's fields, replicas and shared
    domains."""
    spec = comp.placement
    fields = (
        None
        if spec is None
        else (spec.account, _tuple(spec.regions), _tuple(spec.zones), _tuple(spec.cells))
    )
    return fields, comp.replicas, tuple(comp.shared_domains)


def _tuple(value: object) -> object:
    """A list as a tuple (hashable, and never equal to an int or ``None``); other values as
    they are."""
    return tuple(value) if isinstance(value, list) else value


def populate(org: Organisation) -> tuple[MultiDiGraph, list[DependencyEdge | FallbackEdge]]:
    """The organisation's graph and its unresolved edges, sorted (see
    :func:`cellguard.assessments.graph.build_graph`)."""
    graph = MultiDiGraph()
    unresolved: list[DependencyEdge | FallbackEdge] = []
    add_node, add_edge, nodes = graph.add_node, graph.add_edge, graph.nodes
    # Equal placements are members of the same domains: listed once for each distinct one
    # (the components of a large organisation have a few dozen placements between them).
    domains_of: dict[EffectivePlacement, list[tuple[str, DomainRef]]] = {}
    for loaded in org.documents:
        doc = loaded.document
        name, topology = doc.name, doc.topology
        _add_topology(graph, doc)
        # A stack's components declare a few distinct placements between them: each one's
        # effective placement is worked out once (the same inputs give the same result).
        placements: dict[tuple[object, ...], EffectivePlacement] = {}
        for comp in doc.components:
            key = _placement_inputs(comp)
            placement = placements.get(key)
            if placement is None:
                placement = placements[key] = _effective_placement(name, topology, comp)
            qid = f"{name}/{comp.id}"
            add_node(
                qid,
                type=COMPONENT,
                stack=name,
                component=comp,
                kind=ComponentKind(comp.kind),
                placement=placement,
            )
            domains = domains_of.get(placement)
            if domains is None:
                domains = domains_of[placement] = [(d.node_id, d) for d in placement.domains()]
            for node, domain in domains:
                if node not in nodes:  # _add_domain, without a parent
                    add_node(node, type=DOMAIN, domain=domain)
                add_edge(qid, node, key=MEMBER_OF, relation=MEMBER_OF)
    members = [
        (qid, data["component"], data["placement"])
        for qid, data in graph.nodes(data=True)
        if data.get("type") == COMPONENT
    ]
    for qid, placement in implicit_pools(members).items():  # AWS pools, shared GPUs
        graph.nodes[qid]["placement"] = placement
        for domain in placement.shared:
            _add_domain(graph, domain)
            graph.add_edge(qid, domain.node_id, key=MEMBER_OF, relation=MEMBER_OF)
    fallbacks: dict[tuple[str, str], set[str]] = {}
    for loaded in org.documents:
        doc = loaded.document
        for comp in doc.components:
            source = f"{doc.name}/{comp.id}"
            for dep in comp.depends_on:
                edge = dependency_edge(doc.name, source, dep)
                if edge.target in graph:
                    graph.add_edge(
                        source, edge.target, key=DEPENDS_ON, relation=DEPENDS_ON, edge=edge
                    )
                else:
                    unresolved.append(edge)
                if edge.fallback is not None:
                    fallbacks.setdefault((source, edge.fallback), set()).add(edge.target)
    for (source, target), primaries in sorted(fallbacks.items()):
        fallback = FallbackEdge(source, target, tuple(sorted(primaries)))
        if target in graph:
            graph.add_edge(source, target, key=FALLBACK, relation=FALLBACK, edge=fallback)
        else:
            unresolved.append(fallback)
    unresolved.sort(key=lambda e: (edge_key(e), type(e).__name__))
    return graph, unresolved
