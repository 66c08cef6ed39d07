"""How many cores other processes have left this one lately: whether a second core would help.

Splitting work with a forked child (:mod:`cellguard.rules.parallel`, :mod:`.loader.forked`) pays
only while a second core is free:
the child repeats look-ups this process also makes and copies on write the pages whose
reference counts it touches, about a third more CPU in all at 10,000 components. On a machine
where other work keeps a core busy, the two processes share what is left with it and a run
was slower split than alone (10,001 components at load 2-3: 9.5-12.4 s against 7.1-11.6 s).

:func:`mark` notes the machine's CPU counters (``/proc/stat``) and this process's CPU time;
:func:`spare_cores` is then the number of cores, on average since the mark, that processes
other than this one and its children did not use. Only the speed depends on it: the work and
its results are the same, split or not.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

ENOUGH = 1.5
"""Split from this many spare cores up: with one core busy elsewhere, the two processes would
share the remaining core and a half with it."""

MIN_TICKS = 20
"""Fewer clock ticks (of all CPUs together) since the mark than this tell nothing yet."""


class _Counters(NamedTuple):
    idle: int
    """Idle and I/O-wait ticks of all CPUs."""
    total: int
    """All ticks of all CPUs."""
    own: float
    """CPU seconds of this process and its reaped children."""


_mark: _Counters | None = None
_STAT = Path("/proc/stat")


def _ticks_per_second() -> int:
    try:
        return os.sysconf("SC_CLK_TCK")
    except (AttributeError, OSError, ValueError):
        return 100


def _counters() -> _Counters | None:
    """The counters now; ``None`` where ``/proc/stat`` cannot be read (not Linux)."""
    try:
        with _STAT.open("rb") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    if fields[:1] != [b"cpu"] or len(fields) < 9:
        return None
    try:
        # user nice system idle iowait irq softirq steal (guest time is within user)
        ticks = [int(v) for v in fields[1:9]]
    except ValueError:
        return None
    times = os.times()
    own = times.user + times.system + times.children_user + times.children_system
    return _Counters(ticks[3] + ticks[4], sum(ticks), own)


KEEP_SECONDS = 5.0
"""How recent a mark :func:`mark` with ``keep_recent`` keeps."""


def mark(*, keep_recent: bool = False) -> None:
    """Start measuring (the start of the console script, and of an assessment). With
    ``keep_recent`` a mark made less than :data:`KEEP_SECONDS` ago is kept: the console script
    marks as it starts, so that the loading, which the assessment begins with, is judged over
    the half second of start-up (from a mark just made, nothing would be known yet)."""
    global _mark
    now = _counters()
    if keep_recent and _mark is not None and now is not None:
        recent = KEEP_SECONDS * (os.cpu_count() or 1) * _ticks_per_second()
        if 0 <= now.total - _mark.total < recent:
            return
    _mark = now


def spare_cores() -> float | None:
    """Cores that other processes left unused since :func:`mark`, on average (of this
    machine's); ``None`` without a mark, a readable ``/proc/stat`` or enough ticks since."""
    start = _mark
    if start is None:
        return None
    now = _counters()
    if now is None:
        return None
    total = now.total - start.total
    if total < MIN_TICKS:
        return None
    ours = (now.own - start.own) * _ticks_per_second()
    others = max(0.0, total - (now.idle - start.idle) - ours)
    return max(0.0, (os.cpu_count() or 1) * (1.0 - others / total))


def second_core_free() -> bool:
    """Whether a second core is likely free: :data:`ENOUGH` spare cores, or nothing known."""
    spare = spare_cores()
    return spare is None or spare >= ENOUGH
