"""Diagrams of the organisation graph: Mermaid flowcharts (GitHub markdown) and Graphviz DOT.

Both renderers are pure functions of the graph: the same input gives byte-identical output,
ending with a newline. Components are grouped per stack; dependency edges are labelled with
their mode, timeout and retries; optional dependencies are dashed and fallbacks dotted. With
``domains=True`` the failure domains are drawn too, with dashed membership edges; membership
implied by ``part_of`` (a component in a zone is in that zone's region, a component in a cell is
in the cell's region) is not drawn twice.

Text from the spec is made inert first (:func:`cellguard.models.text.inert`: control, bidi and
zero-width characters shown as ``\\x1b``, ``\\u202e``), then escaped by the diagram language's
rules (:func:`mermaid_escape`, :func:`dot_escape`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cellguard.assessments.edges import DependencyEdge, FallbackEdge, edge_key
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.placement import DomainKind, DomainRef
from cellguard.models.text import inert

_NON_ID = re.compile(r"[^A-Za-z0-9]")
_DOMAIN_SHAPES = {
    DomainKind.ACCOUNT: "folder",
    DomainKind.REGION: "ellipse",
    DomainKind.ZONE: "ellipse",
    DomainKind.CELL: "hexagon",
    DomainKind.SHARED: "octagon",
}


def placement_summary(graph: StackGraph, qid: str) -> str:
    """A short placement summary such as ``us-east-1 · 1 AZ · 4 replicas``."""
    placement = graph.placement(qid)
    parts = [", ".join(placement.regions)]
    if placement.zones is None:
        parts.append("regional")
    else:
        counts = sorted({len(z) for z in placement.zones.values()})
        shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        parts.append(f"{shown} AZ")
    replicas = graph.component(qid).replicas
    if replicas is not None:
        noun = "replica" if replicas == 1 else "replicas"
        per = "/region" if len(placement.regions) > 1 else ""
        parts.append(f"{replicas} {noun}{per}")
    if placement.cells:
        parts.append(f"{len(placement.cells)} cell" + ("s" if len(placement.cells) > 1 else ""))
    return " · ".join(parts)


def edge_label(edge: DependencyEdge) -> str:
    """The label of a dependency edge, e.g. ``stream · 30000 ms · 2 retries``."""
    parts = ["optional"] if edge.optional else []
    parts.append(edge.mode.value)
    parts.append(f"{edge.timeout_ms} ms" if edge.timeout_ms is not None else "no timeout")
    if edge.retries:
        parts.append(f"{edge.retries} retr" + ("y" if edge.retries == 1 else "ies"))
    return " · ".join(parts)


def _stack_title(graph: StackGraph, stack: str) -> str:
    loaded = graph.org.by_name(stack)
    owner = loaded.document.metadata.owner if loaded is not None else None
    return inert(f"{stack} · {owner}" if owner else stack, single_line=True)


def _domain_title(domain: DomainRef) -> str:
    return f"{domain.kind.value} {domain.id}"


def _drawn_memberships(graph: StackGraph, qid: str) -> list[DomainRef]:
    """Domains of ``qid`` minus regions implied by one of its zones or cells."""
    domains = graph.domains_of(qid)
    implied = {
        p for d in domains if d.kind in (DomainKind.ZONE, DomainKind.CELL) for p in graph.parents(d)
    }
    return [d for d in domains if d not in implied]


def _part_of(graph: StackGraph) -> list[tuple[DomainRef, DomainRef]]:
    return [(d, p) for d in graph.domains() for p in graph.parents(d)]


class _Ids:
    """A deterministic, injective mapping of graph node ids to Mermaid-safe ids."""

    def __init__(self) -> None:
        self._ids: dict[str, str] = {}
        self._taken: set[str] = set()

    def add(self, prefix: str, names: Iterable[str]) -> None:
        for name in sorted(names):
            if name in self._ids:
                continue
            base = prefix + _NON_ID.sub("_", name)
            candidate, n = base, 2
            while candidate in self._taken:
                candidate, n = f"{base}_{n}", n + 1
            self._ids[name] = candidate
            self._taken.add(candidate)

    def __getitem__(self, name: str) -> str:
        return self._ids[name]


_MERMAID_ENTITIES = {
    "#": "#35;",
    "&": "#amp;",
    '"': "#quot;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "[": "#91;",
    "]": "#93;",
    "(": "#40;",
    ")": "#41;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
}


def mermaid_escape(text: str) -> str:
    """Escape text for a quoted Mermaid label, on one line: inert, then Mermaid's entity codes
    for ``#&"<>``, backticks, brackets, parentheses, braces and ``|``."""
    escaped = "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in inert(text))
    return " ".join(escaped.splitlines())


def dot_escape(text: str) -> str:
    """Escape text for a quoted DOT string: inert, then backslashes and double quotes; newlines
    as ``\\n``."""
    text = inert(text).replace("\\", "\\\\").replace('"', '\\"')
    return "\\n".join(text.splitlines())


def _unresolved_targets(graph: StackGraph) -> list[str]:
    return sorted({e.target for e in graph.unresolved})


