"""Every JSON and SARIF output is valid JSON: no ``NaN``, ``Infinity`` or ``-Infinity``.

The outputs of every example (assess in JSON and SARIF, plan in JSON, diff of each example
against its plan target) parse with a ``parse_constant`` that refuses those constants. And a
non-finite number that slips into a report anyway is an internal error (exit 3) naming where
it is, with nothing written, instead of a file no JSON parser reads.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.cli.main import app
from cellguard.models.json_text import NonFiniteJSONError, dumps, non_finite_path
from tests.helpers import REPO

runner = CliRunner()
OPTS = ["--today", "2026-11-21", "--no-plugins"]
EXAMPLES = [
    "examples/rag-support-assistant.yaml",
    "examples/cell-multi-region.yaml",
    "examples/saas-finetune.yaml",
    "examples/vllm-single-zone.yaml",
    "examples/org",
]


def strict_loads(text: str) -> object:
    """``json.loads`` that refuses NaN, Infinity and -Infinity."""

    def refuse(constant: str) -> object:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_strict_loads_refuses_what_python_writes_by_default() -> None:
    with pytest.raises(ValueError, match="NaN is not JSON"):
        strict_loads(json.dumps({"x": float("nan")}))
    with pytest.raises(ValueError, match="-Infinity is not JSON"):
        strict_loads(json.dumps([float("-inf")]))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: Path(p).stem)
def test_every_json_output_of_every_example_is_strict_json(
    example: str, repo_root: Path, tmp_path: Path
) -> None:
    target = tmp_path / ("target" if example.endswith("org") else "target.yaml")
    runs = {
        "assess.json": ["assess", example, "-f", "json", "-o", str(tmp_path / "assess.json")],
        "assess.sarif": ["assess", example, "-f", "sarif", "-o", str(tmp_path / "assess.sarif")],
        "plan.json": [
            *("plan", example, "-o", str(target), "-f", "json"),
            *("--plan-output", str(tmp_path / "plan.json")),
        ],
        "diff.json": [
            "diff",
            example,
            str(target),
            "-f",
            "json",
            "-o",
            str(tmp_path / "diff.json"),
        ],
    }
    for name, args in runs.items():
        result = runner.invoke(app, [*args, *OPTS])
        assert result.exit_code == 0, (name, result.output)
        data = strict_loads((tmp_path / name).read_text(encoding="utf-8"))
        assert isinstance(data, dict) and data, name


@pytest.fixture
def nan_figures(monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug stand-in: every journey's loss and nines come out non-finite."""
    monkeypatch.setattr(JourneyAvailability, "loss_per_year", property(lambda self: float("nan")))
    monkeypatch.setattr(JourneyAvailability, "nines", property(lambda self: float("inf")))


@pytest.mark.parametrize(
    ("command", "written"),
    [
        (
            ["assess", "-f", "json", "-o", "{out}"],
            r"findings\[\d+\]\.evidence\.loss_per_year = nan",
        ),
        (["assess", "-f", "sarif", "-o", "{out}"], r"runs\[0\]\.results\[\d+\]\.properties\."),
        (
            ["plan", "-o", "{target}", "-f", "json", "--plan-output", "{out}"],
            r"(summary\.loss_avoided_per_month|journeys\[0\]\.\w+) = (nan|inf)",
        ),
        (["diff", "{spec}", "-f", "json", "-o", "{out}"], r"journeys\[0\]\.old\.\w+ = (nan|inf)"),
    ],
    ids=["assess-json", "sarif", "plan-json", "diff-json"],
)
@pytest.mark.usefixtures("nan_figures")
def test_a_non_finite_figure_is_an_internal_error_not_invalid_json(
    command: list[str], written: str, repo_root: Path, tmp_path: Path
) -> None:
    spec = "examples/rag-support-assistant.yaml"
    out, target = tmp_path / "out.json", tmp_path / "target.yaml"
    args = [a.format(out=out, target=target, spec=spec) for a in command]
    args.insert(1, spec)
    result = runner.invoke(app, [*args, *OPTS])
    assert result.exit_code == 3, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith("cellguard: internal error: NonFiniteJSONError: cannot write ")
    assert re.search(written, first), first
    assert first.endswith(" as JSON, which has no NaN or infinite numbers")
    assert not out.exists() and not target.exists()


def test_dumps_names_the_first_non_finite_value() -> None:
    data = {"a": [1.0, {"b": float("-inf")}], "c": float("nan")}
    assert non_finite_path(data) == ("a[1].b", float("-inf"))
    with pytest.raises(NonFiniteJSONError, match=r"^cannot write a\[1\]\.b = -inf as JSON"):
        dumps(data)
    assert dumps({"x": 1e308}) == '{"x": 1e+308}'
    assert non_finite_path([0.0, "nan"]) is None


def test_faulttree_quantify_json_is_strict_json(repo_root: Path) -> None:
    tree = "benchmarks/data/aralia/baobab1.xml"
    result = runner.invoke(app, ["faulttree", "quantify", tree, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert isinstance(strict_loads(result.stdout), dict)


def test_a_sign_off_record_with_a_nan_score_is_unreadable_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records are written as strict JSON, and one edited to hold NaN (which JSON has not) is
    an input error naming the file and the key, not an internal error."""
    rag = REPO / "examples" / "rag-support-assistant.yaml"
    (tmp_path / "rag.yaml").write_text(rag.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    signed = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", "alice", "--decision", "approve", *OPTS]
    )
    assert signed.exit_code == 0, signed.output
    [record] = sorted((tmp_path / ".cellguard" / "signoffs").glob("*.json"))
    text = record.read_text(encoding="utf-8")
    assert isinstance(strict_loads(text), dict)
    overall = f'"overall": {strict_loads(text)["scores"]["overall"]}'
    assert text.count(overall) == 1
    record.write_text(text.replace(overall, '"overall": NaN'), encoding="utf-8")
    result = runner.invoke(app, ["verify", "rag.yaml", *OPTS])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (
        f"cellguard: error: {record}: not a readable sign-off record "
        "(scores.overall: Input should be a finite number)"
    )
