"""Safe, line-aware YAML reading: plain data plus the source position of every key and value.

PyYAML composes the document into a node graph (safe tags only); this module turns it into plain
Python data itself so that it can (a) record a :class:`SourceMap` of positions, (b) refuse duplicate
keys, and (c) bound alias expansion before anything is materialised ("billion laughs").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import yaml

from cellguard.models.loader.errors import Diagnostic, KeyPath, SpecLoadError
from cellguard.models.loader.positions import Position as Position  # re-exported
from cellguard.models.loader.positions import SourceMap as SourceMap  # re-exported
from cellguard.models.loader.positions import position
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
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_PLAIN_TAGS = (_SEQ_TAG, _MAP_TAG)
_SCALAR = yaml.ScalarNode


class _ComposingLoader(_Loader):  # type: ignore[misc]  # PyYAML's loader classes are untyped
    """The safe loader with its resolver's per-node work cut to what a safe load can need.

    While composing, libyaml's binding calls three resolver methods for every node: the tracking
    of path resolvers on the way down and up (no-ops: none is registered, :func:`compose` checks)
    and :meth:`resolve`, which tries the implicit tags' regular expressions on every plain
    scalar. Those calls took a third of composing a 10,000-component organisation. Here a plain
    scalar's tag is looked up once per distinct text of the document, and every other node takes
    the default tag :meth:`resolve` would give it; the tags are PyYAML's own.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._plain: dict[str, str] = {}

    # Nothing to track without path resolvers. The binding calls ``descend_resolver(parent,
    # index)`` and ``ascend_resolver()`` for every node: builtins that take those arguments and
    # do nothing of note cost less than a Python function.
    descend_resolver = slice
    ascend_resolver = tuple

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """The tag of a node without an explicit one, as PyYAML's resolver gives it."""
        if kind is _SCALAR:
            if implicit[0]:  # plain: one of the implicit tags (int, bool, null, ...) or str
                tag = self._plain.get(value)
                if tag is None:
                    tag = self._plain[value] = super().resolve(kind, value, implicit)
                return tag
            return _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


def _pos(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


_YAML_TAGS = "tag:yaml.org,2002:"
"""The prefix of YAML's own tags: only scalars with one are built inline (others go through
``build()``, which a subclass may extend)."""
_Constructor = Callable[[yaml.constructor.SafeConstructor, yaml.Node], Any]
_CONSTRUCTORS: dict[str | None, _Constructor] = yaml.constructor.SafeConstructor.yaml_constructors
_SHARED_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float")
)  # values that are immutable: one object may stand for every scalar that reads the same


class _Builder:
    """Turns a composed node graph into data while filling a source map."""

    def __init__(self, source: SourceMap) -> None:
        self.source = source
        self.errors: list[Diagnostic] = []
        self._constructor = yaml.constructor.SafeConstructor()
        self._scalars: dict[tuple[str, str], Any] = {}
        self._keys, self._values = source.record_marks()

    def _error(self, node: yaml.Node, path: KeyPath, message: str, code: str, **kw: Any) -> None:
        p = _pos(node)
        self.errors.append(
            Diagnostic(self.source.file, p.line, p.column, path, message, code=code, **kw)
        )

    def record(self, path: KeyPath, node: yaml.Node) -> None:
        """Record the position of the value at ``path`` unless one is recorded already."""
        self._values.setdefault(path, node.start_mark)

    def _unsupported_tag(self, node: yaml.Node, path: KeyPath) -> None:
        self._error(
            node,
            path,
            f"unsupported YAML tag {quoted(str(node.tag))}",
            "yaml-tag",
            suggestion="remove the tag; cellguard reads plain YAML only",
        )

    def scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        tag = node.tag
        if tag in (_STR_TAG, _TIMESTAMP_TAG):
            return str(node.value)  # dates are parsed (and range-checked) by the models
        shared = tag in _SHARED_TAGS
        if shared:
            key = (tag, node.value)
            if key in self._scalars:
                return self._scalars[key]
        ctor = _CONSTRUCTORS.get(tag)
        if ctor is None:
            self._unsupported_tag(node, path)
            return None
        try:
            value = ctor(self._constructor, node)
        except (ValueError, LookupError, OverflowError, TypeError, yaml.YAMLError):
            # PyYAML's constructors index and look up the raw text: ``!!bool foo`` is a
            # KeyError, ``!!int ""`` an IndexError; a 5,000-digit ``!!int`` a ValueError.
            self._error(
                node,
                path,
                f"cannot read value {quoted(str(node.value), escape=True)} as {tag.rsplit(':', 1)[-1]}",
                "yaml-value",
                suggestion="remove the tag or write a value of that type",
            )
            return None
        if shared:
            self._scalars[key] = value
        return value

    def build(self, node: yaml.Node, path: KeyPath) -> Any:
        if len(path) > MAX_DEPTH:
            p = _pos(node)
            raise _too_deep(self.source.file, p.line, p.column)
        # each path is built once (a merged key only where no explicit key has it)
        self._values[path] = node.start_mark
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        if node.tag not in _PLAIN_TAGS:
            self._unsupported_tag(node, path)
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            build = self.build
            return [build(item, path + (i,)) for i, item in enumerate(node.value)]  # noqa: RUF005
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
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        keys, values, build, scalar = self._keys, self._values, self.build, self.scalar
        leaves = len(path) < MAX_DEPTH  # scalar values are built here, not in build()
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG:
                for src in self._merge_sources(value_node, path):
                    merged.extend(src.value)
                continue
            if type(key_node) is not _SCALAR and not isinstance(key_node, yaml.ScalarNode):
                self._error(key_node, path, "keys must be plain strings", "yaml-key")
                continue
            key = str(key_node.value)
            key_path = path + (key,)  # noqa: RUF005  # concatenation: half the time of (*path, key)
            if key in out:  # an explicit key of this mapping already read: its path is recorded
                self._error(
                    key_node,
                    key_path,
                    f"duplicate key {quoted(key)} "
                    f"(first defined at line {position(keys[key_path]).line})",
                    "duplicate-key",
                    suggestion="remove one of them; YAML would silently keep only the last",
                )
                continue
            keys[key_path] = key_node.start_mark
            tag = value_node.tag
            if tag == _STR_TAG and type(value_node) is _SCALAR and leaves:  # build(), inlined
                values[key_path] = value_node.start_mark
                out[key] = str(value_node.value)
            elif type(value_node) is _SCALAR and leaves and tag.startswith(_YAML_TAGS):
                values[key_path] = value_node.start_mark
                out[key] = scalar(value_node, key_path)
            else:  # containers, and application tags a subclass's build() reads (CloudFormation)
                out[key] = build(value_node, key_path)
        for key_node, value_node in merged:  # explicit keys win over merged ones
            key = str(key_node.value)
            if key not in out and isinstance(key_node, yaml.ScalarNode):
                key_path = (*path, key)
                keys.setdefault(key_path, key_node.start_mark)
                out[key] = build(value_node, key_path)
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
    # without path resolvers (PyYAML's safe loaders register none) the lean resolver is exact
    loader = _Loader(text) if _Loader.yaml_path_resolvers else _ComposingLoader(text)
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
