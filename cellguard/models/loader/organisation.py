"""Load a file or a directory of stack and platform files as one organisation.

Cross-stack references (``other-stack/component``) resolve across the loaded files, and cycles
among required dependencies are found over the whole organisation.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path

from cellguard.models.collector import paused
from cellguard.models.components import ComponentBase
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import (
    Diagnostic,
    Severity,
    SpecLoadError,
    Suggester,
    one_of,
)
from cellguard.models.loader.forked import read_documents
from cellguard.models.loader.journey_checks import organisation_checks
from cellguard.models.loader.semantic import CrossReference, check_document
from cellguard.models.references import qualify, split_reference
from cellguard.models.stack import Platform, Stack

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class Organisation:
    """Every document loaded together, sorted by name, plus non-fatal warnings."""

    documents: list[LoadedDocument]
    warnings: list[Diagnostic] = field(default_factory=list)
    _index: dict[str, LoadedDocument] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the documents by name; ``documents`` is not changed after construction."""
        self._index = {}
        for doc in self.documents:
            self._index.setdefault(doc.name, doc)

    @property
    def stacks(self) -> list[Stack]:
        """The Stack documents."""
        return [d.document for d in self.documents if isinstance(d.document, Stack)]

    @property
    def platforms(self) -> list[Platform]:
        """The Platform documents."""
        return [d.document for d in self.documents if isinstance(d.document, Platform)]

    def by_name(self, name: str) -> LoadedDocument | None:
        """The document called ``name`` (the first one, if a broken set has duplicates)."""
        return self._index.get(name)

    def resolve(self, ref: str, within: str) -> tuple[LoadedDocument, ComponentBase] | None:
        """Resolve a component reference made from document ``within``."""
        stack, comp = split_reference(ref, within)
        doc = self.by_name(stack)
        if doc is None:
            return None
        found = doc.document.component(comp)
        return (doc, found) if found is not None else None


