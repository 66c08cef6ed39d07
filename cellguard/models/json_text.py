"""JSON text that is always valid JSON: every writer of JSON or SARIF goes through :func:`dumps`.

Python's ``json`` writes ``NaN``, ``Infinity`` and ``-Infinity`` for non-finite floats by
default, which no JSON parser accepts. Spec numbers are finite and bounded at load, so such a
value in a report is a bug; :func:`dumps` refuses it (``allow_nan=False``) and names where it
is, so the bug is reported as an internal error (exit 3) instead of producing a file that
breaks whatever reads it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any


class NonFiniteJSONError(ValueError):
    """A non-finite number was about to be written as JSON."""


def non_finite_path(value: Any, path: str = "") -> tuple[str, float] | None:
    """The key path (``journeys[0].loss_per_year``) and value of the first non-finite float."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return where or "(the document)", item
        if isinstance(item, Mapping):
            children = [(f"{where}.{k}" if where else str(k), v) for k, v in item.items()]
        elif isinstance(item, Sequence) and not isinstance(item, str | bytes):
            children = [(f"{where}[{i}]", v) for i, v in enumerate(item)]
        else:
            continue
        stack.extend(reversed(children))
    return None


def dumps(value: Any, *, at: str = "", **options: Any) -> str:
    """``json.dumps(value, **options)`` that refuses ``NaN`` and infinities, naming the key.

    ``at`` is the key path of ``value`` in the whole document, for writers that dump a
    document piece by piece (one finding per line).
    """
    try:
        return json.dumps(value, allow_nan=False, **options)
    except ValueError as exc:
        found = non_finite_path(value, at)
        if found is None:
            raise
        where, number = found
        raise NonFiniteJSONError(
            f"cannot write {where} = {number!r} as JSON, which has no NaN or infinite numbers"
        ) from exc
