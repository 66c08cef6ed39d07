"""``cellguard graph`` end to end: golden diagrams of the examples, files, and errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
GOLDEN = REPO / "tests" / "golden" / "graph"
CASES = [
    ("rag-support-assistant.mmd", ["examples/rag-support-assistant.yaml"]),
    ("org-domains.mmd", ["examples/org", "--domains"]),
    ("org.dot", ["examples/org", "--format", "dot"]),
    (
        "cell-multi-region-domains.dot",
        ["examples/cell-multi-region.yaml", "-f", "dot", "--domains"],
    ),
]


@pytest.mark.parametrize(("golden", "args"), CASES, ids=[c[0] for c in CASES])
def test_diagrams_of_the_examples_match_golden(
    repo_root: Path, golden: str, args: list[str]
) -> None:
    result = runner.invoke(app, ["graph", *args])
    assert result.exit_code == 0, result.stderr
    again = runner.invoke(app, ["graph", *args])
    assert again.stdout == result.stdout  # deterministic
    path = GOLDEN / golden
    if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")


def test_org_diagram_shows_every_stack_and_the_cross_stack_edges(repo_root: Path) -> None:
    out = runner.invoke(app, ["graph", "examples/org"]).stdout
    for name in ("genai-platform", "hr-assistant", "legal-assistant", "product-assistant"):
        assert name in out
    assert out.startswith("flowchart LR\n")


def test_graph_writes_a_file_and_refuses_to_overwrite(repo_root: Path, tmp_path: Path) -> None:
    target = tmp_path / "g.dot"
    args = ["graph", "examples/vllm-single-zone.yaml", "-f", "dot", "-o", str(target)]
    assert runner.invoke(app, args).exit_code == 0
    assert target.read_text().startswith("digraph")
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_graph_of_an_invalid_spec_exits_2_with_located_errors(repo_root: Path) -> None:
    result = runner.invoke(app, ["graph", "examples/invalid/dependency-cycle.yaml"])
    assert result.exit_code == 2
    assert "examples/invalid/dependency-cycle.yaml:32:18: error[dependency-cycle]" in result.stderr
    assert result.stdout == ""
