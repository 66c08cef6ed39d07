"""Minimal cut sets of a coherent fault tree, up to a chosen order.

Computed bottom-up over the gates (a MOCUS-style expansion): an ``or`` gate unites its
arguments' cut sets, an ``and`` gate combines one cut set of each argument, ``atleast k``
combines the cut sets of every ``k``-subset of its arguments. Sets larger than ``max_order``
are dropped as soon as they appear and non-minimal sets are removed after every gate. For a
coherent tree (no ``not``/``xor``) this yields exactly the minimal cut sets of order
``≤ max_order``: a minimal cut set of the top only ever combines minimal cut sets of the
arguments, each of which is no larger than it.
"""

from __future__ import annotations

from itertools import combinations, product

from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp

CutSet = frozenset[str]


class CutSetLimitError(RuntimeError):
    """The expansion exceeded ``limit`` sets at some gate."""


def _minimise(sets: set[CutSet]) -> set[CutSet]:
    ordered = sorted(sets, key=len)
    kept: list[CutSet] = []
    for candidate in ordered:
        if not any(k <= candidate for k in kept):
            kept.append(candidate)
    return set(kept)


def minimal_cut_sets(tree: FaultTree, max_order: int = 2, limit: int = 100_000) -> list[CutSet]:
    """The minimal cut sets of order ``≤ max_order``, sorted by order then names.

    Raises ``ValueError`` for non-coherent trees and :class:`CutSetLimitError` past ``limit``.
    """
    sets: dict[str, set[CutSet]] = {TRUE: {frozenset()}, FALSE: set()}
    for name, event in tree.events.items():
        sets[name] = {frozenset([name])} if event.probability > 0 else set()
    for name in tree.topological_order():
        gate = tree.gates[name]
        if gate.op in (GateOp.NOT, GateOp.XOR):
            raise ValueError(f"{tree.name}: cut sets need a coherent tree ({gate.op.value} gate)")
        args = [sets[a] for a in gate.args]
        out: set[CutSet] = set()
        if gate.op is GateOp.OR:
            for arg in args:
                out |= arg
        else:
            k = len(args) if gate.op is GateOp.AND else (gate.k or 1)
            for chosen in combinations(args, k):
                for parts in product(*chosen):
                    merged = frozenset().union(*parts)
                    if len(merged) <= max_order:
                        out.add(merged)
                        if len(out) > limit:
                            raise CutSetLimitError(f"{tree.name}: more than {limit} cut sets")
        sets[name] = _minimise(out)
    found = sets.get(tree.top, set())
    return sorted(found, key=lambda s: (len(s), sorted(s)))
