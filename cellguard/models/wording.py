"""Counts in words: ``1 error``, ``2 errors`` (never ``1 errors`` nor ``error(s)``)."""

from __future__ import annotations


def plural(count: int, singular: str, many: str | None = None) -> str:
    """``count`` and the noun, singular for exactly one: ``plural(1, "path")`` is ``1 path``,
    ``plural(3, "entry", "entries")`` is ``3 entries``; counts are written with thousands
    separators (``1,204 findings``)."""
    noun = singular if count == 1 else (many or f"{singular}s")
    return f"{count:,} {noun}"
