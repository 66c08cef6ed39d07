"""``check --baseline FILE`` with hostile files: huge, endless, deep, odd numbers and types.

Every case is an input error (exit 2) naming the file and the line or key path, never an
internal error (exit 3) and never a kernel kill for memory.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.reports import json_input
from tests.helpers import BASE_STACK

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
HEADER = '{"schema_version": 1, "tool": {"name": "cellguard"}, "findings": [], '


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real JSON report of the small demo stack, to tamper with."""
    spec = tmp_path_factory.mktemp("report") / "demo.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    result = runner.invoke(app, ["assess", str(spec), "-f", "json", *TODAY])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    assert any(f["status"] == "FAIL" for f in data["findings"])
    return data


def check(tmp_path: Path, baseline: str | Path) -> tuple[int, str]:
    """Run ``check`` of the demo stack against ``baseline`` (text, or a path to use as is)."""
    spec = tmp_path / "demo.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    if isinstance(baseline, str):
        path = tmp_path / "base.json"
        path.write_text(baseline, encoding="utf-8")
    else:
        path = baseline
    result = runner.invoke(app, ["check", str(spec), "--baseline", str(path), *TODAY])
    assert "Traceback" not in result.output and "internal error" not in result.stderr
    return result.exit_code, result.stderr


def test_the_untampered_report_is_a_baseline(tmp_path: Path, report: dict[str, Any]) -> None:
    code, stderr = check(tmp_path, json.dumps(report))
    assert code == 0, stderr
    assert "0 blocking (FAIL >= medium, new since the baseline)" in stderr


def test_nesting_100000_deep_is_refused_at_its_line(tmp_path: Path) -> None:
    text = HEADER + '\n"x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    code, stderr = check(tmp_path, text)
    assert code == 2
    # line 2 is '"x": [[[...': the 64th '[' is the 65th level (the top object is the first)
    assert (
        f"bad --baseline: {tmp_path / 'base.json'}: line 2, column 69: nests more than 64 "
        "levels deep (a cellguard report nests 7)"
    ) in stderr


def test_nesting_too_deep_for_the_limit_but_not_for_python(tmp_path: Path) -> None:
    code, stderr = check(tmp_path, HEADER + '"x": ' + "[" * 100 + "]" * 100 + "}")
    assert code == 2
    assert "base.json: x[0][0][0][0][0][0][0]…: nests more than 64 levels deep" in stderr


@pytest.mark.parametrize(
    ("fragment", "message"),
    [
        (
            '"scores": {"overall": 1' + "0" * 400 + "}",
            "scores.overall: an integer of 401 digits is not a number cellguard reads",
        ),
        (
            '"summary": {"FAIL": ' + "7" * 5000 + "}",
            "summary.FAIL: an integer of 5,000 digits is not a number cellguard reads",
        ),
        (
            '"scores": {"overall": 1e400}',
            "scores.overall: 1e400 (beyond the range of a floating-point number) is not a "
            "number cellguard reads",
        ),
        (
            '"scores": {"overall": NaN}',
            "scores.overall: NaN (not a JSON number) is not a number cellguard reads",
        ),
        (
            '"journeys": [{"loss_per_year": -Infinity}]',
            "journeys[0].loss_per_year: -Infinity (not a JSON number) is not a number",
        ),
    ],
)
def test_numbers_python_cannot_use_are_refused_at_their_key(
    tmp_path: Path, fragment: str, message: str
) -> None:
    code, stderr = check(tmp_path, HEADER + fragment + "}")
    assert code == 2
    assert f"bad --baseline: {tmp_path / 'base.json'}: {message}" in stderr


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_version": True}, "schema_version true is not supported (this cellguard reads 1)"),
        ({"schema_version": 1.0}, "schema_version 1.0 is not supported"),
        (
            {"summary": {"FAIL": True}},
            "summary.FAIL is true, expected a count (an integer from 0 to 1,000,000,000)",
        ),
        ({"summary": {"FAIL": -1}}, "summary.FAIL is -1, expected a count"),
        ({"summary": [1]}, "summary is a list, expected an object"),
        (
            {"scores": {"overall": True}},
            "scores.overall is true, expected a score (a number from 0 to 100, or null)",
        ),
        ({"scores": {"overall": 100.5}}, "scores.overall is 100.5, expected a score"),
        ({"scores": {"overall": "55"}}, "scores.overall is '55', expected a score"),
        ({"scores": [55]}, "scores is a list, expected an object"),
        (
            {"scores": {"overall": 50}, "score_details": {"overall": {"passed": "3"}}},
            "score_details.overall.passed is '3', expected a count",
        ),
        (
            {"scores": {"overall": 50}, "score_details": {"overall": {"failed": 10**10}}},
            "score_details.overall.failed is 10000000000, expected a count",
        ),
    ],
)
def test_types_and_ranges_are_checked_strictly(
    tmp_path: Path, report: dict[str, Any], change: dict[str, Any], message: str
) -> None:
    code, stderr = check(tmp_path, json.dumps({**report, **change}))
    assert code == 2
    assert f"bad --baseline: {tmp_path / 'base.json'}: {message}" in stderr


