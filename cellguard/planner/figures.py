"""Journey availability before and after a plan, from each assessment's figures."""

from __future__ import annotations

from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.planner.model import JourneyFigures
from cellguard.rules.engine import Assessment


def _by_journey(assessment: Assessment) -> dict[tuple[str, str], JourneyAvailability]:
    if assessment.figures is None:
        return {}
    return {(j.stack, j.journey): j for j in assessment.figures.journeys}


def _nines(j: JourneyAvailability) -> float:
    """Nines, capped at 12 so a perfect (zero-unavailability) journey stays a finite number."""
    return min(j.nines, 12.0)


def journey_figures(before: Assessment, after: Assessment) -> tuple[JourneyFigures, ...]:
    """One row per journey present in both assessments, sorted by (stack, journey)."""
    old, new = _by_journey(before), _by_journey(after)
    rows = []
    for key in sorted(old.keys() & new.keys()):
        a, b = old[key], new[key]
        rows.append(
            JourneyFigures(
                stack=key[0],
                journey=key[1],
                objective=b.objective,
                availability_before=a.availability,
                availability_after=b.availability,
                nines_before=_nines(a),
                nines_after=_nines(b),
                downtime_hours_before=a.downtime_hours,
                downtime_hours_after=b.downtime_hours,
                loss_before=a.loss_per_year or 0.0,
                loss_after=b.loss_per_year or 0.0,
            )
        )
    return tuple(rows)
