"""``cellguard faulttree quantify`` of valid but huge trees: no crash, bounded estimate.

The limits (stated in README's ``faulttree quantify``): the MEF reader's size, element and depth
bounds; the engine's node budget and time limit; the Monte Carlo estimate's work and memory caps
(:data:`cellguard.cli.faulttree_quantify.MC_WORK`,
:data:`~cellguard.cli.faulttree_quantify.MC_MEMORY`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.faulttree.mef import read_mef_file
from cellguard.cli import faulttree_quantify
from cellguard.cli.exit_codes import UserError
from cellguard.cli.faulttree_cmd import _with_stack
from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
BAOBAB = "benchmarks/data/aralia/baobab1.xml"

DEEP_RECURSION = """
import resource, sys
soft, hard = resource.getrlimit(resource.RLIMIT_STACK)
resource.setrlimit(resource.RLIMIT_STACK, (1 << 20, hard))  # a 1 MiB main stack
import dd.cudd as cudd
from cellguard.cli.faulttree_cmd import _with_stack
N = 50_000
def work():
    bdd = cudd.BDD()
    bdd.configure(reordering=False)
    names = [f"x{i}" for i in range(N)]
    bdd.declare(*names)
    f = bdd.false
    for name in reversed(names):
        f = bdd.var(name) | f
    return bdd.exist(set(names), f) == bdd.true  # CUDD recurses N deep
print(_with_stack(work, N))
"""


def test_quantification_gets_a_stack_as_deep_as_cudd_recurses() -> None:
    """CUDD recurses once per variable: on the process stack a 50,000-variable diagram
    overflows 1 MiB with a segmentation fault (and a tree of 140,000 gates overflowed the usual
    8 MiB), so quantify runs in a thread with a stack sized by the tree."""
    done = subprocess.run(
        [sys.executable, "-c", DEEP_RECURSION],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "True\n"


def test_errors_in_the_quantifying_thread_reach_the_caller() -> None:
    def fails() -> int:
        raise UserError("no")

    assert _with_stack(lambda: 42, 10) == 42
    with pytest.raises(UserError, match="no"):
        _with_stack(fails, 10)


def test_the_monte_carlo_estimate_beside_a_bound_is_capped_by_the_size_of_the_tree(
    repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trials × (gates + events) is at most MC_WORK (a 20,000-gate tree took 108 s for 2^20
    trials before); memory at most MC_MEMORY."""
    tree = read_mef_file(REPO / BAOBAB)
    size = len(tree.gates) + len(tree.events)
    monkeypatch.setattr(faulttree_quantify, "MC_WORK", size * 1000)
    monkeypatch.setattr(faulttree_quantify, "MC_MEMORY", size * 8 * 4)  # four words a node
    args = ["faulttree", "quantify", BAOBAB, "-f", "json", "--node-budget", "2000"]
    result = runner.invoke(app, [*args, "--mc-trials", "200000"])
    assert result.exit_code == 0, result.stderr
    mc = json.loads(result.stdout)["monte_carlo"]
    assert mc["trials"] == 1000
    assert mc["probability"] == mc["hits"] / 1000
    fewer = runner.invoke(app, [*args, "--mc-trials", "500"])
    assert json.loads(fewer.stdout)["monte_carlo"]["trials"] == 500
