"""Translate pydantic ``ValidationError``s into located, explained :class:`Diagnostic`s."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from cellguard.models.bounds import field_bounds, number_text
from cellguard.models.loader.errors import Diagnostic, KeyPath, Suggester, one_of
from cellguard.models.loader.schema_walk import accepted_keys, field_named, model_at, union_tags
from cellguard.models.loader.source import SourceMap
from cellguard.models.quoting import clipped, quoted

_QUOTED = re.compile(r"'([^']*)'")


def _child(current: Any, part: str | int) -> tuple[bool, Any]:
    """Step from ``current`` into ``part`` if the data has it."""
    if isinstance(current, dict) and isinstance(part, str) and part in current:
        return True, current[part]
    if isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current):
        return True, current[part]
    return False, None


def clean_path(data: Any, loc: tuple[str | int, ...]) -> KeyPath:
    """Drop union tags and validator names from ``loc``, keeping keys that exist in ``data``."""
    path: list[str | int] = []
    current: Any = data
    for i, part in enumerate(loc):
        found, child = _child(current, part)
        if found:
            path.append(part)
            current = child
        elif i == len(loc) - 1 and isinstance(current, dict) and isinstance(part, str):
            path.append(part)  # a missing key
            current = None
    return tuple(path)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return quoted(value, escape=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null (an empty value)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return str(value)


_LIMITS = {
    "less_than_equal": ("le", "less than or equal to"),
    "less_than": ("lt", "less than"),
    "greater_than_equal": ("ge", "greater than or equal to"),
    "greater_than": ("gt", "greater than"),
}
"""Range errors of numbers, rewritten with the limit in words (``1,000,000`` not ``1000000``)."""

_FINITE_HINT = (
    "write a plain number within that range (.inf, -.inf, .nan and numbers beyond the "
    "range of a double, about 1.8e308, are not numbers cellguard can compute with)"
)


def _show_number(value: Any) -> str:
    """A number as the user wrote it: ``.inf``, ``1e308`` (YAML reads that as a string)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return number_text(value)
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return _show(value)
        return clipped(value)
    return _show(value)


def _range(root: Any, loc: tuple[str | int, ...]) -> str:
    """The range of the number field at ``loc`` in words, or ``""``."""
    if not loc or not isinstance(loc[-1], str):
        return ""
    parent = model_at(root, loc[:-1])
    found = field_named(parent, loc[-1]) if parent is not None else None
    return field_bounds(found[1]).text() if found else ""


def _field_loc(root: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """``loc`` without trailing union member names (``zones.constrained-int``: ``zones``)."""
    while len(loc) > 1 and model_at(root, loc[:-1]) is None:
        loc = loc[:-1]
    return loc


def _finite(root: Any, loc: tuple[str | int, ...], value: Any) -> tuple[str, str, str]:
    """Message, expected line and hint for a number that is not finite."""
    loc = _field_loc(root, loc)
    described = _describe(root, loc)
    bounds = _range(root, loc)
    expected = "a finite number" + (f" ({bounds})" if bounds else "")
    if described:
        expected += f": {described}"
    return f"not a finite number (got {_show_number(value)})", expected, _FINITE_HINT


def _describe(root: Any, loc: tuple[str | int, ...]) -> str | None:
    """The description of the field at ``loc``, for the 'expected' line."""
    if not loc or not isinstance(loc[-1], str):
        return None
    parent = model_at(root, loc[:-1])
    if parent is None:
        return None
    found = field_named(parent, loc[-1])
    return found[1].description if found else None


def _diagnose(
    root: Any, data: Any, source: SourceMap, err: ErrorDetails, suggest: Suggester
) -> Diagnostic:
    loc = tuple(err["loc"])
    path = clean_path(data, loc)
    kind = err["type"]
    ctx: dict[str, Any] = dict(err.get("ctx") or {})
    value = err.get("input")
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        parent = model_at(root, loc[:-1])
        keys = accepted_keys(parent) if parent else []
        near = suggest(str(key), keys)
        return source.diagnostic(
            path,
            f"unknown key {quoted(str(key))}",
            code="unknown-key",
            prefer_key=True,
            expected=one_of(keys) if keys else None,
            suggestion=f"did you mean '{near}'?" if near else None,
        )
    if kind == "missing":
        return source.diagnostic(
            path,
            f"missing required key '{key}'",
            code="missing-key",
            expected=_describe(root, loc),
        )
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        tags = union_tags(root, loc) or _QUOTED.findall(str(ctx.get("expected_tags", "")))
        tag = str(ctx.get("tag", ""))
        if kind == "union_tag_not_found":
            return source.diagnostic(
                path, "missing required key 'kind'", code="missing-key", expected=one_of(tags)
            )
        near = suggest(tag, tags)
        return source.diagnostic(
            (*path, "kind"),
            f"unknown kind {quoted(tag)}",
            code="unknown-kind",
            expected=one_of(tags),
            suggestion=f"did you mean '{near}'?" if near else None,
        )
    if kind in ("enum", "literal_error"):
        allowed = _QUOTED.findall(str(ctx.get("expected", "")))
        near = suggest(str(value), allowed) if isinstance(value, str) else None
        return source.diagnostic(
            path,
            f"invalid value {_show(value)}",
            code="invalid-value",
            expected=one_of(allowed) if allowed else None,
            suggestion=f"did you mean '{near}'?" if near else None,
        )
    if kind == "finite_number":
        text, expected, advice = _finite(root, loc, value)
        return source.diagnostic(
            path, text, code="finite-number", expected=expected, suggestion=advice
        )
    if kind in _LIMITS and isinstance(ctx.get(_LIMITS[kind][0]), int | float):
        limit = number_text(ctx[_LIMITS[kind][0]])
        return source.diagnostic(
            path,
            f"input should be {_LIMITS[kind][1]} {limit} (got {_show_number(value)})",
            code=kind.replace("_", "-"),
            expected=_describe(root, loc),
        )
    message = err["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    hint = None
    code = "invalid" if kind == "value_error" else kind.replace("_", "-")
    if kind == "string_type" and isinstance(value, bool | int | float):
        message = f"{message} (got {_show(value)})"
        hint = "YAML read this as a non-string; put the value in quotes"
    elif kind == "string_pattern_mismatch":
        message = f"{_show(value)} does not have the expected format"
    elif kind == "date_from_datetime_parsing" or kind.startswith("date_"):
        message = f"{_show(value)} is not a valid date: {err['msg'].split(', ', 1)[-1]}"
        code = "invalid-date"
        hint = "write dates as YYYY-MM-DD"
    elif not isinstance(value, dict | list):
        message = f"{message} (got {_show(value)})"
    return source.diagnostic(
        path,
        message[0].lower() + message[1:],
        code=code,
        expected=_describe(root, loc),
        suggestion=hint,
    )


def diagnostics_from(
    exc: ValidationError, root: Any, data: Any, source: SourceMap
) -> list[Diagnostic]:
    """Every error of ``exc`` as a located diagnostic (duplicates removed)."""
    seen: set[tuple[int, int, str]] = set()
    found: list[Diagnostic] = []
    suggest = Suggester()
    for err in exc.errors(include_url=False):
        diag = _diagnose(root, data, source, err, suggest)
        marker = (diag.line, diag.column, diag.message)
        if marker not in seen:
            seen.add(marker)
            found.append(diag)
    # A value that fails every member of a union (zones: -1 is neither a count >= 1 nor a
    # list) yields one error per member; keep the informative one, not "should be a list".
    specific = {d.path for d in found if not d.code.endswith("-type")}
    return [d for d in found if not (d.code.endswith("-type") and d.path in specific)]
