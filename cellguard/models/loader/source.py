"""Safe, line-aware YAML reading: plain data plus the source position of every key and value.

PyYAML composes the document into a node graph (safe tags only); this module turns it into plain
Python data itself so that it can (a) record a :class:`SourceMap` of positions, (b) refuse duplicate
keys, and (c) bound alias expansion before anything is materialised ("billion laughs").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml

from cellguard.models.loader.errors import Diagnostic, KeyPath, Severity, SpecLoadError
from cellguard.models.quoting import quoted

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest spec file read; real stacks are a few hundred lines."""

MAX_EXPANDED_NODES = 200_000
"""Most YAML nodes a document may expand to once aliases are followed."""

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences read (real specs nest fewer than ten levels).

cellguard's own limit, so that the diagnostic does not depend on the YAML library: libyaml
refuses 1,000 levels with a syntax error, older PyYAML releases recurse until Python's limit."""

_Loader: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"
_TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAGS = ("tag:yaml.org,2002:seq", "tag:yaml.org,2002:map")


class Position(NamedTuple):
    """A 1-based line and column in a file (a tuple: one is made for every YAML node read)."""

    line: int
    column: int


@dataclass
class SourceMap:
    """Positions of the keys and values of one document, by key path."""

    file: str
    keys: dict[KeyPath, Position] = field(default_factory=dict)
    values: dict[KeyPath, Position] = field(default_factory=dict)

    def locate(self, path: KeyPath, *, prefer_key: bool = False) -> tuple[Position, KeyPath]:
        """Position of ``path``, or of its nearest recorded ancestor; and the path found."""
        probe = tuple(path)
        while True:
            first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            if probe in first:
                return first[probe], probe
            if probe in second:
                return second[probe], probe
            if not probe:
                return Position(1, 1), ()
            probe = probe[:-1]

    def diagnostic(
        self,
        path: KeyPath,
        message: str,
        *,
        code: str,
        prefer_key: bool = False,
        expected: str | None = None,
        suggestion: str | None = None,
        severity: Severity = Severity.ERROR,
    ) -> Diagnostic:
        """A diagnostic located at ``path`` in this file."""
        pos, _ = self.locate(path, prefer_key=prefer_key)
        return Diagnostic(
            self.file,
            pos.line,
            pos.column,
            tuple(path),
            message,
            code=code,
            expected=expected,
            suggestion=suggestion,
            severity=severity,
        )


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Turns a composed node graph into data while filling a source map."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.errors: list[Diagnostic] = []
        self._constructor = yaml.constructor.SafeConstructor()

    def _error(self, node: yaml.Node, path: KeyPath, message: str, code: str, **kw: Any) -> None:
        p = _pos(node)
        self.errors.append(
            Diagnostic(self.source.file, p.line, p.column, path, message, code=code, **kw)
        )

    def _unsupported_tag(self, node: yaml.Node, path: KeyPath) -> None:
        self._error(
            node,
            path,
            f"unsupported YAML tag {quoted(str(node.tag))}",
            "yaml-tag",
            suggestion="remove the tag; cellguard reads plain YAML only",
        )

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        if node.tag in (_TIMESTAMP_TAG, _STR_TAG):
            return str(node.value)  # dates are parsed (and range-checked) by the models
        ctor = yaml.constructor.SafeConstructor.yaml_constructors.get(node.tag)
        if ctor is None:
            self._unsupported_tag(node, path)
            return None
        try:
            return ctor(self._constructor, node)
        except (ValueError, LookupError, OverflowError, TypeError, yaml.YAMLError):
            # PyYAML's constructors index and look up the raw text: ``!!bool foo`` is a
            # KeyError, ``!!int ""`` an IndexError; a 5,000-digit ``!!int`` a ValueError.
            self._error(
                node,
                path,
                f"cannot read value {quoted(str(node.value), escape=True)} as {node.tag.rsplit(':', 1)[-1]}",
                "yaml-value",
                suggestion="remove the tag or write a value of that type",
            )
            return None

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        if len(path) > MAX_DEPTH:
            p = _pos(node)
            raise _too_deep(self.source.file, p.line, p.column)
        self.source.values.setdefault(path, _pos(node))
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if isinstance(node, yaml.SequenceNode | yaml.MappingNode) and node.tag not in _PLAIN_TAGS:
            self._unsupported_tag(node, path)
            return None
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        self._error(node, path, "unsupported YAML node", "yaml-node")  # pragma: no cover
        return None

    def _merge_sources(self, node: yaml.Node, path: KeyPath) -> list[yaml.MappingNode]:
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode) and all(
            isinstance(n, yaml.MappingNode) for n in node.value
        ):
            return list(node.value)
        self._error(
            node, path, "a merge key '<<' needs a mapping or a list of mappings", "yaml-merge"
        )
        return []

    def mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for src in self._merge_sources(value_node, path):
                    merged.extend(src.value)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self._error(key_node, path, "keys must be plain strings", "yaml-key")
                continue
            key = str(key_node.value)
            if key in first_seen:
                seen = first_seen[key]
                self._error(
                    key_node,
                    (*path, key),
                    f"duplicate key {quoted(key)} (first defined at line {seen.line})",
                    "duplicate-key",
                    suggestion="remove one of them; YAML would silently keep only the last",
                )
                continue
            first_seen[key] = _pos(key_node)
            self.source.keys[(*path, key)] = _pos(key_node)
            out[key] = self.build(value_node, (*path, key))
        for key_node, value_node in merged:  # explicit keys win over merged ones
            key = str(key_node.value)
            if key not in out and isinstance(key_node, yaml.ScalarNode):
                self.source.keys.setdefault((*path, key), _pos(key_node))
                out[key] = self.build(value_node, (*path, key))
        return out


