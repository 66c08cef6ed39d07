"""The planner's working copy of the spec: immutable documents edited by key path.

Actions never mutate the loaded models. They ask the workspace to set a value at a key path
(``("components", "llm", "serving", "instance_types")``); the workspace rebuilds the models on
that path with ``model_copy`` and records an :class:`Edit` (before -> after). Edits replay on
the original documents, which is how the engine drops changes that did not help. Each round's
documents are written as YAML and read back through the real loader before they are assessed,
so the planner assesses exactly what it will write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cellguard.models.components import ComponentBase
from cellguard.models.findings import Evidence
from cellguard.models.loader import LoadedDocument, Organisation, build_organisation
from cellguard.models.loader.document import parse_document
from cellguard.models.spec_writer import component_data, dump_document, generated_from
from cellguard.models.stack import Platform, Stack
from cellguard.planner.model import Edit, EditOp, KeyPath

_SELECTORS = ("id", "to", "name")


class PathError(LookupError):
    """A key path that does not exist in the document (a bug in an action)."""


def plain(value: Any) -> Evidence:
    """``value`` as JSON-ready data, as the spec file would spell it."""
    if isinstance(value, BaseModel):
        data: dict[str, Any] = value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        return component_data(data) if isinstance(value, ComponentBase) else data
    if isinstance(value, Enum):
        return value.value  # type: ignore[no-any-return]
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _element(items: Sequence[Any], key: str) -> int:
    for i, item in enumerate(items):
        if any(getattr(item, s, None) == key for s in _SELECTORS):
            return i
    raise PathError(f"no element {key!r}")


def get_in(node: Any, path: KeyPath) -> Any:
    """The value at ``path`` (``None`` where an optional parent is unset)."""
    for seg in path:
        if node is None:
            return None
        if isinstance(node, list):
            node = node[_element(node, seg)]
        elif isinstance(node, BaseModel):
            if seg not in type(node).model_fields:
                raise PathError(f"{type(node).__name__} has no field {seg!r}")
            node = getattr(node, seg)
        else:
            raise PathError(f"cannot descend into {type(node).__name__} at {seg!r}")
    return node


def _rebuilt(
    node: Any, path: KeyPath, op: EditOp, value: Any, parents: list[type[BaseModel]]
) -> Any:
    if not path:
        if op is EditOp.ADD:
            return [*(node or []), value]
        return value
    seg, rest = path[0], path[1:]
    if isinstance(node, list):
        i = _element(node, seg)
        return [*node[:i], _rebuilt(node[i], rest, op, value, parents), *node[i + 1 :]]
    if node is None:
        if not parents:
            raise PathError(f"cannot create a parent for {seg!r}")
        node = parents[0]()
    if not isinstance(node, BaseModel):
        raise PathError(f"cannot descend into {type(node).__name__} at {seg!r}")
    fields = type(node).model_fields
    if seg not in fields:
        raise PathError(f"{type(node).__name__} has no field {seg!r}")
    child_types = _model_types(fields[seg].annotation)
    updated = _rebuilt(getattr(node, seg), rest, op, value, child_types)
    return node.model_copy(update={seg: updated})


def _model_types(annotation: Any) -> list[type[BaseModel]]:
    """Model classes inside an ``X | None`` annotation, to create a missing optional parent."""
    import typing

    out: list[type[BaseModel]] = []
    for arg in (annotation, *typing.get_args(annotation)):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            out.append(arg)
    return out


def _origin(file: str) -> str:
    """The file a document came from; for a generated target, the source it was planned from."""
    try:
        with Path(file).open(encoding="utf-8") as handle:
            first = handle.readline()
    except OSError:
        return file
    return generated_from(first) or file


class Workspace:
    """Documents by name; every edit returns a new model tree and is recorded."""

    def __init__(self, documents: Iterable[LoadedDocument]) -> None:
        loaded = list(documents)
        self.files: dict[str, str] = {d.name: _origin(d.file) for d in loaded}
        self.documents: dict[str, Stack | Platform] = {d.name: d.document for d in loaded}

    def document(self, name: str) -> Stack | Platform:
        """The current version of document ``name``."""
        return self.documents[name]

    def get(self, stack: str, path: KeyPath) -> Any:
        """The current value at ``path`` of document ``stack``."""
        return get_in(self.documents[stack], path)

    def set(self, stack: str, path: KeyPath, value: Any) -> list[Edit]:
        """Set ``path`` to ``value``; returns the edit, or nothing when the value is unchanged."""
        before = self.get(stack, path)
        if plain(before) == plain(value):
            return []
        self.documents[stack] = _rebuilt(self.documents[stack], path, EditOp.SET, value, [])
        return [Edit(stack, path, EditOp.SET, plain(before), plain(value))]

    def add(self, stack: str, path: KeyPath, value: Any) -> list[Edit]:
        """Append ``value`` to the list at ``path``."""
        self.documents[stack] = _rebuilt(self.documents[stack], path, EditOp.ADD, value, [])
        return [Edit(stack, path, EditOp.ADD, None, plain(value))]

    def copy(self) -> Workspace:
        """An independent workspace over the same (immutable) document versions."""
        other = Workspace(())
        other.files = dict(self.files)
        other.documents = dict(self.documents)
        return other

    def organisation(self, *, org_mode: bool) -> Organisation:
        """The documents written as YAML and loaded back through the real loader."""
        loaded = [
            parse_document(dump_document(doc, source=self.files[name]), self.files[name])
            for name, doc in sorted(self.documents.items())
        ]
        return build_organisation(loaded, org_mode=org_mode)

    def texts(self) -> dict[str, str]:
        """Each document's canonical YAML with the generated-by header, by document name."""
        return {
            name: dump_document(doc, source=self.files[name])
            for name, doc in sorted(self.documents.items())
        }
