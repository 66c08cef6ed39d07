"""``import --into SPEC``: update a spec a person wrote from the manifests or templates.

What the importer reads is compared with the spec exactly as ``drift`` compares it
(:mod:`~cellguard.importers.drift`), and each difference becomes an edit of the spec's text
(:mod:`~cellguard.importers.yaml_edit`), so that every byte the importer does not change stays
as it was -- business impact, journeys, waivers, comments, blank lines, key order, quoting:

- ``changed``: the value is replaced in place; a trailing ``# from FILE:LINE`` comment (the
  importer's own provenance) is replaced by the new place, any other comment is kept;
- ``missing-in-spec``: the key is added at the end of its mapping, with a ``# from FILE:LINE``
  comment (a nested key whose mapping is missing is added with the mapping);
- ``not-in-spec``: the workload is added at the end of ``components`` as ``import`` drafts it
  (placement zones and shared domains only where the spec's topology has them);
- ``removed`` and ``not-deployed``: **reported, never applied**. A key or a component the
  manifests no longer have may be gone on purpose or only moved; deleting it could delete what a
  person wrote about it. ``drift`` keeps reporting it until it is removed by hand;
- values that cannot be edited safely (a block list, a flow mapping, a node shared through an
  alias, zone names where the spec has zone ids) are reported and left alone.

The result must validate before anything is written (:attr:`Merged.invalid` says why it does
not: an update that contradicts what the spec keeps, such as a new GPU beside an instance
type that does not carry it); the caller writes it atomically.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from cellguard.importers.context import Context
from cellguard.importers.dependencies import Call
from cellguard.importers.draft import TODO, build_draft, identifier
from cellguard.importers.drift import Difference, DriftReport, Source, compare, match
from cellguard.importers.facts import Wording, Workload
from cellguard.importers.writer import (
    Comment,
    Mapping,
    Node,
    Scalar,
    Sequence,
    line_with_comment,
    render_items,
    scalar_text,
)
from cellguard.importers.yaml_edit import Edit, Tree, apply
from cellguard.models.loader import LoadedDocument, SpecLoadError, build_organisation, load
from cellguard.models.loader.document import parse_document
from cellguard.models.loader.source import decode
from cellguard.models.quoting import quoted

_PROVENANCE = re.compile(r"^# from \S+:\d+\b")
REQUIRED = {"autoscaling": ("min", "max"), "model": ("name",), "image": ("reference",)}
"""Nested mappings of the spec and the keys they cannot be written without."""


@dataclass(frozen=True)
class Change:
    """One line of the summary: what happened to a value or a component."""

    action: str
    """``changed``, ``added``, ``new`` (component), or ``kept`` (reported, not applied)."""
    component: str
    text: str


@dataclass
class Merged:
    """The spec's text before and after, and what changed."""

    spec: Path
    old: str
    new: str
    changes: list[Change] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
    """Why the updated text would not validate (then it is not written)."""

    def count(self, action: str) -> int:
        """How many changes of ``action``."""
        return sum(1 for c in self.changes if c.action == action)


