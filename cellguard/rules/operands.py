"""The operands of declarative conditions: what may be compared with a spec value.

An operand (``equals: ...``, ``in: [...]``, ``contains: ...``) is a string, a finite number, a
boolean, or a list of those; every size is bounded, so a condition that loads compares in
bounded time and space. Whether the operand suits the value a path yields is checked
against the spec models in :mod:`cellguard.rules.paths`.
"""

from __future__ import annotations

import math
from typing import Any

MAX_OPERAND_NUMBER = 1e15
"""Largest magnitude of a number in a condition (no spec value comes near it)."""

MAX_OPERAND_CHARS = 1000
"""Longest string in a condition's operand."""

MAX_LIST_ITEMS = 1000
"""Most items in an ``in`` / ``not_in`` list, a list operand, or an ``all`` / ``any``."""


def operand_problem(value: Any, *, nested: bool = False) -> str | None:
    """Why ``value`` cannot be compared with a spec value: it must be a string, a finite number,
    a boolean, or (not nested) a list of those; sizes are bounded."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        finite = isinstance(value, int) or math.isfinite(value)  # a huge int overflows float()
        if not finite or abs(value) > MAX_OPERAND_NUMBER:
            shown = (
                repr(value)
                if isinstance(value, float)
                else f"an integer of {_digits(value)} digits"
            )
            return f"{shown} is out of range; expected a finite number of magnitude <= 1e15"
        return None
    if isinstance(value, str):
        if len(value) > MAX_OPERAND_CHARS:
            return f"a string of {len(value):,} characters; at most {MAX_OPERAND_CHARS}"
        return None
    if isinstance(value, list) and not nested:
        if len(value) > MAX_LIST_ITEMS:
            return f"a list of {len(value):,} items; at most {MAX_LIST_ITEMS}"
        return next((p for v in value if (p := operand_problem(v, nested=True))), None)
    expected = "a string, a number or true/false" + ("" if nested else ", or a list of those")
    return f"expected {expected}, got {_kind_of(value)}"


def _kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "a mapping"
    return "a nested list" if isinstance(value, list) else type(value).__name__


def _digits(value: int) -> int:
    """Decimal digits of ``value`` without converting it to text (Python refuses > 4300)."""
    return (
        len(str(abs(value)))
        if value.bit_length() < 10_000
        else int(value.bit_length() * 0.30103) + 1
    )
