"""Markdown for pull-request comments, and the markdown pieces the GitHub step summary reuses.

A PR comment is short: the scores (with deltas against the baseline when there is one), the
journeys' availability, the worst findings (capped at ``ReportContext.top``, then "N more")
with baselined ones marked, and the dependency graph as a Mermaid block GitHub renders.

Every user-provided string goes through :func:`md` (a table cell or inline text) or
:func:`code`: control, bidi and zero-width characters are shown as ``\\x1b``, ``\\u202e``
(:func:`cellguard.models.text.inert`), markdown and HTML punctuation is escaped, ``@`` cannot
mention anyone and newlines become spaces, so a hostile name cannot break a table, inject HTML,
ping people or reach a terminal raw.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Pillar, Status
from cellguard.models.text import inert
from cellguard.reports.formats import ReportContext
from cellguard.reports.json_report import visible
from cellguard.rules.engine import Assessment

_MD_SPECIAL = "\\`*_[]|~"
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "@": "&#64;"}
STATUS_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.WAIVED: 2, Status.UNKNOWN: 3}


def md(text: object) -> str:
    """Escape text for inline markdown (table cells included) on one line."""
    out: list[str] = []
    for ch in " ".join(inert(text).split()):
        if ch in _HTML:
            out.append(_HTML[ch])
        elif ch in _MD_SPECIAL:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def code(text: object) -> str:
    """Inline code for identifiers, safe for any content (entities inside a ``<code>`` tag)."""
    escaped = "".join(_HTML.get(ch, ch) for ch in " ".join(inert(text).split()))
    return f"<code>{escaped.replace('|', '&#124;')}</code>"


_INLINE_SPECIAL = "\\`[]|"
_INLINE_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_MENTION = re.compile(r"(?<![A-Za-z0-9])@")
_BACKTICKS = re.compile("`+")
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def _escape_inline(text: str) -> str:
    """Markdown and HTML punctuation escaped; an ``@`` that could start a mention (not one
    inside a word, as in ``repo@sha256``) written as ``&#64;``."""
    escaped = "".join(
        _INLINE_HTML[ch] if ch in _INLINE_HTML else "\\" + ch if ch in _INLINE_SPECIAL else ch
        for ch in text
    )
    return _MENTION.sub("&#64;", escaped)


def md_inline(text: object) -> str:
    """Prose on one line, safe in a table cell or a list item: like :func:`md` (inert, no HTML,
    link, code span, mention or cell break), but ``*``, ``_`` and ``~`` are left as they are
    (they can change emphasis, nothing else)."""
    return _escape_inline(" ".join(inert(text).split()))


def md_prose(text: object) -> str:
    """Like :func:`md_inline` for a list item, but the code spans the text already has (the
    planner writes ``aws ecr describe-images`` as code) stay code spans: inside them markdown,
    HTML and mentions are not interpreted anyway. Not for table cells."""
    body = " ".join(inert(text).split())
    out: list[str] = []
    end = 0
    for span in _CODE_SPAN.finditer(body):
        out += [_escape_inline(body[end : span.start()]), span.group()]
        end = span.end()
    out.append(_escape_inline(body[end:]))
    return "".join(out)


