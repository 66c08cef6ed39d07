"""Dates are ``YYYY-MM-DD``: a number is not a Unix timestamp, a date-time is not a date.

pydantic's lax parsing read ``expires: 86400`` as 1970-01-02 (so the waiver had long expired
and nobody was told why), and ``--today`` took every form ``date.fromisoformat`` knows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import BASE_STACK

runner = CliRunner()

WAIVER = "waivers:\n  - {{rule: CG-FI-005, reason: accepted, owner: jane, expires: {}}}\n"
PRACTICES = (
    "practices:\n"
    "  chaos:\n"
    "    experiments:\n"
    "      - {{type: pod_kill, targets: [web], last_run: {}}}\n"
    "  disaster_recovery: {{strategy: backup_restore, last_tested: {}}}\n"
)


def validate(tmp_path: Path, text: str) -> tuple[int, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(spec)])
    assert "internal error" not in result.output
    return result.exit_code, result.stderr


@pytest.mark.parametrize(
    ("written", "shown", "detail"),
    [
        ("86400", "86400", ", got a number (a timestamp is not a date)"),
        ("0", "0", ", got a number (a timestamp is not a date)"),
        ("1.5e+9", "1500000000.0", ", got a number (a timestamp is not a date)"),
        ("20270131", "20270131", ", got a number (a timestamp is not a date)"),
        ('"86400"', "'86400'", ""),
        ("2027-01-31 00:00:00", "'2027-01-31 00:00:00'", ", got a date and time"),
        ("2027-01-31T00:00:00Z", "'2027-01-31T00:00:00Z'", ", got a date and time"),
    ],
)
def test_a_waiver_expiry_that_is_not_yyyy_mm_dd_is_an_error(
    tmp_path: Path, written: str, shown: str, detail: str
) -> None:
    code, out = validate(tmp_path, BASE_STACK + WAIVER.format(written))
    assert code == 2
    assert (
        f"waivers[0].expires: {shown} is not a valid date: expected YYYY-MM-DD{detail}\n"
        "    expected: Date (YYYY-MM-DD) after which the waiver stops applying.\n"
        "    hint: write dates as YYYY-MM-DD\n"
    ) in out


def test_an_iso_date_is_still_a_date(tmp_path: Path) -> None:
    code, out = validate(tmp_path, BASE_STACK + WAIVER.format("2027-01-31"))
    assert code == 0, out
    code, out = validate(tmp_path, BASE_STACK + PRACTICES.format("2026-10-01", "2026-09-15"))
    assert code == 0, out


def test_the_other_spec_dates_are_checked_likewise(tmp_path: Path) -> None:
    code, out = validate(tmp_path, BASE_STACK + PRACTICES.format("86400", "2026-09-15 00:00:00"))
    assert code == 2
    assert (
        "practices.chaos.experiments[0].last_run: 86400 is not a valid date: expected "
        "YYYY-MM-DD, got a number (a timestamp is not a date)"
    ) in out
    assert (
        "practices.disaster_recovery.last_tested: '2026-09-15 00:00:00' is not a valid date: "
        "expected YYYY-MM-DD, got a date and time"
    ) in out


def test_assess_refuses_a_timestamp_waiver_instead_of_reporting_it_expired_in_1970(
    tmp_path: Path,
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE_STACK + WAIVER.format("86400"), encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "--today", "2026-11-21", "--no-plugins"])
    assert result.exit_code == 2, result.output
    assert "1970-01-02" not in result.output
    assert "waivers[0].expires: 86400 is not a valid date" in result.output


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("20261121", "not written YYYY-MM-DD"),
        ("2026-W47-6", "not written YYYY-MM-DD"),
        ("2026-11-21T00:00:00", "not written YYYY-MM-DD"),
        ("2026-02-30", "day is out of range for month"),
    ],
)
def test_today_must_be_yyyy_mm_dd(tmp_path: Path, value: str, reason: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "--today", value, "--no-plugins"])
    assert result.exit_code == 2
    assert f"cellguard: error: invalid date '{value}' (--today: {reason})" in result.stderr
    assert "hint: use YYYY-MM-DD, e.g. 2026-11-21" in result.stderr


def test_the_environment_date_is_named_when_it_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    monkeypatch.setenv("CELLGUARD_TODAY", "20261121")
    result = runner.invoke(app, ["check", str(spec), "--no-plugins"])
    assert result.exit_code == 2
    assert "invalid date '20261121' ($CELLGUARD_TODAY: not written YYYY-MM-DD)" in result.stderr


def test_a_huge_today_is_not_echoed_in_full(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "--today", "9" * 100_000])
    assert result.exit_code == 2
    assert f"invalid date '{'9' * 40}…' (100,000 characters) (--today:" in result.stderr
    assert len(result.stderr) < 500
