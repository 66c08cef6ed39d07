"""Echoing a value the user wrote inside a message, bounded in length.

Diagnostics repeat what was written (``unknown component 'retreiver'``) so that it can be
found; a hostile or broken input can make that value a megabyte long, and repeating it in full
buries the message (and every tool that reads it). A value longer than :data:`MAX_ECHOED`
characters is cut to its first :data:`ECHO_PREFIX` characters, an ellipsis and its length:
``'aaaaaaaa…' (1,000,000 characters)``. No valid id or reference is that long, so ordinary
messages are unchanged.
"""

from __future__ import annotations

MAX_ECHOED = 128
"""Longest value echoed whole (an id has at most 63 characters, ``stack/id`` at most 127)."""

ECHO_PREFIX = 40
"""How many characters of a longer value are echoed before the ellipsis."""


def shortened(value: str) -> str:
    """``value``, or its first :data:`ECHO_PREFIX` characters and an ellipsis when it is longer
    than :data:`MAX_ECHOED` (for key paths and lists, where the length is not repeated)."""
    return value[:ECHO_PREFIX] + "…" if len(value) > MAX_ECHOED else value


def clipped(text: str) -> str:
    """``text``, or its start, an ellipsis and its length when it is long:
    ``aaaaaaaa… (1,000,000 characters)`` (for values shown without quotes)."""
    if len(text) <= MAX_ECHOED:
        return text
    return f"{shortened(text)} ({len(text):,} characters)"


def quoted(value: str, *, escape: bool = False) -> str:
    """``value`` in single quotes, or its start and its length when it is long.

    With ``escape`` the quoted part is written as Python's ``repr`` writes it (control
    characters escaped); without, as is. ``quoted("x" * 10**6)`` is
    ``'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…' (1,000,000 characters)``.
    """
    long = len(value) > MAX_ECHOED
    shown = shortened(value)
    text = repr(shown) if escape else f"'{shown}'"
    return f"{text} ({len(value):,} characters)" if long else text
