"""The longest gap between two runs of an ingestion schedule (CG-COR-016, issue 15 item 6)."""

from __future__ import annotations

import pytest

from cellguard.rules.builtin.cor._refresh import refresh_minutes


@pytest.mark.parametrize(
    ("schedule", "minutes"),
    [
        ("0 1 * * *", 1440),
        ("cron(0 2 * * ? *)", 1440),
        ("*/15 * * * *", 15),
        ("5/20 * * * *", 20),
        ("0 */6 * * *", 360),
        ("0 2,14 * * *", 720),
        ("0 2 * * 1-5", 3 * 1440),  # Friday 02:00 to Monday 02:00
        ("0 0 * * mon", 10080),
        ("0 3 1 * *", 31 * 1440),
        ("rate(1 day)", 1440),
        ("rate(30 minutes)", 30),
        ("Nightly at 02:00", 1440),
        ("every 6 hours", 360),
        ("weekly, Sunday night", 10080),
    ],
)
def test_schedules_read_as_their_longest_gap(schedule: str, minutes: int) -> None:
    assert refresh_minutes(schedule) == minutes


@pytest.mark.parametrize(
    "schedule",
    ["when the docs team asks", "0 2 * 1 *", "0 2 1 * mon", "rate(0 days)", "61 * * * *"],
)
def test_what_cannot_be_read_is_none_not_a_guess(schedule: str) -> None:
    assert refresh_minutes(schedule) is None
