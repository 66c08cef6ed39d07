"""``cellguard faulttree quantify`` without typer (issue 21 item 3): the same output, errors and
exit codes as the typer command, for every command line, through the real entry point.

Each case runs ``python -m cellguard ...`` (the console script's ``run``) and the typer app
itself, each as a process, and compares stdout, stderr and the exit code; the elapsed
``seconds`` are the only figures masked. ``parse`` says which of the cases ran without typer.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cellguard.cli.fast import parse
from tests.helpers import REPO

ARALIA = REPO / "benchmarks" / "data" / "aralia"
CHINESE = str(ARALIA / "chinese.xml")
BAOBAB = str(ARALIA / "baobab1.xml")
MISSION = str(REPO / "tests" / "cli" / "data" / "mission_time.xml")

PLAIN = [
    [CHINESE],
    [CHINESE, "-f", "json"],
    ["--format=json", CHINESE, "--mc-trials", "0"],
    ["-fjson", "--top", "r1", CHINESE],
    # bounds and their estimates (a time limit of 0 frees every gate: the same bound every run;
    # where a node budget cuts depends on timing, so it is not compared here)
    [BAOBAB, "--time-limit", "0", "--mc-trials", "500"],
    [BAOBAB, "-f", "json", "--time-limit=0", "--mc-trials=300", "--node-budget=2000"],
    [CHINESE, "--time-limit", "0", "-f", "json", "--mc-trials", "64"],
    [CHINESE, "--time-limit", "2.5"],
    [str(ARALIA / "no-such-tree.xml")],  # exit 2, the reader's message
    [CHINESE, "--top", "no-such-gate"],  # exit 2
    [str(ARALIA)],  # a directory: exit 2
    [MISSION, "-f", "json"],
    [MISSION, "--mission-time", "1000", "-f", "json"],
    ["--mission-time=0.5", MISSION],
]
"""Command lines the fast path runs."""

TO_TYPER = [
    [],
    ["--help"],
    [CHINESE, "-h"],
    [CHINESE, "-f", "xml"],
    [CHINESE, "--format", "JSON"],
    [CHINESE, "--node-budget", "0"],
    [CHINESE, "--mc-trials", "-1"],
    [CHINESE, "--mc-trials", "+5"],
    [CHINESE, "--time-limit", "1e1"],
    [CHINESE, "--top"],
    [CHINESE, "--top", "-x"],
    [CHINESE, "--topp", "r1"],
    [CHINESE, CHINESE],
    [CHINESE, "-f", "json", "-f", "table"],
    ["--", CHINESE],
    ["-"],
    [MISSION, "--mission-time", "-1"],
    [MISSION, "--mission-time", "1e3"],
]
"""Command lines left to typer: help, usage errors and every unusual spelling."""

SECONDS = re.compile(r'(seconds"?:?\s+)[0-9.]+')


def masked(text: str) -> str:
    return SECONDS.sub(r"\g<1>S", text)


TYPER_APP = (
    "import sys; from cellguard.cli.app import app; app(sys.argv[1:], prog_name='cellguard')"
)


def process(argv: list[str]) -> tuple[int, str, str]:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False, cwd=REPO)
    return done.returncode, masked(done.stdout), masked(done.stderr)


def via_entry_point(args: list[str]) -> tuple[int, str, str]:
    """``python -m cellguard``: the console script's ``run``, which may take the fast path."""
    return process([sys.executable, "-m", "cellguard", "faulttree", "quantify", *args])


def via_typer(args: list[str]) -> tuple[int, str, str]:
    """The typer app itself, in a process of its own (never the fast path)."""
    return process([sys.executable, "-c", TYPER_APP, "faulttree", "quantify", *args])


@pytest.mark.parametrize("args", [*PLAIN, TO_TYPER[1], TO_TYPER[3], TO_TYPER[13]])
def test_the_entry_point_answers_as_the_typer_command(args: list[str]) -> None:
    # every TO_TYPER line goes to the typer app (parse() is None: the next test); three of them
    # are run here to show the entry point then answers as the app does
    assert via_entry_point(args) == via_typer(args)


def test_which_command_lines_run_without_typer() -> None:
    assert all(parse(args) is not None for args in PLAIN)
    assert all(parse(args) is None for args in TO_TYPER)
    parsed = parse(["-fjson", "--top", "r1", CHINESE, "--time-limit=2.5"])
    assert parsed is not None
    assert (parsed.file, parsed.values) == (
        Path(CHINESE),
        {"format": "json", "top": "r1", "time_limit": "2.5"},
    )


def test_the_fast_path_prints_the_figures(tmp_path: Path) -> None:
    code, out, err = via_entry_point([CHINESE, "-f", "json", "--mc-trials", "0"])
    assert (code, err) == (0, "")
    data = json.loads(out.replace('"seconds": S', '"seconds": 0'))
    assert data["top_event"] == "r1" and data["exact"] is True
    assert f"{data['probability']:.5E}" == "1.17058E-03"  # the published value
    code, out, err = via_entry_point([str(tmp_path / "missing.xml")])
    assert (code, out) == (2, "")
    assert err.startswith(f"cellguard: error: {tmp_path / 'missing.xml'}:1: cannot read file")


@pytest.mark.parametrize(
    ("args", "hours"),
    [([], 8760.0), (["--mission-time", "1000"], 1000.0), (["--mission-time=0.5"], 0.5)],
)
def test_the_mission_time_is_what_system_mission_time_stands_for(
    args: list[str], hours: float
) -> None:
    code, out, err = via_entry_point([MISSION, "-f", "json", "--mc-trials", "0", *args])
    assert (code, err) == (0, "")
    data = json.loads(out.replace('"seconds": S', '"seconds": 0'))
    # pump and valve fail exponentially at 1e-4 and 2e-4 per hour: 8,760 h (the default, a
    # year) gives 0.58355 x 0.82657 = 0.48235; 1,000 h 0.0951626 x 0.181269 = 0.0172500
    expected = (1 - math.exp(-1e-4 * hours)) * (1 - math.exp(-2e-4 * hours))
    assert data["exact"] is True
    assert data["probability"] == pytest.approx(expected, rel=1e-12)
