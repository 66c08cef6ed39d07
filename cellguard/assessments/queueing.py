"""M/M/c queueing (Erlang C): how long requests wait for a free server at a given load.

With Poisson arrivals at rate ``λ``, ``c`` servers each completing work at rate ``μ`` and
offered load ``a = λ/μ`` (in servers), the queue is stable when the utilisation
``ρ = a/c < 1``. Then

* Erlang B by the recursion ``B(0) = 1``, ``B(k) = a·B(k-1) / (k + a·B(k-1))``, which stays
  within [0, 1] for any ``c`` (no factorials or powers that overflow), up to
  :data:`RECURSION_SERVERS` servers; beyond, where the recursion's ``c`` steps would make the
  cost grow with the replica count, from the Poisson distribution it is a ratio of,
  ``B = P(X = c) / P(X ≤ c)`` for ``X ~ Poisson(a)``: for ``c < a`` as
  ``1 / Σ_{x ≤ c} P(X = x)/P(X = c)`` (the ratios ``x/a`` shrink away from ``c``), for ``c ≥ a``
  as ``P(c) / (1 − P(c)·Σ_{x > c} P(x)/P(c))`` with ``P(c)`` in log space (Loader's form, as
  :mod:`.availability.binomial`); either sum stops when the rest is below ``2^-60`` of it,
  after about ``9·√a`` terms at most;
* Erlang C, the probability that an arrival waits, ``C = c·B / (c - a·(1 - B))``;
* mean wait ``W = C / (cμ - λ)``;
* the wait's tail ``P(W > t) = C·exp(-(cμ - λ)·t)``, so its q-quantile is
  ``t_q = ln(C / (1 - q)) / (cμ - λ)`` when ``C > 1 - q``, else 0 (fewer than 1 - q of
  requests wait at all).

Waits are in the time unit of the rates (seconds for rates per second).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cellguard.assessments.availability.binomial import bd0, stirlerr

RECURSION_SERVERS = 10_000
"""Servers up to which Erlang B is computed by its recursion (one step per server)."""

_STOP = 2.0**-60


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/c/c system with ``servers`` and offered ``load`` (Erlangs)."""
    if servers < 0 or load < 0:
        raise ValueError("servers and load must not be negative")
    if servers > RECURSION_SERVERS and load > 0:
        return _erlang_b_poisson(servers, load)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


def _ratio_sum(start: float, load: float, step: int, servers: int) -> float:
    """``Σ_{j ≥ 1} Π_{i < j} r_i`` for the Poisson mass ratios walking from ``servers`` in
    direction ``step`` (``r = x/load`` down, ``load/(x+1)`` up), each below 1 and shrinking."""
    total, term, x = 0.0, start, servers
    while term > _STOP * (1.0 + total):
        total += term
        x += step
        if x < 0:
            break
        ratio = x / load if step < 0 else load / (x + 1)
        if ratio >= 1.0:
            break
        # the rest is at most term·ratio/(1 − ratio): stop once that cannot count
        term *= ratio
        if term * ratio / (1.0 - ratio) <= _STOP * (1.0 + total):
            total += term
            break
    return total


def _erlang_b_poisson(servers: int, load: float) -> float:
    """Erlang B as ``P(X = c) / P(X ≤ c)`` for ``X ~ Poisson(load)`` (module docstring)."""
    if servers < load:
        return 1.0 / (1.0 + _ratio_sum(servers / load, load, -1, servers))
    log_mass = (
        -stirlerr(servers) - bd0(float(servers), load) - 0.5 * math.log(2.0 * math.pi * servers)
    )
    mass = math.exp(log_mass)
    if mass == 0.0:
        return 0.0
    above = _ratio_sum(load / (servers + 1), load, 1, servers)
    return mass / (1.0 - mass * above)


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue; 1.0 when the queue is unstable."""
    if servers <= 0:
        raise ValueError("an M/M/c queue needs at least one server")
    if load < 0:
        raise ValueError("load must not be negative")
    if load >= servers:
        return 1.0
    blocking = erlang_b(servers, load)
    return servers * blocking / (servers - load * (1.0 - blocking))


@dataclass(frozen=True)
class QueueStats:
    """Waiting in an M/M/c queue. Wait fields are ``None`` when the queue is unstable."""

    servers: int
    arrival_rate: float
    service_rate: float
    utilisation: float
    p_wait: float
    mean_wait: float | None
    p99_wait: float | None

    @property
    def stable(self) -> bool:
        """Whether the queue drains: utilisation below 1."""
        return self.utilisation < 1.0


def wait_quantile(servers: int, arrival_rate: float, service_rate: float, q: float) -> float | None:
    """The ``q``-quantile of the wait; ``None`` when the queue is unstable."""
    if not 0.0 < q < 1.0:
        raise ValueError("q must be strictly between 0 and 1")
    drain = servers * service_rate - arrival_rate
    if drain <= 0:
        return None
    c = erlang_c(servers, arrival_rate / service_rate)
    tail = 1.0 - q
    return math.log(c / tail) / drain if c > tail else 0.0


def mmc(arrival_rate: float, service_rate: float, servers: int) -> QueueStats:
    """Erlang C statistics of ``servers`` each serving at ``service_rate`` under ``arrival_rate``."""
    if service_rate <= 0:
        raise ValueError("service_rate must be positive")
    if arrival_rate < 0:
        raise ValueError("arrival_rate must not be negative")
    load = arrival_rate / service_rate
    rho = load / servers
    c = erlang_c(servers, load)
    drain = servers * service_rate - arrival_rate
    stable = drain > 0
    return QueueStats(
        servers=servers,
        arrival_rate=arrival_rate,
        service_rate=service_rate,
        utilisation=rho,
        p_wait=c,
        mean_wait=c / drain if stable else None,
        p99_wait=wait_quantile(servers, arrival_rate, service_rate, 0.99) if stable else None,
    )
