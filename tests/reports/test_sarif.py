"""SARIF: structure, locations, fingerprints that survive reformatting, and Microsoft's validator."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cellguard.models.findings import Status
from cellguard.reports.formats import ReportFormat, render
from cellguard.reports.sarif import SECURITY_SEVERITY
from tests.helpers import REPO
from tests.reports.report_fixtures import Assessed, assess

EXAMPLES = [
    "examples/rag-support-assistant.yaml",
    "examples/org",
    "examples/saas-finetune.yaml",
    "examples/vllm-single-zone.yaml",
    "examples/cell-multi-region.yaml",
]
VALIDATOR_NAMES = ("Sarif.Multitool", "sarif-multitool")


def validator() -> Path | None:
    """Microsoft's SARIF multitool: under .tools/ (``make sarif-validator``) or on PATH."""
    local = REPO / ".tools" / "node_modules" / "@microsoft" / "sarif-multitool-linux"
    candidate = local / "Sarif.Multitool"
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    for name in VALIDATOR_NAMES:
        found = shutil.which(name)
        if found:
            return Path(found)
    return None


def sarif_of(path: str) -> tuple[Assessed, dict[str, Any]]:
    os.chdir(REPO)
    assessed = assess(Path(path))
    return assessed, json.loads(render(assessed.assessment, ReportFormat.SARIF, assessed.ctx()))


@pytest.fixture(scope="module")
def rag() -> tuple[Assessed, dict[str, Any]]:
    cwd = Path.cwd()
    try:
        return sarif_of(EXAMPLES[0])
    finally:
        os.chdir(cwd)


def test_rules_carry_help_tags_and_security_severity(rag: tuple[Assessed, dict[str, Any]]) -> None:
    assessed, log = rag
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "cellguard" and driver["semanticVersion"]
    assert "informationUri" not in driver
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [m.id for m in assessed.assessment.rules]
    for rule, meta in zip(rules, assessed.assessment.rules, strict=True):
        assert "helpUri" not in rule  # no published rule reference to point at
        assert "DESIGN" not in json.dumps(rule)  # help stands alone (issue 19)
        assert rule["shortDescription"]["text"].startswith(meta.title)
        assert rule["fullDescription"]["text"].startswith(meta.rationale[:40])
        assert meta.remediation[:40] in rule["help"]["text"]
        assert meta.source[:30] in rule["help"]["markdown"]
        assert rule["properties"]["tags"] == [meta.pillar.value, meta.category.value, "reliability"]
        assert rule["properties"]["security-severity"] == SECURITY_SEVERITY[meta.severity]
    anchors = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert all(f"### {r['id']}\n" in anchors for r in rules)


def test_results_are_fails_and_waived_at_the_offending_key(
    rag: tuple[Assessed, dict[str, Any]],
) -> None:
    assessed, log = rag
    run = log["runs"][0]
    results = run["results"]
    expected = [f for f in assessed.assessment.findings if f.status in (Status.FAIL, Status.WAIVED)]
    assert len(results) == len(expected) == 46  # 45 FAIL + 1 WAIVED in the RAG example
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result, finding in zip(results, expected, strict=True):
        assert result["ruleId"] == finding.rule and ids[result["ruleIndex"]] == finding.rule
        assert result["partialFingerprints"] == {"cellguard/v1": finding.fingerprint}
        loc = result["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {
            "uri": "examples/rag-support-assistant.yaml",
            "uriBaseId": "%SRCROOT%",
        }
        assert finding.location is not None
        assert loc["region"] == {
            "startLine": finding.location.line,
            "startColumn": finding.location.column,
        }
        assert result["message"]["text"].endswith(".")
    waived = [r for r in results if "suppressions" in r]
    assert len(waived) == 1
    suppression = waived[0]["suppressions"][0]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert suppression["justification"].startswith("The knowledge base is rebuildable")
    assert "jane.doe" in suppression["justification"] and "SUP-1234" in suppression["justification"]
    # the waiver is written on CG-RED-004 for kb: line of kb's backups key
    assert waived[0]["ruleId"] == "CG-RED-004"
    assert run["invocations"] == [{"executionSuccessful": True}]