def test_a_finding_field_of_the_wrong_type_is_named(tmp_path: Path, report: dict[str, Any]) -> None:
    findings = [dict(f) for f in report["findings"]]
    first = next(i for i, f in enumerate(findings) if f["status"] == "FAIL")
    findings[first]["title"] = {"nested": "object"}
    code, stderr = check(tmp_path, json.dumps({**report, "findings": findings}))
    assert code == 2
    assert f"findings[{first}].title is an object, expected a string" in stderr


def test_a_huge_value_is_not_echoed_in_full(tmp_path: Path, report: dict[str, Any]) -> None:
    finding = {"status": "Z" * 1_000_000, "fingerprint": "ab"}
    code, stderr = check(tmp_path, json.dumps({**report, "findings": [finding]}))
    assert code == 2
    assert (
        "findings[0] has an unknown status '" + "Z" * 40 + "…' (1,000,000 characters) "
        "(expected one of PASS, FAIL,"
    ) in stderr
    assert len(stderr) < 1_000


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_stream_is_refused(tmp_path: Path) -> None:
    code, stderr = check(tmp_path, Path("/dev/zero"))
    assert code == 2
    assert (
        "bad --baseline: /dev/zero: longer than 67,108,864 bytes (64 MiB), the most cellguard "
        "reads of a JSON file"
    ) in stderr


def test_a_file_one_byte_over_the_limit_is_refused(
    tmp_path: Path, report: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = json.dumps(report)
    size = len(text.encode("utf-8"))
    monkeypatch.setattr(json_input, "MAX_JSON_BYTES", size)
    assert check(tmp_path, text)[0] == 0  # exactly at the limit: read
    monkeypatch.setattr(json_input, "MAX_JSON_BYTES", size - 1)
    code, stderr = check(tmp_path, text)
    assert code == 2
    assert f"longer than {size - 1:,} bytes" in stderr


def test_a_directory_and_bad_bytes_are_named(tmp_path: Path) -> None:
    code, stderr = check(tmp_path, tmp_path)
    assert code == 2 and f"bad --baseline: {tmp_path}: is a directory, not a file" in stderr
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"schema_version": 1,\n"tool": {"name": "caf\xe9"}}')
    code, stderr = check(tmp_path, latin)
    assert code == 2 and f"bad --baseline: {latin}: line 2: not UTF-8 (byte 0xe9)" in stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs mkfifo")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    """Found by the fuzz harness: opening a FIFO with no writer blocked ``check`` for ever."""
    fifo = tmp_path / "base.json"
    os.mkfifo(fifo)
    outcome: list[tuple[int, str]] = []
    worker = threading.Thread(target=lambda: outcome.append(check(tmp_path, fifo)), daemon=True)
    worker.start()
    worker.join(timeout=60)
    assert outcome, "check --baseline FIFO did not return within 60 s"
    code, stderr = outcome[0]
    assert code == 2
    assert (
        f"bad --baseline: {fifo}: not a regular file (a FIFO); write the report to a file and "
        "give that file"
    ) in stderr
