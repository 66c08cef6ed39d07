"""Business impact: raise or lower a failing check's severity by what its journeys are worth.

The adjustment, in severity levels, is the sum of

* the criticality of the most critical journey the target touches: tier0 +1, tier1 0,
  tier2 -1, tier3 -2;
* money at stake: +1 when the touched journeys together lose at least
  :data:`HIGH_STAKES_PER_HOUR` per hour of outage or risk at least
  :data:`HIGH_STAKES_PER_INCIDENT` in penalties per incident;
* -1 when the target touches no declared journey (an offline pipeline, an unused component).

The result is clamped to info..critical. Figures are in each stack's own currency.
"""

from __future__ import annotations

from collections.abc import Sequence

from cellguard.models.business import Journey
from cellguard.models.enums import Criticality
from cellguard.models.findings import Impact, Severity

TIER_SHIFT: dict[Criticality, int] = {
    Criticality.TIER0: 1,
    Criticality.TIER1: 0,
    Criticality.TIER2: -1,
    Criticality.TIER3: -2,
}
HIGH_STAKES_PER_HOUR = 50_000.0
HIGH_STAKES_PER_INCIDENT = 250_000.0
NO_JOURNEY_SHIFT = -1


def _money(value: float) -> str:
    return f"{value:,.0f}"


def assess_impact(journeys: Sequence[tuple[str, Journey]]) -> Impact:
    """The impact of a target touching ``journeys`` ((stack, journey) pairs)."""
    if not journeys:
        return Impact((), None, 0.0, 0.0, NO_JOURNEY_SHIFT, "touches no declared journey")
    names = tuple(sorted(f"{stack}/{j.id}" for stack, j in journeys))
    top = min((j.criticality for _, j in journeys), key=list(Criticality).index)
    revenue = sum(j.impact.revenue_per_hour or 0.0 for _, j in journeys)
    penalty = sum(j.impact.penalty_per_incident or 0.0 for _, j in journeys)
    shift = TIER_SHIFT[top]
    reasons = [f"most critical journey is {top.value} ({TIER_SHIFT[top]:+d})"]
    if revenue >= HIGH_STAKES_PER_HOUR or penalty >= HIGH_STAKES_PER_INCIDENT:
        shift += 1
        reasons.append(f"{_money(revenue)}/h and {_money(penalty)}/incident at stake (+1)")
    else:
        reasons.append(f"{_money(revenue)}/h and {_money(penalty)}/incident at stake (0)")
    return Impact(names, top.value, revenue, penalty, shift, "; ".join(reasons))


def adjust(severity: Severity, impact: Impact) -> Severity:
    """``severity`` moved by the impact's shift, within info..critical."""
    return severity.shifted(impact.shift)
