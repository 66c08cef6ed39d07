"""End-to-end tests of ``validate``, ``schema`` and ``init`` through the typer app and the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
INVALID = sorted((REPO / "examples" / "invalid").glob("*.yaml"))
GOLDEN = REPO / "tests" / "golden" / "invalid"
VALID = [
    "examples/rag-support-assistant.yaml",
    "examples/org",
    "examples/saas-finetune.yaml",
    "examples/vllm-single-zone.yaml",
    "examples/cell-multi-region.yaml",
    "examples/queue-answered-chatbot.yaml",
    "examples/shared-entry-routes.yaml",
    "examples/personalised-image-saas.yaml",
]
UPDATE = os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1"


def test_there_are_at_least_fifteen_distinct_invalid_examples() -> None:
    assert len(INVALID) >= 15
    # distinct: the first error of each golden message has one of at least 15 different codes
    codes = {
        (GOLDEN / f"{p.stem}.txt").read_text(encoding="utf-8").split("error[", 1)[1].split("]")[0]
        for p in INVALID
    }
    assert len(codes) >= 15, sorted(codes)


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_example_messages_match_golden(repo_root: Path, path: Path) -> None:
    rel = path.relative_to(repo_root)
    result = runner.invoke(app, ["validate", str(rel)])
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{rel}:"), first  # names the file and a line
    assert int(first.split(":")[1]) >= 1
    golden = GOLDEN / f"{path.stem}.txt"
    if UPDATE:
        golden.write_text(result.stderr, encoding="utf-8")
    assert golden.exists(), f"missing golden file {golden}; run with CELLGUARD_UPDATE_GOLDEN=1"
    assert result.stderr == golden.read_text(encoding="utf-8")


def test_no_orphaned_golden_files() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.txt")) == sorted(p.stem for p in INVALID)


@pytest.mark.parametrize("path", VALID)
def test_every_example_is_valid(repo_root: Path, path: str) -> None:
    result = runner.invoke(app, ["validate", path])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("ok ")


def test_validate_several_paths_reports_each_and_fails_if_one_is_invalid(repo_root: Path) -> None:
    result = runner.invoke(
        app, ["validate", VALID[0], "examples/invalid/unknown-key.yaml", "--format", "json"]
    )
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert [r["valid"] for r in payload["results"]] == [True, False]
    (diag,) = payload["results"][1]["diagnostics"]
    assert diag["path"] == "components[0].replicaz"
    assert diag["suggestion"] == "did you mean 'replicas'?"
    assert diag["line"] == 22


def test_alias_bomb_is_rejected_within_a_second_through_the_real_entry_point(
    repo_root: Path,
) -> None:
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "cellguard", "validate", "examples/invalid/alias-bomb.yaml"],
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    assert proc.returncode == 2
    assert "yaml-alias-bomb" in proc.stderr
    assert "Traceback" not in proc.stderr
    # interpreter start-up included; the refusal itself takes about a millisecond
    assert elapsed < 5.0


def test_unlistable_directory_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(_self: Path, _pattern: str) -> list[Path]:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rglob", refuse)
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "cannot list directory: Permission denied" in result.stderr


def test_missing_path_and_directory_without_specs(repo_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", "no/such.yaml"])
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "no *.yaml or *.yml files found" in result.stderr


def test_usage_errors_exit_2() -> None:
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["graph", "x.yaml", "--format", "png"])
    assert result.exit_code == 2


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.startswith("cellguard ")


@pytest.mark.parametrize("command", ["validate", "schema", "graph", "init"])
def test_every_command_has_help(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert len(result.stdout) > 200


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "stack.yaml"
    result = runner.invoke(app, ["init", str(target), "--name", "payments-bot"])
    assert result.exit_code == 0, result.stderr
    text = target.read_text()
    assert "name: payments-bot" in text
    assert text.count("#") > 20  # commented
    assert runner.invoke(app, ["validate", str(target)]).exit_code == 0
    target.write_text("mine")
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert "already exists" in result.stderr and "--force" in result.stderr
    assert target.read_text() == "mine"
    assert runner.invoke(app, ["init", str(target), "--force"]).exit_code == 0
    assert "apiVersion: cellguard/v1" in target.read_text()
    assert not list(tmp_path.glob(".*tmp"))


def test_init_rejects_a_bad_name(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "x.yaml"), "--name", "Bad Name"])
    assert result.exit_code == 2
    assert "invalid stack name" in result.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_schema_is_deterministic_and_writes_atomically(tmp_path: Path) -> None:
    first = runner.invoke(app, ["schema"])
    second = runner.invoke(app, ["schema"])
    assert first.exit_code == 0
    assert first.stdout == second.stdout
    schema = json.loads(first.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    out = tmp_path / "s.json"
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 0
    assert out.read_text() == first.stdout
    assert runner.invoke(app, ["schema", "-o", str(out)]).exit_code == 2


def test_unwritable_output_is_an_input_error_not_a_crash(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "-o", str(tmp_path / "missing" / "s.json")])
    assert result.exit_code == 2
    assert "does not exist" in result.stderr
    result = runner.invoke(app, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "is a directory" in result.stderr
    target = tmp_path / "locked" / "s.yaml"
    target.parent.mkdir()
    with pytest.MonkeyPatch.context() as patch:

        def refuse(*_args: object, **_kwargs: object) -> tuple[int, str]:
            raise PermissionError(13, "Permission denied")

        patch.setattr("cellguard.cli.files.tempfile.mkstemp", refuse)
        result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 2
    assert f"cannot write {target}: Permission denied" in result.stderr
    assert "Traceback" not in result.stderr and not target.exists()


def test_internal_errors_exit_3_without_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    import cellguard.models.schema as schema  # schema_cmd imports it inside the command

    def boom() -> str:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(schema, "spec_json_schema_text", boom)
    monkeypatch.delenv("CELLGUARD_DEBUG", raising=False)
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: kaboom" in result.stderr
    assert "Traceback" not in result.stderr


def test_console_script_entry_point_runs(repo_root: Path) -> None:
    exe = Path(sys.executable).with_name("cellguard")
    proc = subprocess.run(
        [str(exe), "validate", VALID[0]], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert "ok examples/rag-support-assistant.yaml" in proc.stdout
