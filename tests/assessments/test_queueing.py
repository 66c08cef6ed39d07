"""Erlang B and C: textbook values, the closed forms, numerical stability and monotonicity."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.assessments.queueing import erlang_b, erlang_c, mmc, wait_quantile


def closed_form_erlang_c(servers: int, load: float) -> float:
    """Erlang C from its textbook definition (factorials), for small systems only."""
    top = load**servers / math.factorial(servers) * servers / (servers - load)
    bottom = sum(load**k / math.factorial(k) for k in range(servers)) + top
    return top / bottom


def test_textbook_two_servers_at_half_load() -> None:
    # c = 2, lambda = 1, mu = 1 (rho = 0.5): B = 0.2, C = 1/3, mean wait = C / (c mu - lambda).
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    stats = mmc(1.0, 1.0, 2)
    assert stats.utilisation == pytest.approx(0.5)
    assert stats.p_wait == pytest.approx(1 / 3)
    assert stats.mean_wait == pytest.approx(1 / 3)
    # P(W > t) = C exp(-(c mu - lambda) t) = 0.01  =>  t = ln(100 / 3).
    assert stats.p99_wait == pytest.approx(math.log(100 / 3))


def test_single_server_waits_with_probability_rho() -> None:
    stats = mmc(0.8, 1.0, 1)
    assert stats.p_wait == pytest.approx(0.8)
    assert stats.mean_wait == pytest.approx(0.8 / 0.2)  # rho / (mu - lambda), M/M/1


def test_call_centre_example() -> None:
    # 10 agents offered 8 Erlangs: about 41% of callers wait.
    assert erlang_c(10, 8.0) == pytest.approx(0.4092, abs=5e-4)
    assert erlang_c(10, 8.0) == pytest.approx(closed_form_erlang_c(10, 8.0))


@given(st.integers(min_value=1, max_value=30), st.floats(min_value=0.0, max_value=0.99))
def test_recursion_matches_the_closed_form(servers: int, rho: float) -> None:
    load = rho * servers
    assert erlang_c(servers, load) == pytest.approx(closed_form_erlang_c(servers, load), rel=1e-9)


def test_large_systems_do_not_overflow() -> None:
    # 171! overflows a float; the recursion never forms it.
    c = erlang_c(2000, 1990.0)
    assert 0.0 < c < 1.0
    assert erlang_c(5000, 100.0) == pytest.approx(0.0, abs=1e-300)


def test_unstable_queue_has_no_finite_wait() -> None:
    stats = mmc(3.0, 1.0, 3)
    assert not stats.stable and stats.p_wait == 1.0
    assert stats.mean_wait is None and stats.p99_wait is None
    assert wait_quantile(3, 4.0, 1.0, 0.99) is None


def test_few_waiters_means_no_p99_wait() -> None:
    stats = mmc(0.1, 1.0, 4)
    assert stats.p_wait < 0.01 and stats.p99_wait == 0.0


def test_invalid_arguments() -> None:
    with pytest.raises(ValueError):
        erlang_c(0, 1.0)
    with pytest.raises(ValueError):
        mmc(1.0, 0.0, 1)
    with pytest.raises(ValueError):
        wait_quantile(2, 1.0, 1.0, 1.0)


@given(
    st.integers(min_value=1, max_value=50),
    st.floats(min_value=0.0, max_value=0.98),
    st.floats(min_value=0.0, max_value=0.98),
)
def test_more_load_means_more_waiting(servers: int, rho_a: float, rho_b: float) -> None:
    low, high = sorted((rho_a, rho_b))
    assert erlang_c(servers, low * servers) <= erlang_c(servers, high * servers) + 1e-12


@given(st.integers(min_value=1, max_value=50), st.floats(min_value=0.0, max_value=40.0))
def test_more_servers_mean_less_waiting(servers: int, load: float) -> None:
    if load >= servers:
        return
    assert erlang_c(servers + 1, load) <= erlang_c(servers, load) + 1e-12


def _recursion(servers: int, load: float) -> float:
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = load * blocking / (k + load * blocking)
    return blocking


@pytest.mark.parametrize("servers", [10_001, 50_000])
@pytest.mark.parametrize("rho", [0.9, 0.99, 1.0, 1.01, 1.5, 3.0])
def test_many_servers_give_the_recursion_s_blocking_from_the_poisson_tails(
    servers: int, rho: float
) -> None:
    assert erlang_b(servers, rho * servers) == pytest.approx(
        _recursion(servers, rho * servers), rel=1e-12
    )


def test_a_million_replicas_queue_in_milliseconds() -> None:
    """Erlang B took one step per server: 0.3 s for each fleet of 10^6 replicas assessed."""
    started = time.perf_counter()
    for rho in (0.01, 0.5, 0.9, 0.999, 1.2):
        stats = mmc(rho * 1e6, 1.0, 1_000_000)
        assert stats.stable is (rho < 1)
    assert time.perf_counter() - started < 0.5
    # the recursion gives 0.22330339029133708 (half a second)
    assert erlang_c(1_000_000, 999_000.0) == pytest.approx(0.22330339029133708, rel=1e-13)