class _Merger:
    def __init__(self, doc: LoadedDocument, text: str) -> None:
        self.doc = doc
        self.tree = Tree.of(text)
        self.edits: list[Edit] = []
        self.changes: list[Change] = []
        self.index = {c.id: i for i, c in enumerate(doc.document.components)}
        self.inserts: dict[tuple[int, str], list[Difference]] = {}

    def kept(self, component: str, text: str) -> None:
        self.changes.append(Change("kept", component, text))

    def difference(self, d: Difference) -> None:
        index = self.index[d.component]
        path: tuple[str | int, ...] = ("components", index, *d.path)
        where = f"from {d.manifest_place}" if d.manifest_place else ""
        if self.tree.shared(path):
            self.kept(d.component, f"{d.key}: shared through a YAML alias; {d.message}")
        elif d.kind == "changed":
            self.replace(d, path, where)
        elif d.kind == "missing-in-spec":
            self.inserts.setdefault((index, d.path[0]), []).append(d)
        elif d.kind == "removed":
            self.kept(d.component, f"{d.message}; remove {d.key} by hand if that is intended")

    def _value(self, d: Difference) -> Any | None:
        """The value to write for ``d``, or ``None`` (and a kept line) when it cannot be."""
        value = d.manifest_value
        if d.path == ("placement", "zones"):
            if isinstance(value, list) and isinstance(d.spec_value, int):
                value = len(value)  # the spec counts zones: keep counting
            if isinstance(value, list):
                self.kept(
                    d.component,
                    f"{d.key}: the {d.source} name the zones {', '.join(map(str, value))}; "
                    "the spec needs zone ids: set them by hand",
                )
                return None
            zones = self.zone_count()
            if zones is not None and value > zones:
                self.kept(
                    d.component,
                    f"{d.key}: the {d.source} say {value} zones, the spec's region has {zones}: "
                    "add zones to the topology and set it by hand",
                )
                return None
        return value

    def replace(self, d: Difference, path: tuple[str | int, ...], where: str) -> None:
        node = self.tree.values.get(path)
        if node is None:
            self.kept(d.component, f"{d.message} (not found in the text; set it by hand)")
            return
        if d.path == ("placement", "zones") and isinstance(d.spec_value, list):
            self.kept(d.component, f"{d.message}; the spec lists zone ids: set them by hand")
            return
        value = self._value(d)
        if value is None:
            return
        new = scalar_text(_plain(value))
        if isinstance(node, yaml.CollectionNode) and not node.flow_style:
            self.replace_block(d, path, node, new, where)
            return
        start, end = node.start_mark.index, node.end_mark.index
        comment = self.tree.trailing_comment(node)
        if comment is None:
            self.edits.append(Edit(start, end, new))
        else:
            # keep the comment where it was: the gap shrinks or grows by the value's change
            gap = comment[0] - end
            pad = max(min(gap, 2), gap - (len(new) - (end - start)))
            self.edits.append(Edit(start, comment[0], new + " " * pad))
            if where and _PROVENANCE.match(self.tree.text[comment[0] : comment[1]]):
                self.edits.append(Edit(comment[0], comment[1], f"# {where}"))
        shown = f"{scalar_text(_plain(d.spec_value))} -> {scalar_text(_plain(value))}"
        self.changes.append(Change("changed", d.component, f"{d.key}: {shown} ({where})"))

    def replace_block(
        self, d: Difference, path: tuple[str | int, ...], node: yaml.Node, new: str, where: str
    ) -> None:
        """A block list of scalars becomes a flow list on its key's line, unless comments
        sit among its items (they would be lost): then it is left to the user."""
        key = self.tree.keys.get(path)
        text = self.tree.text
        colon = text.find(":", key.end_mark.index) if key is not None else -1
        end = self.tree.last_line_end(node) - 1
        items = getattr(node, "value", [])
        scalars = all(isinstance(i, yaml.ScalarNode) for i in items)
        if colon < 0 or not scalars or "#" in text[colon:end] or text[end : end + 1] != "\n":
            self.kept(d.component, f"{d.message}; a block list with comments: set it by hand")
            return
        self.edits.append(Edit(colon, end, f": {new}"))
        shown = f"{scalar_text(_plain(d.spec_value))} -> {new}"
        self.changes.append(Change("changed", d.component, f"{d.key}: {shown} ({where})"))

    def insert_all(self) -> None:
        for (index, top), group in self.inserts.items():
            self.insert(index, top, group)

    def insert(self, index: int, top: str, group: list[Difference]) -> None:
        component = self.doc.document.components[index].id
        values = [(d, self._value(d)) for d in group]
        written = [(d, v) for d, v in values if v is not None]
        if not written:
            return
        comp_path: tuple[str | int, ...] = ("components", index)
        comp_node = self.tree.values[comp_path]
        column = self.tree.key_column(comp_node)
        lines: list[str] = []
        if len(written[0][0].path) == 1:
            target = comp_node
            for d, v in written:
                text = f"{' ' * (column or 0)}{top}: {scalar_text(_plain(v))}"
                lines.append(line_with_comment(text, f"from {d.manifest_place}"))
        else:
            parent = self.tree.values.get((*comp_path, top))
            if parent is not None:
                target = parent
                column = self.tree.key_column(parent)
            else:
                need = REQUIRED.get(top, ())
                have = {d.path[1] for d, _ in written}
                if not set(need) <= have:
                    for d, _ in written:
                        self.kept(component, f"{d.message}; {top} also needs {', '.join(need)}")
                    return
                target = comp_node
                lines.append(f"{' ' * (column or 0)}{top}:")
                column = (column or 0) + 2
            for d, v in written:
                text = f"{' ' * (column or 0)}{d.path[1]}: {scalar_text(_plain(v))}"
                lines.append(line_with_comment(text, f"from {d.manifest_place}"))
        if column is None:
            for d, _ in written:
                self.kept(component, f"{d.message}; {top} is not a block mapping: set it by hand")
            return
        at = self.tree.last_line_end(target)
        self.edits.append(Edit(at, at, "\n".join(lines) + "\n"))
        for d, v in written:
            self.changes.append(
                Change(
                    "added",
                    component,
                    f"{d.key}: {scalar_text(_plain(v))} (from {d.manifest_place})",
                )
            )

    def zone_count(self) -> int | None:
        regions = self.doc.document.topology.regions
        return len(regions[0].zones) if regions else None


