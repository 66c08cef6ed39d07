"""Minimal cut sets of a coherent fault tree, up to a chosen order.

Computed bottom-up over the gates (a MOCUS-style expansion): an ``or`` gate unites its
arguments' cut sets, an ``and`` gate combines one cut set of each argument, folding the
arguments in one at a time, and ``atleast k`` uses the same dynamic programme as the BDD
engine (``≥j of args[i:] = args[i] × ≥j−1 of args[i+1:] ∪ ≥j of args[i+1:]``), so 17 replicas
over 3 zones cost 17·k small steps instead of the 2^17 products of enumerating them. Sets
larger than ``max_order`` are dropped as soon as they appear and non-minimal sets are
removed after every step. For a
coherent tree (no ``not``/``xor``) this yields exactly the minimal cut sets of order
``≤ max_order``: a minimal cut set of the top only ever combines minimal cut sets of the
arguments, each of which is no larger than it.
"""

from __future__ import annotations

from itertools import combinations

from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp

CutSet = frozenset[str]
EMPTY: CutSet = frozenset()


class CutSetLimitError(RuntimeError):
    """The expansion exceeded ``limit`` sets at some gate."""


SUBSET_LOOKUP = 4
"""Sets up to this order are checked by looking up each of their proper subsets (at most
15) among the kept ones; larger ones against every kept set."""


def _minimise(sets: set[CutSet]) -> set[CutSet]:
    """The sets of ``sets`` with no proper subset in ``sets``.

    Smallest first, so every possible subset of a candidate is already decided: looking its
    subsets up keeps this linear in the number of sets (an OR of a few thousand zone pairs
    used to take seconds of pairwise comparisons)."""
    kept: set[CutSet] = set()
    for candidate in sorted(sets, key=len):
        if len(candidate) <= SUBSET_LOOKUP:
            members = sorted(candidate)
            dominated = any(
                frozenset(sub) in kept
                for size in range(len(members))
                for sub in combinations(members, size)
            )
        else:
            dominated = any(k <= candidate for k in kept)
        if not dominated:
            kept.add(candidate)
    return kept


def _combine(left: set[CutSet], right: set[CutSet], max_order: int, limit: int) -> set[CutSet]:
    """Minimal unions of one set of each side, of order ``≤ max_order``."""
    out = {u for a in left for b in right if len(u := a | b) <= max_order}
    if len(out) > limit:
        raise CutSetLimitError(f"more than {limit} cut sets")
    return _minimise(out)


def _at_least(args: list[set[CutSet]], k: int, max_order: int, limit: int) -> set[CutSet]:
    """Cut sets of "at least ``k`` of ``args``" by the O(n·k) recurrence."""
    row: list[set[CutSet]] = [{EMPTY}] + [set() for _ in range(k)]
    for arg in reversed(args):
        row = [{EMPTY}] + [
            _minimise(_combine(arg, row[j - 1], max_order, limit) | row[j]) for j in range(1, k + 1)
        ]
    return row[k]


def minimal_cut_sets(tree: FaultTree, max_order: int = 2, limit: int = 100_000) -> list[CutSet]:
    """The minimal cut sets of order ``≤ max_order``, sorted by order then names.

    Raises ``ValueError`` for non-coherent trees and :class:`CutSetLimitError` past ``limit``.
    """
    sets: dict[str, set[CutSet]] = {TRUE: {EMPTY}, FALSE: set()}
    for name, event in tree.events.items():
        sets[name] = {frozenset([name])} if event.probability > 0 else set()
    for name in tree.topological_order():
        gate = tree.gates[name]
        if gate.op in (GateOp.NOT, GateOp.XOR):
            raise ValueError(f"{tree.name}: cut sets need a coherent tree ({gate.op.value} gate)")
        args = [sets[a] for a in gate.args]
        try:
            if gate.op is GateOp.OR:
                out: set[CutSet] = set().union(*args)
                if len(out) > limit:
                    raise CutSetLimitError(f"more than {limit} cut sets")
                sets[name] = _minimise(out)
            elif gate.op is GateOp.AND:
                acc: set[CutSet] = {EMPTY}
                for arg in args:
                    acc = _combine(acc, arg, max_order, limit)
                sets[name] = acc
            else:
                sets[name] = _at_least(args, gate.k or 1, max_order, limit)
        except CutSetLimitError as exc:
            raise CutSetLimitError(f"{tree.name}: {exc} at gate {name}") from None
    found = sets.get(tree.top, set())
    return sorted(found, key=lambda s: (len(s), sorted(s)))
