"""Sign-off records whose shape was tampered with (found by the fuzz harness, tests/fuzz): each is
unreadable (exit 2) with a message that names the field, bounded, never a pass."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
ENV = {"CELLGUARD_TODAY": "2026-11-21"}


def _drop_version(record: dict[str, Any]) -> None:
    record.pop("schema_version")


def _empty_key(record: dict[str, Any]) -> None:
    record[""] = 1


def _huge_key(record: dict[str, Any]) -> None:
    record["k" * 100_000] = 1


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (_drop_version, "not a readable sign-off record (schema_version: missing)"),
        (_empty_key, "not a readable sign-off record ('': Extra inputs are not permitted)"),
        (
            _huge_key,
            "not a readable sign-off record ('" + "k" * 40 + "…' (100,000 characters): "
            "Extra inputs are not permitted)",
        ),
    ],
)
def test_a_record_of_the_wrong_shape_is_unreadable_naming_the_field(
    tmp_path: Path, edit: Callable[[dict[str, Any]], None], message: str
) -> None:
    spec = tmp_path / "s.yaml"
    shutil.copy(REPO / "examples" / "vllm-single-zone.yaml", spec)
    store = ["--store", str(tmp_path), "--no-plugins"]
    signed = runner.invoke(
        app, ["signoff", str(spec), "--reviewer", "ann", "--decision", "approve", *store], env=ENV
    )
    assert signed.exit_code == 0, signed.output
    (path,) = (tmp_path / ".cellguard" / "signoffs").glob("*.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    edit(record)
    path.write_text(json.dumps(record), encoding="utf-8")
    result = runner.invoke(app, ["verify", str(spec), *store], env=ENV)
    assert result.exit_code == 2, result.output
    assert f"{path.name}: {message}" in result.stderr
    assert len(result.stderr) < 1_000


def test_dropping_any_field_of_a_record_makes_it_unreadable(tmp_path: Path) -> None:
    """A field left out took its default and the digest still matched: dropping `kind` from a
    record passed `verify` (found by a 10,000-case fuzz run). Every field must be written."""
    spec = tmp_path / "s.yaml"
    shutil.copy(REPO / "examples" / "vllm-single-zone.yaml", spec)
    store = ["--store", str(tmp_path), "--no-plugins"]
    signed = runner.invoke(
        app, ["signoff", str(spec), "--reviewer", "ann", "--decision", "approve", *store], env=ENV
    )
    assert signed.exit_code == 0, signed.output
    (path,) = (tmp_path / ".cellguard" / "signoffs").glob("*.json")
    intact = runner.invoke(app, ["verify", str(spec), *store], env=ENV)
    assert intact.exit_code == 0, intact.output  # every field written is required, no more
    original = path.read_text(encoding="utf-8")
    keys = list(json.loads(original))
    assert "kind" in keys and len(keys) >= 10
    for key in keys:
        record = json.loads(original)
        record.pop(key)
        path.write_text(json.dumps(record, indent=2), encoding="utf-8")
        result = runner.invoke(app, ["verify", str(spec), *store], env=ENV)
        assert result.exit_code == 2, (key, result.output)
        named = (f"({key}: missing)", f"({key}: Field required)")
        assert any(f"not a readable sign-off record {n}" in result.stderr for n in named), key