def code_span(text: object) -> str:
    """Inline code in backticks for any text, on one line and inert: the fence is one backtick
    longer than the longest run inside (CommonMark), so the text cannot close it early. Not for
    table cells (a ``|`` would still split the cell there): use :func:`code`."""
    body = " ".join(inert(text).split())
    longest = max((len(run) for run in _BACKTICKS.findall(body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body[:1] == "`" or body[-1:] == "`" else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def table(header: Iterable[str], rows: Iterable[Iterable[str]], align: str = "") -> list[str]:
    """A markdown table; ``align`` holds one of ``lr`` per column (default left)."""
    head = list(header)
    marks = [("---:" if align[i : i + 1] == "r" else "---") for i in range(len(head))]
    lines = ["| " + " | ".join(head) + " |", "| " + " | ".join(marks) + " |"]
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return lines


def fmt_score(value: float | None) -> str:
    """A score with one decimal, or an en dash where nothing was scored."""
    return "–" if value is None else f"{value:.1f}"


def fmt_delta(current: float | None, base: float | None) -> str:
    """``+2.5``, ``-10.0``, ``±0`` or an en dash when either side has no score."""
    if current is None or base is None:
        return "–"
    delta = round(current - base, 1)
    return "±0" if delta == 0 else f"{delta:+.1f}"


def score_rows(assessment: Assessment, ctx: ReportContext) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the scores table (with a delta column when there is a baseline)."""
    header = ["pillar", "score"]
    base = ctx.baseline_scores
    if base is not None:
        header.append("Δ")
    header += ["fail", "waived", "unknown", "coverage"]
    pillars = [p for p in Pillar if any(m.pillar is p for m in assessment.rules)]
    rows: list[list[str]] = []
    for key, label in [("overall", "**Overall**"), *((p.value, p.label) for p in pillars)]:
        s: Score = assessment.scores[key]
        row = [label, fmt_score(s.score)]
        if base is not None:
            b = base.get(key)
            row.append(fmt_delta(s.score, b.score if b is not None else None))
        coverage = "–" if s.coverage is None else f"{s.coverage:.0f}%"
        row += [str(s.failed), str(s.waived), str(s.unknown), coverage]
        rows.append(row)
    return header, rows


def scores_table(assessment: Assessment, ctx: ReportContext) -> list[str]:
    """The scores as a markdown table."""
    header, rows = score_rows(assessment, ctx)
    return table(header, rows, "lr" + "r" * (len(header) - 2))


def _num(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    return format(value, spec)


def journeys_table(assessment: Assessment) -> list[str]:
    """Exact availability of each journey against its objective."""
    figs = assessment.figures
    if figs is None or not figs.journeys:
        return []
    rows = []
    for j in figs.journeys:
        objective = "–" if j.objective is None else f"{j.objective:g}%"
        verdict = "" if j.objective is None else (" ✅" if j.meets_objective else " ❌")
        rows.append(
            [
                code(f"{j.stack}/{j.journey}"),
                md(j.criticality),
                f"{j.availability:.4f}%",
                objective + verdict,
                _num(j.downtime_hours, ",.1f"),
                _num(j.loss_per_year, ",.0f"),
            ]
        )
    return table(
        ["journey", "tier", "availability", "objective", "down h/y", "loss/y"], rows, "llrrrr"
    )


SortKey = tuple[int, int, int, str, str, str]


def finding_sort_key(ctx: ReportContext) -> Callable[[Finding], SortKey]:
    """Worst first: errors, then new failures by severity, baselined ones, waived, unknown."""

    def key(f: Finding) -> SortKey:
        return (
            STATUS_ORDER.get(f.status, 4),
            1 if ctx.is_baselined(f) else 0,
            -f.severity.rank,
            f.rule,
            f.stack,
            f.target,
        )

    return key


def ordered(assessment: Assessment, ctx: ReportContext) -> list[Finding]:
    """The listed findings (see :func:`visible`), worst first."""
    return sorted(visible(assessment, min_severity=ctx.min_severity), key=finding_sort_key(ctx))


def status_label(f: Finding, ctx: ReportContext) -> str:
    """``HIGH``, ``HIGH (baselined)``, ``WAIVED``, ``UNKNOWN`` or ``ERROR``."""
    if f.status is Status.FAIL:
        label = f.severity.value.upper()
        return f"{label} (baselined)" if ctx.is_baselined(f) else label
    return f.status.value


def where(f: Finding) -> str:
    """``stack/target:line`` of a finding, as inline code."""
    name = f.stack if f.target == f.stack else f"{f.stack}/{f.target}"
    if f.location is not None:
        return f"{code(name)} ({code(f'{f.location.file}:{f.location.line}')})"
    return code(name)


def findings_table(findings: list[Finding], ctx: ReportContext) -> list[str]:
    """Findings as a table: status, rule, where, message."""
    rows = [
        [
            md(status_label(f, ctx)),
            code(f.rule),
            where(f),
            md(f.message) + (f" <em>{md(f.note)}</em>" if f.note else ""),
        ]
        for f in findings
    ]
    return table(["status", "rule", "where", "finding"], rows)


def counts_line(assessment: Assessment, ctx: ReportContext) -> str:
    """``12 failing (3 new, 9 baselined), 2 waived, 4 unknown`` for the listed findings."""
    shown = visible(assessment, min_severity=ctx.min_severity)
    failing = [f for f in shown if f.status is Status.FAIL]
    baselined = sum(1 for f in failing if ctx.is_baselined(f))
    parts = [f"{len(failing)} failing"]
    if ctx.baselined:
        parts[0] += f" ({len(failing) - baselined} new, {baselined} baselined)"
    for status in (Status.WAIVED, Status.UNKNOWN, Status.ERROR):
        n = sum(1 for f in shown if f.status is status)
        if n:
            parts.append(f"{n} {status.value.lower()}")
    return ", ".join(parts)


def header_lines(assessment: Assessment, title: str) -> list[str]:
    """A heading, the stacks assessed and the date."""
    stacks = ", ".join(code(s) for s in assessment.stacks)
    return [
        f"## {title}",
        "",
        f"{len(assessment.stacks)} document(s): {stacks} · {len(assessment.rules)} rules · "
        f"as of {assessment.as_of.isoformat()}",
    ]


def render_markdown(assessment: Assessment, ctx: ReportContext) -> str:
    """The PR-comment markdown."""
    lines = header_lines(assessment, "cellguard assessment")
    lines += ["", scores_line(assessment, ctx), "", *scores_table(assessment, ctx)]
    journeys = journeys_table(assessment)
    if journeys:
        lines += ["", "### Journeys", "", *journeys]
    listed = ordered(assessment, ctx)
    failing = [f for f in listed if f.status in (Status.FAIL, Status.ERROR)]
    lines += ["", "### Top findings", "", counts_line(assessment, ctx) + "."]
    if failing:
        top = failing[: ctx.top]
        lines += ["", *findings_table(top, ctx)]
        rest = len(failing) - len(top)
        if rest > 0:
            lines += ["", f"…and {rest} more failing finding(s) (see the full report)."]
    if ctx.graph is not None:
        from cellguard.reports.diagram import to_mermaid

        lines += [
            "",
            "<details><summary>Dependency graph</summary>",
            "",
            "```mermaid",
            to_mermaid(ctx.graph).rstrip("\n"),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


def scores_line(assessment: Assessment, ctx: ReportContext) -> str:
    """One bold line with the overall score (and its delta)."""
    overall = assessment.scores["overall"].score
    text = f"**Overall score: {fmt_score(overall)}/100**"
    if ctx.baseline_scores is not None and "overall" in ctx.baseline_scores:
        delta = fmt_delta(overall, ctx.baseline_scores["overall"].score)
        text += f" ({delta} against the baseline)"
    return text
