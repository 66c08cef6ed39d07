"""The architecture-review report: one self-contained HTML file.

Sections: stack summary, scores, journey availability, capacity and latency, blast radius,
the dependency diagram over failure domains (inline SVG laid out by :mod:`.svg`), findings
with evidence and remediation, waivers with their expiry, and a sign-off block (filled from
``ReportContext.signoff``, or empty lines to sign on paper).

Self-contained: no script, no external stylesheet, font or image, no URL (the inline SVG
needs no namespace attribute in HTML). The jinja2 environment autoescapes everything, so
every user-provided string (names, descriptions, reasons) is escaped; before that, every string
a template prints is made inert (:func:`cellguard.models.text.inert`: control, bidi and
zero-width characters shown as ``\\x1b``, ``\\u202e``), so a bidi override cannot reorder
what the reviewer reads. ``@media print`` rules keep sections and findings from splitting
across pages when printed to PDF.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import jinja2
from markupsafe import Markup

from cellguard import __version__
from cellguard.models.findings import Evidence, Finding, Pillar, Status
from cellguard.models.stack import Stack
from cellguard.models.text import inert
from cellguard.reports.context import ReportContext
from cellguard.reports.json_report import visible
from cellguard.reports.md_text import fmt_delta, fmt_percent, fmt_score
from cellguard.reports.sections import ordered
from cellguard.reports.svg import layout
from cellguard.rules.engine import Assessment
from cellguard.rules.waivers import WaiverState


@dataclass(frozen=True)
class StackRow:
    """One document of the stack summary."""

    name: str
    kind: str
    owner: str
    department: str
    description: str
    regions: str
    components: int
    journeys: int
    file: str


@dataclass(frozen=True)
class WaiverRow:
    """One waiver, with the days left at the assessment date."""

    stack: str
    rule: str
    target: str
    owner: str
    ticket: str
    reason: str
    expires: str
    days_left: int
    state: str
    where: str


def num(value: float | None, spec: str = ",.0f") -> str:
    """A number, or an en dash when missing, NaN or infinite."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return format(value, spec)


def pct(value: float | None) -> str:
    """A share as a whole percentage."""
    return "–" if value is None else f"{value:.0%}"


def evidence_text(value: Evidence) -> str:
    """Evidence as compact text."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {evidence_text(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return ", ".join(evidence_text(v) for v in value) or "none"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def _stack_rows(ctx: ReportContext) -> list[StackRow]:
    if ctx.graph is None:
        return []
    rows = []
    for loaded in ctx.graph.org.documents:
        doc = loaded.document
        meta = doc.metadata
        regions = ", ".join(r.name for r in doc.topology.regions) or "–"
        journeys = len(doc.business.journeys) if isinstance(doc, Stack) else 0
        rows.append(
            StackRow(
                name=meta.name,
                kind="Stack" if isinstance(doc, Stack) else "Platform",
                owner=meta.owner or "–",
                department=meta.effective_department or "–",
                description=meta.description or "",
                regions=regions,
                components=len(doc.components),
                journeys=journeys,
                file=loaded.file,
            )
        )
    return sorted(rows, key=lambda r: r.name)


def _waiver_rows(assessment: Assessment) -> list[WaiverRow]:
    rows = []
    for w in assessment.waivers:
        expires = dt.date.fromisoformat(w.use.expires)
        rows.append(
            WaiverRow(
                stack=w.use.stack,
                rule=w.use.rule,
                target=w.use.target or "any",
                owner=w.use.owner,
                ticket=w.use.ticket or "–",
                reason=w.use.reason,
                expires=w.use.expires,
                days_left=(expires - assessment.as_of).days,
                state=w.state.value,
                where=f"{w.location.file}:{w.location.line}",
            )
        )
    return rows


def _finding_groups(assessment: Assessment, ctx: ReportContext) -> list[tuple[str, list[Finding]]]:
    listed = ordered(assessment, ctx)
    return [
        (pillar.label, items)
        for pillar in Pillar
        if (items := [f for f in listed if f.pillar is pillar])
    ]


def _finalize(value: object) -> object:
    """Every printed string made inert before autoescaping (markup the code built is kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return inert(value)
    return value


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cellguard.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.filters["num"] = num
    env.filters["pct"] = pct
    env.filters["evidence"] = evidence_text
    env.filters["score"] = fmt_score
    env.filters["percent"] = fmt_percent
    return env


def render_html(assessment: Assessment, ctx: ReportContext) -> str:
    """The report as one HTML document."""
    figs = assessment.figures
    pillars = [p for p in Pillar if any(m.pillar is p for m in assessment.rules)]
    base = ctx.baseline_scores
    score_rows = [
        {
            "label": label,
            "score": assessment.scores[key],
            "delta": (
                None
                if base is None
                else fmt_delta(
                    assessment.scores[key].score,
                    base[key].score if key in base else None,
                )
            ),
            "overall": key == "overall",
        }
        for key, label in [("overall", "Overall"), *((p.value, p.label) for p in pillars)]
    ]
    shown = visible(assessment, min_severity=ctx.min_severity)
    counts = {s.value: sum(1 for f in shown if f.status is s) for s in Status}
    template = _environment().get_template("report.html.j2")
    text = template.render(
        a=assessment,
        ctx=ctx,
        version=__version__,
        stacks=_stack_rows(ctx),
        score_rows=score_rows,
        figs=figs,
        diagram=layout(ctx.graph) if ctx.graph is not None else None,
        groups=_finding_groups(assessment, ctx),
        counts=counts,
        waivers=_waiver_rows(assessment),
        WaiverState=WaiverState,
        Status=Status,
    )
    return text if text.endswith("\n") else text + "\n"
