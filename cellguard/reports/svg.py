"""A deterministic layout of the dependency graph over its failure domains, for inline SVG.

No Graphviz: a small layered layout computed here, drawn by the HTML template (whose
autoescaping escapes every label).

* **Bands** (horizontal swim lanes) are the failure domains a component lives in: one band
  per account and region set (``prod-support · us-east-1``; a component in two regions sits
  in a ``us-east-1 + us-west-2`` band). Components whose placement is not declared go to a
  band of their account marked "placement not declared".
* **Columns** are call depth: entry components on the left, what they call to the right
  (longest path over the required and optional dependency edges; the spec forbids cycles).
* **Boxes** show the component, its stack and kind, one pip per zone of its region(s)
  (filled where it has replicas; a single filled pip is a single-zone component), and its
  cells and shared-fate domains. Box borders take the stack's colour.
* **Edges** are cubic curves from the caller's right side to the callee's left side:
  dashed for optional dependencies, dotted for fallbacks.
* **Marks**: a component whose failure alone takes a journey down (an order-1 cut set of a
  journey's fault tree: one service, or a single replica) carries a ``SPOF`` tag and a thick
  border; a component with failing findings is tinted and tagged with their number, in the
  colour of the worst severity. Failure domains that are single points of failure (a region,
  an account, a shared domain) are listed in :attr:`Diagram.domain_spofs`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cellguard.assessments.availability.journeys import journey_availability, journey_result
from cellguard.assessments.edges import DependencyEdge, FallbackEdge
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.placement import DomainKind

BOX_W = 210
BOX_H = 70
COL_GAP = 70
ROW_GAP = 16
BAND_PAD = 14
LABEL_W = 170
TOP = 10
PIP = 9
CHAR_W = 6.6
"""Approximate width of one character of the 11px sans-serif labels."""

PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)
"""Stack colours, assigned in stack order."""


@dataclass(frozen=True)
class Pip:
    """One zone marker of a component box."""

    x: float
    y: float
    zone: str
    filled: bool


@dataclass(frozen=True)
class Box:
    """One component (or a component of a stack that is not loaded)."""

    qid: str
    x: float
    y: float
    title: str
    subtitle: str
    detail: str
    colour: str
    pips: tuple[Pip, ...]
    external: bool = False
    tooltip: str = ""
    spof: bool = False
    """Its failure alone takes at least one journey down."""
    failing: int = 0
    """Failing findings on the component."""
    severity: str = ""
    """The worst severity of those findings (``high``), for the tag's colour."""


@dataclass(frozen=True)
class Band:
    """A swim lane: one account and region set."""

    y: float
    height: float
    label: str
    sublabel: str
    shade: bool
    full: str
    """The unclipped label and sublabel (the band's tooltip)."""


@dataclass(frozen=True)
class Edge:
    """A dependency or fallback, as an SVG path."""

    path: str
    style: str
    """``required``, ``optional`` or ``fallback``."""
    title: str


@dataclass(frozen=True)
class Legend:
    """A stack and its colour."""

    label: str
    colour: str


@dataclass(frozen=True)
class Diagram:
    """Everything the template draws, with coordinates."""

    width: float
    height: float
    bands: tuple[Band, ...]
    boxes: tuple[Box, ...]
    edges: tuple[Edge, ...]
    legend: tuple[Legend, ...]
    domain_spofs: tuple[str, ...] = ()
    """Labels of the failure domains that take a journey down on their own."""


def single_points(graph: StackGraph) -> tuple[frozenset[str], tuple[str, ...]]:
    """Components, and labels of failure domains, that take some journey down on their own."""
    components: set[str] = set()
    domains: dict[str, str] = {}
    for result in journey_availability(graph):
        tree, _ = journey_result(graph, result.stack, result.journey)
        for event in result.single_points:
            info = tree.events.get(event)
            if info is None:
                continue
            if info.component is not None and info.kind in ("service", "replica"):
                components.add(info.component)
            elif info.domain is not None:
                domains[info.domain.node_id] = info.domain.node_id
    return frozenset(components), tuple(sorted(domains.values()))


