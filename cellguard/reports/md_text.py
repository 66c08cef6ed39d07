"""Markdown text helpers: escaping user text for tables, prose and code spans; table rows; score figures.

Every user-provided string goes through :func:`md` (a table cell or inline text) or
:func:`code`: control, bidi and zero-width characters are shown as ``\\x1b``, ``\\u202e``
(:func:`cellguard.models.text.inert`), markdown and HTML punctuation is escaped, ``@`` cannot
mention anyone and newlines become spaces, so a hostile name cannot break a table, inject HTML,
ping people or reach a terminal raw. Used by the markdown, GitHub, HTML, diff and plan reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cellguard.models.text import inert

_MD_SPECIAL = "\\`*_[]|~"
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "@": "&#64;"}


def md(text: object) -> str:
    """Escape text for inline markdown (table cells included) on one line."""
    out: list[str] = []
    for ch in " ".join(inert(text).split()):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def code(text: object) -> str:
    """Inline code for identifiers, safe for any content (entities inside a ``<code>`` tag)."""
    escaped = "".join(_HTML.get(ch, ch) for ch in " ".join(inert(text).split()))
    return f"<code>{escaped.replace('|', '&#124;')}</code>"


_INLINE_SPECIAL = "\\`[]|"
_INLINE_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MENTION = re.compile(r"(?<![A-Za-z0-9])@")
_BACKTICKS = re.compile("`+")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _escape_inline(text: str) -> str:
    """Markdown and HTML punctuation escaped; an ``@`` that could start a mention (not one
    inside a word, as in ``repo@sha256``) written as ``&#64;``."""
    escaped = "".join(
        _INLINE_HTML[ch] if ch in _INLINE_HTML else "\\" + ch if ch in _INLINE_SPECIAL else ch
        for ch in text
    )
    return _MENTION.sub("&#64;", escaped)


def md_inline(text: object) -> str:
    """Prose on one line, safe in a table cell or a list item: like :func:`md` (inert, no HTML,
    link, code span, mention or cell break), but ``*``, ``_`` and ``~`` are left as they are
    (they can change emphasis, nothing else)."""
    return _escape_inline(" ".join(inert(text).split()))


def md_prose(text: object) -> str:
    """Like :func:`md_inline` for a list item, but the code spans the text already has (the
    planner writes ``aws ecr describe-images`` as code) stay code spans: inside them markdown,
    HTML and mentions are not interpreted anyway. Not for table cells."""
    body = " ".join(inert(text).split())
    out: list[str] = []
    end = 0
    for span in _CODE_SPAN.finditer(body):
        out += [_escape_inline(body[end : span.start()]), span.group()]
        end = span.end()
    out.append(_escape_inline(body[end:]))
    return "".join(out)


def code_span(text: object) -> str:
    """Inline code in backticks for any text, on one line and inert: the fence is one backtick
    longer than the longest run inside (CommonMark), so the text cannot close it early. Not for
    table cells (a ``|`` would still split the cell there): use :func:`code`."""
    body = " ".join(inert(text).split())
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body[:1] == "`" or body[-1:] == "`" else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def table(header: Iterable[str], rows: Iterable[Iterable[str]], align: str = "") -> list[str]:
    """A markdown table; ``align`` holds one of ``lr`` per column (default left)."""
    head = list(header)
    marks = [("---:" if align[i : i + 1] == "r" else "---") for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(marks) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def fmt_score(value: float | None) -> str:
    """A score with one decimal, or an en dash where nothing was scored."""
    return "–" if value is None else f"{value:.1f}"


def fmt_percent(value: float | None) -> str:
    """A share with one decimal and a percent sign, or an en dash where there is none."""
    return "–" if value is None else f"{value:.1f}%"


def fmt_delta(current: float | None, base: float | None) -> str:
    """``+2.5``, ``-10.0``, ``±0`` or an en dash when either side has no score."""
    if current is None or base is None:
        return "–"
    delta = round(current - base, 1)
    return "±0" if delta == 0 else f"{delta:+.1f}"
