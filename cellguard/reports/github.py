"""GitHub Actions output: workflow-command annotations and the step-summary markdown.

Annotations are ``::error file=F,line=L,col=C,title=T::message`` lines (``warning`` and
``notice`` alike) for failing findings, the worst first: new failures before baselined ones,
by severity. GitHub shows at most 10 error, 10 warning and 10 notice annotations per step
(and 50 per job); further ones are dropped silently, in print order (actions/toolkit,
docs/problem-matchers.md, "Limitations"). So we print at most :data:`PER_LEVEL` of each
level and end with one plain summary line that says how many were left out; the step summary
(``$GITHUB_STEP_SUMMARY``, written by the CLI) has the full table.

Escaping follows actions/toolkit ``command.ts``: in the message ``%``, ``\\r`` and ``\\n``
become ``%25``, ``%0D`` and ``%0A``; in property values ``:`` and ``,`` also become ``%3A``
and ``%2C``. A hostile name therefore cannot end a command early or start a new one. Text is
made inert first (:func:`cellguard.models.text.inert`): the log viewer interprets ANSI escape
sequences, so they are shown as ``\\x1b``, like bidi and zero-width characters.
"""

from __future__ import annotations

from cellguard.models.findings import Finding, Severity, Status
from cellguard.models.text import inert
from cellguard.models.wording import plural
from cellguard.reports.context import ReportContext
from cellguard.reports.markdown import route_lines
from cellguard.reports.md_text import fmt_percent, fmt_score
from cellguard.reports.sections import (
    counts_line,
    finding_sort_key,
    findings_table,
    header_lines,
    journeys_table,
    ordered,
    scores_line,
    scores_table,
)
from cellguard.rules.engine import Assessment

PER_LEVEL = 10
"""Annotations of one level GitHub displays per step (see the module docstring)."""
SUMMARY_LIMIT = 1024 * 1024
"""GitHub's cap on a step summary (1 MiB); a longer table is cut with a note."""

COMMANDS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}
"""Workflow command of a failing finding, by severity (baselined findings are notices)."""


def escape_data(text: str) -> str:
    """Escape a workflow command's message (made inert first; line breaks stay line breaks)."""
    return inert(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value (inert and on one line)."""
    escaped = inert(text, single_line=True).replace("%", "%25")
    return escaped.replace(":", "%3A").replace(",", "%2C")


def command_of(finding: Finding, ctx: ReportContext) -> str:
    """``error``, ``warning`` or ``notice`` for a failing finding."""
    return "notice" if ctx.is_baselined(finding) else COMMANDS[finding.severity]


def annotation(finding: Finding, ctx: ReportContext) -> str:
    """One workflow-command line for a failing finding."""
    props: list[str] = []
    if finding.location is not None:
        props.append(f"file={escape_property(finding.location.file.replace(chr(92), '/'))}")
        props.append(f"line={finding.location.line}")
        props.append(f"col={finding.location.column}")
    marker = " (baselined)" if ctx.is_baselined(finding) else ""
    props.append(f"title={escape_property(f'{finding.rule}{marker}: {finding.title}')}")
    where = (
        finding.stack if finding.target == finding.stack else f"{finding.stack}/{finding.target}"
    )
    note = f"\nNote: {finding.note}" if finding.note else ""
    message = (
        f"[{finding.severity.value}] {where}: {finding.message}{note}\nFix: {finding.remediation}"
    )
    return f"::{command_of(finding, ctx)} {','.join(props)}::{escape_data(message)}"


def render_annotations(assessment: Assessment, ctx: ReportContext) -> str:
    """Annotations, worst first and capped per level, then one summary line."""
    floor = ctx.min_severity.rank if ctx.min_severity is not None else 0
    failing = sorted(
        (
            f
            for f in assessment.findings
            if (f.status is Status.FAIL and f.severity.rank >= floor) or f.status is Status.ERROR
        ),
        key=finding_sort_key(ctx),
    )
    shown: dict[str, int] = {"error": 0, "warning": 0, "notice": 0}
    lines: list[str] = []
    left_out = 0
    for f in failing:
        if f.status is Status.ERROR:
            level = "error"
            line = f"::error title={escape_property(f'{f.rule} crashed')}::{escape_data(f.message)}"
        else:
            level = command_of(f, ctx)
            line = annotation(f, ctx)
        if shown[level] >= PER_LEVEL:
            left_out += 1
            continue
        shown[level] += 1
        lines.append(line)
    summary = (
        f"cellguard: {counts_line(assessment, ctx)}; "
        f"overall score {_score(assessment)}; "
        f"{len(lines)} annotated ({shown['error']} errors, {shown['warning']} warnings, "
        f"{shown['notice']} notices)"
    )
    if left_out:
        summary += (
            f", {left_out} more not annotated (GitHub shows 10 per level): see the step summary"
        )
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _score(assessment: Assessment) -> str:
    s = assessment.scores["overall"]
    if s.score is None:
        return "-"
    return f"{s.score:.1f}/100 (upper {fmt_score(s.upper)}, assurance {fmt_percent(s.assurance)})"


def render_step_summary(assessment: Assessment, ctx: ReportContext) -> str:
    """The step-summary markdown: scores, journeys and the full findings table."""
    head = header_lines(assessment, "cellguard check" if ctx.fail_on else "cellguard assessment")
    lines = [*head, "", scores_line(assessment, ctx), "", *scores_table(assessment, ctx)]
    journeys = journeys_table(assessment)
    if journeys:
        lines += ["", "### Journeys", "", *journeys, *route_lines(assessment)]
    listed = ordered(assessment, ctx)
    lines += ["", "### Findings", "", counts_line(assessment, ctx) + "."]
    if listed:
        lines += [""]
        rows = findings_table(listed, ctx)
        size = sum(len(line) + 1 for line in lines)
        kept = 0
        for row in rows:
            if size + len(row) + 1 > SUMMARY_LIMIT - 200:
                break
            lines.append(row)
            size += len(row) + 1
            kept += 1
        if kept < len(rows):
            lines += [
                "",
                f"…{plural(len(rows) - kept, 'more row')} cut: GitHub limits a step summary to 1 MiB.",
            ]
    return "\n".join(lines) + "\n\n"
