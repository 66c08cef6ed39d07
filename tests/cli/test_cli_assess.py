"""``cellguard assess`` and ``cellguard rules`` end to end, through the typer app and the entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
GOLDEN = REPO / "tests" / "golden" / "assess"
TODAY = ["--today", "2026-11-21", "--no-plugins"]
EXAMPLES = [
    ("examples/rag-support-assistant.yaml", "rag-support-assistant"),
    ("examples/org", "org"),
    ("examples/saas-finetune.yaml", "saas-finetune"),
    ("examples/vllm-single-zone.yaml", "vllm-single-zone"),
    ("examples/cell-multi-region.yaml", "cell-multi-region"),
    ("examples/queue-answered-chatbot.yaml", "queue-answered-chatbot"),
    ("examples/shared-entry-routes.yaml", "shared-entry-routes"),
]
CONTRACT = {"schema_version", "tool", "scores", "journeys", "blast_radius", "findings"}
FINDING_KEYS = {
    "rule",
    "title",
    "pillar",
    "category",
    "status",
    "severity",
    "stack",
    "target",
    "message",
    "evidence",
    "remediation",
    "fingerprint",
    "location",
}


def assess_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["assess", *args, "--format", "json", *TODAY])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


@pytest.mark.parametrize(("path", "name"), EXAMPLES)
def test_examples_match_their_golden_json(repo_root: Path, path: str, name: str) -> None:
    first = runner.invoke(app, ["assess", path, "--format", "json", *TODAY])
    second = runner.invoke(app, ["assess", path, "--format", "json", *TODAY])
    assert first.exit_code == 0, first.output
    assert first.stdout == second.stdout  # byte-identical
    golden = GOLDEN / f"{name}.json"
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(first.stdout, encoding="utf-8")
    assert first.stdout == golden.read_text(encoding="utf-8")
    data = json.loads(first.stdout)
    assert set(data) >= CONTRACT
    assert set(data["scores"]) >= {
        "overall",
        "fault_isolation",
        "sufficient_capacity",
        "timely_output",
        "correct_output",
        "redundancy",
    }
    for finding in data["findings"]:
        assert set(finding) >= FINDING_KEYS
        assert finding["status"] != "PASS"


def test_table_report_is_deterministic_and_shows_scores(repo_root: Path) -> None:
    args = ["assess", "examples/vllm-single-zone.yaml", *TODAY]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    assert "Scores (0-100)" in first.stdout
    assert "fix:" in first.stdout and "evidence:" in first.stdout


def test_select_ignore_and_min_severity(repo_root: Path) -> None:
    data = assess_json(
        "examples/vllm-single-zone.yaml", "--select", "CG-COR-*", "--ignore", "CG-COR-010"
    )
    assert data["rules"] and all(
        r.startswith("CG-COR-") and r != "CG-COR-010" for r in data["rules"]
    )  # type: ignore[union-attr]
    high = assess_json("examples/vllm-single-zone.yaml", "--min-severity", "high")
    fails = [f for f in high["findings"] if f["status"] == "FAIL"]  # type: ignore[union-attr,index]
    assert fails and all(f["severity"] in ("high", "critical") for f in fails)


def test_unknown_select_pattern_is_an_input_error(repo_root: Path) -> None:
    result = runner.invoke(
        app, ["assess", "examples/vllm-single-zone.yaml", "--select", "CG-NOPE-1", *TODAY]
    )
    assert result.exit_code == 2
    assert "no rule matches 'CG-NOPE-1'" in result.stderr


def test_bad_date_and_existing_output_are_input_errors(repo_root: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["assess", "examples/vllm-single-zone.yaml", "--today", "21/11/2026"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
    out = tmp_path / "report.json"
    out.write_text("mine", encoding="utf-8")
    refused = runner.invoke(
        app, ["assess", "examples/vllm-single-zone.yaml", "-f", "json", "-o", str(out), *TODAY]
    )
    assert refused.exit_code == 2 and out.read_text(encoding="utf-8") == "mine"
    forced = runner.invoke(
        app,
        [
            "assess",
            "examples/vllm-single-zone.yaml",
            "-f",
            "json",
            "-o",
            str(out),
            "--force",
            *TODAY,
        ],
    )
    assert (
        forced.exit_code == 0 and json.loads(out.read_text(encoding="utf-8"))["schema_version"] == 1
    )


def test_invalid_spec_exits_2_without_traceback(repo_root: Path) -> None:
    result = runner.invoke(app, ["assess", "examples/invalid/dependency-cycle.yaml", *TODAY])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "dependency-cycle.yaml:" in result.stderr


CRASHING = """
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.metadata import RuleMeta

