"""The XML layer of the MEF reader: a bounded, entity-free parse into :class:`Node` s.

MEF files come from other tools and other people, so the parse trusts nothing:

* no entity is ever declared, expanded or fetched (no "billion laughs", no external entity):
  a ``<!DOCTYPE>`` with a DTD (internal or external), an entity declaration, an undefined
  entity and an external entity are refused where they stand; only the five predefined
  entities and character references work;
* the size of the file (:data:`MAX_BYTES`), the number of elements (:data:`MAX_ELEMENTS`) and
  their nesting (:data:`MAX_DEPTH`) are bounded, so memory and time are too;
* an encoding that cannot be read is an error naming it, not a crash;
* text outside ``<label>`` (which MEF never has) is an error rather than silently ignored.

Every problem is a :class:`MefError` with the file and the line it concerns.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

MAX_BYTES = 64 * 1024 * 1024
"""Largest MEF file read: 64 MiB (the largest Aralia tree is 0.34 MB)."""

MAX_ELEMENTS = 1_000_000
"""Most XML elements in a MEF file (about 0.5 GB of memory when read)."""

MAX_DEPTH = 1_000
"""Deepest nesting of XML elements (formulas in a gate are nested a few levels in practice)."""

SHOWN = 80
"""Characters of a value from the file echoed in a message; longer ones end in an ellipsis."""

_CODES = expat.errors.codes
_XML_HINTS = {
    _CODES[expat.errors.XML_ERROR_TAG_MISMATCH]: "every element needs its end tag, in order",
    _CODES[expat.errors.XML_ERROR_UNDEFINED_ENTITY]: "write & as &amp; and < as &lt;",
    _CODES[expat.errors.XML_ERROR_INVALID_TOKEN]: (
        "look for a stray & or <, or bytes that are not text in the file's encoding"
    ),
    _CODES[expat.errors.XML_ERROR_NO_ELEMENTS]: (
        "the file ends before its elements are closed (truncated?) or holds none"
    ),
    _CODES[expat.errors.XML_ERROR_UNCLOSED_TOKEN]: "the file ends inside a tag (truncated?)",
    _CODES[expat.errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]: (
        "everything belongs inside the one <opsa-mef> element"
    ),
    _CODES[expat.errors.XML_ERROR_DUPLICATE_ATTRIBUTE]: "give each attribute once",
}
_ENCODING_ERRORS = {
    _CODES[expat.errors.XML_ERROR_UNKNOWN_ENCODING],
    _CODES[expat.errors.XML_ERROR_INCORRECT_ENCODING],
}
_TEXT_TAGS = frozenset({"label"})
_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


class MefError(ValueError):
    """A MEF file that cannot be read: says where (file and line) and what was expected."""

    def __init__(self, path: str, message: str, line: int) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


def cut(value: str) -> str:
    """``value`` cut to :data:`SHOWN` characters, the last an ellipsis when it was longer."""
    return value if len(value) <= SHOWN else value[: SHOWN - 1] + "…"


def shown(value: str) -> str:
    """``value`` quoted (control characters escaped) for a message, cut by :func:`cut`."""
    return repr(cut(value))


def tag_shown(tag: str) -> str:
    """An element name for a message, ``<tag>``, cut by :func:`cut`."""
    return f"<{cut(tag)}>"


@dataclass(slots=True, eq=False)
class Node:
    """One element: its name, attributes, the line of its start tag, children and text."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    text: str = ""

    def get(self, key: str) -> str | None:
        """The attribute ``key``, or None."""
        return self.attrs.get(key)

    def find(self, tag: str) -> Node | None:
        """The first child called ``tag``, or None."""
        return next((child for child in self.children if child.tag == tag), None)


