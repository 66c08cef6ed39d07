"""Binomial probabilities to (nearly) full double precision, in log space, for any ``n``.

``X ~ Bin(n, p)`` counts the replicas that are up out of ``n`` identical independent ones,
each up with probability ``p = 1 − q``. The replica aggregation of :mod:`.replicas` needs
``log P(X = x)`` and ``log P(X < t)`` for counts up to the model's maximum of replicas per
region, where ``lgamma`` differences lose digits (``lgamma(1e5)`` is about ``1e6``, so its
last bit is worth ``1e-10`` of the result) and ``q**n`` underflows.

* **Probability mass**: Loader's saddle-point form (C. Loader, *Fast and accurate computation
  of binomial probabilities*, 2000; the algorithm of R's ``dbinom``)::

      log P(X = x) = stirlerr(n) − stirlerr(x) − stirlerr(n − x)
                     − bd0(x, n·p) − bd0(n − x, n·q) − ½·log(2π·x·(n − x)/n)

  where ``stirlerr(m) = log m! − log(√(2πm)·(m/e)^m)`` (exact values below 16 from
  :mod:`decimal`, the Stirling series above) and ``bd0(x, M) = x·log(x/M) + M − x``
  (a series when ``x`` is near ``M``). Every term is small where the mass is, so the result
  has about the relative error of a few roundings of its own logarithm; ``x = 0`` and
  ``x = n`` use ``q**n`` and ``p**n`` (correctly rounded by the C library).
* **Tails**: ``P(X < t)`` sums the mass on the side of ``t`` away from the mode (the
  complement is taken only when that side is the upper one, where ``P(X < t) ≥ ½`` or so),
  starting at the largest term and walking outwards, each term from the previous one by the
  exact ratio ``P(x − 1)/P(x) = x·q / ((n − x + 1)·p)`` and re-anchored on Loader's value every
  :data:`ANCHOR_EVERY` terms; the walk stops when the rest of the log-concave sequence cannot
  reach ``2^-60`` of the sum. The terms walked are at most about ``9·√(n·p·q)`` plus a few
  dozen, so the cost is bounded by the model's maximum of replicas (``√(10^6)``), and is
  independent of ``n`` when ``t`` is far below the mode (the usual case: a few healthy
  replicas needed out of many).
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext
from functools import cache

LN_SQRT_2PI = 0.918938533204672741780329736406
"""``log(√(2π))``."""

ANCHOR_EVERY = 64
"""Terms of a tail between two exact (Loader) values; the ratios in between add at most this
many roundings."""

STOP = 2.0**-60
"""A tail walk stops when the rest is below this share of the sum."""

MAX_TERMS = 10**7
"""Most terms a tail walk may take (about 9·√(n·p·q) are needed: n up to 10^12)."""


@cache
def _stirlerr_exact(m: int) -> float:
    """``stirlerr(m)`` for small ``m`` from 40-digit decimal arithmetic."""
    with localcontext() as ctx:
        ctx.prec = 40
        d = Decimal(m)
        value = (Decimal(math.factorial(m)).ln() - (d + Decimal("0.5")) * d.ln() + d) - Decimal(
            "0.918938533204672741780329736405617639861"
        )
        return float(value)


def stirlerr(m: int) -> float:
    """``log m! − log(√(2πm)·(m/e)^m)``, the error of Stirling's formula, for ``m ≥ 1``."""
    if m <= 15:
        return _stirlerr_exact(m)
    s0, s1, s2, s3, s4 = 1 / 12, 1 / 360, 1 / 1260, 1 / 1680, 1 / 1188
    mm = float(m) * float(m)
    if m > 500:
        return (s0 - s1 / mm) / m
    if m > 80:
        return (s0 - (s1 - s2 / mm) / mm) / m
    if m > 35:
        return (s0 - (s1 - (s2 - s3 / mm) / mm) / mm) / m
    return (s0 - (s1 - (s2 - (s3 - s4 / mm) / mm) / mm) / mm) / m


def bd0(x: float, big_m: float) -> float:
    """``x·log(x/M) + M − x`` without cancellation when ``x`` is close to ``M``."""
    if abs(x - big_m) < 0.1 * (x + big_m):
        v = (x - big_m) / (x + big_m)
        s = (x - big_m) * v
        ej = 2.0 * x * v
        v *= v
        for j in range(1, 1000):
            ej *= v
            s1 = s + ej / (2 * j + 1)
            if s1 == s:
                return s1
            s = s1
        return s
    return x * math.log(x / big_m) + big_m - x


def log_pmf(x: int, n: int, q: float) -> float:
    """``log P(X = x)`` for ``X ~ Bin(n, 1 − q)`` (``−inf`` where impossible)."""
    p = 1.0 - q
    if x < 0 or x > n:
        return -math.inf
    if q == 0.0:
        return 0.0 if x == n else -math.inf
    if p == 0.0:
        return 0.0 if x == 0 else -math.inf
    if x == 0:
        return _log_power(q, p, n)
    if x == n:
        return _log_power(p, q, n)
    lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q)
    lf = 2.0 * LN_SQRT_2PI + math.log(x) + math.log1p(-x / n)
    return lc - 0.5 * lf


def _log_power(base: float, other: float, n: int) -> float:
    """``n·log(base)`` with ``base = 1 − other``: from ``base**n`` while that is a normal
    number (correctly rounded), else from ``log1p``/``log``."""
    value = base**n
    if value > 1e-300:
        return math.log(value)
    return n * (math.log1p(-other) if other < 0.5 else math.log(base))


def _log_walk(start: int, stop: int, n: int, q: float) -> float:
    """``log Σ P(X = x)`` for ``x`` from ``start`` towards ``stop`` (inclusive), where the
    terms decrease away from ``start`` (``start`` is on the far side of the mode)."""
    p = 1.0 - q
    step = -1 if stop < start else 1
    anchor = log_pmf(start, n, q)
    if anchor == -math.inf:
        return -math.inf
    total, term, x = 1.0, 1.0, start
    walked = 0
    while x != stop:
        # ratio P(x+step)/P(x)
        ratio = x * q / ((n - x + 1) * p) if step < 0 else (n - x) * p / ((x + 1) * q)
        x += step
        walked += 1
        if walked % ANCHOR_EVERY == 0:
            term = math.exp(log_pmf(x, n, q) - anchor)
        else:
            term *= ratio
        total += term
        if term == 0.0 or (ratio < 1.0 and term * ratio / (1.0 - ratio) <= STOP * total):
            break
        if walked > MAX_TERMS:
            raise ValueError(f"binomial tail of n={n} needs more than {MAX_TERMS} terms")
    return anchor + math.log(total)


def log_below(t: int, n: int, q: float) -> float:
    """``log P(X < t)`` for ``X ~ Bin(n, 1 − q)``: the chance that fewer than ``t`` of ``n``
    replicas are up (``0.0`` when certain, ``−inf`` when impossible)."""
    if t <= 0:
        return -math.inf
    if t > n:
        return 0.0
    p = 1.0 - q
    if q == 0.0:
        return -math.inf  # every replica is up: X = n >= t
    if p == 0.0:
        return 0.0
    mode = math.floor((n + 1) * p)
    if t - 1 < mode:
        return _log_walk(t - 1, 0, n, q)
    upper = _log_walk(t, n, n, q)  # P(X >= t), t above the mode
    return math.log1p(-math.exp(upper)) if upper < 0.0 else -math.inf
