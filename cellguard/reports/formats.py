"""Every output format of ``assess`` and ``check``, behind one ``render`` call.

Each format lives in its own module (``json_report``, ``terminal``, ``compact``, ``sarif``,
``github``, ``junit``, ``markdown``, ``html``); this one names them and dispatches. A
:class:`~.context.ReportContext` carries what a report needs beyond the assessment itself (the
baseline of a ``check`` run, its failure threshold, the graph for diagrams, a sign-off).
Every renderer is a pure function: the same assessment and context give byte-identical text.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import TYPE_CHECKING

from cellguard.reports.context import ReportContext, SignoffBlock

if TYPE_CHECKING:  # annotations only: the CLI imports ReportFormat without the rule engine
    from cellguard.rules.engine import Assessment

__all__ = [
    "ReportContext",
    "ReportFormat",
    "SignoffBlock",
    "render",
    "render_chunks",
    "step_summary",
]


class ReportFormat(StrEnum):
    """Output formats of ``assess`` and ``check``."""

    TABLE = "table"
    COMPACT = "compact"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"
    JUNIT = "junit"
    MARKDOWN = "markdown"
    HTML = "html"

    @property
    def extension(self) -> str:
        """The usual file name extension, e.g. ``sarif`` or ``md``."""
        return _EXTENSIONS[self]

    @property
    def needs_graph(self) -> bool:
        """Whether the format draws the dependency graph (pass ``ReportContext.graph``)."""
        return self in (ReportFormat.MARKDOWN, ReportFormat.HTML)


_EXTENSIONS = {
    ReportFormat.TABLE: "txt",
    ReportFormat.COMPACT: "txt",
    ReportFormat.JSON: "json",
    ReportFormat.SARIF: "sarif",
    ReportFormat.GITHUB: "txt",
    ReportFormat.JUNIT: "xml",
    ReportFormat.MARKDOWN: "md",
    ReportFormat.HTML: "html",
}


def render(assessment: Assessment, fmt: ReportFormat, ctx: ReportContext | None = None) -> str:
    """The report in ``fmt`` as text; deterministic for the same input."""
    ctx = ctx or ReportContext()
    if fmt is ReportFormat.JSON:
        return "".join(render_chunks(assessment, fmt, ctx))
    if fmt is ReportFormat.TABLE:
        from cellguard.reports.terminal import render_text

        return render_text(assessment, min_severity=ctx.min_severity, baselined=ctx.baselined)
    if fmt is ReportFormat.COMPACT:
        from cellguard.reports.compact import render_compact

        return render_compact(assessment, ctx)
    if fmt is ReportFormat.SARIF:
        from cellguard.reports.sarif import render_sarif

        return render_sarif(assessment, ctx)
    if fmt is ReportFormat.GITHUB:
        from cellguard.reports.github import render_annotations

        return render_annotations(assessment, ctx)
    if fmt is ReportFormat.JUNIT:
        from cellguard.reports.junit import render_junit

        return render_junit(assessment, ctx)
    if fmt is ReportFormat.MARKDOWN:
        from cellguard.reports.markdown import render_markdown

        return render_markdown(assessment, ctx)
    from cellguard.reports.html import render_html

    return render_html(assessment, ctx)


def render_chunks(
    assessment: Assessment, fmt: ReportFormat, ctx: ReportContext | None = None
) -> Iterator[str]:
    """:func:`render`'s text in pieces made as they are asked for (joined, the same text): the
    JSON report in pieces of whole lines, every other format in one piece."""
    ctx = ctx or ReportContext()
    if fmt is ReportFormat.JSON:
        from cellguard.reports.json_report import render_json_chunks

        return render_json_chunks(
            assessment, min_severity=ctx.min_severity, include_passed=ctx.include_passed
        )
    return iter((render(assessment, fmt, ctx),))


def step_summary(assessment: Assessment, ctx: ReportContext | None = None) -> str:
    """The GitHub step-summary markdown that goes with the ``github`` format."""
    from cellguard.reports.github import render_step_summary

    return render_step_summary(assessment, ctx or ReportContext())
