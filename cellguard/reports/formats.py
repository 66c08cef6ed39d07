"""Every output format of ``assess`` and ``check``, behind one ``render`` call.

Each format lives in its own module (``json_report``, ``terminal``, ``sarif``, ``github``,
``junit``, ``markdown``, ``html``); this one names them and dispatches. A
:class:`ReportContext` carries what a report needs beyond the assessment itself (the
baseline of a ``check`` run, its failure threshold, the graph for diagrams, a sign-off).
Every renderer is a pure function: the same assessment and context give byte-identical text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Severity, Status
from cellguard.rules.engine import Assessment

if TYPE_CHECKING:
    from cellguard.assessments.graph import StackGraph


class ReportFormat(StrEnum):
    """Output formats of ``assess`` and ``check``."""

    TABLE = "table"
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
    ReportFormat.JSON: "json",
    ReportFormat.SARIF: "sarif",
    ReportFormat.GITHUB: "txt",
    ReportFormat.JUNIT: "xml",
    ReportFormat.MARKDOWN: "md",
    ReportFormat.HTML: "html",
}


@dataclass(frozen=True)
class SignoffBlock:
    """The last sign-off of the assessed spec, shown in the HTML report's sign-off block.

    ``problems`` says whether it still verifies: ``()`` it does, else why not, as pairs of a
    kind (spec changed, findings changed, record edited, chain broken, ...) and an explanation
    (the report shows them in a red banner); None when it was not checked.
    """

    reviewer: str
    decision: str
    date: str
    spec_sha256: str
    findings_sha256: str
    comment: str | None = None
    record: str | None = None
    problems: tuple[tuple[str, str], ...] | None = None

    @property
    def verified(self) -> bool:
        """Checked, and it still verifies."""
        return self.problems == ()


@dataclass(frozen=True)
class ReportContext:
    """What a report shows besides the assessment.

    ``baselined`` holds the fingerprints of failing findings that the baseline already had:
    reports mark them as such and ``check`` does not fail on them. ``fail_on`` is the
    threshold of a ``check`` run (None for ``assess``). ``baseline_scores`` (when a baseline
    was given) lets reports show score deltas; ``signoff`` fills the HTML sign-off block.
    ``graph`` is the assessed organisation graph: the markdown (Mermaid) and HTML (SVG)
    reports draw it and leave the diagram out when it is None. ``top`` caps the findings a
    PR comment lists in full.
    """

    baselined: frozenset[str] = frozenset()
    fail_on: Severity | None = None
    baseline_scores: dict[str, Score] | None = None
    signoff: SignoffBlock | None = None
    min_severity: Severity | None = None
    include_passed: bool = False
    graph: StackGraph | None = None
    top: int = 10

    def is_baselined(self, finding: Finding) -> bool:
        """A failing finding the baseline already had."""
        return finding.status is Status.FAIL and finding.fingerprint in self.baselined

    def blocking(self, finding: Finding) -> bool:
        """A FAIL at or above ``fail_on`` that is not baselined (``check`` fails on it).

        With no ``fail_on`` every new FAIL blocks.
        """
        if finding.status is not Status.FAIL or self.is_baselined(finding):
            return False
        return self.fail_on is None or finding.severity.rank >= self.fail_on.rank


def render(assessment: Assessment, fmt: ReportFormat, ctx: ReportContext | None = None) -> str:
    """The report in ``fmt`` as text; deterministic for the same input."""
    ctx = ctx or ReportContext()
    if fmt is ReportFormat.JSON:
        from cellguard.reports.json_report import render_json

        return render_json(
            assessment, min_severity=ctx.min_severity, include_passed=ctx.include_passed
        )
    if fmt is ReportFormat.TABLE:
        from cellguard.reports.terminal import render_text

        return render_text(assessment, min_severity=ctx.min_severity, baselined=ctx.baselined)
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


def step_summary(assessment: Assessment, ctx: ReportContext | None = None) -> str:
    """The GitHub step-summary markdown that goes with the ``github`` format."""
    from cellguard.reports.github import render_step_summary

    return render_step_summary(assessment, ctx or ReportContext())
