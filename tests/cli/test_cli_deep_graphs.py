"""Commands on valid specs with deep and wide dependency graphs (:mod:`tests.cli.deep_specs`).

A chain of 1,500 components used to make ``assess`` exit 3 with a RecursionError (the fault
tree compiler, the latency walk and the retry amplification each recursed once per hop), and
its retry amplification was an integer of hundreds of digits (past about 3,250 hops, too long
for ``str``). A lattice of a few dozen levels never finished: the paths were enumerated.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from cellguard.assessments.graph import build_graph
from cellguard.assessments.iterative import Step, run
from cellguard.assessments.timeouts import AMPLIFICATION_CAP, worst_amplification
from cellguard.cli.main import app
from cellguard.rules.builtin.red._helpers import required_components, serving_regions
from tests.cli.deep_specs import availability_of, chain, diamond
from tests.helpers import load_texts

runner = CliRunner()
OPTS = ["--today", "2026-11-21", "--no-plugins"]
HOPS = 1500


def _chain_unavailability(n: int) -> float:
    """``1 - prod(a_i)`` over the chain's components, computed from the generator's figures."""
    log_up = math.fsum(math.log1p(-(1 - availability_of(i) / 100)) for i in range(1, n + 1))
    return -math.expm1(log_up)


def test_assess_a_chain_of_1500_components(tmp_path: Path) -> None:
    spec = tmp_path / "chain.yaml"
    spec.write_text(chain(HOPS), encoding="utf-8")
    report, sarif = tmp_path / "a.json", tmp_path / "a.sarif"
    args = ["assess", str(spec), "-f", "json", "-o", str(report), "-f", "sarif", "-o", str(sarif)]
    result = runner.invoke(app, [*args, *OPTS])
    assert result.exit_code == 0, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    json.loads(sarif.read_text(encoding="utf-8"))
    [journey] = data["journeys"]
    assert journey["journey"] == "j-c1"
    assert journey["exact"] is True
    assert journey["basic_events"] == HOPS + 3  # one replica each, the zone, region, account
    expected = _chain_unavailability(HOPS)
    assert math.isclose(journey["unavailability"], expected, rel_tol=1e-9)
    assert journey["availability"] == round(100 * (1 - expected), 6)
    [tim7] = [f for f in data["findings"] if f["rule"] == "CG-TIM-007"]
    assert tim7["status"] == "FAIL"
    assert tim7["evidence"]["amplification"] == 1e15
    assert len(tim7["evidence"]["path"]) == HOPS
    assert tim7["message"] == (
        "Journey j-c1 multiplies load more than 1e15-fold along c1 -2x-> c2 -2x-> c3 -2x-> c4 "
        "-2x-> c5 -2x-> c6 -2x-> c7 ... (1,487 more hops) ... -2x-> c1495 -2x-> c1496 -2x-> "
        "c1497 -2x-> c1498 -2x-> c1499 -2x-> c1500: more than 1e15 requests reach c1500 for "
        "every failing user request."
    )
    [row] = data["latency"]
    assert row["critical_path"][0] == "deep/c1" and len(row["critical_path"]) == HOPS


def test_check_diff_and_graph_on_a_chain_of_1500_components(tmp_path: Path) -> None:
    spec = tmp_path / "chain.yaml"
    spec.write_text(chain(HOPS), encoding="utf-8")
    check = runner.invoke(app, ["check", str(spec), *OPTS])
    assert check.exit_code == 1, check.output  # blocking findings, not a crash
    assert "CG-TIM-007" in check.output
    diff = runner.invoke(app, ["diff", str(spec), str(spec), "-f", "json", *OPTS])
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["journeys"][0]["journey"] == "j-c1"
    label = "sync · 1000 ms · 1 retry"
    mermaid = f'c_deep_c1499 -->|"{label}"| c_deep_c1500'
    dot = f'"deep/c1499" -> "deep/c1500" [label="{label}"];'
    for fmt, edge in (("mermaid", mermaid), ("dot", dot)):
        drawn = runner.invoke(app, ["graph", str(spec), "--format", fmt])
        assert drawn.exit_code == 0, drawn.output
        assert edge in drawn.stdout


def test_a_lattice_is_judged_per_call_not_per_path() -> None:
    """200 levels of two: 2^200 paths; the rules that read them judge each call once."""
    graph = build_graph(load_texts(diamond(400)))
    assert len(graph.required_edges("deep", "j-top")) == 2 + 4 * 199
    assert len(required_components(graph, "deep", "j-top")) == 401
    assert serving_regions(graph, "deep", "j-top") == ["us-east-1"]


def test_amplification_is_capped_not_a_huge_integer() -> None:
    calls = {f"c{i}": [(f"c{i + 1}", 21, True)] for i in range(4000)}
    calls["c4000"] = []
    worst = worst_amplification("c0", lambda q: calls[q])
    assert worst.capped and worst.factor == AMPLIFICATION_CAP
    assert (worst.text, worst.figure) == ("more than 1e15", 1e15)
    assert len(worst.path) == 4001
    small = worst_amplification("c3990", lambda q: calls[q])
    assert (small.factor, small.capped, small.text) == (21**10, False, str(21**10))


def test_iterative_recursion_has_no_depth_limit() -> None:
    def depth(n: int) -> Step[int, int]:
        return 0 if n == 0 else 1 + (yield n - 1)

    assert run(depth, 100_000) == 100_000
