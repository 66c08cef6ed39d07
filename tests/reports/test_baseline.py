"""Baselines: read from a JSON report or an assessment; new, baselined and resolved findings."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from cellguard.models.findings import Severity, Status
from cellguard.reports.baseline import (
    BaselineError,
    compare,
    empty_baseline,
    from_assessment,
    load_baseline,
    parse_baseline,
)
from cellguard.reports.json_report import render_json
from cellguard.rules.engine import Assessment
from tests.helpers import BASE_STACK
from tests.reports.report_fixtures import ONE_ZONE, assess_text


@pytest.fixture(scope="module")
def base() -> Assessment:
    return assess_text(BASE_STACK)


@pytest.fixture(scope="module")
def worse() -> Assessment:
    assert ONE_ZONE != BASE_STACK
    return assess_text(ONE_ZONE)


def failing(assessment: Assessment) -> set[str]:
    return {f.fingerprint for f in assessment.findings if f.status is Status.FAIL}


def test_a_json_report_and_the_assessment_give_the_same_baseline(base: Assessment) -> None:
    parsed = parse_baseline(render_json(base), "base.json")
    direct = from_assessment(base, "here")
    assert parsed.fingerprints == direct.fingerprints == failing(base)
    assert parsed.failing == direct.failing and parsed.complete
    assert {k: s.score for k, s in parsed.scores.items()} == {
        k: s.score for k, s in base.scores.items()
    }
    assert parsed.scores["overall"] == base.scores["overall"]  # tallies too


def test_compare_splits_new_baselined_and_resolved(base: Assessment, worse: Assessment) -> None:
    forward = compare(worse, from_assessment(base, "base"))
    new = failing(worse) - failing(base)
    assert new, "one zone and one replica must add failing findings"
    assert {f.fingerprint for f in forward.new} == new
    assert forward.baselined_fingerprints == failing(worse) & failing(base)
    assert {b.fingerprint for b in forward.resolved} == failing(base) - failing(worse)
    backward = compare(base, from_assessment(worse, "worse"))
    assert {b.fingerprint for b in backward.resolved} == new
    everything = compare(worse, empty_baseline("nothing"))
    assert len(everything.new) == len(failing(worse)) and not everything.baselined


def test_a_filtered_report_is_flagged_incomplete(base: Assessment) -> None:
    text = render_json(base, min_severity=Severity.CRITICAL)
    low = [
        f for f in base.findings if f.status is Status.FAIL and f.severity is not Severity.CRITICAL
    ]
    assert low
    assert not parse_baseline(text, "filtered.json").complete


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], "no top-level object"),
        ({"tool": {"name": "trivy"}, "schema_version": 1, "findings": []}, "tool.name is not"),
        ({"tool": {"name": "cellguard"}, "schema_version": 2, "findings": []}, "schema_version 2"),
        ({"tool": {"name": "cellguard"}, "schema_version": 1, "findings": {}}, "no findings list"),
        (
            {"tool": {"name": "cellguard"}, "schema_version": 1, "findings": [{"status": "FAIL"}]},
            "findings[0] has no fingerprint",
        ),
        (
            {
                "tool": {"name": "cellguard"},
                "schema_version": 1,
                "findings": [{"status": "FAIL", "fingerprint": "ab", "severity": "huge"}],
            },
            "unknown severity 'huge' (expected one of info, low, medium, high, critical)",
        ),
        (
            {
                "tool": {"name": "cellguard"},
                "schema_version": 1,
                "findings": [{"status": "FAILED", "fingerprint": "ab", "severity": "high"}],
            },
            "findings[0] has an unknown status 'FAILED' (expected one of PASS, FAIL,",
        ),
    ],
)
def test_unusable_reports_are_errors(data: object, message: str) -> None:
    with pytest.raises(BaselineError, match=re.escape(message)):
        parse_baseline(json.dumps(data), "x.json")


def test_load_baseline_reports_missing_and_non_json_files(tmp_path: Path) -> None:
    with pytest.raises(BaselineError, match="no such file"):
        load_baseline(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(BaselineError, match="not JSON"):
        load_baseline(bad)


def test_a_report_written_before_upper_and_assurance_is_still_read(base: Assessment) -> None:
    data = json.loads(render_json(base))
    for details in data["score_details"].values():
        del details["upper"], details["assurance"]
    parsed = parse_baseline(json.dumps(data), "old.json")
    overall = parsed.scores["overall"]
    assert overall.score == base.scores["overall"].score
    assert (overall.upper, overall.assurance) == (None, None)
    assert parsed.fingerprints == failing(base)


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [("upper", 100.5, "100.5"), ("assurance", "95", "'95'"), ("upper", True, "true")],
)
def test_a_bad_upper_or_assurance_is_refused(
    base: Assessment, name: str, value: object, shown: str
) -> None:
    data = json.loads(render_json(base))
    data["score_details"]["overall"][name] = value
    with pytest.raises(BaselineError) as caught:
        parse_baseline(json.dumps(data), "base.json")
    assert str(caught.value) == (
        f"base.json: score_details.overall.{name} is {shown}, "
        "expected a score (a number from 0 to 100, or null)"
    )