def _plain(value: Any) -> Any:
    return sorted(value) if isinstance(value, set) else value


def _new_components(
    merger: _Merger, news: list[Workload], ctx: Context, calls: list[Call], words: Wording
) -> None:
    """Append the workloads the spec lacks to ``components``, drafted as ``import`` would."""
    if not news:
        return
    doc = merger.doc.document
    items = merger.tree.values.get(("components",))
    if not isinstance(items, yaml.SequenceNode) or not items.value or items.flow_style:
        for w in news:
            merger.kept(w.id, f"{w.key} is new, but components is empty or a flow list: add it")
        return
    draft = build_draft(ctx, calls, name=None, words=words)
    drafted = next(n for k, n in _entries(draft.root) if k == "components")
    assert isinstance(drafted, Sequence)
    by_id = {w.id: node for w, node in zip(ctx.workloads, drafted.items, strict=True)}
    domains = {d.id for d in doc.topology.shared_domains}
    zones = merger.zone_count() or 0
    adding = Sequence()
    for w in news:
        node = by_id[w.id]
        assert isinstance(node, Mapping)
        _fit(node, domains, zones)
        adding.items.append(node)
        origin = w.manifest.origin("metadata", "name")
        merger.changes.append(Change("new", w.id, f"component {w.id}: {w.key} (from {origin})"))
    last = items.value[-1]
    dash = merger.tree.text.rfind("-", 0, last.start_mark.index)
    line_start = merger.tree.text.rfind("\n", 0, dash) + 1
    at = merger.tree.last_line_end(items)
    merger.edits.append(Edit(at, at, render_items(adding, dash - line_start)))


def _entries(node: Mapping) -> list[tuple[str, Any]]:
    return [e for e in node.entries if isinstance(e, tuple)]


def _fit(node: Mapping, domains: set[str], zones: int) -> None:
    """Drop from a drafted component what the spec's topology does not have: placeholder zone
    ids (and counts past the region's zones) and shared domains it does not declare, each
    replaced by a TODO comment."""
    entries: list[tuple[str, Node] | Comment] = []
    for entry in node.entries:
        if isinstance(entry, tuple) and entry[0] == "placement" and isinstance(entry[1], Mapping):
            placement = entry[1]
            placement.entries = [_fit_zones(e, zones) for e in placement.entries]
            entry = entry if _entries(placement) else Comment(f"{TODO}: placement.zones")
        elif isinstance(entry, tuple) and entry[0] == "shared_domains":
            value = entry[1]
            assert isinstance(value, Scalar)
            missing = [d for d in value.value if d not in domains]
            if missing:
                kept = [d for d in value.value if d in domains]
                note = f"{TODO}: shared domains not in the topology: {', '.join(missing)}"
                entries.append(Comment(note))
                entry = ("shared_domains", Scalar(kept, value.comment)) if kept else Comment(note)
                if not kept:
                    continue
        entries.append(entry)
    node.entries = entries


