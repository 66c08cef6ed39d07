"""The executive summary of the HTML report, and money written with its currency.

The summary is what a review board reads on the first screen: the proven overall score and its
assurance, the money at risk per year (the expected annual loss summed over the journeys that
state revenue or penalties, per currency), the five failing findings that matter most (worst
severity first, then the money per hour at stake on the journeys they touch) and the journeys
that miss their availability objective.

Every money figure carries the ISO 4217 currency of the stack it belongs to
(``metadata.currency``, USD when the spec leaves it out). The money at risk is summed per
currency; a figure the assessment itself adds up over stacks of different currencies (a blast
radius, the money at stake on a shared component) names all of them (``EUR+USD``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.assessments.graph import StackGraph
from cellguard.models.findings import Finding, Status
from cellguard.reports.context import ReportContext
from cellguard.rules.engine import Assessment

TOP_FINDINGS = 5


class Currencies:
    """The currency of each loaded document, and money written with it."""

    def __init__(self, graph: StackGraph | None) -> None:
        self.by_stack: dict[str, str] = {}
        if graph is not None:
            for loaded in graph.org.documents:
                meta = loaded.document.metadata
                self.by_stack[meta.name] = meta.currency

    def of(self, stacks: Iterable[str]) -> str:
        """The currency of ``stacks`` (``EUR+USD`` when they differ; empty when unknown)."""
        codes = sorted({self.by_stack[s] for s in stacks if s in self.by_stack})
        return "+".join(codes)

    def money(self, value: float, stacks: str | Iterable[str]) -> str:
        """``value`` in whole units with the currency of ``stacks`` (a stack name or several)."""
        code = self.of([stacks] if isinstance(stacks, str) else stacks)
        return f"{value:,.0f} {code}".rstrip()

    def totals(self, amounts: Iterable[tuple[float, str]]) -> str:
        """Amounts of (value, stack) summed per currency: ``1,200 EUR + 6,658,743 USD``."""
        sums: dict[str, float] = {}
        for value, stack in amounts:
            code = self.of([stack])
            sums[code] = sums.get(code, 0.0) + value
        return " + ".join(f"{v:,.0f} {c}".rstrip() for c, v in sorted(sums.items())) or "–"


def journey_stacks(finding: Finding) -> list[str]:
    """The stacks of the journeys a finding touches (its own stack when it names none)."""
    if finding.impact is None or not finding.impact.journeys:
        return [finding.stack]
    return sorted({j.split("/", 1)[0] for j in finding.impact.journeys})


def at_stake(finding: Finding, currencies: Currencies) -> str:
    """Money at stake on the journeys a failing finding touches: ``39,100 USD/h · 35,000
    USD/incident``; an en dash when none is stated."""
    impact = finding.impact
    if impact is None:
        return "–"
    stacks = journey_stacks(finding)
    parts = []
    if impact.revenue_per_hour:
        parts.append(currencies.money(impact.revenue_per_hour, stacks) + "/h")
    if impact.penalty_per_incident:
        parts.append(currencies.money(impact.penalty_per_incident, stacks) + "/incident")
    return " · ".join(parts) or "–"


def journeys_text(journeys: Sequence[str]) -> str:
    """Journeys grouped by stack: ``hr-assistant: policy-qa; legal-assistant: clause-search,
    contract-review``."""
    by_stack: dict[str, list[str]] = {}
    for qid in journeys:
        stack, _, journey = qid.partition("/")
        by_stack.setdefault(stack, []).append(journey or stack)
    return "; ".join(f"{s}: {', '.join(js)}" for s, js in by_stack.items())


@dataclass(frozen=True)
class TopFinding:
    """A failing finding of the summary, with the money at stake."""

    finding: Finding
    stake: str
    anchor: str


@dataclass(frozen=True)
class MissedJourney:
    """A journey below its availability objective."""

    journey: JourneyAvailability
    loss: str


@dataclass(frozen=True)
class Summary:
    """The executive summary."""

    at_risk: str
    priced: int
    journeys: int
    top: tuple[TopFinding, ...]
    missed: tuple[MissedJourney, ...]
    failing_by_severity: tuple[tuple[str, int], ...]


def finding_anchor(finding: Finding) -> str:
    """The id of a finding's row in the report (its fingerprint)."""
    return f"f-{finding.fingerprint}"


def summary(
    assessment: Assessment, ctx: ReportContext, shown: Sequence[Finding], currencies: Currencies
) -> Summary:
    """The executive summary of ``assessment`` over the listed findings ``shown``."""
    journeys = list(assessment.figures.journeys) if assessment.figures else []
    priced = [(j.loss_per_year, j.stack) for j in journeys if j.loss_per_year is not None]
    failing = [f for f in shown if f.status is Status.FAIL]

    def money(f: Finding) -> float:
        impact = f.impact
        return 0.0 if impact is None else impact.revenue_per_hour + impact.penalty_per_incident

    ranked = sorted(
        failing,
        key=lambda f: (ctx.is_baselined(f), -f.severity.rank, -money(f), f.rule, f.stack, f.target),
    )
    missed = [
        MissedJourney(
            j,
            "–" if j.loss_per_year is None else currencies.money(j.loss_per_year, j.stack) + "/yr",
        )
        for j in sorted(journeys, key=lambda j: (-(j.loss_per_year or 0.0), j.stack, j.journey))
        if j.meets_objective is False
    ]
    severities: dict[str, int] = {}
    for f in failing:
        severities[f.severity.value] = severities.get(f.severity.value, 0) + 1
    order = ("critical", "high", "medium", "low", "info")
    return Summary(
        at_risk=currencies.totals((v, s) for v, s in priced) if priced else "–",
        priced=len(priced),
        journeys=len(journeys),
        top=tuple(
            TopFinding(f, at_stake(f, currencies), finding_anchor(f)) for f in ranked[:TOP_FINDINGS]
        ),
        missed=tuple(missed),
        failing_by_severity=tuple((s, severities[s]) for s in order if s in severities),
    )