def test_fingerprints_survive_reformatting_and_reordering(tmp_path: Path) -> None:
    source = REPO / "examples" / "rag-support-assistant.yaml"
    data = yaml.safe_load(source.read_text(encoding="utf-8"))

    def reorder(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: reorder(value[k]) for k in sorted(value, reverse=True)}
        if isinstance(value, list):
            return [reorder(v) for v in value]
        return value

    shuffled = reorder(data)
    shuffled["components"] = list(reversed(shuffled["components"]))
    moved = tmp_path / "rag-support-assistant.yaml"
    moved.write_text(
        "# reformatted\n\n" + yaml.safe_dump(shuffled, indent=4, sort_keys=False, width=60),
        encoding="utf-8",
    )
    cwd = Path.cwd()
    try:
        _, before = sarif_of(str(source.relative_to(REPO)))
        os.chdir(tmp_path)
        after_assessed = assess(Path(moved.name))
        after = json.loads(
            render(after_assessed.assessment, ReportFormat.SARIF, after_assessed.ctx())
        )
    finally:
        os.chdir(cwd)

    def prints(log: dict[str, Any]) -> dict[str, tuple[int, int]]:
        return {
            r["partialFingerprints"]["cellguard/v1"]: (
                r["locations"][0]["physicalLocation"]["region"]["startLine"],
                r["ruleIndex"],
            )
            for r in log["runs"][0]["results"]
        }

    old, new = prints(before), prints(after)
    assert set(old) == set(new) and len(old) == 46
    assert sum(1 for k in old if old[k][0] != new[k][0]) > 30  # the lines did move


@pytest.mark.parametrize("path", EXAMPLES)
def test_microsoft_sarif_validator_accepts_every_example(path: str, tmp_path: Path) -> None:
    tool = validator()
    if tool is None:
        pytest.skip(
            "Microsoft SARIF multitool not installed: run `make sarif-validator` (needs npm) "
            "or put Sarif.Multitool on PATH"
        )
    cwd = Path.cwd()
    try:
        _, log = sarif_of(path)
    finally:
        os.chdir(cwd)
    target = tmp_path / "report.sarif"
    target.write_text(json.dumps(log, indent=2), encoding="utf-8")
    out = tmp_path / "validation.sarif"
    done = subprocess.run(
        [
            str(tool),
            "validate",
            "--rule-kind",
            "Gh;Sarif",
            "--level",
            "Error;Warning",
            str(target),
            "--output",
            str(out),
            "--log",
            "ForceOverwrite",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    found = json.loads(out.read_text(encoding="utf-8"))["runs"][0]["results"]
    problems = [
        (r["ruleId"], r.get("level", "warning"), r["message"])
        for r in found
        if r.get("level", "warning") in ("error", "warning")
        # SARIF2005 asks for tool.driver.informationUri: cellguard has no published page, and a
        # link to a host that does not exist is worse than none (issue 19 item 8)
        and r["ruleId"] != "SARIF2005"
    ]
    assert problems == []


def test_a_file_name_that_is_not_utf8_is_its_own_bytes_in_the_uri() -> None:
    """A spec file named in Latin-1 on disk (``café.yaml`` as bytes 63 61 66 E9): Python reads
    the name with the byte as a lone surrogate; quoting it as UTF-8 raised (exit 3)."""
    from cellguard.reports.sarif import artifact_uri

    name = b"specs/caf\xe9.yaml".decode("utf-8", "surrogateescape")
    assert artifact_uri(name) == ("specs/caf%E9.yaml", "%SRCROOT%")
    assert artifact_uri("/srv/" + name)[0] == "file:///srv/specs/caf%E9.yaml"
    assert artifact_uri("specs/café.yaml")[0] == "specs/caf%C3%A9.yaml"  # UTF-8 as before
    assert artifact_uri("odd\ud800.yaml")[0] == "odd%ED%A0%80.yaml"
