"""A journey's fault tree as Open-PSA MEF XML, for SCRAM, XFTA or any MEF tool.

MEF names are identifiers, so every gate and event gets a safe name (letters, digits, ``-``
and ``_``, starting with a letter, unique) derived from cellguard's own, and keeps the
original (e.g. ``zone:use1-az1``) and its meaning in a ``<label>``. Names are passed to the
XML serialiser, never pasted into the document.
"""

from __future__ import annotations

import re

from cellguard.assessments.availability.journeys import journey_result
from cellguard.assessments.faulttree.mef import write_mef
from cellguard.assessments.faulttree.tree import CONSTANTS, BasicEvent, FaultTree, Gate
from cellguard.assessments.graph import StackGraph

_UNSAFE = re.compile(r"[^A-Za-z0-9_]+")


def safe_names(names: list[str]) -> dict[str, str]:
    """A unique MEF-safe identifier for each name (deterministic, in the given order)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = _UNSAFE.sub("-", name).strip("-") or "node"
        if not base[0].isalpha():
            base = f"n-{base}"
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        out[name] = candidate
    return out


def journey_mef(graph: StackGraph, stack: str, journey_id: str) -> str:
    """The MEF document of journey ``journey_id`` of ``stack``."""
    jt, _ = journey_result(graph, stack, journey_id)
    tree = jt.tree
    mapping = safe_names(sorted(tree.gates) + sorted(tree.events))
    for constant in CONSTANTS:
        mapping[constant] = constant
    events = {
        mapping[n]: BasicEvent(mapping[n], e.probability, e.repair_hours, e.label)
        for n, e in tree.events.items()
    }
    gates = {
        mapping[n]: Gate(mapping[n], g.op, tuple(mapping[a] for a in g.args), g.k)
        for n, g in tree.gates.items()
    }
    labels = {mapping[n]: f"{n}: {info.label} ({info.source})" for n, info in jt.events.items()}
    labels.update({mapping[n]: n for n in tree.gates})
    safe = FaultTree(
        safe_names([f"{stack}-{journey_id}"])[f"{stack}-{journey_id}"],
        mapping[tree.top],
        events,
        gates,
    )
    return write_mef(safe, labels)