def spec_files(directory: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under ``directory``, skipping hidden folders, sorted."""
    found = [
        p
        for p in directory.rglob("*")
        if p.suffix in SPEC_SUFFIXES
        and p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    ]
    return sorted(found)


def _display(path: Path) -> str:
    """Paths as the user would type them: relative to the working directory where possible.

    Symbolic links are not followed: a link is named as given (also one that dangles or loops).
    """
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


class _CrossReferences:
    """Resolves ``stack/id`` references against the organisation; each stack's ids are
    collected once, and the 'did you mean' hints share one :class:`Suggester` budget."""

    def __init__(self, org: Organisation, org_mode: bool) -> None:
        self.org = org
        self.org_mode = org_mode
        self.suggest = Suggester()
        self._pools: dict[tuple[str, str], tuple[frozenset[str], list[str]]] = {}
        self._choices: dict[tuple[str, str], str] = {}

    def pool(self, doc: LoadedDocument, what: str) -> tuple[frozenset[str], list[str]]:
        """The ids of ``what`` (component or shared domain) in ``doc``, as a set and a list."""
        key = (doc.name, what)
        if key not in self._pools:
            if what == "component":
                ids = [c.id for c in doc.document.components]
            else:
                ids = [d.id for d in doc.document.topology.shared_domains]
            self._pools[key] = (frozenset(ids), ids)
        return self._pools[key]

    def choices(self, key: tuple[str, str], pool: list[str]) -> str:
        """``one_of(pool)``, rendered once per ``key``."""
        if key not in self._choices:
            self._choices[key] = one_of(pool)
        return self._choices[key]

    def check(self, ref: CrossReference) -> Diagnostic | None:
        """A diagnostic when ``ref`` does not resolve, else ``None``."""
        stack_name, target = split_reference(ref.ref, ref.file.name)
        doc = self.org.by_name(stack_name)
        source = ref.file.source
        if doc is None:
            names = [d.name for d in self.org.documents]
            if not self.org_mode:
                return source.diagnostic(
                    ref.path,
                    f"cannot check '{ref.ref}': stack '{stack_name}' is not loaded",
                    code="unresolved-reference",
                    severity=Severity.WARNING,
                    suggestion="validate the directory holding every stack to check cross-stack references",
                )
            near = self.suggest(stack_name, names)
            return source.diagnostic(
                ref.path,
                f"unknown stack '{stack_name}' in reference '{ref.ref}'",
                code="unknown-reference",
                expected="a stack or platform of the organisation: "
                + self.choices(("", "stack"), names),
                suggestion=f"did you mean '{near}/{target}'?" if near else None,
            )
        known, pool = self.pool(doc, ref.what)
        if target in known:
            return None
        near = self.suggest(target, pool)
        return source.diagnostic(
            ref.path,
            f"unknown {ref.what} '{target}' in '{stack_name}'",
            code="unknown-reference",
            expected=f"a {ref.what} of '{stack_name}': " + self.choices((doc.name, ref.what), pool)
            if pool
            else None,
            suggestion=f"did you mean '{stack_name}/{near}'?" if near else None,
        )


def _dependency_edges(org: Organisation) -> dict[tuple[str, str], tuple[LoadedDocument, int, int]]:
    """Required, blocking dependency edges with qualified ids, (caller, callee) -> where the
    first is declared: (file, component index, dependency index)."""
    where: dict[tuple[str, str], tuple[LoadedDocument, int, int]] = {}
    for doc in org.documents:
        name = doc.name
        for ci, comp in enumerate(doc.document.components):
            caller = qualify(comp.id, name)
            for di, dep in enumerate(comp.depends_on):
                if dep.on_required_path:
                    where.setdefault((caller, qualify(dep.to, name)), (doc, ci, di))
    return where


def _has_cycle(edges: Iterable[tuple[str, str]]) -> bool:
    """Whether the edges hold a cycle of two or more nodes (no networkx to import).

    Depth first, iteratively, each node finished once: three times quicker than graphlib's
    ``TopologicalSorter.prepare()`` on the 11,600 edges of 10,001 components."""
    callees: dict[str, list[str]] = {}
    for caller, callee in edges:
        if caller != callee:  # a self-loop is not a cycle here, as in _cycles
            callees.setdefault(caller, []).append(callee)
    finished: set[str] = set()
    for root in callees:
        if root in finished:
            continue
        on_path = {root}
        pending = [(root, iter(callees[root]))]
        while pending:
            node, rest = pending[-1]
            step = next(rest, None)
            if step is None:
                pending.pop()
                on_path.discard(node)
                finished.add(node)
            elif step in on_path:
                return True
            elif step not in finished:
                on_path.add(step)
                pending.append((step, iter(callees.get(step, ()))))
    return False


def _cycles(org: Organisation) -> list[Diagnostic]:
    where = _dependency_edges(org)
    if not _has_cycle(where):  # the usual case: validate starts without importing networkx
        return []
    import networkx as nx

    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from(where)
    out: list[Diagnostic] = []
    for component in sorted(nx.strongly_connected_components(graph), key=min):
        if len(component) < 2:
            continue
        start = min(component)
        sub = graph.subgraph(component)
        edges = nx.find_cycle(sub, source=start)
        cycle = [u for u, _ in edges] + [start]
        single = len({c.split("/")[0] for c in cycle}) == 1
        shown = [c.split("/", 1)[1] for c in cycle] if single else cycle
        doc, ci, di = where[(edges[0][0], edges[0][1])]
        out.append(
            doc.source.diagnostic(
                ("components", ci, "depends_on", di),
                "dependency cycle among required dependencies: " + " -> ".join(shown),
                code="dependency-cycle",
                suggestion="break the cycle: make one edge optional, async, or remove it",
            )
        )
    return out


def _duplicate_names(org: Organisation) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    first: dict[str, LoadedDocument] = {}
    for doc in org.documents:
        if doc.name in first:
            out.append(
                doc.source.diagnostic(
                    ("metadata", "name"),
                    f"duplicate stack name '{doc.name}' (also in {first[doc.name].file})",
                    code="duplicate-id",
                    suggestion="stack and platform names must be unique within an organisation",
                )
            )
        first.setdefault(doc.name, doc)
    return out


def build_organisation(documents: Sequence[LoadedDocument], *, org_mode: bool) -> Organisation:
    """Check a set of parsed documents together; raise :class:`SpecLoadError` on any error."""
    org = Organisation(sorted(documents, key=lambda d: (d.name, d.file)))
    diagnostics: list[Diagnostic] = _duplicate_names(org)
    cross: list[CrossReference] = []
    for doc in org.documents:
        checked = check_document(doc)
        diagnostics += checked.diagnostics
        cross += checked.cross_refs
    references = _CrossReferences(org, org_mode)
    for ref in cross:
        found = references.check(ref)
        if found is not None:
            diagnostics.append(found)
    if not any(d.severity is Severity.ERROR for d in diagnostics):
        diagnostics += _cycles(org) + organisation_checks(org.documents)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    if errors:
        raise SpecLoadError(diagnostics)
    org.warnings = sorted(diagnostics)
    return org


def load(path: Path, *, split: bool = False) -> Organisation:
    """Load a spec file, or every spec file in a directory as one organisation; with
    ``split``, a large one's files are read on two cores (:mod:`.forked`)."""
    if path.is_dir():
        try:
            files = spec_files(path)
        except OSError as exc:
            raise SpecLoadError.at(
                _display(path), 1, 1, f"cannot list directory: {exc.strerror or exc}", code="io"
            ) from None
        if not files:
            raise SpecLoadError.at(
                _display(path), 1, 1, "no *.yaml or *.yml files found", code="io"
            )
        org_mode = True
    elif path.exists() or path.is_symlink():  # a dangling or looping link: reading says why
        files, org_mode = [path], False
    else:
        raise SpecLoadError.at(_display(path), 1, 1, "no such file or directory", code="io")
    with _collector_paused():
        documents: list[LoadedDocument] = []
        diagnostics: list[Diagnostic] = []
        for read in read_documents(files, [_display(f) for f in files], split=split):
            if isinstance(read, SpecLoadError):
                diagnostics += read.diagnostics
            else:
                documents.append(read)
        if diagnostics:
            raise SpecLoadError(diagnostics)
        return build_organisation(documents, org_mode=org_mode)


def _collector_paused() -> AbstractContextManager[None]:
    """Pause Python's cycle collector while a load builds its documents.

    Loading allocates millions of objects that all stay alive (data, positions, models) and
    makes no reference cycles (a test checks it); each automatic collection re-scanned what
    was allocated so far: 18 full collections, 2.3 of the 5.0 s of CPU that loading the
    10,000-component organisation took. Objects are freed by reference counting as before.
    On the way out, what the load built is moved to the oldest generation without a scan
    (``freeze`` then ``unfreeze``): otherwise the first allocation after it would start a
    collection of the young generation over all of it (0.3 s). The collector then runs as
    it was, also when the load fails.
    """
    return paused()
