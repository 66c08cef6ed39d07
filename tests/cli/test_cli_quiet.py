"""``--quiet`` and ``-f compact`` of assess and check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import BASE_STACK, REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / ".git").mkdir()  # no config file from above applies
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_STACK, encoding="utf-8")
    return path


def test_assess_quiet_prints_the_verdict_only_and_still_writes_files(spec: Path) -> None:
    result = runner.invoke(
        app, ["assess", "demo.yaml", "-q", *TODAY, "-f", "json", "-o", "r.json", "-f", "table"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads((spec.parent / "r.json").read_text(encoding="utf-8"))
    score = report["scores"]["overall"]
    overall = report["score_details"]["overall"]
    lines = result.stdout.splitlines()
    assert len(lines) == 1, result.stdout  # the table to standard output is left out
    assert lines[0].startswith(
        f"assess: overall score {score:.1f} (upper {overall['upper']:.1f}, "
        f"assurance {overall['assurance']:.1f}%); "
    )
    counts = report["summary"]
    assert f"; {counts['FAIL']} FAIL (1 high, 3 medium)" in lines[0]
    assert counts["FAIL"] == 4
    assert lines[0].endswith(f", {counts['UNKNOWN']} UNKNOWN")


def test_compact_is_one_line_per_finding(spec: Path) -> None:
    result = runner.invoke(app, ["assess", "demo.yaml", "-f", "compact", *TODAY])
    assert result.exit_code == 0, result.output
    full = runner.invoke(app, ["assess", "demo.yaml", "-f", "json", *TODAY])
    findings = json.loads(full.stdout)["findings"]
    lines = result.stdout.splitlines()
    assert len(lines) == len(findings)
    first = lines[0].split(maxsplit=5)
    assert first[:5] == ["high", "FAIL", "CG-COR-001", "demo/chat", "demo.yaml:8"]
    assert first[5].startswith("Journey chat reaches llm without any guardrail")


def test_compact_marks_what_the_baseline_had(spec: Path) -> None:
    base = runner.invoke(app, ["assess", "demo.yaml", "-f", "json", "-o", "base.json", *TODAY])
    assert base.exit_code == 0, base.output
    spec.write_text(BASE_STACK.replace("replicas: 3", "replicas: 1"), encoding="utf-8")
    result = runner.invoke(
        app, ["check", "demo.yaml", "--baseline", "base.json", "-f", "compact", *TODAY]
    )
    assert result.exit_code == 1
    statuses = [(line.split()[1], line.split()[2]) for line in result.stdout.splitlines()]
    new = [rule for status, rule in statuses if status == "FAIL"]
    known = [rule for status, rule in statuses if status == "BASELINED"]
    assert new == ["CG-RED-001", "CG-RED-011"]  # listed first
    assert sorted(known) == ["CG-CAP-003", "CG-CAP-010", "CG-COR-001", "CG-COR-003"]
    assert statuses[: len(new)] == [("FAIL", r) for r in new]


def test_check_quiet_keeps_the_step_summary_and_prints_no_report(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = spec.parent / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = runner.invoke(app, ["check", "demo.yaml", "-q", "-f", "github", *TODAY])
    assert result.exit_code == 1
    assert result.stdout == ""  # no ::error annotations on standard output
    assert "check: 4 blocking (FAIL >= medium)" in result.stderr
    assert "demo" in summary.read_text(encoding="utf-8")  # the job summary is still written


def test_check_quiet_does_not_send_the_user_to_a_report_it_did_not_print() -> None:
    rag = str(REPO / "examples" / "rag-support-assistant.yaml")
    result = runner.invoke(app, ["check", rag, "-q", *TODAY])
    assert result.exit_code == 1 and result.stdout == ""
    listed = [line for line in result.stderr.splitlines() if line.startswith("  blocking ")]
    assert len(listed) == 20
    assert result.stderr.rstrip().endswith("more (run without --quiet for the report)")
