"""``cellguard diff`` shows the figures that moved inside findings whose status did not (issue 19).

The pull request of the issue raised a fleet's supply and still failed CG-CAP-011: the diff said
"0 resolved, 0 severity changed" and nothing else. Here the RAG example's Llama fleet goes from
4 to 8 replicas (1,882.1 -> 3,764.2 output tokens/s against 3,550 demanded: still over the
80% target): every diff format shows the supply inside the still-failing finding, the capacity
row and the latency budgets that the fleet no longer saturates.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.findings import fingerprint
from tests.helpers import REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
RAG = REPO / "examples" / "rag-support-assistant.yaml"
STACK = "rag-support-assistant"
MORE_GPUS = ("    replicas: 4                   # ~4 x", "    replicas: 8                   # ~4 x")


@pytest.fixture
def pair(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """old.yaml (the example) and new.yaml (the llm fleet at 8 replicas instead of 4)."""
    shutil.copy(RAG, tmp_path / "old.yaml")
    text = RAG.read_text(encoding="utf-8")
    assert text.count(MORE_GPUS[0]) == 1
    (tmp_path / "new.yaml").write_text(text.replace(*MORE_GPUS), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(fmt: str, old: str = "old.yaml", new: str = "new.yaml") -> str:
    result = runner.invoke(app, ["diff", old, new, "-f", fmt, *TODAY])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_text_shows_the_supply_inside_the_still_failing_finding(pair: Path) -> None:
    out = run("table")
    summary = re.search(r"failing findings (\d+) -> (\d+) \((.*)\)", out)
    assert summary is not None and summary[1] == summary[2]  # nothing fails or passes anew
    assert summary[3].startswith("0 new, 0 resolved, 0 severity changed, ")
    moved = int(summary[3].split(", ")[3].split()[0])
    assert moved == out.count("\n  FAIL ") + out.count("\n  UNKNOWN ") >= 3
    lines = out.splitlines()
    head = lines.index(
        f"  FAIL HIGH  CG-CAP-011  {STACK}/llm  GPU fleets cover peak demand within the target"
        " utilisation"
    )
    block = lines[head + 1 : head + 4]
    assert block == [
        "      replicas: 4 -> 8",
        "      supply: 1,882.1 -> 3,764.2",
        "      utilisation: 1.886 -> 0.943",
    ]
    capacity = next(line for line in lines if line.startswith(f"  {STACK}/llm  output tokens/s"))
    assert capacity.split() == (
        f"{STACK}/llm output tokens/s 3,550 1,882 -> 3,764 188.6% -> 94.3% - 4 -> 8 -".split()
    )
    chat = next(line for line in lines if line.startswith(f"  {STACK}/chat ") and "->" in line)
    # the fleet no longer saturates: chat has a TTFT budget again, still over its 2 s objective
    assert "- -> 5,083" in chat and "2,000" in chat and "- -> -3,083" in chat
    # a figure that only moves in its seventh digit is shown with the digits that tell it apart
    assert "      availability: 99.639253 -> 99.639268" in lines


def test_markdown_shows_the_supply_inside_the_still_failing_finding(pair: Path) -> None:
    out = run("markdown")
    assert re.search(r"0 severity changed, \d+ with figures moved\)", out)
    row = next(line for line in out.splitlines() if "<code>CG-CAP-011</code>" in line)
    assert row == (
        f"| FAIL HIGH | <code>CG-CAP-011</code> | {STACK}/llm | <code>replicas</code> 4 → 8<br>"
        "<code>supply</code> 1,882.1 → 3,764.2<br><code>utilisation</code> 1.886 → 0.943 |"
    )
    assert (
        f"| {STACK}/llm | output tokens/s | 3,550 | 1,882 → 3,764 | 188.6% → 94.3% | - | 4 → 8 | - |"
        in out.splitlines()
    )
    assert "### Latency budgets (2 moved)" in out


def test_json_shows_the_supply_inside_the_still_failing_finding(pair: Path) -> None:
    data = json.loads(run("json"))
    summary = data["summary"]
    assert summary["failing_old"] == summary["failing_new"]
    assert (summary["new"], summary["resolved"], summary["severity_changed"]) == (0, 0, 0)
    assert summary["evidence_changed"] == len(data["evidence_changes"]) >= 3
    cap = next(d for d in data["evidence_changes"] if d["rule"] == "CG-CAP-011")
    assert cap["fingerprint"] == fingerprint("CG-CAP-011", STACK, "llm")
    assert (cap["status"], cap["old_severity"], cap["new_severity"]) == ("FAIL", "high", "high")
    assert cap["changes"] == [
        {"key": "replicas", "old": 4, "new": 8},
        {"key": "supply", "old": 1882.1, "new": 3764.2},
        {"key": "utilisation", "old": 1.886, "new": 0.943},
    ]
    [fleet] = data["capacity"]
    assert (fleet["stack"], fleet["id"]) == (STACK, "llm")
    assert fleet["old"]["supply"] == pytest.approx(1882.09, abs=0.01)
    assert fleet["new"]["supply"] == pytest.approx(3764.18, abs=0.01)
    assert fleet["old"]["demand"] == fleet["new"]["demand"] == 3550.0
    assert (fleet["old"]["replicas"], fleet["new"]["replicas"]) == (4, 8)
    chat = next(j for j in data["latency"] if j["journey"] == "chat")
    assert chat["old"]["ttft_budget_ms"] is None
    assert chat["new"]["ttft_budget_ms"] == pytest.approx(5083.38, abs=0.01)
    assert chat["new"]["ttft_objective_ms"] == chat["old"]["ttft_objective_ms"] == 2000
    # a nested key is compared on its own: the latency finding's saturated fleet went away
    tim = next(
        d for d in data["evidence_changes"] if (d["rule"], d["target"]) == ("CG-TIM-008", "chat")
    )
    assert {"key": "saturated", "old": [f"{STACK}/llm"], "new": []} in tim["changes"]


def test_the_same_spec_on_both_sides_moves_nothing(pair: Path) -> None:
    data = json.loads(run("json", "old.yaml", "old.yaml"))
    assert data["capacity"] == data["latency"] == data["evidence_changes"] == []
    assert data["summary"]["evidence_changed"] == 0
    out = run("table", "old.yaml", "old.yaml")
    assert "Capacity at peak" not in out and "Figures moved" not in out
    assert "0 with figures moved" in out