META = RuleMeta(
    id="ACME-RED-001", title="A rule that crashes", pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE, severity=Severity.LOW,
    applies_to=("stack",), rationale="Used by the tests to show crashes are reported.",
    source="tests", remediation="Nothing to do.", action="nothing",
)


def check(ctx):
    raise ZeroDivisionError("division by zero")


RULE = PythonRule(META, check)
"""


def test_a_crashing_plugin_rule_is_reported_and_exits_3(repo_root: Path, tmp_path: Path) -> None:
    (tmp_path / "crash.py").write_text(CRASHING, encoding="utf-8")
    args = ["assess", "examples/vllm-single-zone.yaml", "--rules", str(tmp_path), *TODAY]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert "ACME-RED-001" in result.stdout and "ZeroDivisionError" in result.stdout
    assert "rule crashed: ACME-RED-001" in result.stderr


def test_rules_list_explain_and_scoring() -> None:
    listed = runner.invoke(app, ["rules", "list", "--no-plugins"])
    assert listed.exit_code == 0 and "CG-COR-010" in listed.stdout
    explained = runner.invoke(app, ["rules", "explain", "cg-cor-010", "--no-plugins"])
    assert explained.exit_code == 0
    for part in ("Why:", "Source:", "Fix:", "Passing example", "Failing example"):
        assert part in explained.stdout
    scoring = runner.invoke(app, ["rules", "explain", "--scoring"])
    assert "    score     = 100 x P / (P + F + U)          what the spec proves" in scoring.stdout
    assert "    upper     = 100 x (P + U) / (P + F + U)    every UNKNOWN" in scoring.stdout
    assert "    assurance = 100 x (P + F) / (P + F + U)    the weighted share" in scoring.stdout
    typo = runner.invoke(app, ["rules", "explain", "CG-CORE-010", "--no-plugins"])
    assert typo.exit_code == 2 and "did you mean CG-COR-010?" in typo.stderr


def test_docs_rules_md_is_fresh() -> None:
    result = runner.invoke(app, ["rules", "list", "--format", "markdown", "--no-plugins"])
    assert result.exit_code == 0
    committed = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert result.stdout == committed, (
        "regenerate: cellguard rules list -f markdown -o docs/rules.md --force"
    )


def test_the_console_script_runs_an_assessment(repo_root: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cellguard", "assess", "examples/org", "-f", "json", *TODAY],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert [s["name"] for s in data["stacks"]] == [
        "genai-platform",
        "hr-assistant",
        "legal-assistant",
        "product-assistant",
        "support-assistant",
    ]


def test_readme_json_example_quotes_the_rag_golden() -> None:
    data = json.loads((GOLDEN / "rag-support-assistant.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    scores = data["scores"]
    assert (
        f'"overall": {scores["overall"]}, "fault_isolation": {scores["fault_isolation"]}' in readme
    )
    summary = ", ".join(
        f'"{k}": {v}'
        for k, v in sorted(
            data["summary"].items(),
            key=lambda kv: ["PASS", "FAIL", "NOT_APPLICABLE", "UNKNOWN", "WAIVED", "ERROR"].index(
                kv[0]
            ),
        )
    )
    assert f'"summary": {{{summary}}}' in readme


def test_journey_entering_through_an_unloaded_stack_is_not_an_internal_error(
    tmp_path: Path,
) -> None:
    """Single-file mode: the entrypoint lives in a platform that is not loaded."""
    spec = tmp_path / "shop.yaml"
    spec.write_text(
        "apiVersion: cellguard/v1\nkind: Stack\nmetadata: {name: shop}\n"
        "business:\n  journeys:\n    - {id: chat, entrypoint: platform/gw, criticality: tier1}\n"
        "topology:\n  accounts: [prod]\n  regions: [{name: us-east-1, zones: [use1-az1]}]\n"
        "components:\n  - {id: api, kind: app, depends_on: [platform/llm]}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["assess", str(spec), "--format", "json", "--today", "2026-11-21"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["journeys"] == []
    assert data["summary"]["ERROR"] == 0


def test_written_reports_get_the_umask_mode_not_mkstemps_0600(
    repo_root: Path, tmp_path: Path
) -> None:
    import os
    import stat

    out = tmp_path / "report.json"
    old = os.umask(0o022)
    try:
        result = runner.invoke(
            app, ["assess", "examples/rag-support-assistant.yaml", "-f", "json", "-o", str(out)]
        )
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    out.chmod(0o600)
    again = runner.invoke(
        app,
        ["assess", "examples/rag-support-assistant.yaml", "-f", "json", "-o", str(out), "--force"],
    )
    assert again.exit_code == 0, again.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "an overwritten file keeps its mode"
