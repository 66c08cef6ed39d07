"""Rule texts are refused for exactly the characters reports would escape (models.text)."""

from __future__ import annotations

import pytest

from cellguard.models.text import inert
from cellguard.rules.metadata import control_character


@pytest.mark.parametrize("ch", ["\x1b", "\x9b", "\u00ad", "\u202e", "\u2061", "\U000e0041", "\r"])
def test_a_character_reports_escape_is_refused_in_prose(ch: str) -> None:
    assert inert(f"a{ch}b") != f"a{ch}b"
    assert control_character(f"a{ch}b", multiline=True) == f"U+{ord(ch):04X}"


def test_line_breaks_are_prose_but_not_titles() -> None:
    assert control_character("one\ntwo\tthree", multiline=True) is None
    assert control_character("one\ntwo", multiline=False) == "U+000A"
    assert control_character("plain text, é and emoji \u2764\ufe0f", multiline=False) is None
