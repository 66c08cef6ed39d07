"""Byte-identity guard for speed work on ``assess`` (issue 21 item 5, issue 15).

A small organisation from ``benchmarks/assess_scale.py``'s generator (the platform and two
stacks of 50 components, 101 in all) is assessed through the CLI and every report byte is
compared with a recorded golden: the JSON report, the JSON report with PASS and
NOT_APPLICABLE findings (``--include-passed``: rule evidence nobody else prints), the table
and the markdown report. Optimisations of loading, rules, figures or reports must leave all
four unchanged; a deliberate change of output regenerates them with
``CELLGUARD_UPDATE_GOLDEN=1`` (and so does a change of the generator).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO, org_generator

GOLDEN = REPO / "tests" / "golden" / "generated"
TODAY = ["--today", "2026-11-21", "--no-plugins"]
COMPONENTS = 100  # two stacks of 50, plus the platform's shared vector store


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Assess the generated organisation once per option set; return each report's text."""
    work = tmp_path_factory.mktemp("generated")
    org = work / "org"
    org.mkdir()
    assert org_generator().write_org(org, COMPONENTS) == 101
    runner = CliRunner()
    cwd = Path.cwd()
    os.chdir(work)  # paths in the reports print as org/<file>.yaml
    try:
        outputs = {
            "org.json": ["-f", "json", "-o", "org.json"],
            "org.txt": ["-f", "table", "-o", "org.txt"],
            "org.md": ["-f", "markdown", "-o", "org.md"],
        }
        formats = [arg for args in outputs.values() for arg in args]
        first = runner.invoke(app, ["assess", "org", *formats, *TODAY])
        assert first.exit_code == 0, first.output
        passed = runner.invoke(
            app, ["assess", "org", "--include-passed", "-f", "json", "-o", "passed.json", *TODAY]
        )
        assert passed.exit_code == 0, passed.output
        names = [*outputs, "passed.json"]
        return {name: (work / name).read_text(encoding="utf-8") for name in names}
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("name", ["org.json", "passed.json", "org.txt", "org.md"])
def test_generated_organisation_reports_match_their_golden(
    reports: dict[str, str], name: str
) -> None:
    golden = GOLDEN / name
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(reports[name], encoding="utf-8")
    assert golden.exists(), f"missing golden file {golden}; run with CELLGUARD_UPDATE_GOLDEN=1"
    assert reports[name] == golden.read_text(encoding="utf-8"), (
        f"{name} of the generated organisation differs from {golden}: an optimisation changed "
        "an output byte (regenerate only for a deliberate change of output)"
    )


def test_generated_organisation_is_assessed_in_full(reports: dict[str, str]) -> None:
    """The golden covers what the speed work touches: every stack, journey and rule ran."""
    data = json.loads(reports["passed.json"])
    assert [s["name"] for s in data["stacks"]] == ["platform", "s00000", "s00001"]
    assert len(data["journeys"]) == 4
    statuses = {f["status"] for f in data["findings"]}
    assert {"PASS", "FAIL", "UNKNOWN"} <= statuses
    assert len(data["findings"]) > len(json.loads(reports["org.json"])["findings"])
