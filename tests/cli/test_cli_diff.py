"""``cellguard diff``: golden table/markdown/JSON, determinism and the git:REF side."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.findings import fingerprint
from tests.helpers import REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
RAG = REPO / "examples" / "rag-support-assistant.yaml"
GOLDEN = REPO / "tests" / "golden" / "diff"
EDITS = [
    # a one-replica retriever: a new single point of failure (CG-RED-001)
    (
        "    replicas: 3\n    shared_domains: [support-eks]",
        "    replicas: 1\n    shared_domains: [support-eks]",
    ),
    # GPU metrics collected: CG-OBS-002 resolved
    ("gpu_metrics: false", "gpu_metrics: true"),
    # agent-assist promoted to tier1: its findings' severities go up
    ("      criticality: tier2", "      criticality: tier1"),
]


def modified_rag() -> str:
    text = RAG.read_text(encoding="utf-8")
    for old, new in EDITS:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """old.yaml (the example) and new.yaml (three edits) in the working directory."""
    shutil.copy(RAG, tmp_path / "old.yaml")
    (tmp_path / "new.yaml").write_text(modified_rag(), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("table", "txt"), ("markdown", "md"), ("json", "json")]
)
def test_diff_matches_its_golden_and_is_byte_identical(pair: Path, fmt: str, suffix: str) -> None:
    args = ["diff", "old.yaml", "new.yaml", "--format", fmt, *TODAY]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout
    golden = GOLDEN / f"rag-support-assistant.{suffix}"
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(first.stdout, encoding="utf-8")
    assert first.stdout == golden.read_text(encoding="utf-8")


def test_diff_json_numbers(pair: Path) -> None:
    result = runner.invoke(app, ["diff", "old.yaml", "new.yaml", "-f", "json", *TODAY])
    data = json.loads(result.stdout)
    stack = "rag-support-assistant"
    assert data["summary"] == {
        "failing_old": 45,
        "failing_new": 46,  # agent-assist turned tier1 is small: CG-FI-005 UNKNOWN, not FAIL
        "new": 2,
        "resolved": 1,
        "severity_changed": 9,
        "evidence_changed": 9,
    }
    new = {f["fingerprint"] for f in data["new_findings"]}
    assert fingerprint("CG-RED-001", stack, "retriever") in new
    assert [f["rule"] for f in data["resolved_findings"]] == ["CG-OBS-002"]
    assert all(f["old_severity"] != f["new_severity"] for f in data["severity_changes"])
    for score in data["scores"]:
        if score["old"] is not None and score["new"] is not None:
            assert score["delta"] == round(score["new"] - score["old"], 1)
    chat = next(j for j in data["journeys"] if j["journey"] == "chat")
    assert chat["nines_delta"] < 0 and chat["downtime_minutes_per_year_delta"] > 0
    assert chat["loss_per_year_delta"] == pytest.approx(
        chat["new"]["loss_per_year"] - chat["old"]["loss_per_year"], rel=1e-5
    )
    assert chat["downtime_minutes_per_year_delta"] == pytest.approx(
        chat["new"]["downtime_minutes_per_year"] - chat["old"]["downtime_minutes_per_year"],
        rel=1e-5,
    )


def test_diff_writes_a_file_and_refuses_to_overwrite(pair: Path) -> None:
    args = ["diff", "old.yaml", "new.yaml", "-f", "markdown", "-o", "d.md", *TODAY]
    assert runner.invoke(app, args).exit_code == 0
    assert (pair / "d.md").read_text(encoding="utf-8").startswith("## cellguard diff")
    again = runner.invoke(app, args)
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_diff_against_a_git_revision(pair: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    ident = ["-c", "user.name=Test", "-c", "user.email=test@example.com"]
    for cmd in (["init", "-q"], ["add", "old.yaml"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *ident, *cmd], cwd=pair, check=True, capture_output=True)
    (pair / "old.yaml").write_text(modified_rag(), encoding="utf-8")
    result = runner.invoke(app, ["diff", "git:HEAD", "old.yaml", "-f", "json", *TODAY])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["old"], data["new"]) == ("old.yaml@HEAD", "old.yaml")
    assert data["summary"]["new"] == 2 and data["summary"]["resolved"] == 1
    reverse = json.loads(
        runner.invoke(app, ["diff", "old.yaml", "git:HEAD", "-f", "json", *TODAY]).stdout
    )
    assert reverse["summary"]["new"] == 1 and reverse["summary"]["resolved"] == 2
    both = runner.invoke(app, ["diff", "git:HEAD", "git:HEAD", *TODAY])
    assert both.exit_code == 2 and "only one side" in both.stderr
    missing = runner.invoke(app, ["diff", "git:HEAD", "new.yaml", *TODAY])
    assert missing.exit_code == 2 and "no spec file at HEAD" in missing.stderr


def test_diff_of_a_missing_path_is_an_input_error(pair: Path) -> None:
    result = runner.invoke(app, ["diff", "old.yaml", "nope.yaml", *TODAY])
    assert result.exit_code == 2 and "Traceback" not in result.output
