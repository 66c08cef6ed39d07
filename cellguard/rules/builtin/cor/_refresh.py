"""How long an ingestion pipeline's ``schedule`` can leave between two runs, in minutes.

The schedule is cron (five fields, or AWS EventBridge's ``cron(m h dom mon dow year)``), an
EventBridge ``rate(N unit)``, or prose naming a period (``nightly``, ``hourly``, ``every 6
hours``). The result is the longest gap between consecutive runs, the bound on how stale the
index can get; ``None`` when the text cannot be read (the caller reports UNKNOWN, never a guess).
"""

from __future__ import annotations

import itertools
import re

MINUTES = {"minute": 1, "hour": 60, "day": 1440, "week": 10080}
"""Minutes per unit of a ``rate()`` or an ``every N <unit>`` schedule."""

PERIODS = (
    ("hourly", 60),
    ("daily", 1440),
    ("nightly", 1440),
    ("weekly", 10080),
    ("monthly", 31 * 1440),
)
"""Prose periods and their longest gap (a month: 31 days)."""

DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
"""Cron day-of-week names (0 and 7 are Sunday)."""


def _values(
    field: str, low: int, high: int, names: dict[str, str] | None = None
) -> set[int] | None:
    """The values a cron field matches, or ``None`` for a form not read here."""
    found: set[int] = set()
    for part in field.lower().split(","):
        step, stepped = 1, "/" in part
        if stepped:
            part, _, every = part.partition("/")
            if not every.isdigit() or int(every) == 0:
                return None
            step = int(every)
        if part in ("*", "?"):
            start, end = low, high
        else:
            bounds = [names.get(p, p) if names else p for p in part.split("-")]
            if len(bounds) > 2 or not all(str(b).isdigit() for b in bounds):
                return None
            start, end = int(bounds[0]), int(bounds[-1])
            if stepped and len(bounds) == 1:
                end = high
        if not low <= start <= end <= high:
            return None
        found.update(range(start, end + 1, step))
    return found


def _longest_gap(points: list[int], period: int) -> int:
    """The longest gap between consecutive points, wrapping around ``period``."""
    ordered = sorted(set(points))
    gaps = [b - a for a, b in itertools.pairwise(ordered)]
    return max([*gaps, ordered[0] + period - ordered[-1]])


def _cron(fields: list[str]) -> int | None:
    minute, hour, dom, month, dow = fields[:5]
    minutes = _values(minute, 0, 59)
    hours = _values(hour, 0, 23)
    days = _values(dom, 1, 31)
    weekdays = _values(dow, 0, 7, {k: str(v) for k, v in DAYS.items()})
    if None in (minutes, hours, days, weekdays) or month not in ("*", "?"):
        return None
    assert minutes is not None and hours is not None and days is not None and weekdays is not None
    times = [h * 60 + m for h in hours for m in minutes]
    every_day = dom in ("*", "?") and dow in ("*", "?")
    if every_day:
        return _longest_gap(times, 1440)
    if dom in ("*", "?"):
        week = {d % 7 for d in weekdays}
        return _longest_gap([d * 1440 + t for d in week for t in times], 10080)
    if dow in ("*", "?"):
        return _longest_gap([(d - 1) * 1440 + t for d in days for t in times], 31 * 1440)
    return None


def refresh_minutes(schedule: str) -> int | None:
    """The longest gap in minutes between two runs of ``schedule``, or ``None`` if unreadable."""
    text = schedule.strip().lower()
    rate = re.fullmatch(r"rate\(\s*(\d+)\s+(minute|hour|day|week)s?\s*\)", text)
    if rate:
        return int(rate.group(1)) * MINUTES[rate.group(2)] or None
    cron = re.fullmatch(r"cron\((.*)\)", text)
    fields = (cron.group(1) if cron else text).split()
    if len(fields) in (5, 6) and all(re.fullmatch(r"[0-9a-z*?,/-]+", f) for f in fields):
        return _cron(fields)
    every = re.search(r"every\s+(\d+)\s+(minute|hour|day|week)s?\b", text)
    if every:
        return int(every.group(1)) * MINUTES[every.group(2)] or None
    for word, minutes in PERIODS:
        if re.search(rf"\b{word}\b", text):
            return minutes
    return None
