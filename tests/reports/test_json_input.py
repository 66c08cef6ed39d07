"""Bounded JSON reading (``cellguard.reports.json_input``): the cases the CLI tests do not reach."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cellguard.reports.json_input import (
    MAX_JSON_DEPTH,
    JsonInputError,
    parse_json,
    read_bounded,
    shown,
)


def test_a_long_overflowing_number_is_shown_bounded() -> None:
    literal = "1" + "0" * 300 + ".0e400"
    with pytest.raises(JsonInputError) as info:
        parse_json(f'{{"a": [{literal}]}}', "x.json")
    assert str(info.value) == (
        "x.json: a[0]: " + literal[:40] + "… (307 characters) (beyond the range of a "
        "floating-point number) is not a number cellguard reads"
    )


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"s": "[" * 10_000 + '\\"{', "deep": [[[]]]})
    assert parse_json(text, "x.json")["deep"] == [[[]]]


def test_the_depth_limit_is_exact() -> None:
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(at_limit, "x.json") is not None
    with pytest.raises(JsonInputError, match="nests more than 64 levels deep"):
        parse_json("[" + at_limit + "]", "x.json")


def test_ordinary_numbers_are_kept_exactly() -> None:
    data = parse_json('{"n": 123456789012345678901234567890, "f": 1e308, "m": -0.5}', "x")
    assert data == {"n": 123456789012345678901234567890, "f": 1e308, "m": -0.5}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert parse_json(read_bounded(path), str(path)) == {"a": 1}


def test_shown_names_containers_and_bounds_strings() -> None:
    values: list[object] = [{}, [], None, True, 2.5, "x\x1b"]
    assert [shown(v) for v in values] == [
        "an object",
        "a list",
        "null",
        "true",
        "2.5",
        "'x\\x1b'",
    ]
    assert shown("y" * 200) == "'" + "y" * 40 + "…' (200 characters)"
