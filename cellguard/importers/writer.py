"""A small YAML writer that keeps comments: every value can carry a trailing ``# ...``.

PyYAML cannot write comments, and the draft's point is that each imported value says where it
came from. The draft is a tree of :class:`Mapping`, :class:`Sequence` and :class:`Scalar` nodes
(plus :class:`Comment` lines); :func:`render` writes it in block style, scalars plain where YAML
reads them back as the same string and double-quoted (JSON escapes, unsafe characters escaped)
otherwise, lists of scalars in flow style. Comments are inert and on one line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from cellguard.models.text import UNSAFE, escape_char, inert

_PLAIN = re.compile(r"^[A-Za-z0-9_./@+-][A-Za-z0-9_./@+:=-]*$")
COMMENT_COLUMN = 44
"""Trailing comments start at this column when the line is shorter."""


@dataclass
class Scalar:
    """A scalar value, or a list of scalars (written ``[a, b]``), with a trailing comment."""

    value: Any
    comment: str = ""


@dataclass
class Comment:
    """A full-line comment (several lines allowed)."""

    text: str


@dataclass
class Mapping:
    """A block mapping: keys in the order given; a comment after the key of a nested mapping."""

    entries: list[tuple[str, Node] | Comment] = field(default_factory=list)
    comment: str = ""

    def add(self, key: str, node: Node) -> None:
        """Append ``key: node``."""
        self.entries.append((key, node))

    def note(self, text: str) -> None:
        """Append a full-line comment."""
        self.entries.append(Comment(text))

    def child(self, key: str) -> Mapping:
        """The nested mapping at ``key``, created (at the end) if missing."""
        for entry in self.entries:
            if isinstance(entry, tuple) and entry[0] == key and isinstance(entry[1], Mapping):
                return entry[1]
        made = Mapping()
        self.add(key, made)
        return made

    def has(self, key: str) -> bool:
        """Whether ``key`` is set."""
        return any(isinstance(e, tuple) and e[0] == key for e in self.entries)


@dataclass
class Sequence:
    """A block sequence of mappings or scalars."""

    items: list[Mapping | Scalar] = field(default_factory=list)
    comment: str = ""


Node = Scalar | Mapping | Sequence


_RESOLVER = yaml.resolver.Resolver()
_STR = "tag:yaml.org,2002:str"


def _resolves_to_str(text: str) -> bool:
    """Whether YAML reads the plain scalar ``text`` as a string (not a bool, number, null)."""
    resolve: Any = _RESOLVER.resolve  # untyped in types-PyYAML
    return bool(resolve(yaml.ScalarNode, text, (True, False)) == _STR)


def scalar_text(value: Any) -> str:
    """``value`` as a YAML scalar that reads back equal."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(scalar_text(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.match(text) and not text.endswith(":") and _resolves_to_str(text):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return UNSAFE.sub(lambda m: escape_char(m.group()), quoted)


def _with_comment(line: str, comment: str) -> str:
    if not comment:
        return line
    shown = inert(comment, single_line=True)
    return (
        f"{line.ljust(COMMENT_COLUMN - 1)} # {shown}"
        if len(line) < COMMENT_COLUMN
        else (f"{line}  # {shown}")
    )


def _comment_lines(text: str, pad: str) -> list[str]:
    return [f"{pad}# {inert(line, single_line=True)}".rstrip() for line in text.split("\n")]


def _mapping(node: Mapping, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for entry in node.entries:
        if isinstance(entry, Comment):
            lines.extend(_comment_lines(entry.text, pad))
            continue
        key, value = entry
        head = f"{pad}{key}:"
        if isinstance(value, Scalar):
            lines.append(_with_comment(f"{head} {scalar_text(value.value)}", value.comment))
        elif isinstance(value, Mapping):
            if not any(isinstance(e, tuple) for e in value.entries):
                lines.append(_with_comment(f"{head} {{}}", value.comment))
                lines.extend(_mapping(value, indent + 2))
            else:
                lines.append(_with_comment(head, value.comment))
                lines.extend(_mapping(value, indent + 2))
        else:
            if not value.items:
                lines.append(_with_comment(f"{head} []", value.comment))
            else:
                lines.append(_with_comment(head, value.comment))
                lines.extend(_sequence(value, indent + 2))
    return lines


def _sequence(node: Sequence, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in node.items:
        if isinstance(item, Scalar):
            lines.append(_with_comment(f"{pad}- {scalar_text(item.value)}", item.comment))
            continue
        body = _mapping(item, indent + 2)
        first = next(i for i, line in enumerate(body) if not line.lstrip().startswith("#"))
        body[first] = f"{pad}- {body[first][indent + 2 :]}"
        lines.extend(body)
    return lines


def render(root: Mapping, header: str = "") -> str:
    """The YAML text of ``root``, after the full-line comment ``header``."""
    lines = _comment_lines(header, "") if header else []
    lines.extend(_mapping(root, 0))
    return "\n".join(lines) + "\n"


def line_with_comment(line: str, comment: str) -> str:
    """``line`` with the trailing comment ``comment`` (inert, one line) at the usual column."""
    return _with_comment(line, comment)


def render_items(items: Sequence, indent: int) -> str:
    """The block sequence ``items`` with its dashes at column ``indent``, as text lines."""
    return "\n".join(_sequence(items, indent)) + "\n"


def render_mapping(node: Mapping, indent: int) -> str:
    """The block mapping ``node`` with its keys at column ``indent``, as text lines."""
    return "\n".join(_mapping(node, indent)) + "\n"
