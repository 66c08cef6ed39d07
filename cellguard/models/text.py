"""Making text from a spec inert before it is shown: control characters and invisibles made visible.

Anything a spec, a baseline, a rule pack or a sign-off record says is text someone else wrote. A
YAML double-quoted string can hold ``"\\e[2J"`` (clear the screen), ``"\\e]0;title\\a"`` (set the
terminal's title), C1 controls such as U+009B (CSI, an escape sequence on its own), bidi
overrides (U+202E turns the rest of a line around: "Trojan source") or zero-width characters. Sent
raw to a terminal, a CI log, a markdown comment or a diagram, such text can hide or fake what
the reviewer reads.

Every renderer passes user text through :func:`inert` (or writes JSON through
:func:`json_safe`). The convention is one: each unsafe character is written as Python writes it
in a string literal, ``\\x1b`` for ESC, ``\\x9b`` for CSI, ``\\u202e`` for RIGHT-TO-LEFT
OVERRIDE, ``\\U000e0041`` for a tag character, with ``\\r``, ``\\n`` and ``\\t`` in their short
forms. The result is meant for reading, not for parsing back: a backslash in the text is
shown as it is.

Unsafe (:data:`UNSAFE`): every character of the Unicode categories Cc (C0 and C1 controls and
DEL), Cf (format characters: bidi controls, zero-width space and joiners, soft hyphen, word
joiner, byte-order mark, tag characters...), Zl and Zp (line and paragraph separators) and Cs
(lone surrogates, which a file name that is not UTF-8 produces), plus the invisible fillers
U+034F, U+115F, U+1160, U+3164 and U+FFA0. Tab and line feed stay (they are layout, not
escape sequences) unless the text must stay on one line (``single_line=True``, for table
cells, labels and one-line messages), where they are shown as ``\\t`` and ``\\n`` too.
Variation selectors (U+FE00-U+FE0F, used by emoji) are not unsafe.
"""

from __future__ import annotations

import re

_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"
_FORMAT = (
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u180e"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164\ud800-\udfff\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f"
)
UNSAFE = re.compile(f"[{_CONTROL}{_FORMAT}]")
"""Characters :func:`inert` escapes in any text (tab and line feed are not among them)."""
UNSAFE_LINE = re.compile(f"[\t\n{_CONTROL}{_FORMAT}]")
"""Characters :func:`inert` escapes in single-line text: :data:`UNSAFE` plus tab and line feed."""

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_char(ch: str) -> str:
    """One character as Python writes it in a string literal: ``\\x1b``, ``\\u202e``, ``\\n``."""
    if ch in _SHORT:
        return _SHORT[ch]
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def inert(text: object, *, single_line: bool = False) -> str:
    """``str(text)`` with every unsafe character written visibly (see the module docstring).

    With ``single_line`` a tab or line break is shown as ``\\t`` or ``\\n`` as well, so the
    text cannot start a new line of the output. Idempotent: inert text is returned unchanged.
    """
    value = str(text)
    pattern = UNSAFE_LINE if single_line else UNSAFE
    if pattern.search(value) is None:
        return value
    return pattern.sub(lambda m: escape_char(m.group()), value)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_safe(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with every unsafe character
    written as a JSON ``\\uXXXX`` escape (a surrogate pair beyond the BMP).

    Unlike :func:`inert` this keeps the data exact: ``json.loads`` gives back the same strings.
    Unsafe characters can only occur inside JSON strings, where the escape is valid; tab and
    line feed between tokens (indentation) are kept.
    """
    if dumped.isascii():  # the common case, checked without the regular expression (a tenth
        # of a second per 10 MB of report): of ASCII, only C0 controls and DEL are unsafe
        raw = dumped.encode("ascii")
        if len(raw.translate(None, _UNSAFE_ASCII)) == len(raw):
            return dumped
    elif UNSAFE.search(dumped) is None:
        return dumped
    return UNSAFE.sub(lambda m: _json_escape(m.group()), dumped)


_UNSAFE_ASCII = bytes(c for c in range(128) if UNSAFE.match(chr(c)))
"""The ASCII characters in :data:`UNSAFE`, as bytes to delete."""
