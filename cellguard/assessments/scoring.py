"""Scores: one per pillar and one overall, 0-100 (the formula is :data:`FORMULA`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from cellguard.models.findings import Finding, Pillar, Severity, Status

WEIGHTS: dict[Severity, float] = {
    Severity.INFO: 0.0,
    Severity.LOW: 1.0,
    Severity.MEDIUM: 2.0,
    Severity.HIGH: 4.0,
    Severity.CRITICAL: 8.0,
}


@dataclass(frozen=True)
class Score:
    """A score and the tallies behind it."""

    score: float | None
    passed: int
    failed: int
    unknown: int
    waived: int

    @property
    def coverage(self) -> float | None:
        """Decided results as a share of decidable ones, in percent."""
        decidable = self.passed + self.failed + self.unknown
        if decidable == 0:
            return None
        return round(100.0 * (self.passed + self.failed) / decidable, 1)


def score(findings: Iterable[Finding]) -> Score:
    """The score of a set of results (see the module docstring)."""
    good = bad = 0.0
    counts = dict.fromkeys(Status, 0)
    for finding in findings:
        counts[finding.status] += 1
        weight = WEIGHTS[finding.severity]
        if finding.status is Status.PASS:
            good += weight
        elif finding.status is Status.FAIL:
            bad += weight
    total = good + bad
    value = None if total == 0 else round(100.0 * (1.0 - bad / total), 1)
    return Score(
        value,
        counts[Status.PASS],
        counts[Status.FAIL],
        counts[Status.UNKNOWN],
        counts[Status.WAIVED],
    )


def scores(findings: Iterable[Finding]) -> dict[str, Score]:
    """``overall`` plus one score per pillar (pillars without results included, as ``None``)."""
    items = list(findings)
    result = {"overall": score(items)}
    for pillar in Pillar:
        result[pillar.value] = score(f for f in items if f.pillar is pillar)
    return result


FORMULA = """\
Each PASS or FAIL result is weighted by its severity after business impact
(info 0, low 1, medium 2, high 4, critical 8). For the results of a pillar, or of all
pillars for the overall score:

    score = 100 x (1 - failed weight / (passed weight + failed weight))

rounded to one decimal. WAIVED, NOT_APPLICABLE, UNKNOWN and ERROR results are left out of
both sums: a waiver never lowers a score, missing data never counts as a failure, and a new
FAIL only adds failed weight, so it never raises a score. A pillar without weighted results
has no score ("-" in tables, null in JSON). Coverage is the share of decided results (PASS
or FAIL) among the decidable ones (PASS, FAIL, UNKNOWN): a high score over little data says
so. Quantitative results (nines, money per year) are reported beside the scores, never
folded into them.
"""
"""The formula in prose, for the README and ``cellguard rules explain --scoring``."""
