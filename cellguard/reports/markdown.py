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

from cellguard.models.findings import Status
from cellguard.models.wording import plural
from cellguard.reports.context import ReportContext
from cellguard.reports.md_text import code, md
from cellguard.reports.risks import risks_markdown
from cellguard.reports.sections import (
    counts_line,
    findings_table,
    header_lines,
    journeys_table,
    ordered,
    scores_line,
    scores_table,
)
from cellguard.rules.engine import Assessment


def route_lines(assessment: Assessment) -> list[str]:
    """The declared routes and awaited answers of the journeys, one bullet each (none when no
    journey declares one): the calls taken with their shares."""
    figs = assessment.figures
    found = [(j, j.route_text()) for j in (figs.journeys if figs is not None else ())]
    bullets = [f"- {code(f'{j.stack}/{j.journey}')}: {md(text)}" for j, text in found if text]
    return ["", "Routes (calls taken, share of requests):", "", *bullets] if bullets else []


def render_markdown(assessment: Assessment, ctx: ReportContext) -> str:
    """The PR-comment markdown."""
    lines = header_lines(assessment, "cellguard assessment")
    lines += ["", scores_line(assessment, ctx), "", *scores_table(assessment, ctx)]
    journeys = journeys_table(assessment)
    if journeys:
        lines += ["", "### Journeys", "", *journeys, *route_lines(assessment)]
    listed = ordered(assessment, ctx)
    failing = [f for f in listed if f.status in (Status.FAIL, Status.ERROR)]
    lines += ["", "### Top findings", "", counts_line(assessment, ctx) + "."]
    if failing:
        top = failing[: ctx.top]
        lines += ["", *findings_table(top, ctx)]
        rest = len(failing) - len(top)
        if rest > 0:
            more = plural(rest, "more failing finding", "more failing findings")
            lines += ["", f"…and {more} (see the full report)."]
    risks = risks_markdown(assessment)
    if risks:
        lines += ["", "### Risk register", "", *risks]
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