def clip(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` pixels (approximately)."""
    room = max(3, int(width / CHAR_W))
    return text if len(text) <= room else text[: room - 1] + "…"


def _depths(graph: StackGraph, nodes: list[str]) -> dict[str, int]:
    """Longest call depth from an entry component (no callers) to each node."""
    callees: dict[str, list[str]] = {n: [] for n in nodes}
    callers: dict[str, int] = dict.fromkeys(nodes, 0)
    edges = [*graph.dependency_edges(), *graph.unresolved]
    for e in edges:
        if isinstance(e, DependencyEdge) and e.source in callees and e.target in callers:
            callees[e.source].append(e.target)
            callers[e.target] += 1
    depth = dict.fromkeys(nodes, 0)
    ready = sorted(n for n in nodes if callers[n] == 0)
    while ready:
        node = ready.pop(0)
        for nxt in sorted(callees[node]):
            depth[nxt] = max(depth[nxt], depth[node] + 1)
            callers[nxt] -= 1
            if callers[nxt] == 0:
                ready.append(nxt)
        ready.sort()
    return depth


def _band_key(graph: StackGraph, qid: str) -> tuple[str, tuple[str, ...], bool]:
    placement = graph.placement(qid)
    return (placement.account, tuple(placement.regions), placement.declared)


def _band_label(key: tuple[str, tuple[str, ...], bool]) -> tuple[str, str]:
    account, regions, declared = key
    label = " + ".join(regions) if regions else "no region"
    sub = f"account {account}" + ("" if declared else " · placement not declared")
    return label, sub


def _pips(graph: StackGraph, qid: str, x: float, y: float) -> tuple[Pip, ...]:
    placement = graph.placement(qid)
    if placement.zones is None:
        return ()
    used = {z for counts in placement.replica_counts().values() for z, _ in counts}
    region_zones: list[str] = []
    for region in placement.regions:
        region_zones.extend(_region_zones(graph, qid, region))
    return tuple(
        Pip(x + 8 + i * (PIP + 3), y + BOX_H - PIP - 7, zone, zone in used)
        for i, zone in enumerate(region_zones[:14])
    )


def _region_zones(graph: StackGraph, qid: str, region: str) -> list[str]:
    doc = graph.org.by_name(graph.stack_of(qid))
    if doc is not None:
        for r in doc.document.topology.regions:
            if r.name == region:
                return list(r.zones)
    placement = graph.placement(qid)
    return list(placement.zones.get(region, ())) if placement.zones else []


def _detail(graph: StackGraph, qid: str) -> str:
    placement = graph.placement(qid)
    parts: list[str] = []
    replicas = graph.component(qid).replicas
    if replicas is not None:
        parts.append(f"{replicas} replica" + ("" if replicas == 1 else "s"))
    if placement.zones is None:
        parts.append("regional")
    for domain in placement.domains():
        if domain.kind is DomainKind.CELL:
            parts.append(f"cell {domain.id.split('/', 1)[1]}")
        elif domain.kind is DomainKind.SHARED:
            parts.append(f"shared {domain.id.split('/', 1)[1]}")
    return " · ".join(parts)


def _curve(x1: float, y1: float, x2: float, y2: float) -> str:
    if x2 > x1:
        mid = (x1 + x2) / 2
        return f"M{x1:.1f},{y1:.1f} C{mid:.1f},{y1:.1f} {mid:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    loop = max(40.0, abs(y2 - y1) / 3)
    return (
        f"M{x1:.1f},{y1:.1f} C{x1 + loop:.1f},{y1 + loop:.1f} "
        f"{x2 - loop:.1f},{y2 + loop:.1f} {x2:.1f},{y2:.1f}"
    )


def layout(graph: StackGraph, failing: Mapping[str, tuple[int, str]] | None = None) -> Diagram:
    """Lay the graph out (pure and deterministic); ``failing`` maps a component's qualified id
    to its number of failing findings and their worst severity."""
    failing = failing or {}
    spofs, domain_spofs = single_points(graph)
    stacks = graph.stacks()
    colours = {s: PALETTE[i % len(PALETTE)] for i, s in enumerate(stacks)}
    components = graph.components()
    externals = sorted({e.target for e in graph.unresolved})
    nodes = [*components, *externals]
    depth = _depths(graph, nodes)
    keys = {q: _band_key(graph, q) for q in components}
    band_keys = sorted(set(keys.values()), key=lambda k: (k[0], not k[2], len(k[1]), k[1]))
    external_key = ("", ("not loaded",), True)
    if externals:
        band_keys.append(external_key)
    for x in externals:
        keys[x] = external_key
    columns = max(depth.values(), default=0) + 1
    bands: list[Band] = []
    boxes: list[Box] = []
    where: dict[str, tuple[float, float]] = {}
    y = float(TOP)
    for index, key in enumerate(band_keys):
        members = sorted(q for q in nodes if keys[q] == key)
        per_col: dict[int, list[str]] = {}
        for q in members:
            per_col.setdefault(depth[q], []).append(q)
        rows = max(len(v) for v in per_col.values())
        height = 2 * BAND_PAD + rows * BOX_H + (rows - 1) * ROW_GAP
        if key is external_key:
            label, sub = "other stacks", "components not loaded in this run"
        else:
            label, sub = _band_label(key)
        bands.append(
            Band(
                y,
                height,
                clip(label, LABEL_W + 24),
                clip(sub, LABEL_W + 24),
                index % 2 == 0,
                f"{label} · {sub}",
            )
        )
        for col, items in sorted(per_col.items()):
            for row, q in enumerate(items):
                bx = LABEL_W + col * (BOX_W + COL_GAP) + COL_GAP / 2
                by = y + BAND_PAD + row * (BOX_H + ROW_GAP)
                where[q] = (bx, by)
                if q in externals:
                    boxes.append(
                        Box(q, bx, by, clip(q, BOX_W - 16), "not loaded", "", "#7f7f7f", (), True)
                    )
                    continue
                stack = graph.stack_of(q)
                comp = graph.component(q)
                fails, worst = failing.get(q, (0, ""))
                boxes.append(
                    Box(
                        qid=q,
                        x=bx,
                        y=by,
                        title=clip(comp.id, BOX_W - 16),
                        subtitle=clip(f"{stack} · {graph.kind(q).value}", BOX_W - 16),
                        detail=clip(
                            _detail(graph, q), BOX_W - 16 - 12 * len(_pips(graph, q, 0, 0))
                        ),
                        colour=colours[stack],
                        pips=_pips(graph, q, bx, by),
                        tooltip=comp.description or "",
                        spof=q in spofs,
                        failing=fails,
                        severity=worst,
                    )
                )
        y += height
    edges: list[Edge] = []
    drawn = [*graph.dependency_edges(), *graph.fallback_edges(), *graph.unresolved]
    for e in sorted(drawn, key=lambda e: (e.source, e.target, isinstance(e, FallbackEdge))):
        if e.source not in where or e.target not in where:
            continue
        sx, sy = where[e.source]
        tx, ty = where[e.target]
        path = _curve(sx + BOX_W, sy + BOX_H / 2, tx, ty + BOX_H / 2)
        if isinstance(e, FallbackEdge):
            edges.append(Edge(path, "fallback", f"{e.source} falls back to {e.target}"))
        else:
            style = "optional" if e.optional else "required"
            edges.append(Edge(path, style, f"{e.source} calls {e.target}"))
    width = LABEL_W + columns * (BOX_W + COL_GAP) + 10
    legend = tuple(Legend(s, colours[s]) for s in stacks)
    return Diagram(width, y + TOP, tuple(bands), tuple(boxes), tuple(edges), legend, domain_spofs)
