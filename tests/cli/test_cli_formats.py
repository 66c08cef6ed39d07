"""``assess --format/--output``: pairing by position, errors, and the GitHub step summary."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
SPEC = "examples/vllm-single-zone.yaml"
TODAY = ["--today", "2026-11-21", "--no-plugins"]


def test_formats_pair_with_outputs_by_position(repo_root: Path, tmp_path: Path) -> None:
    sarif, html = tmp_path / "a.sarif", tmp_path / "a.html"
    result = runner.invoke(
        app,
        [
            "assess",
            SPEC,
            "-f",
            "sarif",
            "-o",
            str(sarif),
            "-f",
            "html",
            "-o",
            str(html),
            "-f",
            "junit",
            *TODAY,
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(sarif.read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert ET.fromstring(result.stdout).tag == "testsuites"  # the unpaired format: stdout
    assert f"wrote {sarif}" in result.stderr and f"wrote {html}" in result.stderr


def test_output_without_format_writes_the_table(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = runner.invoke(app, ["assess", SPEC, "-o", str(out), *TODAY])
    assert result.exit_code == 0, result.output
    assert "Scores (0-100)" in out.read_text(encoding="utf-8") and result.stdout == ""


def test_dash_output_is_stdout(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.md"
    result = runner.invoke(
        app, ["assess", SPEC, "-f", "json", "-o", "-", "-f", "markdown", "-o", str(out), *TODAY]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["schema_version"] == 1
    assert "```mermaid" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "json", "-f", "sarif"], "2 formats would go to standard output: json, sarif"),
        (["-o", "a.txt", "-o", "b.txt"], "2 --output given for 1 --format"),
        (["-f", "json", "-o", "x.json", "-f", "sarif", "-o", "x.json"], "the same --output"),
        (["-f", "pdf"], "pdf"),
    ],
)
def test_impossible_pairings_are_usage_errors(
    repo_root: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    fixed = [str(tmp_path / a) if a.endswith((".txt", ".json")) else a for a in args]
    result = runner.invoke(app, ["assess", SPEC, *fixed, *TODAY])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not any(p.exists() for p in tmp_path.iterdir())


def test_an_existing_file_refuses_every_write(repo_root: Path, tmp_path: Path) -> None:
    first, taken = tmp_path / "new.sarif", tmp_path / "taken.html"
    taken.write_text("mine", encoding="utf-8")
    args = ["-f", "sarif", "-o", str(first), "-f", "html", "-o", str(taken)]
    refused = runner.invoke(app, ["assess", SPEC, *args, *TODAY])
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert not first.exists() and taken.read_text(encoding="utf-8") == "mine"
    forced = runner.invoke(app, ["assess", SPEC, *args, "--force", *TODAY])
    assert (
        forced.exit_code == 0
        and first.exists()
        and "<!DOCTYPE html>" in taken.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("missing/dir/b.html", "directory "),
        (".", " is a directory"),
    ],
)
def test_an_unwritable_later_output_writes_none(
    repo_root: Path, tmp_path: Path, second: str, message: str
) -> None:
    first = tmp_path / "a.sarif"
    args = ["-f", "sarif", "-o", str(first), "-f", "html", "-o", str(tmp_path / second)]
    for extra in ([], ["--force"]):
        result = runner.invoke(app, ["assess", SPEC, *args, *extra, *TODAY])
        assert result.exit_code == 2, result.output
        assert message in result.stderr and "already exists" not in result.stderr
        assert not first.exists()


def test_github_format_appends_the_step_summary(repo_root: Path, tmp_path: Path) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    result = runner.invoke(app, ["assess", SPEC, "-f", "github", *TODAY], env=env)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("::error file=examples/vllm-single-zone.yaml,line=")
    levels = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert all(levels.count(level) <= 10 for level in ("::error", "::warning", "::notice"))
    assert lines[-1].startswith("cellguard: ") and "not annotated" in lines[-1]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# earlier step\n## cellguard assessment")
    data = json.loads(runner.invoke(app, ["assess", SPEC, "-f", "json", *TODAY]).stdout)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "<code>CG-" in line]
    assert len(rows) == len(data["findings"])  # the full table, not the capped annotations
    again = runner.invoke(app, ["assess", SPEC, "-f", "github", *TODAY], env=env)
    assert again.stdout == result.stdout
    assert summary.read_text(encoding="utf-8") == text + text[len("# earlier step\n") :]


def test_github_without_summary_variable_writes_no_file(repo_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["assess", SPEC, "-f", "github", *TODAY], env={"GITHUB_STEP_SUMMARY": ""}
    )
    assert result.exit_code == 0 and result.stdout.startswith("::")
    assert list(tmp_path.iterdir()) == []
    assert REPO.is_dir()
