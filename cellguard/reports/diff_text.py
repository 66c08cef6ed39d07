"""The renderings of ``cellguard diff``: :func:`render_diff` picks one; plain text and markdown live here.

Both show the same sections in the same order: summary, scores, new findings, resolved
findings, severity changes, journeys, then the capacity, latency and finding figures that moved
(:mod:`.diff_figures_text`). Numbers are formatted here (scores one decimal, nines two,
downtime minutes one, money whole units); the JSON rendering keeps more digits. Names, titles and
messages are made inert (:func:`cellguard.models.text.inert`, on one line) in the text, and
escaped for markdown (:func:`~cellguard.reports.md_text.md_inline`) in the markdown. The JSON
rendering is :func:`cellguard.reports.diff.render_diff_json`, next to the data it writes.
"""

from __future__ import annotations

from collections.abc import Sequence

from cellguard.models.findings import Severity
from cellguard.models.text import inert
from cellguard.reports.diff import (
    AssessmentDiff,
    DiffFormat,
    FindingChange,
    JourneyDelta,
    JourneyFigures,
    render_diff_json,
)
from cellguard.reports.diff_figures_text import (
    NONE,
    grid,
    md_figures,
    md_table,
    num,
    signed,
    text_figures,
)
from cellguard.reports.md_text import code_span, md_inline


def _severity(value: Severity | None) -> str:
    return NONE if value is None else value.value.upper()


def _summary(diff: AssessmentDiff) -> str:
    return (
        f"failing findings {diff.failing_old} -> {diff.failing_new} "
        f"({len(diff.new)} new, {len(diff.resolved)} resolved, "
        f"{len(diff.severity_changed)} severity changed, "
        f"{len(diff.evidence)} with figures moved)"
    )


def _figures(figs: JourneyFigures | None) -> tuple[str, str, str, str]:
    if figs is None:
        return (NONE, NONE, NONE, NONE)
    return (
        f"{figs.availability_percent:.4f}%",
        num(figs.nines, ".2f"),
        num(figs.downtime_minutes_per_year, ",.1f"),
        num(figs.loss_per_year, ",.0f"),
    )


# -- plain text -------------------------------------------------------------------------------


def _text_changes(title: str, changes: Sequence[FindingChange], moved: bool = False) -> list[str]:
    lines = [f"{title} ({len(changes)})"]
    if not changes:
        return [*lines, "  none"]
    for c in changes:
        severity = (
            f"{_severity(c.old_severity)} -> {_severity(c.new_severity)}"
            if moved
            else _severity(c.new_severity or c.old_severity)
        )
        lines.append(
            inert(f"  {severity:<8} {c.rule}  {c.stack}/{c.target}  {c.title}", single_line=True)
        )
        lines.append(f"           {inert(c.message, single_line=True)}")
    return lines


def _text_journeys(journeys: Sequence[JourneyDelta]) -> list[str]:
    if not journeys:
        return []
    rows = []
    for j in journeys:
        old, new = _figures(j.old), _figures(j.new)
        rows.append(
            [
                inert(f"{j.stack}/{j.journey}", single_line=True),
                old[0],
                new[0],
                old[1],
                new[1],
                signed(j.nines_delta, ".2f"),
                signed(j.downtime_delta, ",.1f"),
                old[3],
                new[3],
                signed(j.loss_delta, ",.0f"),
            ]
        )
    headers = [
        "journey",
        "avail. old",
        "avail. new",
        "nines old",
        "new",
        "delta",
        "down min/y delta",
        "loss/y old",
        "new",
        "delta",
    ]
    return ["", "Journeys", *grid(headers, rows)]


def render_diff_table(diff: AssessmentDiff) -> str:
    """Plain text for a terminal or a CI log."""
    lines = [
        inert(f"cellguard diff: {diff.old_label} -> {diff.new_label}", single_line=True),
        _summary(diff),
        "",
        "Scores",
        *grid(
            ["score", "old", "new", "delta"],
            [
                [
                    inert(s.key, single_line=True),
                    num(s.old, ".1f"),
                    num(s.new, ".1f"),
                    signed(s.delta, ".1f"),
                ]
                for s in diff.scores
            ],
        ),
        "",
        *_text_changes("New findings", diff.new),
        "",
        *_text_changes("Resolved findings", diff.resolved),
        "",
        *_text_changes("Severity changed", diff.severity_changed, moved=True),
        *_text_journeys(diff.journeys),
        *text_figures(diff.capacity, diff.latency, diff.evidence),
    ]
    return "\n".join(lines) + "\n"


# -- markdown ---------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a markdown table cell (:func:`~cellguard.reports.markdown.md_inline`)."""
    return md_inline(text)


def _md_changes(title: str, changes: Sequence[FindingChange], moved: bool = False) -> list[str]:
    lines = [f"### {title} ({len(changes)})", ""]
    if not changes:
        return [*lines, "None.", ""]
    rows = [
        [
            (
                f"{_severity(c.old_severity)} → {_severity(c.new_severity)}"
                if moved
                else _severity(c.new_severity or c.old_severity)
            ),
            code_span(c.rule),
            _md(f"{c.stack}/{c.target}"),
            f"**{_md(c.title)}**: {_md(c.message)}",
        ]
        for c in changes
    ]
    return [*lines, *md_table(["severity", "rule", "target", "finding"], "llll", rows), ""]


def _arrow(old: str, new: str, delta: str | None = None) -> str:
    text = f"{old} → {new}"
    return text if delta is None or delta == NONE else f"{text} ({delta})"


def _md_journeys(journeys: Sequence[JourneyDelta]) -> list[str]:
    if not journeys:
        return []
    rows = []
    for j in journeys:
        old, new = _figures(j.old), _figures(j.new)
        rows.append(
            [
                _md(f"{j.stack}/{j.journey}"),
                _arrow(old[0], new[0]),
                _arrow(old[1], new[1], signed(j.nines_delta, ".2f")),
                _arrow(old[2], new[2], signed(j.downtime_delta, ",.1f")),
                _arrow(old[3], new[3], signed(j.loss_delta, ",.0f")),
            ]
        )
    headers = ["journey", "availability", "nines", "downtime min/yr", "expected loss/yr"]
    return ["### Journeys", "", *md_table(headers, "lrrrr", rows), ""]


def render_diff_markdown(diff: AssessmentDiff) -> str:
    """Markdown for a pull-request comment."""
    score_rows = [
        [s.key, num(s.old, ".1f"), num(s.new, ".1f"), signed(s.delta, ".1f")] for s in diff.scores
    ]
    lines = [
        "## cellguard diff",
        "",
        f"{code_span(diff.old_label)} → {code_span(diff.new_label)}: "
        f"{_summary(diff).replace('->', '→')}",
        "",
        "### Scores",
        "",
        *md_table(["score", "old", "new", "Δ"], "lrrr", score_rows),
        "",
        *_md_changes("New findings", diff.new),
        *_md_changes("Resolved findings", diff.resolved),
        *_md_changes("Severity changes", diff.severity_changed, moved=True),
        *_md_journeys(diff.journeys),
        *md_figures(diff.capacity, diff.latency, diff.evidence),
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_diff(diff: AssessmentDiff, fmt: DiffFormat) -> str:
    """The diff in ``fmt``."""
    if fmt is DiffFormat.JSON:
        return render_diff_json(diff)
    if fmt is DiffFormat.MARKDOWN:
        return render_diff_markdown(diff)
    return render_diff_table(diff)
