"""Report sections shared by the PR-comment markdown, the GitHub step summary and the HTML report:
the scores table and line, the journeys table, findings in order with their status labels, counts
and the header."""

from __future__ import annotations

import math
from collections.abc import Callable

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Pillar, Status
from cellguard.models.wording import plural
from cellguard.reports.context import ReportContext
from cellguard.reports.json_report import visible
from cellguard.reports.md_text import code, fmt_delta, fmt_percent, fmt_score, md, table
from cellguard.reports.risks import finding_risk, risk_rank
from cellguard.rules.engine import Assessment

STATUS_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.WAIVED: 2, Status.UNKNOWN: 3}


def score_rows(assessment: Assessment, ctx: ReportContext) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the scores table (with a delta column when there is a baseline)."""
    header = ["pillar", "score"]
    base = ctx.baseline_scores
    if base is not None:
        header.append("Δ")
    header += ["upper", "assurance", "fail", "waived", "unknown"]
    pillars = [p for p in Pillar if any(m.pillar is p for m in assessment.rules)]
    rows: list[list[str]] = []
    for key, label in [("overall", "**Overall**"), *((p.value, p.label) for p in pillars)]:
        s: Score = assessment.scores[key]
        row = [label, fmt_score(s.score)]
        if base is not None:
            b = base.get(key)
            row.append(fmt_delta(s.score, b.score if b is not None else None))
        row += [fmt_score(s.upper), fmt_percent(s.assurance)]
        row += [str(s.failed), str(s.waived), str(s.unknown)]
        rows.append(row)
    return header, rows


def scores_table(assessment: Assessment, ctx: ReportContext) -> list[str]:
    """The scores as a markdown table."""
    header, rows = score_rows(assessment, ctx)
    return [*table(header, rows, "lr" + "r" * (len(header) - 2)), "", SCORES_NOTE]


def _num(value: float | None, spec: str) -> str:
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    return format(value, spec)


def _at_least(text: str, proven: bool) -> str:
    """``text`` marked as a lower bound (``≥``) when the journey's figure is unproven."""
    return text if proven or text == "–" else f"≥ {text}"


def journeys_table(assessment: Assessment) -> list[str]:
    """Exact availability of each journey against its objective, and the priors behind it:
    the share of its unavailability each kind of prior accounts for ("mostly SLA" when SLA
    credit thresholds account for more than half), and the components without a prior, whose
    journeys show an upper bound marked unproven."""
    figs = assessment.figures
    if figs is None or not figs.journeys:
        return []
    rows = []
    for j in figs.journeys:
        prov = figs.provenance_of(j)
        proven = prov is None or prov.proven
        objective = "–" if j.objective is None else f"{j.objective:g}%"
        verdict = "" if j.objective is None else (" ✅" if j.meets_objective else " ❌")
        if not proven and j.meets_objective:
            verdict = " ❔"  # an upper bound meeting the objective proves nothing
        shown = f"{j.availability:.4f}%" if proven else f"≤ {j.availability:.4f}% (unproven)"
        rows.append(
            [
                code(f"{j.stack}/{j.journey}"),
                md(j.criticality),
                shown,
                objective + verdict,
                _at_least(_num(j.downtime_hours, ",.1f"), proven),
                _at_least(_num(j.loss_per_year, ",.0f"), proven),
                md(prov.summary()) if prov is not None else "–",
            ]
        )
    return table(
        ["journey", "tier", "availability", "objective", "down h/y", "loss/y", "priors"],
        rows,
        "llrrrrl",
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
    """The listed findings (see :func:`visible`), worst first; among findings of the same
    severity, those on components with a higher risk in the register first."""
    key, ranks = finding_sort_key(ctx), risk_rank(assessment)

    def ranked(f: Finding) -> tuple[int | str, ...]:
        k = key(f)
        return (*k[:3], -finding_risk(ranks, f), *k[3:])

    return sorted(visible(assessment, min_severity=ctx.min_severity), key=ranked)


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
        f"{plural(len(assessment.stacks), 'document')}: {stacks} · "
        f"{plural(len(assessment.rules), 'rule')} · as of {assessment.as_of.isoformat()}",
    ]


def scores_line(assessment: Assessment, ctx: ReportContext) -> str:
    """One bold line with the overall score (and its delta), then its upper score and
    assurance."""
    s = assessment.scores["overall"]
    overall = s.score
    text = f"**Overall score: {fmt_score(overall)}/100**"
    if ctx.baseline_scores is not None and "overall" in ctx.baseline_scores:
        delta = fmt_delta(overall, ctx.baseline_scores["overall"].score)
        text += f" ({delta} against the baseline)"
    return text + f" · upper {fmt_score(s.upper)} · assurance {fmt_percent(s.assurance)}"


SCORES_NOTE = (
    "*score*: what the spec proves (UNKNOWN is not passing); *upper*: every UNKNOWN passing; "
    "*assurance*: weighted share of the verdicts known."
)
"""The line under the scores table."""
