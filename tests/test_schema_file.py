"""The committed JSON Schema is fresh, and an independent validator accepts every example with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cellguard.models.schema import spec_json_schema_text
from tests.helpers import REPO

SCHEMA = REPO / "schema" / "cellguard-v1.schema.json"
EXAMPLES = sorted(
    p for p in (REPO / "examples").rglob("*.yaml") if "invalid" not in p.relative_to(REPO).parts
)


def check_jsonschema(*files: Path) -> subprocess.CompletedProcess[str]:
    """Run the independent validator (check-jsonschema) with the committed schema."""
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--schemafile", str(SCHEMA), *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_committed_schema_is_fresh() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == spec_json_schema_text(), (
        "schema/cellguard-v1.schema.json is stale: run "
        "`cellguard schema -o schema/cellguard-v1.schema.json --force`"
    )


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 8


def test_check_jsonschema_accepts_every_example() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--schemafile",
            str(SCHEMA),
            *map(str, EXAMPLES),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize(
    "name",
    [
        "unknown-key",
        "negative-replicas",
        "availability-above-100",
        "unknown-kind",
        "wrong-api-version",
    ],
)
def test_check_jsonschema_rejects_schema_level_mistakes(name: str) -> None:
    proc = check_jsonschema(REPO / "examples" / "invalid" / f"{name}.yaml")
    assert proc.returncode == 1, proc.stdout


def test_schema_is_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_committed_spec_reference_is_fresh() -> None:
    from cellguard.cli.schema_cmd import spec_reference

    reference = REPO / "docs" / "spec-reference.md"
    assert reference.read_text(encoding="utf-8") == spec_reference(), (
        "docs/spec-reference.md is stale: run "
        "`cellguard schema --format markdown -o docs/spec-reference.md --force`"
    )
    assert "## ModelEndpoint" in reference.read_text(encoding="utf-8")
