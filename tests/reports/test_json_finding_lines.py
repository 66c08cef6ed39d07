"""The JSON report writes each finding's line from its fields: the bytes of its dictionary's."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from cellguard.models.findings import (
    FailureCategory,
    Location,
    Pillar,
    Severity,
    Status,
    WaiverUse,
)
from cellguard.models.json_text import NonFiniteJSONError
from cellguard.models.text import json_safe
from cellguard.reports.json_lines import (
    _compact,
    _evidence,
    _FindingLines,
    _safe,
    finding_dict,
)
from cellguard.reports.json_report import render_json
from tests.reports.report_fixtures import assess

EXAMPLES = ["examples/org", "examples/rag-support-assistant.yaml", "examples/saas-finetune.yaml"]


@pytest.mark.parametrize("path", EXAMPLES)
def test_every_finding_line_is_its_dictionary_written_compactly(repo_root: Path, path: str) -> None:
    findings = assess(Path(path)).assessment.findings
    lines = _FindingLines()
    assert len(findings) > 100
    for j, finding in enumerate(findings):  # PASS and NOT_APPLICABLE included
        assert lines.encode(finding, f"findings[{j}]") == _compact(finding_dict(finding))


def test_waivers_notes_and_hostile_text_are_written_the_same(repo_root: Path) -> None:
    finding = assess(Path("examples/vllm-single-zone.yaml")).assessment.findings[0]
    waiver = WaiverUse("s", "CG-X", None, "me", "why\u202e", "2026-12-01", "T-1", False)
    odd = replace(
        finding,
        message="line\nbreak \x1b[2J \u200b ❤️",
        note="a note",
        waiver=waiver,
        location=None,
        impact=None,
        evidence={"b": [1.5, None, True], "a": {"z": "\x7f", "y": 1e-300}},
    )
    assert _FindingLines().encode(odd, "findings[0]") == _compact(finding_dict(odd))


def test_a_non_finite_number_is_refused_naming_where_it_is(repo_root: Path) -> None:
    finding = assess(Path("examples/vllm-single-zone.yaml")).assessment.findings[0]
    bad = replace(finding, evidence={"ratio": math.inf})
    with pytest.raises(NonFiniteJSONError, match=r"findings\[7\]\.evidence\.ratio"):
        _FindingLines().encode(bad, "findings[7]")


def test_locations_and_repeated_strings_are_written_the_same(repo_root: Path) -> None:
    """Locations are written out and repeated strings encoded once (issue 21 item 5): the same
    bytes for odd file names, a location shared or not, and strings seen again."""
    finding = assess(Path("examples/vllm-single-zone.yaml")).assessment.findings[0]
    lines = _FindingLines()
    for file in ('dir "quoted"/ünï\\cöde.yaml', "tab\there.yaml", "\u202eevil.yaml", "plain.yaml"):
        for line, column in ((1, 1), (12345, 67)):
            odd = replace(
                finding,
                location=Location(file, line, column),
                stack=file,
                evidence={},
                remediation=file + "\n" + finding.remediation,
            )
            for _ in range(2):  # the second time from what was kept
                assert lines.encode(odd, "findings[0]") == _compact(finding_dict(odd))


def test_lines_are_made_safe_after_a_quick_check(repo_root: Path) -> None:
    """An ASCII finding line without DEL is taken as it is, any other made safe by json_safe
    (issue 21 item 5): a DEL in otherwise ASCII text, and bidi or zero-width characters, are
    escaped all the same."""
    assessment = assess(Path("examples/vllm-single-zone.yaml")).assessment
    first = assessment.findings[0]
    for message in ("ascii \x7f del", "bidi \u202e and \u200b", "plain"):
        odd = replace(first, message=message, status=Status.FAIL)
        text = render_json(replace(assessment, findings=[odd]))
        line = _FindingLines().encode(odd, "findings[0]")
        assert f"    {line}\n" in text  # as each line was made safe on its own
        assert "\x7f" not in text and "\u202e" not in text and "\u200b" not in text
        assert text == json_safe(text)
        assert _safe(line) == line == json_safe(line)
    for raw in ('{"a": "x\x7fy"}', '{"a": "\u202e"}', '{"a": "é"}', '{"a": "plain"}'):
        assert _safe(raw) == json_safe(raw)


def test_evidence_after_a_refused_number_is_written_again(repo_root: Path) -> None:
    """The shared C encoder is replaced after an error, so the value it was writing when it
    failed is not taken for a cycle the next time."""
    evidence: dict[str, object] = {"ratio": math.inf, "nested": {"a": 1}}
    with pytest.raises(ValueError):
        _evidence(evidence)
    evidence["ratio"] = 0.5
    assert _evidence(evidence) == '{"nested": {"a": 1}, "ratio": 0.5}'
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular"):
        _evidence(cycle)
    assert _evidence([1.0, "é"]) == '[1.0, "é"]'


def test_what_a_rules_findings_share_is_written_once_per_rule(repo_root: Path) -> None:
    """The text around the varying values is made once per rule's shared values; findings
    that differ in any of them get their own (the same bytes as the dictionary's)."""
    finding = assess(Path("examples/vllm-single-zone.yaml")).assessment.findings[0]
    lines = _FindingLines()
    variants = [
        finding,
        replace(finding, title="other"),
        replace(finding, remediation="other"),
        replace(finding, rule="CG-OTHER-1"),
        replace(finding, base_severity=Severity.CRITICAL),
        replace(finding, category=FailureCategory.EXCESSIVE_LOAD),
        replace(finding, pillar=Pillar.SECURITY),
    ]
    for _ in range(2):
        for odd in variants:
            assert lines.encode(odd, "findings[0]") == _compact(finding_dict(odd))
    assert len(lines._parts) == len(variants)


def test_evidence_of_the_same_content_is_encoded_once(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Evidence equal in content to evidence written before takes its text (issue 21 item 5):
    told apart by type as the encoder tells them apart (1, 1.0 and True; -0.0 and 0.0), and
    evidence the content cannot be told of (an enumeration member) encoded each time."""
    import cellguard.reports.json_lines as json_lines

    finding = assess(Path("examples/vllm-single-zone.yaml")).assessment.findings[0]
    encoded: list[object] = []
    real = json_lines._evidence

    def counted(evidence: object) -> str:
        encoded.append(evidence)
        return real(evidence)

    monkeypatch.setattr(json_lines, "_evidence", counted)
    lines = _FindingLines()
    kinds = [1, 1.0, True, 0.0, -0.0, "1", [1], (1,), {"v": 1}, None]
    for _ in range(3):  # each time a new dictionary of the same content
        for value in kinds:
            odd = replace(finding, evidence={"x": value, "y": [value, "é"]})
            assert lines.encode(odd, "findings[0]") == _compact(finding_dict(odd))
    assert len(encoded) == len(kinds)
    member = replace(finding, evidence={"x": Severity.HIGH})
    for _ in range(2):
        assert lines.encode(member, "findings[0]") == _compact(finding_dict(member))
    assert len(encoded) == len(kinds) + 2
    bad = replace(finding, evidence={"ratio": math.nan})
    for _ in range(2):  # an error is not kept: raised again
        with pytest.raises(NonFiniteJSONError):
            lines.encode(bad, "findings[0]")
