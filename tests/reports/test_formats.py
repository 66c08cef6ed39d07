"""Every report format: goldens on one example, byte-identical reruns, hostile text escaped."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from cellguard.models.findings import Status
from cellguard.reports.formats import ReportFormat, render, step_summary
from tests.helpers import BASE_STACK, REPO
from tests.reports.report_fixtures import Assessed, assess

GOLDEN = REPO / "tests" / "golden" / "reports"
EXAMPLE = "rag-support-assistant"
HOSTILE = '<script>alert("x")</script> 100% ::error:: a,b @everyone\nsecond line `tick` | pipe'


def golden_name(fmt: ReportFormat) -> str:
    """``rag-support-assistant.sarif``; the github and compact formats are ``.github.txt`` and
    ``.compact.txt``."""
    ext = (
        f"{fmt.value}.txt" if fmt in (ReportFormat.GITHUB, ReportFormat.COMPACT) else fmt.extension
    )
    return f"{EXAMPLE}.{ext}"


@pytest.fixture(scope="module")
def example() -> Assessed:
    cwd = Path.cwd()
    os.chdir(REPO)
    try:
        return assess(Path(f"examples/{EXAMPLE}.yaml"))
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_every_format_matches_its_golden_and_is_byte_identical(
    example: Assessed, fmt: ReportFormat
) -> None:
    first = render(example.assessment, fmt, example.ctx())
    second = render(example.assessment, fmt, example.ctx())
    assert first == second
    assert first.endswith("\n")
    golden = GOLDEN / golden_name(fmt)
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(first, encoding="utf-8")
    assert first == golden.read_text(encoding="utf-8")


def test_step_summary_matches_its_golden(example: Assessed) -> None:
    text = step_summary(example.assessment, example.ctx())
    assert text == step_summary(example.assessment, example.ctx())
    golden = GOLDEN / f"{EXAMPLE}.step-summary.md"
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_rerunning_the_whole_assessment_gives_the_same_bytes(example: Assessed) -> None:
    os.chdir(REPO)
    again = assess(Path(f"examples/{EXAMPLE}.yaml"))
    for fmt in ReportFormat:
        assert render(again.assessment, fmt, again.ctx()) == render(
            example.assessment, fmt, example.ctx()
        ), fmt


def hostile_spec() -> str:
    """BASE_STACK with hostile free text in every free-text field and two waivers."""
    quoted = json.dumps(HOSTILE)
    text = BASE_STACK.replace("  owner: team\n", f"  owner: {quoted}\n  description: {quoted}\n")
    text = text.replace(
        "          entrypoint: web\n",
        f"          entrypoint: web\n          description: {quoted}\n",
    )
    return (
        text
        + "waivers:\n"
        + f"  - {{rule: 'CG-COR-*', reason: {quoted}, owner: {quoted}, ticket: {quoted}, expires: 2027-01-01}}\n"
        + f"  - {{rule: 'CG-CAP-*', reason: {quoted}, owner: {quoted}, expires: 2026-01-01}}\n"
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assessed, Path]:
    folder = tmp_path_factory.mktemp("hostile")
    spec = folder / "we%ird,na:me.yaml"
    spec.write_text(hostile_spec(), encoding="utf-8")
    cwd = Path.cwd()
    os.chdir(folder)
    try:
        return assess(Path(spec.name)), folder
    finally:
        os.chdir(cwd)


def test_hostile_spec_really_carries_hostile_text(hostile: tuple[Assessed, Path]) -> None:
    a = hostile[0].assessment
    waived = a.by_status(Status.WAIVED)
    assert waived and all(f.waiver is not None and f.waiver.reason == HOSTILE for f in waived)
    assert any(f.note and HOSTILE in f.note for f in a.findings)


def test_html_escapes_hostile_text_and_has_no_script_or_url(hostile: tuple[Assessed, Path]) -> None:
    assessed = hostile[0]
    html = render(assessed.assessment, ReportFormat.HTML, assessed.ctx())
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "http" not in html
    assert "we%ird,na:me.yaml" in html


def tables(text: str) -> list[list[str]]:
    """The markdown tables in ``text``: runs of lines starting with ``|``."""
    found: list[list[str]] = []
    current: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


def cells(line: str) -> int:
    """Cells of a table row: pipes not escaped with a backslash."""
    return len(re.findall(r"(?<!\\)\|", line)) - 1


def test_markdown_escapes_hostile_text(hostile: tuple[Assessed, Path]) -> None:
    assessed = hostile[0]
    for text in (
        render(assessed.assessment, ReportFormat.MARKDOWN, assessed.ctx()),
        step_summary(assessed.assessment, assessed.ctx()),
    ):
        assert "<script" not in text
        prose = re.sub(r"```mermaid.*?```", "", text, flags=re.S)  # mentions are inert in code
        assert "@everyone" not in prose
        assert (
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; 100% ::error:: a,b &#64;everyone"
            in text
        )
        found = tables(text)
        assert len(found) >= 3
        for table in found:
            assert len({cells(row) for row in table}) == 1, table


def test_github_commands_cannot_be_broken_by_hostile_text(hostile: tuple[Assessed, Path]) -> None:
    assessed = hostile[0]
    text = render(assessed.assessment, ReportFormat.GITHUB, assessed.ctx())
    lines = text.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert annotations
    assert all(re.match(r"^::(error|warning|notice) [^:]*::", a) for a in annotations)
    assert lines[-1].startswith("cellguard: ")
    assert len(annotations) == len(lines) - 1
    noted = [a for a in annotations if "Note%3A" in a or "Note:" in a]
    assert noted
    assert "file=we%25ird%2Cna%3Ame.yaml" in text
    assert "100%25 %3A%3Aerror%3A%3A" not in text  # ':' is escaped in properties only
    assert "100%25 ::error:: a,b @everyone%0Asecond line" in text


def test_sarif_and_junit_keep_hostile_text_intact_but_escaped(
    hostile: tuple[Assessed, Path],
) -> None:
    assessed = hostile[0]
    sarif = json.loads(render(assessed.assessment, ReportFormat.SARIF, assessed.ctx()))
    results = sarif["runs"][0]["results"]
    justifications = [s["justification"] for r in results for s in r.get("suppressions", [])]
    assert justifications and all(j.startswith(HOSTILE) for j in justifications)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r["locations"]
    }
    assert uris == {"we%25ird%2Cna%3Ame.yaml"}
    root = ET.fromstring(render(assessed.assessment, ReportFormat.JUNIT, assessed.ctx()))
    skipped = [e.get("message", "") for e in root.iter("skipped")]
    assert any(HOSTILE in m for m in skipped)
    failures = [e.text or "" for e in root.iter("failure")]
    assert any(HOSTILE in t for t in failures)


def test_table_marks_baselined_failures_and_lists_them_after_new_ones(example: Assessed) -> None:
    failing = sorted(
        (f for f in example.assessment.findings if f.status is Status.FAIL),
        key=lambda f: (f.pillar.value, f.rule, f.target),
    )
    pillar = failing[0].pillar
    ours = [f for f in failing if f.pillar is pillar]
    assert len(ours) >= 2
    known = frozenset({ours[0].fingerprint})
    plain = render(example.assessment, ReportFormat.TABLE, example.ctx())
    assert "(baselined)" not in plain
    text = render(example.assessment, ReportFormat.TABLE, example.ctx(baselined=known))
    assert text.count("(baselined)") == 1
    heading = f"{pillar.label} ({len(ours)} failing: {len(ours) - 1} new, 1 baselined,"
    assert heading in text
    section = text[text.index(heading) :]
    marked = next(i for i, line in enumerate(section.splitlines()) if "(baselined)" in line)
    assert ours[0].rule in section.splitlines()[marked]
    new_rules = [i for i, line in enumerate(section.splitlines()) if ours[1].rule in line]
    assert new_rules and new_rules[0] < marked  # new failures come first
