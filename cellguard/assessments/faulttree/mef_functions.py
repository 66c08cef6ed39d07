"""The functions of MEF expressions (Open-PSA MEF section 5): arithmetic and the built-in
distributions, each over its evaluated arguments, for :mod:`.mef_expr`.

Formulas as SCRAM implements them (``src/expression/exponential.cc``,
``random_deviate.cc``, ``numerical.h``): ``exponential`` 1 - e^(-lambda t); ``GLM``
(lambda - (lambda - gamma (lambda + mu)) e^(-(lambda + mu) t)) / (lambda + mu); ``Weibull``
1 - e^(-((t - t0) / alpha)^beta) after t0, else 0; ``periodic-test`` (4 arguments: instant
test and repair) 1 - e^(-lambda s), s the time since the last test (tau when t falls on a
test), or since 0 before the first test at theta; deviates at their mean: uniform
(min + max) / 2, normal its mean, lognormal its mean or e^(mu + sigma^2 / 2), gamma k theta,
beta alpha / (alpha + beta). A function raises ValueError or ArithmeticError for arguments
outside its domain; the caller turns that into a located error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

Fn = Callable[[Sequence[float]], float]


def _sub(a: Sequence[float]) -> float:
    return a[0] - math.fsum(a[1:]) if len(a) > 1 else a[0]


def _div(a: Sequence[float]) -> float:
    result = a[0]
    for x in a[1:]:
        if x == 0.0:
            raise ZeroDivisionError("division by zero")
        result /= x
    return result


def _prod(a: Sequence[float]) -> float:
    result = 1.0
    for x in a:
        result *= x
    return result


def _log(x: float, base: float | None = None) -> float:
    if x <= 0.0:
        raise ValueError(f"logarithm of {x!r}, which is not positive")
    return math.log(x) if base is None else math.log(x, base)


def _sqrt(x: float) -> float:
    if x < 0.0:
        raise ValueError(f"square root of {x!r}, which is negative")
    return math.sqrt(x)


def _p_exp(rate: float, time: float) -> float:
    return -math.expm1(-rate * time)


def _glm(a: Sequence[float]) -> float:
    gamma, lam, mu, t = a
    rate = lam + mu
    if rate == 0.0:
        raise ValueError("lambda + mu is 0")
    return (lam - (lam - gamma * rate) * math.exp(-rate * t)) / rate


def _weibull(a: Sequence[float]) -> float:
    alpha, beta, t0, t = a
    if alpha <= 0.0 or beta <= 0.0:
        raise ValueError("alpha and beta must be positive")
    return 0.0 if t <= t0 else -math.expm1(-(((t - t0) / alpha) ** beta))


def _periodic_test(a: Sequence[float]) -> float:
    lam, tau, theta, t = a
    if tau <= 0.0:
        raise ValueError("the test interval tau must be positive")
    if t <= theta:  # no test yet
        return _p_exp(lam, t)
    since = (t - theta) - math.floor((t - theta) / tau) * tau
    return _p_exp(lam, since if since else tau)


def _uniform(a: Sequence[float]) -> float:
    low, high = a
    if low >= high:
        raise ValueError(f"min {low!r} is not below max {high!r}")
    return (low + high) / 2


def _normal(a: Sequence[float]) -> float:
    if a[1] <= 0.0:
        raise ValueError(f"the standard deviation sigma is {a[1]!r}; it must be positive")
    return a[0]


def _lognormal(a: Sequence[float]) -> float:
    if len(a) == 3:  # mean, error factor, confidence level: the mean is given
        mean, factor, level = a
        if mean <= 0.0:
            raise ValueError(f"the mean is {mean!r}; it must be positive")
        if factor <= 1.0 or not 0.0 < level < 1.0:
            raise ValueError("the error factor must exceed 1 and the level be in (0, 1)")
        return mean
    mu, sigma = a
    if sigma <= 0.0:
        raise ValueError(
            f"the standard deviation sigma of the log is {sigma!r}; it must be positive"
        )
    return math.exp(mu + sigma * sigma / 2)


def _gamma(a: Sequence[float]) -> float:
    if a[0] <= 0.0 or a[1] <= 0.0:
        raise ValueError("the shape k and the scale theta must be positive")
    return a[0] * a[1]


def _beta(a: Sequence[float]) -> float:
    if a[0] <= 0.0 or a[1] <= 0.0:
        raise ValueError("alpha and beta must be positive")
    return a[0] / (a[0] + a[1])


# tag -> (smallest and largest number of arguments (None: any), function)
OPERATIONS: dict[str, tuple[int, int | None, Fn]] = {
    "add": (1, None, math.fsum),
    "sub": (1, None, _sub),
    "mul": (1, None, _prod),
    "div": (1, None, _div),
    "neg": (1, 1, lambda a: -a[0]),
    "abs": (1, 1, lambda a: abs(a[0])),
    "min": (1, None, min),
    "max": (1, None, max),
    "mean": (1, None, lambda a: math.fsum(a) / len(a)),
    "exp": (1, 1, lambda a: math.exp(a[0])),
    "log": (1, 1, lambda a: _log(a[0])),
    "log10": (1, 1, lambda a: _log(a[0], 10.0)),
    "sqrt": (1, 1, lambda a: _sqrt(a[0])),
    "pow": (2, 2, lambda a: math.pow(a[0], a[1])),
    "exponential": (2, 2, lambda a: _p_exp(a[0], a[1])),
    "GLM": (4, 4, _glm),
    "Weibull": (4, 4, _weibull),
    "periodic-test": (4, 4, _periodic_test),
    "uniform-deviate": (2, 2, _uniform),
    "normal-deviate": (2, 2, _normal),
    "lognormal-deviate": (2, 3, _lognormal),
    "gamma-deviate": (2, 2, _gamma),
    "beta-deviate": (2, 2, _beta),
}
# the arguments of a distribution that must not be negative (rates, times), by position
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    "exponential": ("lambda", "t"),
    "GLM": ("gamma", "lambda", "mu", "t"),
    "Weibull": ("alpha", "beta", "t0", "t"),
    "periodic-test": ("lambda", "tau", "theta", "t"),
}
