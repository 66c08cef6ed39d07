"""Basic events that always meet in the same gates, merged into one (issue 21 item 3).

Two or more basic events with the same set of parent gates, every one of those gates an
``OR`` (or every one an ``AND``), occur in the tree only as ``OR(e1, ..., ek, ...)`` (or
``AND(...)``): each parent can read them as one independent event ``E = OR(e1, ..., ek)``
(``AND``), whose probability is known in closed form. :func:`merge_events` makes that event
and puts it in each parent in place of the group (in the place of its first member there).

The diagrams then have one variable where they had ``k``, in every gate the group meets:
Aralia's edf9203 has 362 events and 75 such groups over 207 of them, some of them in 19-23
gates, and its largest diagrams shrink by half (the engine's seconds with them: edf9203 0.60
-> 0.30, edf9202 0.40 -> 0.22, edf9204 0.49 -> 0.44, edfpa14b 0.19 -> 0.15 on a quiet machine).

The probability is computed from non-negative terms, as the diagrams' walkers do:
``P(OR) = sum_i p_i * prod_{j<i} (1 - p_j)``, ``P(AND) = prod_i p_i``. The engine keeps a
variable's probability ``p`` and takes ``1 - p`` where it needs the complement, which for a
merged ``p`` near 1 has lost the digits that ``prod (1 - p_i)`` had. Only monotone modules
(``AND``, ``OR``, ``atleast``) are merged, where that cannot matter: there
``P(module) = p * P(module | E) + (1 - p) * P(module | not E)`` with
``P(module | E) >= P(module | not E)``, so an error ``d`` in ``1 - p`` moves ``P(module)`` by at
most ``d * P(module | not E) <= 2 d * P(module)`` when ``p >= 1/2`` (and ``1 - p`` is exact to
an ulp when ``p < 1/2``): a few units in the last place, as any change of the order of the sums
makes. Every Aralia value is unchanged to the digits printed. Which events are merged depends
on the gates alone, never on a probability (:mod:`.variants` builds the same diagrams).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

from cellguard.assessments.faulttree.tree import BasicEvent, FaultTree, Gate, GateOp

MAX_LEAVES = 1000
"""Modules with more variables than this are left as they are: they go on as truncated
diagrams (:mod:`.truncate`) whose cuts merging changes (nus9601: its 1,337-event module, 788
variables merged, was bounded 0.84% wide instead of 0.74%). :func:`.rewrite.rewrite` inlines
OR chains with their events only below this size too."""

MERGED = (GateOp.AND, GateOp.OR)
MONOTONE = frozenset({GateOp.AND, GateOp.OR, GateOp.ATLEAST})

Group = tuple[GateOp, tuple[str, ...]]
"""A merged event's connective and its members (in the order its probability sums them)."""

V = TypeVar("V")


class _Overlay(Mapping[str, V]):
    """``base`` with ``added`` entries put over it, read-only, without copying ``base``."""

    def __init__(self, added: dict[str, V], base: Mapping[str, V]) -> None:
        self.added = added
        self.base = base

    def __getitem__(self, key: str) -> V:
        found = self.added.get(key)
        return self.base[key] if found is None else found

    def __contains__(self, key: object) -> bool:
        return key in self.added or key in self.base

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from (key for key in self.added if key not in self.base)

    def __len__(self) -> int:
        return len(self.base) + sum(1 for key in self.added if key not in self.base)


def group_probability(op: GateOp, probabilities: list[float]) -> float:
    """``P(OR(events))`` or ``P(AND(events))`` of independent events, from non-negative terms."""
    if op is GateOp.AND:
        p = 1.0
        for x in probabilities:
            p *= x
        return p
    total, none_yet = 0.0, 1.0  # P(OR of the first i), P(none of the first i)
    for x in probabilities:
        total += x * none_yet
        none_yet *= 1.0 - x
    return min(total, 1.0)  # rounding: 0.2 + 0.8 * 0.2 + 0.64 * 1.0 is 1.0000000000000002


def merge_events(
    tree: FaultTree, gates: list[str], leaves: list[str]
) -> tuple[FaultTree, list[str], dict[str, Group]]:
    """``tree`` seen with every group of events of one monotone module (its ``gates``,
    ``leaves`` in the variable order) that meet only in the same ``OR`` (``AND``) gates
    replaced by one new event, the module's leaves with each group's event in the place of its
    first member, and each new event's group (``tree``, ``leaves`` and no group when there is
    nothing to merge).

    Every gate that uses an event of the module is one of its ``gates`` (a module shares
    nothing with the rest of the tree), so the groups are found among them alone."""
    if len(leaves) > MAX_LEAVES or any(tree.gates[name].op not in MONOTONE for name in gates):
        return tree, leaves, {}
    parents: dict[str, list[str]] = {}
    for name in gates:
        for arg in dict.fromkeys(tree.gates[name].args):
            if arg in tree.events:
                parents.setdefault(arg, []).append(name)
    groups: dict[tuple[str, ...], list[str]] = {}
    for event, gates_above in parents.items():
        groups.setdefault(tuple(gates_above), []).append(event)
    events: dict[str, BasicEvent] = {}
    changed: dict[str, Gate] = {}
    merged: dict[str, str] = {}
    made: dict[str, Group] = {}
    for above, members in groups.items():
        ops = {tree.gates[name].op for name in above}
        if len(members) < 2 or len(ops) != 1 or (op := ops.pop()) not in MERGED:
            continue
        p = group_probability(op, [tree.events[e].probability for e in members])
        name, n = f"{members[0]}~merged", 1
        while name in tree.events or name in tree.gates:
            n += 1
            name = f"{members[0]}~merged{n}"
        events[name] = BasicEvent(name, p)
        made[name] = (op, tuple(members))
        group = set(members)
        merged.update((member, name) for member in members)
        for parent in above:
            gate = changed.get(parent, tree.gates[parent])
            first = next(i for i, a in enumerate(gate.args) if a in group)
            args = [a for a in gate.args[:first] if a not in group] + [name]
            args += [a for a in gate.args[first:] if a not in group]
            changed[parent] = Gate(parent, gate.op, tuple(args), gate.k)
    if not merged:
        return tree, leaves, made
    view = FaultTree(
        tree.name, tree.top, _Overlay(events, tree.events), _Overlay(changed, tree.gates)
    )
    return view, list(dict.fromkeys(merged.get(leaf, leaf) for leaf in leaves)), made