def _fit_zones(entry: tuple[str, Node] | Comment, zones: int) -> tuple[str, Node] | Comment:
    if isinstance(entry, tuple) and entry[0] == "zones" and isinstance(entry[1], Scalar):
        value = entry[1]
        if not isinstance(value.value, int) or value.value > zones:
            return Comment(f"{TODO}: placement.zones ({value.comment})")
    return entry


def merge_into(
    spec: Path, source: Source, ctx: Context, calls: list[Call], words: Wording
) -> Merged:
    """The spec at ``spec`` updated from ``source`` (read into ``ctx`` with ``calls``)."""
    if spec.is_dir():
        raise SpecLoadError.at(
            str(spec),
            1,
            1,
            "--into needs one spec file, not a directory",
            code="io",
            suggestion="give the stack file the manifests describe",
        )
    org = load(spec)
    doc = org.documents[0]
    text = decode(spec.read_bytes(), str(spec))
    report: DriftReport = compare(spec, [source])
    merger = _Merger(doc, text)
    pairs, missing = match([doc], [source])
    for _, index, w, _ in pairs:
        w.id = doc.document.components[index].id  # new components call it by its spec id
    news: list[Workload] = []
    for d in report.differences:
        if d.kind == "not-in-spec":
            news.extend(w for w in source.workloads if w.key == d.manifest_value)
        elif d.kind == "not-deployed":
            merger.kept(
                d.component,
                f"{d.message}; remove the component by hand if it is gone "
                "(drift reports it until then)",
            )
        else:
            merger.difference(d)
    merger.insert_all()
    described = {i for _, i, _, _ in pairs} | {i for _, i, _ in missing}
    for i, comp in enumerate(doc.document.components):
        if i not in described:
            merger.kept(
                comp.id,
                f"nothing in the {source.noun} is called {quoted(comp.id)} or labelled as it; "
                "kept (remove it by hand if it is gone)",
            )
    taken = {c.id for c in doc.document.components}
    for w in news:  # new components get ids the spec does not use
        base, number = w.id, 2
        while w.id in taken:
            w.id = identifier(f"{base}-{number}")
            number += 1
        taken.add(w.id)
    _calls(merger, pairs, news, calls)
    _new_components(merger, news, ctx, calls, words)
    new = apply(text, merger.edits)
    merged = Merged(spec, text, new, merger.changes)
    if new != text:
        try:
            build_organisation([parse_document(new, str(spec))], org_mode=False)
        except SpecLoadError as exc:
            merged.invalid = [
                f"line {d.line} ({d.key_path or 'document'}): {d.message}" for d in exc.diagnostics
            ]
    return merged


def _calls(merger: _Merger, pairs: list[Any], news: list[Workload], calls: list[Call]) -> None:
    """Calls from components the spec has to ones its depends_on lacks: reported."""
    spec_of = {id(w): merger.doc.document.components[i] for _, i, w, _ in pairs}
    new_ids = {id(w): w.id for w in news}
    for call in calls:
        caller = spec_of.get(id(call.caller))
        if caller is None:
            continue
        callee = spec_of.get(id(call.callee))
        target = callee.id if callee is not None else new_ids.get(id(call.callee))
        if target is None or target in {dep.to for dep in caller.depends_on}:
            continue
        new = " (a new component)" if callee is None else ""
        merger.kept(
            caller.id,
            f"calls {quoted(target)}{new} (from {call.origin}, {call.where}), which its "
            "depends_on does not list: add it by hand with its timeout and retries",
        )
