"""The conversion of ``benchmarks/peer_faulttree.py``: cellguard's fault trees in the JSON of the
peer package ``faultree`` (issue 21 item 4) say the same thing as the MEF they come from.

The structure is checked always; the values, by the peer itself, where it is installed (the
``dev`` extra).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType
from typing import Any

import pytest

from cellguard.assessments.faulttree.mef import read_mef_file
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import BasicEvent, FaultTree, Gate, GateOp
from tests.helpers import REPO


def benchmark() -> ModuleType:
    path = REPO / "benchmarks" / "peer_faulttree.py"
    spec = importlib.util.spec_from_file_location("peer_faulttree", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("peer_faulttree", module)
    spec.loader.exec_module(module)
    return module


def small_tree() -> FaultTree:
    """NOT, a three-argument parity, a 2-of-3 and a gate shared by two others."""
    gates = [
        Gate("top", GateOp.OR, ("n", "x", "k")),
        Gate("n", GateOp.NOT, ("s",)),
        Gate("s", GateOp.AND, ("a", "b")),
        Gate("x", GateOp.XOR, ("a", "c", "d")),
        Gate("k", GateOp.ATLEAST, ("s", "c", "d"), 2),
    ]
    events = {"a": 0.3, "b": 0.6, "c": 0.2, "d": 0.45}
    return FaultTree(
        name="small",
        events={n: BasicEvent(n, p) for n, p in events.items()},
        gates={g.name: g for g in gates},
        top="top",
    )


def test_not_parity_and_sharing_in_the_peers_terms() -> None:
    converted = benchmark().to_peer(small_tree())
    top = converted["tree"]
    assert top["gate"] == "OR" and top["id"] == "top"
    not_gate, xor_gate, k_gate = top["children"]
    assert not_gate["gate"] == "XOR"  # NOT s = XOR(s, K_OF_N(0; s))
    s, true = not_gate["children"]
    assert s["id"] == "s" and s["gate"] == "AND"
    assert true == {"id": "n#1", "gate": "K_OF_N", "k": 0, "children": [{"ref": "s"}]}
    assert xor_gate["gate"] == "XOR"  # parity of a, c, d = XOR(XOR(a, c), d)
    inner, last = xor_gate["children"]
    assert inner["gate"] == "XOR" and inner["children"] == [{"ref": "a"}, {"id": "c"}]
    assert last == {"id": "d"}
    assert k_gate["gate"] == "K_OF_N" and k_gate["k"] == 2
    assert k_gate["children"] == [{"ref": "s"}, {"ref": "c"}, {"ref": "d"}]
    assert converted["probabilities"] == {"a": 0.3, "b": 0.6, "c": 0.2, "d": 0.45}


@pytest.mark.parametrize("name", [None, "baobab2", "isp9605", "das9205"])
def test_the_peer_computes_cellguards_value_on_the_converted_tree(name: str | None) -> None:
    pytest.importorskip("faultree")
    from faultree import compile_tree
    from faultree.builder import wmc

    tree = (
        small_tree() if name is None else read_mef_file(REPO / f"benchmarks/data/aralia/{name}.xml")
    )
    converted: dict[str, Any] = benchmark().to_peer(tree)
    compiled = compile_tree(converted["tree"], include_expressions=False)
    theirs = float(wmc(compiled.bdd, compiled.top, converted["probabilities"]))
    ours = quantify(tree)
    assert ours.exact
    assert theirs == pytest.approx(ours.probability, rel=1e-12)
