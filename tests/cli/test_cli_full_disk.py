"""A full disk is the environment's problem, not a bug: a located message and exit code 2
(before, "internal error ... this is a bug in cellguard", exit 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cellguard.cli.exit_codes import ExitCode, report_failure

REPO = Path(__file__).resolve().parents[2]
FULL = Path("/dev/full")


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "args",
    [
        ["assess", "examples/vllm-single-zone.yaml", "--format", "json"],
        ["faulttree", "quantify", "benchmarks/data/aralia/chinese.xml"],  # the fast path
        ["rules", "list"],
    ],
)
def test_standard_output_on_a_full_device_exits_2(args: list[str]) -> None:
    with FULL.open("w") as full:
        done = subprocess.run(
            [sys.executable, "-m", "cellguard", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            timeout=120,
            check=False,
        )
    assert done.returncode == ExitCode.INPUT_ERROR
    assert done.stderr == (
        "cellguard: error: cannot write the output: No space left on device\n"
        "    hint: free space on that device (or quota), or write elsewhere with -o PATH\n"
    )


def test_a_full_file_is_named() -> None:
    lines: list[str] = []
    error = OSError(28, "No space left on device", "/tmp/report.json")
    assert report_failure(error, lines.append) == ExitCode.INPUT_ERROR
    assert lines[0] == (
        "cellguard: error: cannot write the output (/tmp/report.json): No space left on device"
    )


def test_other_os_errors_stay_internal() -> None:
    lines: list[str] = []
    assert report_failure(OSError(22, "Invalid argument"), lines.append) == (
        ExitCode.INTERNAL_ERROR
    )