def to_mermaid(graph: StackGraph, *, domains: bool = False) -> str:
    """Render the graph as a Mermaid ``flowchart LR``, one subgraph per stack.

    Components read ``id<br/>kind<br/>placement``; edges carry their mode, timeout and retries.
    Optional dependencies are dashed (``-.->``), fallbacks dotted and labelled ``fallback``.
    Components of stacks that are not loaded are drawn as external nodes.
    """
    ids = _Ids()
    ids.add("s_", graph.stacks())
    ids.add("c_", graph.components())
    ids.add("x_", _unresolved_targets(graph))
    ids.add("d_", [d.node_id for d in graph.domains()])
    lines = ["flowchart LR"]
    for stack in graph.stacks():
        lines.append(f'  subgraph {ids[stack]}["{mermaid_escape(_stack_title(graph, stack))}"]')
        for qid in graph.components(stack):
            label = "<br/>".join(
                mermaid_escape(part)
                for part in (
                    qid.split("/", 1)[1],
                    graph.kind(qid).value,
                    placement_summary(graph, qid),
                )
            )
            lines.append(f'    {ids[qid]}["{label}"]')
        lines.append("  end")
    for target in _unresolved_targets(graph):
        lines.append(f'  {ids[target]}["{mermaid_escape(target)}<br/>not loaded"]:::external')
    links: list[str] = []
    dotted: list[int] = []
    for edge in _all_edges(graph):
        src, dst = ids[edge.source], ids[edge.target]
        if isinstance(edge, FallbackEdge):
            dotted.append(len(links))
            links.append(f'  {src} -.->|"fallback"| {dst}')
        else:
            arrow = "-.->" if edge.optional else "-->"
            links.append(f'  {src} {arrow}|"{mermaid_escape(edge_label(edge))}"| {dst}')
    if domains:
        lines.append('  subgraph failure_domains["failure domains"]')
        for domain in graph.domains():
            lines.append(f'    {ids[domain.node_id]}(["{mermaid_escape(_domain_title(domain))}"])')
        lines.append("  end")
        for child, parent in _part_of(graph):
            links.append(f"  {ids[child.node_id]} -.- {ids[parent.node_id]}")
        for qid in graph.components():
            for domain in _drawn_memberships(graph, qid):
                links.append(f"  {ids[qid]} -.- {ids[domain.node_id]}")
    lines.extend(links)
    if dotted:
        lines.append(f"  linkStyle {','.join(map(str, dotted))} stroke-dasharray:2 4")
    if graph.unresolved:
        lines.append("  classDef external stroke-dasharray:4 4")
    return "\n".join(lines) + "\n"


def _all_edges(graph: StackGraph) -> list[DependencyEdge | FallbackEdge]:
    edges: list[DependencyEdge | FallbackEdge] = [
        *graph.dependency_edges(),
        *graph.fallback_edges(),
    ]
    edges += graph.unresolved
    return sorted(edges, key=lambda e: (*edge_key(e), isinstance(e, FallbackEdge)))


def _dot_attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f'{k}="{dot_escape(v)}"' for k, v in attrs.items())


def to_dot(graph: StackGraph, *, domains: bool = False) -> str:
    """Render the graph as a Graphviz ``digraph`` with one ``cluster`` per stack.

    Node ids are the quoted qualified ids; optional dependencies are dashed, fallbacks dotted;
    component descriptions become tooltips (shown on hover in SVG output).
    """
    lines = [
        "digraph cellguard {",
        '  graph [rankdir="LR", fontname="Helvetica", fontsize="11"];',
        '  node [shape="box", style="rounded", fontname="Helvetica", fontsize="10"];',
        '  edge [fontname="Helvetica", fontsize="9"];',
    ]
    for stack in graph.stacks():
        lines.append(f'  subgraph "cluster_{dot_escape(stack)}" {{')
        lines.append(f'    label="{dot_escape(_stack_title(graph, stack))}";')
        for qid in graph.components(stack):
            component = graph.component(qid)
            label = "\n".join((component.id, graph.kind(qid).value, placement_summary(graph, qid)))
            attrs = {"label": label}
            if component.description:
                attrs["tooltip"] = component.description
            lines.append(f'    "{dot_escape(qid)}" [{_dot_attrs(attrs)}];')
        lines.append("  }")
    for target in _unresolved_targets(graph):
        attrs = {"label": f"{target}\nnot loaded", "style": "dashed"}
        lines.append(f'  "{dot_escape(target)}" [{_dot_attrs(attrs)}];')
    for edge in _all_edges(graph):
        if isinstance(edge, FallbackEdge):
            attrs = {"label": "fallback", "style": "dotted"}
        else:
            attrs = {"label": edge_label(edge)}
            if edge.optional:
                attrs["style"] = "dashed"
        lines.append(
            f'  "{dot_escape(edge.source)}" -> "{dot_escape(edge.target)}" [{_dot_attrs(attrs)}];'
        )
    if domains:
        lines.append('  subgraph "cluster_failure_domains" {')
        lines.append('    label="failure domains";')
        lines.append('    style="dashed";')
        for domain in graph.domains():
            attrs = {
                "label": f"{domain.kind.value}\n{domain.id}",
                "shape": _DOMAIN_SHAPES[domain.kind],
                "style": "dashed",
            }
            lines.append(f'    "{dot_escape(domain.node_id)}" [{_dot_attrs(attrs)}];')
        lines.append("  }")
        membership = {"style": "dashed", "arrowhead": "none", "color": "gray50"}
        for child, parent in _part_of(graph):
            lines.append(
                f'  "{dot_escape(child.node_id)}" -> "{dot_escape(parent.node_id)}" [{_dot_attrs(membership)}];'
            )
        for qid in graph.components():
            for domain in _drawn_memberships(graph, qid):
                lines.append(
                    f'  "{dot_escape(qid)}" -> "{dot_escape(domain.node_id)}" [{_dot_attrs(membership)}];'
                )
    lines.append("}")
    return "\n".join(lines) + "\n"
