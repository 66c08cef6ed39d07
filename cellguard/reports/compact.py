"""The compact report: one line per finding, for terminals and CI logs.

Each line is ``SEVERITY STATUS RULE STACK/TARGET FILE:LINE MESSAGE``, columns separated by one
space (the first two padded), e.g.::

    high     FAIL      CG-RED-001 rag/vector-db examples/rag.yaml:42 single zone ...

Listed: failing findings (those ``check --baseline`` already knew say ``BASELINED``), waived
and unknown ones, and rules that crashed (``ERROR``), in the terminal report's order (errors,
new failures worst first, baselined failures, waived, unknown); ``--include-passed`` adds PASS
and NOT_APPLICABLE. A finding without a location shows ``-``. Nothing else is printed (no
scores, no totals): ``check`` writes its verdict to standard error, ``assess --quiet`` prints
one verdict line. Every field is inert and on one line.
"""

from __future__ import annotations

from cellguard.models.findings import Finding, Status
from cellguard.models.text import inert
from cellguard.reports.context import ReportContext
from cellguard.reports.json_report import visible
from cellguard.rules.engine import Assessment

BASELINED = "BASELINED"
"""Status word of a failing finding the baseline already had."""

_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.WAIVED: 2, Status.UNKNOWN: 3}


def _status(f: Finding, ctx: ReportContext) -> str:
    return BASELINED if ctx.is_baselined(f) else f.status.value


def _key(f: Finding, ctx: ReportContext) -> tuple[int, int, int, str, str, str]:
    known = 1 if ctx.is_baselined(f) else 0
    return (_ORDER.get(f.status, 4), known, -f.severity.rank, f.rule, f.stack, f.target)


def compact_line(f: Finding, ctx: ReportContext) -> str:
    """One finding on one line (inert)."""
    where = f"{f.location.file}:{f.location.line}" if f.location else "-"
    text = (
        f"{f.severity.value:<8} {_status(f, ctx):<9} {f.rule} {f.stack}/{f.target} {where} "
        f"{' '.join(f.message.split())}"
    )
    return inert(text, single_line=True)


def render_compact(assessment: Assessment, ctx: ReportContext) -> str:
    """The compact report (ends with a newline; empty when nothing is listed)."""
    if ctx.include_passed:
        shown = [
            f
            for f in assessment.findings
            if f.status is not Status.FAIL
            or ctx.min_severity is None
            or f.severity.rank >= ctx.min_severity.rank
        ]
    else:
        shown = visible(assessment, min_severity=ctx.min_severity)
    lines = [compact_line(f, ctx) for f in sorted(shown, key=lambda f: _key(f, ctx))]
    return "".join(f"{line}\n" for line in lines)
