"""Reading Kubernetes manifests: one object per YAML document, every position kept.

Every document goes through the spec loader's reader (:func:`cellguard.models.loader.source.
read_yaml`): safe tags only, duplicate keys refused, alias expansion and nesting bounded, and
the position of every key and value kept. A multi-document file (``helm template`` and
``kustomize build`` print one) is cut at its document markers first -- a line starting with
``---`` or ``...`` is a marker wherever it appears, YAML forbids it inside scalars -- and each
document is read on its own, its positions moved to the line it starts on. A ``kind: List``
(``kubectl get -o yaml``) stands for its items.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cellguard.importers.inputs import Input
from cellguard.models.loader.errors import Diagnostic, KeyPath, SpecLoadError
from cellguard.models.loader.source import Position, SourceMap, read_yaml
from cellguard.models.quoting import clipped, quoted

MAX_DOCUMENTS = 20_000
"""Most YAML documents read over all inputs."""


_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)")


@dataclass(frozen=True, order=True)
class Origin:
    """A file and a 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        """``file:line``."""
        return f"{self.file}:{self.line}"


class Problems:
    """Diagnostics collected while reading: every problem of every input is reported at once."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        """Record one problem."""
        self.items.append(diagnostic)

    def raise_if_any(self) -> None:
        """Raise :class:`SpecLoadError` with every problem recorded so far."""
        if self.items:
            raise SpecLoadError(self.items)


@dataclass
class Manifest:
    """One Kubernetes object: its identity, its data and where each of its keys is."""

    file: str
    data: dict[str, Any]
    source: SourceMap
    base: KeyPath = ()
    api_version: str = ""
    kind: str = ""
    name: str = ""
    namespace: str = "default"
    explicit_namespace: bool = field(default=False)
    text: str = field(default="", repr=False)
    """The whole input the object was read from (to tell a block scalar from a quoted one)."""

    @property
    def group(self) -> str:
        """The API group: ``apps`` of ``apps/v1``, ``""`` for the core group."""
        return self.api_version.rsplit("/", 1)[0] if "/" in self.api_version else ""

    @property
    def key(self) -> str:
        """``Kind/namespace/name``: how the object is named in messages and in the draft."""
        return f"{self.kind}/{self.namespace}/{self.name}"

    def position(self, *path: str | int) -> Position:
        """Where ``path`` (or its nearest recorded ancestor) is."""
        pos, _ = self.source.locate((*self.base, *path))
        return pos

    def origin(self, *path: str | int) -> Origin:
        """The file and line of ``path`` (or of its nearest recorded ancestor)."""
        return Origin(self.file, self.position(*path).line)

    def get(self, *path: str | int) -> Any:
        """The value at ``path``; ``None`` when a step is missing or of another type."""
        return dig(self.data, path)

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) of the input the object was read from."""
        start = 0
        for _ in range(line - 1):
            start = self.text.find("\n", start) + 1
            if start == 0:
                return ""
        end = self.text.find("\n", start)
        return self.text[start:] if end < 0 else self.text[start:end]

    def diagnostic(
        self,
        path: KeyPath,
        message: str,
        *,
        code: str,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> Diagnostic:
        """A diagnostic at ``path`` of this object."""
        return self.source.diagnostic(
            (*self.base, *path), message, code=code, expected=expected, suggestion=suggestion
        )


def dig(data: Any, path: KeyPath) -> Any:
    """``data[path[0]][path[1]]...``; ``None`` when a step is missing or of another type."""
    current = data
    for step in path:
        if isinstance(step, int):
            if not isinstance(current, list) or not -len(current) <= step < len(current):
                return None
            current = current[step]
        else:
            if not isinstance(current, dict):
                return None
            current = current.get(step)
    return current


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """(first line, text) of each YAML document of ``text``, cut at its markers."""
    lines = text.splitlines(keepends=True)
    start, current = 1, []  # type: tuple[int, list[str]]
    for number, line in enumerate(lines, start=1):
        marker = _MARKER.match(line)
        if marker and marker.group(1) == "---":
            if any(not _blank(x) for x in current):
                yield start, "".join(current)
            start, current = number, [line]
            continue
        current.append(line)
        if marker:  # '...' ends the document
            yield start, "".join(current)
            start, current = number + 1, []
    if any(not _blank(x) for x in current):
        yield start, "".join(current)


def _blank(line: str) -> bool:
    """A line that holds no content: empty, a comment or a directive (``%YAML 1.2``)."""
    stripped = line.strip()
    return not stripped or stripped.startswith(("#", "%", "..."))


def _shifted(source: SourceMap, offset: int) -> SourceMap:
    moved = SourceMap(source.file)
    moved.keys = {k: Position(p.line + offset, p.column) for k, p in source.keys.items()}
    moved.values = {k: Position(p.line + offset, p.column) for k, p in source.values.items()}
    return moved


def read_documents(
    inputs: list[Input], problems: Problems
) -> Iterator[tuple[Input, Any, SourceMap]]:
    """(input, data, positions) of every non-empty document of every input."""
    documents = 0
    for item in inputs:
        for start, chunk in _chunks(item.text):
            documents += 1
            if documents > MAX_DOCUMENTS:
                problems.add(
                    Diagnostic(
                        item.name,
                        start,
                        1,
                        (),
                        f"more than {MAX_DOCUMENTS:,} YAML documents in the inputs",
                        code="input-too-large",
                        suggestion="import the stack's own manifests, not a whole cluster dump",
                    )
                )
                return
            try:
                data, source = read_yaml(chunk, item.name)
            except SpecLoadError as exc:
                for d in exc.diagnostics:
                    problems.add(dataclasses.replace(d, line=d.line + start - 1))
                continue
            if data is None:
                continue
            yield item, data, _shifted(source, start - 1)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def manifests_of(
    item: Input, data: Any, source: SourceMap, problems: Problems, base: KeyPath = ()
) -> Iterator[Manifest]:
    """The Kubernetes objects of one document (the items of a ``List``), checked for shape."""
    file = item.name
    where = Manifest(file, {}, source, base)
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else "a single value"
        problems.add(
            where.diagnostic(
                (),
                f"the document is {shape}, not a Kubernetes object",
                code="k8s-object",
                expected="a mapping with apiVersion, kind and metadata",
                suggestion="give Kubernetes manifests (kubectl, helm template or kustomize build output)",
            )
        )
        return
    api_version, kind = _text(data.get("apiVersion")), _text(data.get("kind"))
    missing = [k for k, v in (("apiVersion", api_version), ("kind", kind)) if v is None]
    if missing:
        present = [k for k in ("apiVersion", "kind") if k in data]
        problems.add(
            where.diagnostic(
                (present[0],) if present else (),
                f"not a Kubernetes object: {' and '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} missing or not a string",
                code="k8s-object",
                expected="apiVersion: <group>/<version> and kind: <Kind>, as strings",
                suggestion="give Kubernetes manifests (kubectl, helm template or kustomize build output)",
            )
        )
        return
    assert api_version is not None and kind is not None
    if kind == "List" or (kind.endswith("List") and isinstance(data.get("items"), list)):
        items = data.get("items")
        if not isinstance(items, list):
            problems.add(
                where.diagnostic(("kind",), "a List without a list of items", code="k8s-object")
            )
            return
        for i, entry in enumerate(items):
            yield from manifests_of(item, entry, source, problems, (*base, "items", i))
        return
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = _text(metadata.get("name")) or _text(metadata.get("generateName"))
    namespace = _text(metadata.get("namespace"))
    if name is None:
        problems.add(
            where.diagnostic(
                ("metadata",) if "metadata" in data else ("kind",),
                f"{kind} without metadata.name",
                code="k8s-object",
                expected="metadata: {name: <name>}",
                suggestion="render the chart or overlay first (helm template, kustomize build)",
            )
        )
        return
    yield Manifest(
        file,
        data,
        source,
        base,
        api_version=api_version,
        kind=kind,
        name=name.rstrip("-"),
        namespace=namespace or "default",
        explicit_namespace=namespace is not None,
        text=item.text,
    )


def type_problem(
    manifest: Manifest, path: KeyPath, value: Any, expected: str, problems: Problems
) -> None:
    """Record that ``path`` holds ``value``, which is not ``expected``."""
    shown = quoted(value, escape=True) if isinstance(value, str) else type(value).__name__
    if isinstance(value, bool):
        shown = str(value).lower()
    elif isinstance(value, int | float) and not isinstance(value, bool):
        shown = clipped(repr(value))
    elif isinstance(value, dict):
        shown = "a mapping"
    elif isinstance(value, list):
        shown = "a list"
    problems.add(
        manifest.diagnostic(
            path,
            f"{manifest.kind} {quoted(manifest.name)}: expected {expected}, got {shown}",
            code="k8s-value",
            expected=expected,
            suggestion="fix the manifest; Kubernetes would reject it too",
        )
    )