def _expanded_size(root: yaml.Node, file: str) -> int:
    """Count the nodes the document expands to, following aliases, without expanding it."""
    sizes: dict[int, int] = {}
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            active.discard(key)
            sizes[key] = 1 + sum(sizes[id(c)] for c in _children(node))
            continue
        if key in sizes:
            continue
        if key in active:
            p = _pos(node)
            raise SpecLoadError.at(
                file, p.line, p.column, "recursive YAML alias", code="yaml-alias"
            )
        active.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in sizes)
    return sizes[id(root)]


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of character ``index`` of ``text``."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _too_deep(file: str, line: int = 1, column: int = 1) -> SpecLoadError:
    return SpecLoadError.at(
        file,
        line,
        column,
        f"the document nests more than {MAX_DEPTH} levels deep",
        code="yaml-depth",
        suggestion="real specs nest a few levels; flatten the structure",
    )


def compose(text: str, file: str) -> yaml.Node | None:
    """Compose exactly one YAML document with safe tags; ``None`` if the text holds none."""
    loader = _Loader(text)
    try:
        if not loader.check_node():
            return None
        node: yaml.Node = loader.get_node()
        if loader.check_node():
            p = _pos(loader.get_node())
            raise SpecLoadError.at(
                file,
                p.line,
                p.column,
                "the file holds more than one YAML document",
                code="yaml-multi-document",
                suggestion="put each stack or platform in a file of its own",
            )
        return node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        if "nesting depth" in problem:  # libyaml's own depth limit (PyYAML >= 6.0.4)
            raise _too_deep(file, line, col) from None
        context = f" ({exc.context})" if exc.context else ""
        raise SpecLoadError.at(
            file, line, col, f"YAML syntax error: {problem}{context}", code="yaml-syntax"
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, e.g. a control code
        line, col = _line_column(text, exc.position)
        char = exc.character
        code_point = ord(char) if isinstance(char, str) else int(char)
        raise SpecLoadError.at(
            file,
            line,
            col,
            f"character U+{code_point:04X} is not allowed in YAML",
            code="yaml-character",
            suggestion="remove it, or write it as an escape in a double-quoted string",
        ) from None
    except RecursionError:
        raise _too_deep(file) from None
    finally:
        loader.dispose()


def read_yaml(
    text: str, file: str, *, max_nodes: int = MAX_EXPANDED_NODES
) -> tuple[Any, SourceMap]:
    """Parse ``text`` into plain data and its source map, or raise :class:`SpecLoadError`."""
    source = SourceMap(file)
    node = compose(text, file)
    if node is None:
        return None, source
    # Without an anchor ('&') there is no alias: the composed tree is all there is, and the
    # file-size limit bounds it. Counting its expansion cost ~a third of reading large specs.
    size = _expanded_size(node, file) if "&" in text else 0
    if size > max_nodes:
        p = _pos(node)
        raise SpecLoadError.at(
            file,
            p.line,
            p.column,
            f"the document expands to {size:,} YAML nodes through aliases "
            f"(limit {max_nodes:,}); refusing to expand it",
            code="yaml-alias-bomb",
            suggestion="write the values out instead of nesting aliases",
        )
    builder = _Builder(source)
    try:
        data = builder.build(node, ())
    except RecursionError:
        raise _too_deep(file) from None
    if builder.errors:
        raise SpecLoadError(builder.errors)
    return data, source


def too_large(file: str, size: int, max_bytes: int = MAX_FILE_BYTES) -> SpecLoadError:
    """The error for a file of ``size`` bytes, over the cap of ``max_bytes``."""
    return SpecLoadError.at(
        file,
        1,
        1,
        f"file is {size:,} bytes; the limit is {max_bytes:,} bytes",
        code="file-too-large",
        suggestion="split the organisation into one file per stack",
    )


def decode(raw: bytes, file: str, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Decode a spec file's bytes as UTF-8, enforcing the size cap."""
    if len(raw) > max_bytes:
        raise too_large(file, len(raw), max_bytes)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecLoadError.at(
            file,
            line,
            column,
            f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            code="encoding",
            suggestion="save the file as UTF-8",
        ) from None
