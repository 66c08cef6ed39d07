"""Whether a second core is free (:mod:`cellguard.models.spare`): rules and report lines are
split with a forked child only while other processes leave this one more than a core."""

from __future__ import annotations

import os

import pytest

from cellguard.models import spare
from cellguard.models.spare import _Counters
from cellguard.rules import parallel


@pytest.fixture()
def machine(monkeypatch: pytest.MonkeyPatch) -> list[_Counters | None]:
    """A two-core machine at 100 ticks a second whose counters the test sets."""
    readings: list[_Counters | None] = []
    monkeypatch.setattr(spare, "_mark", None)  # restored afterwards
    monkeypatch.setattr(spare, "_counters", lambda: readings.pop(0))
    monkeypatch.setattr(spare, "_ticks_per_second", lambda: 100)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    monkeypatch.setattr(parallel, "_other_threads", lambda: False)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    return readings


def test_spare_cores_leave_out_this_process_and_its_children(
    machine: list[_Counters | None],
) -> None:
    # 2 s on two cores = 400 ticks: 100 idle, 300 busy, 1.5 s of them (150 ticks) ours
    machine += [_Counters(1000, 5000, 10.0), _Counters(1100, 5400, 11.5)]
    spare.mark()
    assert spare.spare_cores() == pytest.approx(2 * (1 - 150 / 400))  # 1.25: others used 0.75
    machine += [_Counters(1100, 5400, 11.5)]
    assert not spare.second_core_free()  # 1.25 < ENOUGH


@pytest.mark.parametrize(
    ("idle", "ours", "expected"),
    [
        (200, 2.0, 2.0),  # one core idle, the other ours: both are spare
        (0, 2.0, 1.0),  # the other core busy elsewhere the whole time
        (100, 2.0, 1.5),  # busy elsewhere half the time
        (0, 0.0, 0.0),  # both busy elsewhere
    ],
)
def test_spare_cores_by_what_others_used(
    machine: list[_Counters | None], idle: int, ours: float, expected: float
) -> None:
    machine += [_Counters(0, 0, 0.0), _Counters(idle, 400, ours)]
    spare.mark()
    assert spare.spare_cores() == pytest.approx(expected)


@pytest.mark.parametrize(("idle", "split"), [(200, True), (100, True), (40, False), (0, False)])
def test_nothing_is_split_while_a_core_is_busy_elsewhere(
    machine: list[_Counters | None], idle: int, split: bool
) -> None:
    machine += [_Counters(0, 0, 0.0), _Counters(idle, 400, 2.0)]
    spare.mark()
    assert parallel.can_split(10**9) is split


def test_nothing_known_is_no_reason_to_work_alone(
    machine: list[_Counters | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spare, "_mark", None)
    assert spare.spare_cores() is None and spare.second_core_free()  # no mark
    machine += [_Counters(0, 0, 0.0), _Counters(0, spare.MIN_TICKS - 1, 0.0)]
    spare.mark()
    assert spare.spare_cores() is None  # too soon to tell
    machine += [None]
    assert spare.spare_cores() is None  # no /proc/stat
    machine += [None]
    spare.mark()
    assert spare.spare_cores() is None and spare.second_core_free()


def test_the_counters_of_this_machine() -> None:
    found = spare._counters()
    if found is None:
        pytest.skip("no /proc/stat")
    assert 0 <= found.idle <= found.total and found.own > 0


def test_a_recent_mark_is_kept_when_asked(machine: list[_Counters | None]) -> None:
    """The console script marks at its start; the assessment keeps that mark when it is less
    than KEEP_SECONDS old (2 cores at 100 ticks: 1,000 ticks), and marks again when older."""
    machine += [_Counters(1000, 5000, 1.0), _Counters(1010, 5100, 1.4)]
    spare.mark()
    spare.mark(keep_recent=True)  # 100 ticks later: kept
    machine += [_Counters(1020, 5200, 1.8)]
    # 200 ticks since the start, 20 idle, 80 ours: others used 100 of 200
    assert spare.spare_cores() == pytest.approx(2 * (1 - 100 / 200))
    machine += [_Counters(1100, 6100, 2.0), _Counters(1200, 6300, 2.0)]
    spare.mark(keep_recent=True)  # 1,100 ticks after the first mark: a new one
    assert spare.spare_cores() == pytest.approx(2 * (1 - 100 / 200))  # 100 idle of 200
    machine += [_Counters(1250, 6400, 2.1), _Counters(1300, 6500, 2.1)]
    spare.mark()  # without keep_recent: always a new mark
    assert spare.spare_cores() == pytest.approx(2 * (1 - 50 / 100))
