"""``cellguard diff``: what changed between two assessments, as text, markdown or JSON.

Findings are matched by fingerprint (rule, stack, logical target) and compared on FAIL only:
*new* fails now and did not before (it passed, was waived, unknown or absent), *resolved*
failed before and does not now, *severity changed* fails on both sides at different severities
(business impact moved). Scores are compared key by key; journeys by stack and id, with their
availability, nines, downtime in minutes per year and expected annual loss. The capacity and
latency figures that moved, and the evidence of findings whose status did not change but whose
figures did (a supply raised inside a still-failing capacity finding), come from
:mod:`.diff_figures`. Every list is sorted, so the same two inputs give byte-identical output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cellguard import __version__
from cellguard.assessments.availability.journeys import JourneyAvailability, sig
from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Severity, Status
from cellguard.reports.diff_figures import (
    CapacityDelta,
    EvidenceDelta,
    LatencyDelta,
    capacity_deltas,
    evidence_deltas,
    figures_json,
    latency_deltas,
)
from cellguard.reports.json_report import SCORE_KEYS, dump_lines
from cellguard.rules.engine import Assessment

DIFF_SCHEMA_VERSION = 1
MINUTES_PER_HOUR = 60.0


class DiffFormat(StrEnum):
    """Output formats of ``diff``."""

    TABLE = "table"
    MARKDOWN = "markdown"
    JSON = "json"


@dataclass(frozen=True)
class ScoreDelta:
    """One score (``overall`` or a pillar) on both sides."""

    key: str
    old: float | None
    new: float | None

    @property
    def delta(self) -> float | None:
        """New minus old, one decimal; ``None`` when either side has no score."""
        if self.old is None or self.new is None:
            return None
        return round(self.new - self.old, 1)


@dataclass(frozen=True)
class FindingChange:
    """A failing finding that appeared, disappeared or changed severity."""

    fingerprint: str
    rule: str
    stack: str
    target: str
    title: str
    old_severity: Severity | None
    new_severity: Severity | None
    message: str

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        """Worst first, then rule, stack and target."""
        worst = max(s.rank for s in (self.old_severity, self.new_severity) if s is not None)
        return (-worst, self.rule, self.stack, self.target)


@dataclass(frozen=True)
class JourneyFigures:
    """The figures of one journey on one side of the diff (``unavailability`` exact)."""

    availability_percent: float
    nines: float | None
    downtime_minutes_per_year: float
    loss_per_year: float | None
    unavailability: float

    @classmethod
    def of(cls, journey: JourneyAvailability) -> JourneyFigures:
        """Take the figures of an exact availability result."""
        return cls(
            availability_percent=journey.availability,
            nines=journey.nines if math.isfinite(journey.nines) else None,
            downtime_minutes_per_year=journey.downtime_hours * MINUTES_PER_HOUR,
            loss_per_year=journey.loss_per_year,
            unavailability=journey.unavailability,
        )


def _minus(new: float | None, old: float | None) -> float | None:
    return None if new is None or old is None else new - old


@dataclass(frozen=True)
class JourneyDelta:
    """A journey on both sides (``None`` on the side that does not have it)."""

    stack: str
    journey: str
    old: JourneyFigures | None
    new: JourneyFigures | None

    def _both(self) -> tuple[JourneyFigures, JourneyFigures] | None:
        return None if self.old is None or self.new is None else (self.old, self.new)

    @property
    def nines_delta(self) -> float | None:
        """Change in nines (positive is better)."""
        both = self._both()
        return None if both is None else _minus(both[1].nines, both[0].nines)

    @property
    def downtime_delta(self) -> float | None:
        """Change in downtime, minutes per year (negative is better)."""
        both = self._both()
        if both is None:
            return None
        return both[1].downtime_minutes_per_year - both[0].downtime_minutes_per_year

    @property
    def loss_delta(self) -> float | None:
        """Change in expected annual loss, money per year (negative is better)."""
        both = self._both()
        return None if both is None else _minus(both[1].loss_per_year, both[0].loss_per_year)


@dataclass(frozen=True)
class AssessmentDiff:
    """Everything ``diff`` reports."""

    old_label: str
    new_label: str
    scores: tuple[ScoreDelta, ...]
    new: tuple[FindingChange, ...]
    resolved: tuple[FindingChange, ...]
    severity_changed: tuple[FindingChange, ...]
    journeys: tuple[JourneyDelta, ...]
    failing_old: int
    failing_new: int
    capacity: tuple[CapacityDelta, ...] = ()
    latency: tuple[LatencyDelta, ...] = ()
    evidence: tuple[EvidenceDelta, ...] = ()


def _failing(assessment: Assessment) -> dict[str, Finding]:
    return {f.fingerprint: f for f in assessment.findings if f.status is Status.FAIL}


def _change(fp: str, old: Finding | None, new: Finding | None) -> FindingChange:
    shown = new if new is not None else old
    assert shown is not None
    return FindingChange(
        fingerprint=fp,
        rule=shown.rule,
        stack=shown.stack,
        target=shown.target,
        title=shown.title,
        old_severity=old.severity if old is not None else None,
        new_severity=new.severity if new is not None else None,
        message=shown.message,
    )


def _journeys(assessment: Assessment) -> dict[tuple[str, str], JourneyFigures]:
    figs = assessment.figures
    if figs is None:
        return {}
    return {(j.stack, j.journey): JourneyFigures.of(j) for j in figs.journeys}


def _score_value(scores: dict[str, Score], key: str) -> float | None:
    found = scores.get(key)
    return found.score if found is not None else None


def diff_assessments(
    old: Assessment, new: Assessment, *, old_label: str, new_label: str
) -> AssessmentDiff:
    """Compare two assessments (see the module docstring for what counts as what)."""
    before, after = _failing(old), _failing(new)
    added = [_change(fp, None, f) for fp, f in after.items() if fp not in before]
    gone = [_change(fp, f, None) for fp, f in before.items() if fp not in after]
    moved = [
        _change(fp, before[fp], f)
        for fp, f in after.items()
        if fp in before and before[fp].severity is not f.severity
    ]
    old_j, new_j = _journeys(old), _journeys(new)
    journeys = [
        JourneyDelta(stack, journey, old_j.get((stack, journey)), new_j.get((stack, journey)))
        for stack, journey in sorted(old_j.keys() | new_j.keys())
    ]
    return AssessmentDiff(
        old_label=old_label,
        new_label=new_label,
        scores=tuple(
            ScoreDelta(k, _score_value(old.scores, k), _score_value(new.scores, k))
            for k in SCORE_KEYS
        ),
        new=tuple(sorted(added, key=lambda c: c.sort_key)),
        resolved=tuple(sorted(gone, key=lambda c: c.sort_key)),
        severity_changed=tuple(sorted(moved, key=lambda c: c.sort_key)),
        journeys=tuple(journeys),
        failing_old=len(before),
        failing_new=len(after),
        capacity=capacity_deltas(old, new),
        latency=latency_deltas(old, new),
        evidence=evidence_deltas(old, new),
    )


# -- JSON -------------------------------------------------------------------------------------


def _change_json(change: FindingChange) -> dict[str, Any]:
    return {
        "fingerprint": change.fingerprint,
        "rule": change.rule,
        "stack": change.stack,
        "target": change.target,
        "title": change.title,
        "old_severity": change.old_severity.value if change.old_severity else None,
        "new_severity": change.new_severity.value if change.new_severity else None,
        "message": change.message,
    }


def _figures_json(figs: JourneyFigures | None) -> dict[str, Any] | None:
    if figs is None:
        return None
    return {
        "unavailability": figs.unavailability,
        "availability_percent": sig(figs.availability_percent, 8),
        "nines": sig(figs.nines, 4),
        "downtime_minutes_per_year": sig(figs.downtime_minutes_per_year, 6),
        "loss_per_year": sig(figs.loss_per_year, 6),
    }


def to_json_data(diff: AssessmentDiff) -> dict[str, Any]:
    """The diff as plain data (``schema_version`` 1 of the diff document)."""
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "tool": {"name": "cellguard", "version": __version__},
        "old": diff.old_label,
        "new": diff.new_label,
        "summary": {
            "failing_old": diff.failing_old,
            "failing_new": diff.failing_new,
            "new": len(diff.new),
            "resolved": len(diff.resolved),
            "severity_changed": len(diff.severity_changed),
            "evidence_changed": len(diff.evidence),
        },
        "scores": [
            {"key": s.key, "old": s.old, "new": s.new, "delta": s.delta} for s in diff.scores
        ],
        "new_findings": [_change_json(c) for c in diff.new],
        "resolved_findings": [_change_json(c) for c in diff.resolved],
        "severity_changes": [_change_json(c) for c in diff.severity_changed],
        "journeys": [
            {
                "stack": j.stack,
                "journey": j.journey,
                "old": _figures_json(j.old),
                "new": _figures_json(j.new),
                "nines_delta": sig(j.nines_delta, 4),
                "downtime_minutes_per_year_delta": sig(j.downtime_delta, 6),
                "loss_per_year_delta": sig(j.loss_delta, 6),
            }
            for j in diff.journeys
        ],
        **figures_json(diff.capacity, diff.latency, diff.evidence),
    }


def render_diff_json(diff: AssessmentDiff) -> str:
    """The diff as JSON: sorted keys, one top-level key and one list item per line."""
    return dump_lines(to_json_data(diff))
