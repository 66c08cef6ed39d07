"""Scores: one per pillar and one overall, 0-100 (the formula is :data:`FORMULA`).

Three figures describe a set of results. With ``P``, ``F`` and ``U`` the weights (see
:data:`WEIGHTS`) of its PASS, FAIL and UNKNOWN results:

* the **score** (the headline) is what the spec proves, ``100 x P / (P + F + U)``: missing data
  is never a FAIL, but it is not a PASS either, so saying less never raises the score;
* the **upper** score counts every UNKNOWN as a PASS, ``100 x (P + U) / (P + F + U)``: the best
  the score can become once the missing data is supplied;
* the **assurance** is the weighted share of the applicable verdicts that are known,
  ``100 x (P + F) / (P + F + U)``.

The score and the upper score bracket every score the spec could reach by answering its
UNKNOWNs; their gap is ``100 - assurance``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import attrgetter

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
    """A score, its upper score and assurance, and the tallies behind them.

    ``upper`` and ``assurance`` are ``None`` where nothing was weighted, and in scores read back
    from reports written before they existed.
    """

    score: float | None
    passed: int
    failed: int
    unknown: int
    waived: int
    upper: float | None = None
    assurance: float | None = None

    @property
    def coverage(self) -> float | None:
        """Decided results as a share of decidable ones, in percent (counted, not weighted)."""
        decidable = self.passed + self.failed + self.unknown
        if decidable == 0:
            return None
        return round(100.0 * (self.passed + self.failed) / decidable, 1)


def _percent(part: float, whole: float) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


def score(findings: Iterable[Finding]) -> Score:
    """The score of a set of results (see the module docstring)."""
    tally = Counter((finding.status, finding.severity) for finding in findings)
    return _counted((status, severity, count) for (status, severity), count in tally.items())


def scores(findings: Iterable[Finding]) -> dict[str, Score]:
    """``overall`` plus one score per pillar (pillars without results included, as ``None``)."""
    return scores_of(Counter(map(TALLY_KEY, findings)))


TALLY_KEY = attrgetter("pillar", "status", "severity")
"""What a finding counts as in a score: :func:`scores_of` reads how many have each key."""

Tally = Mapping[tuple[str, Pillar, Status, Severity], int]
"""How many findings have each (stack, pillar, status, severity)."""


def pillar_counts(tally: Tally) -> dict[tuple[Pillar, Status, Severity], int]:
    """The counts by :data:`TALLY_KEY` of every stack's findings together (for
    :func:`scores_of`: the same scores as :func:`scores` of the findings)."""
    counts: dict[tuple[Pillar, Status, Severity], int] = {}
    for (_, pillar, status, severity), count in tally.items():
        key = (pillar, status, severity)
        counts[key] = counts.get(key, 0) + count
    return counts


_PILLARS = {id(pillar): pillar for pillar in Pillar}


def scores_of(counts: Mapping[tuple[Pillar, Status, Severity], int]) -> dict[str, Score]:
    """:func:`scores` of findings given as the number with each :data:`TALLY_KEY`.

    The same figures: the weights are whole numbers, so their sums are exact in any order
    (counting instead of visiting each finding took a 10,000-component report's 200 stack
    scores from 0.4 s to a few milliseconds)."""
    overall: list[tuple[Status, Severity, int]] = []
    by_pillar: dict[Pillar, list[tuple[Status, Severity, int]]] = {p: [] for p in Pillar}
    for (pillar, status, severity), count in counts.items():
        overall.append((status, severity, count))
        member = _PILLARS.get(id(pillar))
        if member is not None:
            by_pillar[member].append((status, severity, count))
    result = {"overall": _counted(overall)}
    for pillar in Pillar:
        result[pillar.value] = _counted(by_pillar[pillar])
    return result


def _counted(counts: Iterable[tuple[Status, Severity, int]]) -> Score:
    """:func:`score` of findings given as (status, severity, how many)."""
    good = bad = unknown = 0.0
    tally = dict.fromkeys(Status, 0)
    for status, severity, count in counts:
        tally[status] += count
        weight = WEIGHTS[severity] * count
        if status is Status.PASS:
            good += weight
        elif status is Status.FAIL:
            bad += weight
        elif status is Status.UNKNOWN:
            unknown += weight
    total = good + bad + unknown
    return Score(
        _percent(good, total),
        tally[Status.PASS],
        tally[Status.FAIL],
        tally[Status.UNKNOWN],
        tally[Status.WAIVED],
        upper=_percent(good + unknown, total),
        assurance=_percent(good + bad, total),
    )


FORMULA = """\
Each PASS, FAIL or UNKNOWN result is weighted by its severity after business impact
(info 0, low 1, medium 2, high 4, critical 8). With P, F and U the passed, failed and
unknown weight of the results of a pillar, or of all pillars for the overall score:

    score     = 100 x P / (P + F + U)          what the spec proves (the headline)
    upper     = 100 x (P + U) / (P + F + U)    every UNKNOWN counted as a PASS
    assurance = 100 x (P + F) / (P + F + U)    the weighted share of known verdicts

each rounded to one decimal. An UNKNOWN (the spec lacks the data) is never a FAIL, but it
is not a PASS either: removing information never raises the score, and answering an
UNKNOWN moves the score up (PASS) or leaves it (FAIL; the upper score drops). The score
and the upper score bracket every score the spec can reach; their gap is 100 - assurance.
WAIVED, NOT_APPLICABLE and ERROR results count in no sum: a waiver never lowers a score
and a new FAIL never raises one. A pillar without weighted results has no score ("-" in
tables, null in JSON). Coverage (JSON only) is the same share as assurance, counted
instead of weighted. Quantitative results (nines, money per year) are reported beside the
scores, never folded into them.
"""
"""The formula in prose, for the README and ``cellguard rules explain --scoring``."""
