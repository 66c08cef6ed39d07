"""The architecture-review report: one self-contained HTML file a review board reads.

Sections: an executive summary on the first screen (:mod:`.html_summary`: proven score and
assurance, money at risk per year, the five findings that matter most, the journeys below
their objective, scores by pillar as a chart), stack summary, scores, journey availability
with the expected loss by journey, capacity and latency, blast radius with money per hour by
failure domain (charts laid out by :mod:`.charts`), the dependency diagram over failure domains
with single points of failure and failing components marked (:mod:`.svg`), findings by pillar
and rule with evidence as small tables (:mod:`.html_findings`, :mod:`.html_evidence`), waivers
with their expiry, and a sign-off block (filled from ``ReportContext.signoff``, or empty lines
to sign on paper). Every money figure carries its stack's currency.

Self-contained: no script, no external stylesheet, font or image, no URL (the inline SVG
needs no namespace attribute in HTML). The jinja2 environment autoescapes everything, so
every user-provided string (names, descriptions, reasons) is escaped; before that, every string
a template prints is made inert (:func:`cellguard.models.text.inert`: control, bidi and
zero-width characters shown as ``\\x1b``, ``\\u202e``), so a bidi override cannot reorder
what the reviewer reads. ``@media print`` rules lay it out for A4: smaller type, the summary on
page one, rows, charts and the diagram (scaled to fit) kept whole.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache

import jinja2
from markupsafe import Markup

from cellguard import __version__
from cellguard.models.findings import Finding, Pillar, Severity, Status, TargetKind
from cellguard.models.stack import Stack
from cellguard.models.text import inert
from cellguard.models.wording import plural
from cellguard.reports.charts import blast_chart, loss_chart, scores_chart
from cellguard.reports.context import ReportContext
from cellguard.reports.html_evidence import EvidenceBook, canonical
from cellguard.reports.html_findings import finding_groups
from cellguard.reports.html_summary import Currencies, summary
from cellguard.reports.json_report import visible
from cellguard.reports.md_text import fmt_delta, fmt_percent, fmt_score
from cellguard.reports.risks import risk_cells
from cellguard.reports.sections import ordered
from cellguard.reports.svg import layout
from cellguard.rules.engine import Assessment
from cellguard.rules.waivers import WaiverState

SEVERITY_COLOURS = {
    "critical": "#8b0000",
    "high": "#c62828",
    "medium": "#b26a00",
    "low": "#1565c0",
    "info": "#5b6475",
}
"""Colours of the severity badges (the diagram's failing tags use them too)."""


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


def _failing_components(shown: list[Finding]) -> dict[str, tuple[int, str]]:
    """Failing findings per component: their number and worst severity."""
    out: dict[str, tuple[int, Severity]] = {}
    for f in shown:
        if f.status is Status.FAIL and f.target_kind is TargetKind.COMPONENT:
            qid = f"{f.stack}/{f.target}"
            count, worst = out.get(qid, (0, f.severity))
            out[qid] = (count + 1, f.severity if f.severity.rank > worst.rank else worst)
    return {q: (n, s.value) for q, (n, s) in out.items()}


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
    env.filters["plural"] = plural
    env.filters["pct"] = pct
    env.filters["score"] = fmt_score
    env.filters["percent"] = fmt_percent
    return env


def render_html(assessment: Assessment, ctx: ReportContext) -> str:
    """The report as one HTML document."""
    figs = assessment.figures
    pillars = [p for p in Pillar if any(m.pillar is p for m in assessment.rules)]
    base = ctx.baseline_scores
    keys = [("overall", "Overall"), *((p.value, p.label) for p in pillars)]
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
        for key, label in keys
    ]
    shown = visible(assessment, min_severity=ctx.min_severity)
    listed = ordered(assessment, ctx)
    counts = {s.value: sum(1 for f in shown if f.status is s) for s in Status}
    currencies = Currencies(ctx.graph or assessment.graph)
    blast = {b.domain.node_id: canonical(b.to_json()) for b in figs.blast_radius} if figs else {}
    book = EvidenceBook(listed, blast, currencies.by_stack)
    charts = {
        "scores": scores_chart([(label, assessment.scores[key]) for key, label in keys]),
        "loss": loss_chart(figs.journeys if figs else (), currencies.money),
        "blast": blast_chart(figs.blast_radius if figs else (), currencies.money),
    }
    digest = summary(assessment, ctx, listed, currencies)
    template = _environment().get_template("report.html.j2")
    text = template.render(
        a=assessment,
        ctx=ctx,
        version=__version__,
        stacks=_stack_rows(ctx),
        score_rows=score_rows,
        figs=figs,
        risks=risk_cells(assessment),
        diagram=(layout(ctx.graph, _failing_components(shown)) if ctx.graph is not None else None),
        summary=digest,
        top_anchors={t.anchor for t in digest.top},
        charts=charts,
        money=currencies.money,
        severity_colours=SEVERITY_COLOURS,
        groups=finding_groups(listed, book, currencies),
        counts=counts,
        waivers=_waiver_rows(assessment),
        WaiverState=WaiverState,
        Status=Status,
    )
    return text if text.endswith("\n") else text + "\n"
