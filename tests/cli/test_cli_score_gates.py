"""``cellguard check --min-score / --min-assurance``: the overall score and assurance as gates."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
CELL = str(REPO / "examples" / "cell-multi-region.yaml")
"""An example without blocking findings, so only the gates decide the exit code."""


def overall() -> dict[str, float]:
    result = runner.invoke(app, ["assess", CELL, "-f", "json", *TODAY])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    details = data["score_details"]["overall"]
    return {
        "score": data["scores"]["overall"],
        "upper": details["upper"],
        "assurance": details["assurance"],
    }


def check(*options: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["check", CELL, "-f", "json", "-o", "-", *TODAY, *options])
    return result.exit_code, result.stderr.splitlines()


def test_gates_met_exit_0_and_missed_gates_exit_1_with_one_line_each() -> None:
    s = overall()
    assert s["score"] < s["upper"] and s["assurance"] < 100.0
    code, lines = check("--min-score", f"{s['score']}", "--min-assurance", f"{s['assurance']}")
    assert code == 0, lines
    assert not [line for line in lines if "is below" in line]
    code, lines = check("--min-score", "100", "--min-assurance", "100")
    assert code == 1
    figures = f"(score {s['score']:.1f}, upper {s['upper']:.1f}, assurance {s['assurance']:.1f}%)"
    assert [line for line in lines if "is below" in line] == [
        f"cellguard: check: overall score {s['score']:.1f} is below --min-score 100 {figures}",
        f"cellguard: check: overall assurance {s['assurance']:.1f}% is below "
        f"--min-assurance 100% {figures}",
    ]


def test_the_score_gate_uses_the_headline_not_the_upper_score() -> None:
    s = overall()
    between = round((s["score"] + s["upper"]) / 2, 1)
    code, lines = check("--min-score", str(between))
    assert code == 1
    assert f"overall score {s['score']:.1f} is below --min-score {between:g} " in "\n".join(lines)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--min-score", "nan"),
        ("--min-score", "101"),
        ("--min-assurance", "-1"),
        ("--min-assurance", "inf"),
    ],
)
def test_a_bar_that_is_not_a_percentage_is_a_usage_error(option: str, value: str) -> None:
    code, lines = check(option, value)
    assert code == 2
    shown = f"{float(value):g}"
    assert lines == [
        f"cellguard: error: {option} {shown} is not a percentage",
        f"    hint: give a number from 0 to 100, e.g. {option} 60",
    ]
