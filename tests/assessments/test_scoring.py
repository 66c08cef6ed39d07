"""Scoring: worked numbers and the properties the README promises."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.assessments.scoring import FORMULA, WEIGHTS, score, scores
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
    # 3 medium passes (6) and one high fail (4): 100 x (1 - 4/10) = 60.
    items = [finding(Status.PASS, n=i) for i in range(3)] + [
        finding(Status.FAIL, Severity.HIGH, n=9)
    ]
    result = score(items)
    assert result.score == pytest.approx(60.0)
    assert (result.passed, result.failed, result.coverage) == (3, 1, 100.0)


def test_nothing_weighted_is_no_score_and_info_does_not_count() -> None:
    assert score([]).score is None
    assert score([finding(Status.FAIL, Severity.INFO)]).score is None
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


@given(findings_strategy, st.sampled_from([Status.NOT_APPLICABLE, Status.UNKNOWN]))
def test_not_applicable_and_unknown_never_count_as_fail(
    items: list[Finding], status: Status
) -> None:
    # Adding them changes nothing, and a FAIL turned into one never lowers a score.
    before = scores(items)
    added = scores([*items, finding(status, Severity.CRITICAL)])
    assert {k: v.score for k, v in before.items()} == {k: v.score for k, v in added.items()}
    softened = scores([replace(f, status=status) if f.status is Status.FAIL else f for f in items])
    for key in before:
        b, a = before[key].score, softened[key].score
        assert b is None or a is None or a >= b - 1e-9


@given(findings_strategy)
def test_scores_stay_in_range(items: list[Finding]) -> None:
    for value in scores(items).values():
        assert value.score is None or 0.0 <= value.score <= 100.0
