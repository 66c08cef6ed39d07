"""Scoring: worked numbers and the properties the README promises."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.assessments.scoring import FORMULA, TALLY_KEY, WEIGHTS, score, scores, scores_of
from cellguard.models.findings import (
    FailureCategory,
    Finding,
    Pillar,
    Severity,
    Status,
    TargetKind,
)


def finding(
    status: Status,
    severity: Severity = Severity.MEDIUM,
    pillar: Pillar = Pillar.REDUNDANCY,
    n: int = 0,
) -> Finding:
    return Finding(
        rule=f"CG-{pillar.code}-{n:03d}",
        title="A test finding",
        pillar=pillar,
        category=FailureCategory.SHARED_FATE,
        status=status,
        severity=severity,
        base_severity=severity,
        stack="s",
        target=f"t{n}",
        target_kind=TargetKind.COMPONENT,
        message="m",
        remediation="r",
        location=None,
    )


def test_worked_example() -> None:
    # 3 medium passes (6) and one high fail (4): 100 x 6/10 = 60.
    items = [finding(Status.PASS, n=i) for i in range(3)] + [
        finding(Status.FAIL, Severity.HIGH, n=9)
    ]
    result = score(items)
    assert result.score == pytest.approx(60.0)
    assert (result.upper, result.assurance) == (60.0, 100.0)
    assert (result.passed, result.failed, result.coverage) == (3, 1, 100.0)


def test_unknown_counts_as_not_passing_in_the_headline() -> None:
    # 3 medium passes (6), one high fail (4), one critical unknown (8), one waived and one
    # not applicable (counted in neither): score 100 x 6/18, upper 100 x 14/18, assurance
    # 100 x 10/18.
    items = [
        *(finding(Status.PASS, n=i) for i in range(3)),
        finding(Status.FAIL, Severity.HIGH, n=9),
        finding(Status.UNKNOWN, Severity.CRITICAL, n=10),
        finding(Status.WAIVED, Severity.CRITICAL, n=11),
        finding(Status.NOT_APPLICABLE, Severity.CRITICAL, n=12),
    ]
    result = score(items)
    assert (result.score, result.upper, result.assurance) == (33.3, 77.8, 55.6)
    assert (result.passed, result.failed, result.unknown, result.waived) == (3, 1, 1, 1)
    assert result.coverage == 80.0  # counted: 4 of 5 decidable results decided


def test_only_unknowns_prove_nothing() -> None:
    result = score([finding(Status.UNKNOWN, n=i) for i in range(3)])
    assert (result.score, result.upper, result.assurance) == (0.0, 100.0, 0.0)


def test_nothing_weighted_is_no_score_and_info_does_not_count() -> None:
    assert score([]).score is None
    assert score([]).upper is None and score([]).assurance is None
    assert score([finding(Status.FAIL, Severity.INFO)]).score is None
    assert score([finding(Status.UNKNOWN, Severity.INFO)]).score is None
    assert score([finding(Status.UNKNOWN)]).coverage == 0.0


def test_formula_text_states_the_weights() -> None:
    for severity, weight in WEIGHTS.items():
        assert f"{severity.value} {weight:g}" in FORMULA


findings_strategy = st.lists(
    st.builds(
        finding,
        st.sampled_from(list(Status)),
        st.sampled_from(list(Severity)),
        st.sampled_from(list(Pillar)),
        st.integers(0, 999),
    ),
    max_size=40,
)


def _never_above(before: float | None, after: float | None) -> bool:
    return before is None or after is None or after <= before + 1e-9


@given(findings_strategy, st.sampled_from(list(Severity)), st.sampled_from(list(Pillar)))
def test_a_new_fail_never_raises_a_score(
    items: list[Finding], severity: Severity, pillar: Pillar
) -> None:
    before = scores(items)
    after = scores([*items, finding(Status.FAIL, severity, pillar)])
    for key in before:
        assert _never_above(before[key].score, after[key].score), key
    if WEIGHTS[severity] > 0:
        assert after["overall"].score is not None


@given(findings_strategy)
def test_a_waiver_never_lowers_a_score(items: list[Finding]) -> None:
    before = scores(items)
    waived = scores(
        [replace(f, status=Status.WAIVED) if f.status is Status.FAIL else f for f in items]
    )
    for key in before:
        b, a = before[key].score, waived[key].score
        assert b is None or a is None or a >= b - 1e-9, key


@given(findings_strategy, st.sampled_from(list(Severity)))
def test_not_applicable_changes_nothing(items: list[Finding], severity: Severity) -> None:
    before = scores(items)
    added = scores([*items, finding(Status.NOT_APPLICABLE, severity)])
    assert before == added


@given(findings_strategy)
def test_unknown_is_never_a_fail(items: list[Finding]) -> None:
    # A FAIL whose data goes missing (FAIL -> UNKNOWN) leaves the headline where it was and
    # can only raise the upper score.
    before = scores(items)
    softened = scores(
        [replace(f, status=Status.UNKNOWN) if f.status is Status.FAIL else f for f in items]
    )
    for key in before:
        assert before[key].score == softened[key].score, key
        b, a = before[key].upper, softened[key].upper
        assert b is None or a is None or a >= b - 1e-9, key


@given(findings_strategy, st.sampled_from(list(Severity)), st.sampled_from(list(Pillar)))
def test_saying_less_never_raises_the_headline(
    items: list[Finding], severity: Severity, pillar: Pillar
) -> None:
    # A PASS whose data goes missing (PASS -> UNKNOWN) and a new UNKNOWN never raise the
    # headline; the upper score never falls below it.
    before = scores(items)
    hidden = scores(
        [replace(f, status=Status.UNKNOWN) if f.status is Status.PASS else f for f in items]
    )
    added = scores([*items, finding(Status.UNKNOWN, severity, pillar)])
    for key in before:
        for after in (hidden[key], added[key]):
            assert _never_above(before[key].score, after.score), key


@given(findings_strategy)
def test_headline_and_upper_bracket_the_outcomes(items: list[Finding]) -> None:
    # Every way of answering the UNKNOWNs (each PASS or FAIL) scores between the headline
    # and the upper score; all PASS reaches the upper score, all FAIL the headline.
    base = scores(items)
    best = scores(
        [replace(f, status=Status.PASS) if f.status is Status.UNKNOWN else f for f in items]
    )
    worst = scores(
        [replace(f, status=Status.FAIL) if f.status is Status.UNKNOWN else f for f in items]
    )
    for key, s in base.items():
        assert best[key].score == s.upper, key
        assert worst[key].score == s.score, key
        if s.score is not None:
            assert s.upper is not None and s.assurance is not None
            assert s.score <= s.upper
            assert abs((s.upper - s.score) - (100.0 - s.assurance)) <= 0.1 + 1e-9, key


@given(findings_strategy)
def test_scores_stay_in_range(items: list[Finding]) -> None:
    for value in scores(items).values():
        for figure in (value.score, value.upper, value.assurance):
            assert figure is None or 0.0 <= figure <= 100.0


@given(findings_strategy)
def test_counted_scores_are_each_pillars_score(items: list[Finding]) -> None:
    """``scores`` counts findings by key (issue 21 item 5): the very figures ``score`` gives for
    all of them and for each pillar's, tallies included."""
    got = scores_of(Counter(map(TALLY_KEY, items)))
    assert got == scores(items)
    assert got["overall"] == score(items)
    for pillar in Pillar:
        assert got[pillar.value] == score([f for f in items if f.pillar is pillar])
