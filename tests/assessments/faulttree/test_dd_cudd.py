"""The engine imports ``dd.cudd`` without networkx, and dd keeps its networkx export (issue 21).

Each check runs in a fresh interpreter: which modules a process imported is the point.
"""

from __future__ import annotations

import json
import subprocess
import sys

ENGINE_THEN_EXPORT = """
import json, sys
from cellguard.assessments.faulttree.mef import read_mef_file  # noqa: F401
from cellguard.assessments.faulttree.quantify import quantify  # noqa: F401
after_engine = "networkx" in sys.modules
import dd._utils, dd.bdd
bdd = dd.bdd.BDD()
bdd.declare("x", "y")
graph = dd.bdd.to_nx(bdd, [bdd.add_expr(r"x /\\ y")])
import networkx
print(json.dumps({
    "after_engine": after_engine,
    "graph": type(graph).__name__,
    "nodes": graph.number_of_nodes(),
    "alias": dd._utils.MultiDiGraph is networkx.MultiDiGraph,
    "module": dd._utils.import_module("networkx") is networkx,
}))
"""

NETWORKX_FIRST = """
import json, sys
import networkx
from cellguard.assessments.faulttree.quantify import quantify  # noqa: F401
import dd._utils
print(json.dumps({"nx": dd._utils._nx is networkx}))
"""


def run(code: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_the_engine_does_not_import_networkx_and_dd_still_exports_graphs() -> None:
    assert run(ENGINE_THEN_EXPORT) == {
        "after_engine": False,
        "graph": "MultiDiGraph",
        "nodes": 3,  # x, y and the constant node
        "alias": True,
        "module": True,
    }


def test_networkx_imported_first_is_left_to_dd() -> None:
    assert run(NETWORKX_FIRST) == {"nx": True}