class _StopError(Exception):
    """Raised inside an expat handler to stop the parse with a message at the current line."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Builder:
    """Expat handlers that build the :class:`Node` tree within the limits."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.chunks: list[str] = []
        self.elements = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        self.elements += 1
        if self.elements > MAX_ELEMENTS:
            raise _StopError(
                f"more than {MAX_ELEMENTS:,} elements; cellguard reads MEF files up to that "
                "size (split the model, or quantify its parts separately with --top)"
            )
        if len(self.stack) >= MAX_DEPTH:
            raise _StopError(
                f"formulas are nested too deeply to read (more than {MAX_DEPTH:,} elements "
                "deep); define inner formulas as separate <define-gate>s and reference them "
                "with <gate name=...>"
            )
        node = Node(tag, attrs, self.parser.CurrentLineNumber)
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)

    def end(self, tag: str) -> None:
        node = self.stack.pop()
        if node.tag in _TEXT_TAGS:
            node.text = "".join(self.chunks)
        self.chunks.clear()

    def text(self, data: str) -> None:
        if self.stack and self.stack[-1].tag in _TEXT_TAGS:
            self.chunks.append(data)
        elif data.strip():
            where = f" in {tag_shown(self.stack[-1].tag)}" if self.stack else ""
            raise _StopError(
                f"unexpected text {shown(data.strip())}{where}; MEF elements hold only "
                "elements and attributes (text belongs in a <label>)"
            )

    def doctype(
        self, name: str, system_id: str | None, public_id: str | None, internal: int
    ) -> None:
        if internal or system_id is not None or public_id is not None:
            raise _StopError(
                "a document type with a DTD (<!DOCTYPE ... SYSTEM/PUBLIC ...> or "
                "<!DOCTYPE ... [...]>) is not read, so its entities and defaults would be "
                "lost; remove the <!DOCTYPE ...> line(s)"
            )

    def entity(self, name: str, *_: object) -> None:
        raise _StopError(f"entity {name!r} is declared; MEF files need no entities, remove it")

    def skipped(self, name: str, is_parameter: int) -> None:
        raise _StopError(
            f"entity &{name}; is not defined (cellguard reads no DTD); write the text itself "
            "or a character reference such as &#233;"
        )

    def external(self, *_: object) -> int:
        raise _StopError("external entities are not read; write the content into the file")


def _encoding_problem(data: bytes, reason: object) -> str:
    """The message for a declared encoding that Python or expat cannot use."""
    found = _ENCODING.match(data[:1024])
    name = found.group(1).decode("ascii", "replace") if found else "?"
    return (
        f"the XML declaration's encoding {shown(name)} cannot be read ({reason}); "
        'save the file as UTF-8 and declare encoding="UTF-8" (or none)'
    )


def parse(data: bytes, path: str) -> Node:
    """Parse ``data`` into its root :class:`Node`, or raise :class:`MefError` at a line."""
    parser = expat.ParserCreate()
    builder = _Builder(parser)
    parser.buffer_text = False  # text is reported where it is, so its line is right
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.text
    parser.StartDoctypeDeclHandler = builder.doctype
    parser.EntityDeclHandler = builder.entity
    parser.UnparsedEntityDeclHandler = builder.entity
    parser.SkippedEntityHandler = builder.skipped
    parser.ExternalEntityRefHandler = builder.external
    try:
        parser.Parse(data, True)
    except _StopError as stop:
        raise MefError(path, stop.message, parser.CurrentLineNumber) from None
    except expat.ExpatError as exc:
        reason = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        if exc.code in _ENCODING_ERRORS:
            raise MefError(path, _encoding_problem(data, reason), exc.lineno) from None
        column = (exc.offset or 0) + 1
        message = f"not well-formed XML: {reason} (column {column})"
        if exc.code in _XML_HINTS:
            message += f"; {_XML_HINTS[exc.code]}"
        raise MefError(path, message, exc.lineno) from None
    except (LookupError, ValueError) as exc:
        if builder.elements:  # only the declared encoding fails before the first element
            raise
        raise MefError(path, _encoding_problem(data, exc), parser.CurrentLineNumber) from None
    if builder.root is None:  # expat reports a document without elements; kept as a guard
        raise MefError(path, "empty document; expected <opsa-mef>", 1)
    return builder.root


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def read_bytes(path: Path) -> bytes:
    """The content of the regular file ``path``, of at most :data:`MAX_BYTES`.

    The file is opened without blocking and checked on the open descriptor (a FIFO would block
    the open or the read, a device such as ``/dev/zero`` never ends); every refusal and OS error
    is a :class:`MefError` at line 1, as the spec loader reports them.
    """
    name = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise MefError(name, f"cannot read file: {exc.strerror or exc}", 1) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked before fdopen(), which refuses a directory itself
        os.close(fd)
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise MefError(name, f"not a regular file ({kind}); give a MEF XML file", 1)
    with os.fdopen(fd, "rb") as handle:
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise MefError(name, f"cannot read file: {exc.strerror or exc}", 1) from None
    if len(data) > MAX_BYTES:
        raise MefError(
            name,
            f"the file is larger than {MAX_BYTES // (1024 * 1024)} MiB, the most cellguard "
            "reads as MEF; split the model, or quantify its parts separately",
            1,
        )
    return data
