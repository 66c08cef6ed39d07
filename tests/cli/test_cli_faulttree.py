"""``cellguard faulttree quantify`` end to end, through the real entry point."""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
ARALIA = REPO / "benchmarks" / "data" / "aralia"
CHINESE = "benchmarks/data/aralia/chinese.xml"


def published(tree: str) -> float:
    """The published top-event probability of an Aralia tree (reference.csv)."""
    with (ARALIA / "reference.csv").open(newline="") as handle:
        rows = {r["tree"]: r["published_top_probability"] for r in csv.DictReader(handle)}
    return float(rows[tree])


def six_digits(x: float) -> str:
    """``x`` to six significant digits, as the published table prints it."""
    return f"{x:.5E}"


def test_json_has_exactly_the_contract_keys(repo_root: Path) -> None:
    result = runner.invoke(app, ["faulttree", "quantify", CHINESE, "--format", "json"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"top_event", "probability", "exact", "bdd_nodes", "seconds"}
    assert data["top_event"] == "r1"
    assert data["exact"] is True
    assert six_digits(data["probability"]) == six_digits(published("chinese"))
    assert data["bdd_nodes"] > 0
    assert data["seconds"] >= 0


def test_table_is_a_short_human_summary(repo_root: Path) -> None:
    result = runner.invoke(app, ["faulttree", "quantify", CHINESE])
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "top event     r1" in out
    assert "1.170582e-03 (exact)" in out
    assert "basic events  25, gates 36" in out
    assert len(out.splitlines()) < 10


def test_top_selects_another_gate(repo_root: Path, tmp_path: Path) -> None:
    path = tmp_path / "two.xml"
    path.write_text(
        """<opsa-mef><define-fault-tree name="two">
        <define-gate name="any"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate>
        <define-gate name="both"><and><basic-event name="a"/><basic-event name="b"/></and></define-gate>
        <define-basic-event name="a"><float value="0.1"/></define-basic-event>
        <define-basic-event name="b"><float value="0.2"/></define-basic-event>
        </define-fault-tree></opsa-mef>"""
    )
    result = runner.invoke(app, ["faulttree", "quantify", str(path), "-f", "json", "--top", "both"])
    assert result.exit_code == 0, result.stderr
    assert math.isclose(json.loads(result.stdout)["probability"], 0.02, rel_tol=1e-12)
    several = runner.invoke(app, ["faulttree", "quantify", str(path)])
    assert several.exit_code == 2
    assert "expected exactly one top gate, found 2 (any, both)" in several.stderr


def test_a_small_node_budget_gives_a_labelled_bound(repo_root: Path) -> None:
    args = ["faulttree", "quantify", "benchmarks/data/aralia/baobab1.xml", "-f", "json"]
    exact = json.loads(runner.invoke(app, args).stdout)
    result = runner.invoke(app, [*args, "--node-budget", "2000"])
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["exact"] is False
    assert data["lower"] <= exact["probability"] <= data["upper"]
    assert data["probability"] == data["upper"]
    assert data["free_gates"] >= 1
    table = runner.invoke(app, [*args[:3], "--node-budget", "2000"]).stdout
    assert "(bound)" in table
    assert "statistical, not a bound" in table


def test_a_bound_comes_with_a_reproducible_monte_carlo_estimate(repo_root: Path) -> None:
    """Beside a bound: an estimate whose 95% interval holds the exact value; same seed, same
    numbers; --mc-trials 0 leaves it out."""
    args = ["faulttree", "quantify", "benchmarks/data/aralia/baobab1.xml", "-f", "json"]
    exact = json.loads(runner.invoke(app, args).stdout)
    assert "monte_carlo" not in exact, "an exact result needs no estimate"
    bounded = [*args, "--node-budget", "2000", "--mc-trials", "200000"]
    first, second = runner.invoke(app, bounded), runner.invoke(app, bounded)
    mc = json.loads(first.stdout)["monte_carlo"]
    assert mc == json.loads(second.stdout)["monte_carlo"]
    assert mc["trials"] == 200000
    assert mc["confidence"] == 0.95
    assert mc["lower"] <= exact["probability"] <= mc["upper"]
    assert mc["probability"] == mc["hits"] / mc["trials"]
    none = json.loads(
        runner.invoke(app, [*args, "--node-budget", "2000", "--mc-trials", "0"]).stdout
    )
    assert "monte_carlo" not in none


def test_a_bad_file_exits_2_with_the_located_message_and_no_traceback(
    repo_root: Path, tmp_path: Path
) -> None:
    path = tmp_path / "broken.xml"
    path.write_text(
        "<opsa-mef>\n<define-fault-tree name='x'>\n<define-gate name='g'>\n</opsa-mef>\n"
    )
    result = runner.invoke(app, ["faulttree", "quantify", str(path)])
    assert result.exit_code == 2
    assert f"cellguard: error: {path}:4: not well-formed XML: mismatched tag" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_too_deeply_nested_formula_exits_2_not_as_an_internal_error(
    repo_root: Path, tmp_path: Path
) -> None:
    depth = 5000
    path = tmp_path / "deep.xml"
    path.write_text(
        "<opsa-mef><define-fault-tree name='x'><define-gate name='g'>"
        + "<or>" * depth
        + "<basic-event name='a'/>"
        + "</or>" * depth
        + "</define-gate></define-fault-tree><model-data><define-basic-event name='a'>"
        "<float value='0.1'/></define-basic-event></model-data></opsa-mef>\n"
    )
    result = runner.invoke(app, ["faulttree", "quantify", str(path)])
    assert result.exit_code == 2
    assert f"cellguard: error: {path}:1: formulas are nested too deeply to read" in result.stderr
    assert "internal error" not in result.stderr
    assert result.stdout == ""


def test_a_missing_file_exits_2(repo_root: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["faulttree", "quantify", str(tmp_path / "none.xml")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr


def test_the_installed_command_in_a_subprocess(repo_root: Path) -> None:
    cellguard = Path(sys.executable).with_name("cellguard")
    done = subprocess.run(
        [str(cellguard), "faulttree", "quantify", CHINESE, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert six_digits(data["probability"]) == six_digits(published("chinese"))
    assert data["exact"] is True
    assert data["top_event"] == "r1"


def test_export_then_quantify_gives_the_journeys_unavailability(
    repo_root: Path, tmp_path: Path
) -> None:
    """The exported MEF of a journey, quantified, is the unavailability `assess` reports."""
    from cellguard.assessments.availability.journeys import journey_availability
    from cellguard.assessments.graph import build_graph
    from cellguard.models.loader import load

    out = tmp_path / "chat.xml"
    spec = "examples/rag-support-assistant.yaml"
    done = runner.invoke(app, ["faulttree", "export", spec, "--journey", "chat", "-o", str(out)])
    assert done.exit_code == 0, done.stderr
    assert f"wrote {out}" in done.stderr
    assert out.read_text().startswith("<?xml")
    quantified = runner.invoke(app, ["faulttree", "quantify", str(out), "--format", "json"])
    assert quantified.exit_code == 0, quantified.stderr
    data = json.loads(quantified.stdout)
    figures = journey_availability(build_graph(load(REPO / spec)))
    expected = next(j.unavailability for j in figures if j.journey == "chat")
    assert data["exact"] is True
    assert math.isclose(data["probability"], expected, rel_tol=1e-12)
    again = runner.invoke(app, ["faulttree", "export", spec, "--journey", "chat", "-o", str(out)])
    assert again.exit_code == 2
    assert "--force" in again.stderr


def test_export_to_stdout_is_deterministic_and_names_the_stack(repo_root: Path) -> None:
    args = ["faulttree", "export", "examples/org", "--journey", "hr-assistant/policy-qa"]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    assert first.stdout == second.stdout
    assert 'name="hr-assistant-policy-qa"' in first.stdout


def test_export_of_an_unknown_journey_exits_2_listing_the_journeys(repo_root: Path) -> None:
    result = runner.invoke(
        app, ["faulttree", "export", "examples/rag-support-assistant.yaml", "--journey", "chta"]
    )
    assert result.exit_code == 2
    assert "no journey 'chta'" in result.stderr
    assert "rag-support-assistant/chat" in result.stderr
