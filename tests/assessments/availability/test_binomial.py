"""Binomial mass and tails in log space against exact rational arithmetic."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from cellguard.assessments.availability.binomial import log_below, log_pmf, stirlerr


def log_of(value: Fraction) -> float:
    """The natural log of a positive fraction, however small: a mantissa near 1, correctly
    rounded, and a power of two (``math.log`` of a huge integer would lose digits)."""
    shift = value.numerator.bit_length() - value.denominator.bit_length()
    mantissa = value / Fraction(2) ** shift
    return math.log(float(mantissa)) + shift * math.log(2)


def close_in_log(got: float, want: Fraction) -> bool:
    """``got`` (a log) is within about 1e-13 relative of ``want``, tinier ones scaled by their
    log (a few roundings of the log itself)."""
    expected = log_of(want)
    return abs(got - expected) <= 1e-13 * max(1.0, abs(expected) / 50)


def exact_masses(n: int, q: float) -> list[Fraction]:
    """``P(Bin(n, 1 − q) = x)`` for ``x = 0..n``, exact fractions of the float ``q``."""
    fq = Fraction(q)
    fp = 1 - fq
    return [math.comb(n, x) * fp**x * fq ** (n - x) for x in range(n + 1)]


@pytest.mark.parametrize("q", [1e-3, 0.3, 0.5, 0.97])
@pytest.mark.parametrize("n", [1, 2, 3, 7, 20, 150])
def test_tails_and_mass_match_exact_arithmetic(n: int, q: float) -> None:
    masses = exact_masses(n, q)
    want = Fraction(0)
    for t in range(n + 2):
        got = log_below(t, n, q)
        if t == 0:
            assert got == -math.inf
        else:
            assert close_in_log(got, want), (t, got, log_of(want))
        if t <= n:
            assert close_in_log(log_pmf(t, n, q), masses[t]), (t, log_pmf(t, n, q))
            want += masses[t]


def test_stirling_error_is_continuous_across_its_table() -> None:
    # The table (exact decimals) and the series meet at 15/16 without a jump.
    for m in (15, 16, 35, 36, 80, 81, 500, 501):
        want = math.lgamma(m + 1) - (m + 0.5) * math.log(m) + m - 0.5 * math.log(2 * math.pi)
        assert math.isclose(stirlerr(m), want, rel_tol=1e-8)


def test_many_replicas_half_of_them_needed() -> None:
    # By symmetry P(X < n/2) = (1 − P(X = n/2)) / 2 for q = 1/2 (10^6 would take math.comb
    # half a minute; the walk itself takes milliseconds).
    n = 10**5
    middle = math.comb(n, n // 2) / 2**n
    assert math.isclose(math.exp(log_pmf(n // 2, n, 0.5)), middle, rel_tol=1e-12)
    assert math.isclose(math.exp(log_below(n // 2, n, 0.5)), (1 - middle) / 2, rel_tol=1e-13)


def test_astronomical_counts_stay_finite_and_cheap() -> None:
    # Far below the mode the walk takes t terms whatever n is: P(X < 2) = q^n (1 + n p / q).
    n, q = 10**30, 0.5
    assert math.isclose(log_below(2, n, q), n * math.log(q) + math.log1p(n), rel_tol=1e-15)
    assert log_below(n + 1, n, q) == 0.0
    assert log_below(0, n, q) == -math.inf
