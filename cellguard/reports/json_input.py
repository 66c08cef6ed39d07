"""Reading JSON a user hands cellguard (a baseline report), bounded before anything is used.

A file given on the command line may be a device that never ends (``/dev/zero``), gigabytes
long, nested a hundred thousand levels deep, or hold numbers Python cannot use as such
(``1e400`` overflows a float; an integer of 5,000 digits cannot even be read, as Python
refuses to convert more than 4,300 digits). Each of these is a :class:`JsonInputError` naming
the file and, where there is one, the line or the key path -- never an exception from deep
inside the standard library.

- size: at most :data:`MAX_JSON_BYTES` are read; a longer file or stream is refused;
- depth: arrays and objects nest at most :data:`MAX_JSON_DEPTH` levels;
- numbers: an integer of more than :data:`MAX_INT_DIGITS` digits, a number beyond the range of
  a float and the non-standard ``NaN``/``Infinity`` are refused wherever they occur.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellguard.models.loader.errors import KeyPath, format_key_path
from cellguard.models.quoting import clipped, quoted

MAX_JSON_BYTES = 64 * 1024 * 1024
"""Largest JSON file read (64 MiB); the report of a large organisation is a few megabytes."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays and objects (a cellguard report nests 7 levels)."""

MAX_INT_DIGITS = 30
"""Longest integer read, in digits; cellguard writes counts, never such numbers."""


class JsonInputError(Exception):
    """A JSON input that cannot be used; the message names the file."""


@dataclass(frozen=True)
class _Unusable:
    """Stands in for a number that was not converted (see :func:`parse_json`)."""

    description: str


def _int(text: str) -> int | _Unusable:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        return _Unusable(f"an integer of {digits:,} digits")
    return int(text)


def _float(text: str) -> float | _Unusable:
    value = float(text)
    if not math.isfinite(value):
        return _Unusable(f"{clipped(text)} (beyond the range of a floating-point number)")
    return value


def _constant(name: str) -> _Unusable:
    return _Unusable(f"{name} (not a JSON number)")


def read_bounded(path: Path, *, limit: int | None = None) -> str:
    """The text of ``path`` (UTF-8, an optional byte-order mark dropped), at most ``limit``
    bytes (default :data:`MAX_JSON_BYTES`).

    Reads ``limit + 1`` bytes at most, so a device or pipe that never ends is refused as well.
    """
    limit = MAX_JSON_BYTES if limit is None else limit
    try:
        # Opened without blocking and checked on the descriptor: opening a FIFO with no writer,
        # or reading one whose writer never writes, would wait for ever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            mode = os.fstat(fd).st_mode
            if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                kind = "a FIFO" if stat.S_ISFIFO(mode) else "a socket"
                raise JsonInputError(
                    f"{path}: not a regular file ({kind}); write the report to a file and "
                    "give that file"
                )
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            raw = handle.read(limit + 1)
    except FileNotFoundError:
        raise JsonInputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise JsonInputError(f"{path}: is a directory, not a file") from None
    except OSError as exc:
        raise JsonInputError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise JsonInputError(
            f"{path}: longer than {limit:,} bytes ({limit // 2**20} MiB), "
            "the most cellguard reads of a JSON file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise JsonInputError(
            f"{path}: line {line}: not UTF-8 (byte 0x{raw[exc.start]:02x})"
        ) from None


_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
"""Strings (skipped whole) and brackets, for finding where nesting becomes too deep."""


def _too_deep_at(text: str) -> int | None:
    """The index of the first bracket opened below :data:`MAX_JSON_DEPTH` levels, if any."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return match.start()
        elif token in ("]", "}"):
            depth -= 1
    return None


def _depth_error(source: str, where: str) -> JsonInputError:
    return JsonInputError(
        f"{source}: {where}: nests more than {MAX_JSON_DEPTH} levels deep "
        "(a cellguard report nests 7)"
    )


_SHOWN_PARTS = 8
"""How much of a key path too deep is shown."""


def _check_tree(data: Any, source: str) -> None:
    """Refuse nesting beyond :data:`MAX_JSON_DEPTH` and numbers that were not converted."""
    stack: list[tuple[Any, KeyPath]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if isinstance(value, _Unusable):
            raise JsonInputError(
                f"{source}: {format_key_path(path)}: {value.description} is not a number "
                "cellguard reads"
            )
        if isinstance(value, dict | list) and len(path) >= MAX_JSON_DEPTH:
            raise _depth_error(source, format_key_path(path[:_SHOWN_PARTS]) + "…")
        if isinstance(value, dict):
            stack.extend((item, (*path, key)) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, (*path, i)) for i, item in enumerate(value))


def parse_json(text: str, source: str) -> Any:
    """Parse ``text`` (from ``source``) within the limits of the module docstring."""
    try:
        data = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise JsonInputError(
            f"{source}: not JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    except RecursionError:
        index = _too_deep_at(text)
        if index is None:  # pragma: no cover - the decoder recursed, so the brackets nest
            raise _depth_error(source, "the document") from None
        line = text.count("\n", 0, index) + 1
        column = index - (text.rfind("\n", 0, index) + 1) + 1
        raise _depth_error(source, f"line {line}, column {column}") from None
    _check_tree(data, source)
    return data


def shown(value: Any) -> str:
    """A JSON value for a message, bounded: strings quoted (and cut when long), containers
    named, not printed."""
    if isinstance(value, str):
        return quoted(value, escape=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, _Unusable):  # pragma: no cover - refused by parse_json
        return value.description
    return repr(value)
