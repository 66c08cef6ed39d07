"""The terminal report of ``assess``: scores, then findings grouped by pillar.

Rendered with rich. Written to a file or a pipe it is plain text with a fixed width, so the
same input gives byte-identical output; on a terminal it is coloured.

Text from the spec, a rule pack or a file name goes into :class:`~rich.text.Text` objects (never
parsed as rich markup, so ``[red]`` stays as written) through :func:`line`, which shows escape
sequences, other control characters and line breaks visibly (:func:`cellguard.models.text.inert`).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Evidence, Finding, Pillar, Severity, Status
from cellguard.models.text import inert
from cellguard.models.wording import plural
from cellguard.reports.json_report import visible
from cellguard.reports.risks import finding_risk, risk_rank, risk_table
from cellguard.reports.tables import figure_tables
from cellguard.rules.engine import Assessment
from cellguard.rules.waivers import WaiverState

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
WIDTH = 110
SCORES_NOTE = (
    "score: what the spec proves (UNKNOWN is not passing); upper: every UNKNOWN passing; "
    "assurance: share known"
)
"""The line under the scores table (``cellguard rules explain --scoring`` has the formula)."""


def line(text: object) -> str:
    """User text made inert and kept on one line (see the module docstring)."""
    return inert(text, single_line=True)


def _score_text(value: float | None) -> Text:
    if value is None:
        return Text("-", style="dim")
    style = "green" if value >= 90 else "yellow" if value >= 70 else "red"
    return Text(f"{value:.1f}", style=style)


def _scores_table(scores: dict[str, Score], pillars: list[Pillar], plain: bool) -> Table:
    table = Table(
        title="Scores (0-100)",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        box=box.ASCII2 if plain else box.SIMPLE_HEAD,
    )
    for name, justify in (
        ("pillar", "left"),
        ("score", "right"),
        ("upper", "right"),
        ("assurance", "right"),
        ("pass", "right"),
        ("fail", "right"),
        ("unknown", "right"),
        ("waived", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    rows = [("overall", "Overall")] + [(p.value, p.label) for p in pillars]
    for key, label in rows:
        s = scores[key]
        table.add_row(
            Text(label, style="bold" if key == "overall" else ""),
            _score_text(s.score),
            Text("-" if s.upper is None else f"{s.upper:.1f}", style="dim"),
            "-" if s.assurance is None else f"{s.assurance:.1f}%",
            str(s.passed),
            str(s.failed),
            str(s.unknown),
            str(s.waived),
        )
    return table


def _evidence(value: Evidence) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_evidence(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_evidence(v) for v in value) + "]"
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _finding(f: Finding, baselined: frozenset[str]) -> RenderableType:
    head = Text()
    label = f.severity.value.upper() if f.status is Status.FAIL else f.status.value
    style = SEVERITY_STYLE[f.severity] if f.status is Status.FAIL else "dim"
    head.append(f"{label:<8}", style=style)
    if f.status is Status.FAIL and f.fingerprint in baselined:
        head.append(" (baselined)", style="dim")
    head.append(f" {line(f.rule)}  ", style="bold")
    head.append(line(f.title))
    lines: list[RenderableType] = []
    where = f"{f.stack}/{f.target}" if f.stack != f.target else f.stack
    if f.location is not None:
        where += f"  ({f.location.file}:{f.location.line}:{f.location.column})"
    lines.append(Text(line(where), style="blue"))
    lines.append(Text(line(f.message)))
    if f.evidence:
        parts = ", ".join(f"{k}={_evidence(v)}" for k, v in f.evidence.items())
        lines.append(Text(f"evidence: {line(parts)}", style="dim"))
    if f.status is Status.FAIL and f.impact is not None:
        journeys = ", ".join(f.impact.journeys) or "none"
        shift = (
            f"{f.base_severity.value} -> {f.severity.value}"
            if f.base_severity is not f.severity
            else f.severity.value
        )
        lines.append(
            Text(line(f"impact: {shift}; journeys: {journeys}; {f.impact.reason}"), style="dim")
        )
    if f.note:
        lines.append(Text(f"note: {line(f.note)}", style="magenta"))
    if f.waiver is not None and f.status is Status.WAIVED:
        lines.append(
            Text(
                line(f"waived by {f.waiver.owner} until {f.waiver.expires}: {f.waiver.reason}"),
                style="dim",
            )
        )
    if f.status is Status.FAIL:
        lines.append(Text(f"fix: {line(f.remediation)}", style="green"))
    return Group(head, Padding(Group(*lines), (0, 0, 0, 9)))


def _sort_key(
    f: Finding, baselined: frozenset[str], ranks: dict[str, int]
) -> tuple[int, int, int, int, str, str, str]:
    """Errors, new failures worst first (a higher risk on the component first among equal
    severities), baselined failures, waived, unknown."""
    order = {Status.ERROR: 0, Status.FAIL: 1, Status.WAIVED: 2, Status.UNKNOWN: 3}
    known = 1 if f.status is Status.FAIL and f.fingerprint in baselined else 0
    risk = -finding_risk(ranks, f)
    return (order.get(f.status, 4), known, -f.severity.rank, risk, f.rule, f.stack, f.target)


def renderables(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    plain: bool = False,
    baselined: frozenset[str] = frozenset(),
) -> list[RenderableType]:
    """The report's parts, in order; failing findings whose fingerprint is in ``baselined``
    (``check --baseline``) are marked and listed after the new ones."""
    parts: list[RenderableType] = []
    stacks = line(", ".join(assessment.stacks))
    parts.append(
        Text.assemble(
            ("cellguard assessment", "bold"),
            f" of {plural(len(assessment.stacks), 'document')}: {stacks}\n",
            f"{len(assessment.rules)} rules, as of {assessment.as_of.isoformat()}",
        )
    )
    parts.append(Text(""))
    pillars = [p for p in Pillar if any(m.pillar is p for m in assessment.rules)]
    parts.append(_scores_table(assessment.scores, pillars, plain))
    parts.append(Text(SCORES_NOTE, style="dim"))
    for table in figure_tables(assessment.figures, plain):
        parts.append(Text(""))
        parts.append(table)
    risks = risk_table(assessment, plain)
    if risks is not None:
        parts += [Text(""), risks]
    shown = visible(assessment, min_severity=min_severity)
    ranks = risk_rank(assessment)
    for pillar in Pillar:
        items = sorted(
            (f for f in shown if f.pillar is pillar), key=lambda f: _sort_key(f, baselined, ranks)
        )
        if not items:
            continue
        failing = [f for f in items if f.status is Status.FAIL]
        known = sum(1 for f in failing if f.fingerprint in baselined)
        split = f": {len(failing) - known} new, {known} baselined" if baselined else ""
        parts.append(Text(""))
        parts.append(
            Text(
                f"{pillar.label} ({len(failing)} failing{split}, {len(items)} listed)",
                style="bold underline",
            )
        )
        parts.extend(_finding(f, baselined) for f in items)
    if assessment.waivers:
        parts.append(Text(""))
        parts.append(Text("Waivers", style="bold underline"))
        for w in assessment.waivers:
            style = "green" if w.state is WaiverState.ACTIVE else "magenta"
            target = f" on {w.use.target}" if w.use.target else ""
            text = (
                f"{w.use.stack}: {w.use.rule}{target} by {w.use.owner}, "
                f"expires {w.use.expires} ({w.location.file}:{w.location.line})"
            )
            unused = "  -- matches no failing finding" if w.state is WaiverState.UNUSED else ""
            parts.append(Text(f"  {w.state.value:<8} {line(text)}{unused}", style=style))
    hidden = len(visible(assessment)) - len(shown)
    if hidden:
        parts.append(
            Text(
                f"\n{plural(hidden, 'failing finding')} below --min-severity not shown.",
                style="dim",
            )
        )
    return parts


def render_text(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    width: int = WIDTH,
    baselined: frozenset[str] = frozenset(),
) -> str:
    """The report as plain text (no colour, fixed width): deterministic."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        color_system=None,
        force_terminal=False,
        highlight=False,
        emoji=False,
    )
    for part in renderables(assessment, min_severity=min_severity, plain=True, baselined=baselined):
        console.print(part)
    return "".join(f"{line.rstrip()}\n" for line in buffer.getvalue().splitlines())


def print_report(
    assessment: Assessment,
    console: Console,
    *,
    min_severity: Severity | None = None,
    baselined: frozenset[str] = frozenset(),
) -> None:
    """Print the report to ``console`` (coloured when it is a terminal)."""
    for part in renderables(assessment, min_severity=min_severity, baselined=baselined):
        console.print(part)
