"""``cellguard.models.text``: unsafe characters made visible, JSON kept exact."""

from __future__ import annotations

import json
import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.models.text import UNSAFE, UNSAFE_LINE, escape_char, inert, json_safe

HOSTILE = "a\x1b[2Jb\x1b]0;title\x07c\x9b31md\u202eevil\u202ce\u200bf\U000e0041g\ud800h"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J", "\\x1b[2J"),
        ("\x1b]0;title\x07", "\\x1b]0;title\\x07"),
        ("\x9b2J", "\\x9b2J"),
        ("\u202eevil\u202c", "\\u202eevil\\u202c"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("zero\u200bwidth\ufeff", "zero\\u200bwidth\\ufeff"),
        ("tag\U000e0041", "tag\\U000e0041"),
        ("lone\udcff", "lone\\udcff"),
        ("cr\rlf\nnul\x00del\x7f", "cr\\rlf\nnul\\x00del\\x7f"),
        ("line\u2028sep\u2029", "line\\u2028sep\\u2029"),
        ("tab\tkept", "tab\tkept"),
        ("[red]x[/red] | ` <script>", "[red]x[/red] | ` <script>"),
        ("naïve · 99.9% → ✅ ❤️ 日本", "naïve · 99.9% → ✅ ❤️ 日本"),
    ],
)
def test_inert_shows_unsafe_characters_as_python_escapes(text: str, shown: str) -> None:
    assert inert(text) == shown


def test_single_line_shows_tab_and_line_feed_too() -> None:
    assert inert("one\ntwo\tthree\r\n", single_line=True) == "one\\ntwo\\tthree\\r\\n"
    assert inert("one\ntwo") == "one\ntwo"


def test_inert_takes_any_object() -> None:
    assert inert(42) == "42"
    assert inert(None) == "None"


@given(st.text())
def test_inert_output_is_safe_and_idempotent(text: str) -> None:
    shown = inert(text, single_line=True)
    assert UNSAFE_LINE.search(shown) is None
    assert inert(shown, single_line=True) == shown
    assert UNSAFE.search(inert(text)) is None


_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|[tnr])")


def _unescape(match: re.Match[str]) -> str:
    body = match.group(1)
    return {"t": "\t", "n": "\n", "r": "\r"}.get(body) or chr(int(body[1:], 16))


@given(st.text().filter(lambda t: "\\" not in t))
def test_inert_changes_nothing_but_unsafe_characters(text: str) -> None:
    """Without backslashes in the input, undoing the escapes gives the text back."""
    assert _ESCAPE.sub(_unescape, inert(text, single_line=True)) == text
    assert _ESCAPE.sub(_unescape, inert(text)) == text


def test_every_control_format_and_separator_character_is_unsafe() -> None:
    """Cc, Cf, Zl, Zp and Cs of the running Python's Unicode database (a newer one that adds
    format characters makes this fail: extend ``_FORMAT``)."""
    missed = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        and chr(cp) not in "\t\n"
        and UNSAFE.search(chr(cp)) is None
    ]
    assert missed == []


@pytest.mark.parametrize(
    ("ch", "escape"),
    [("\x1b", "\\x1b"), ("\u202e", "\\u202e"), ("\U000e0001", "\\U000e0001"), ("\r", "\\r")],
)
def test_escape_char_writes_python_literals(ch: str, escape: str) -> None:
    assert escape_char(ch) == escape


def test_json_safe_escapes_unsafe_characters_and_keeps_the_data() -> None:
    data = {"reason": HOSTILE, "tab": "a\tb", "emoji": "❤️ ·"}
    dumped = json.dumps(data, ensure_ascii=False, indent=2)
    safe = json_safe(dumped)
    assert UNSAFE.search(safe) is None
    assert json.loads(safe) == data
    assert "\\u202e" in safe and "\\udb40\\udc41" in safe and "\\u009b" in safe
    assert "❤️ ·" in safe  # only unsafe characters are escaped


@given(st.text())
def test_json_safe_round_trips_any_string(text: str) -> None:
    dumped = json_safe(json.dumps([text], ensure_ascii=False))
    assert UNSAFE.search(dumped) is None
    assert json.loads(dumped) == [text]


@pytest.mark.parametrize("code", range(128))
def test_json_safe_of_ascii_text_escapes_exactly_the_unsafe_characters(code: int) -> None:
    """ASCII text takes a shortcut past the regular expression: same result for every character
    (even ones ``json.dumps`` never leaves raw)."""
    ch = chr(code)
    text = f'["a{ch}b", 1]'
    expected = text.replace(ch, f"\\u{code:04x}") if UNSAFE.match(ch) else text
    assert json_safe(text) == expected
