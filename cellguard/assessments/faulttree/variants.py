"""One fault tree quantified under several probability assignments, its diagrams built once.

The diagrams :func:`.quantify.quantify` builds depend on the tree's gates and on nothing else:
modules, static variable order, merged events (:mod:`.merge`: which events, not their
probability, which is computed here per assignment as quantify computes it) and gate rewriting
never look at a probability. So a tree
quantified again with some events' probabilities changed (the prior provenance of a journey
sets each basis's events to never fail, see :mod:`cellguard.assessments.availability.provenance`)
has the same diagrams; only their evaluation differs. :func:`probabilities` builds them once
over the variables :func:`~.quantify.quantify` declares, in its order (one manager, the same
modules), so each module's diagram is the very one quantify builds (a reduced ordered BDD is
canonical: quantify's gate rewriting changes the steps to it, not the result), and evaluates
them once per assignment with the same evaluator: each result is the float
:func:`~.quantify.quantify` returns for that assignment (tested bit for bit). For a
journey of 15 events this is four evaluations instead of three builds and evaluations.

Only for trees whose build never needs the budget (journey-sized: at most
:data:`~.quantify.SMALL_TREE_EVENTS` events, every gate built within the time limit); anything
else returns ``None`` and the caller quantifies each assignment itself.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.merge import Group, group_probability, merge_events
from cellguard.assessments.faulttree.modules import find_modules
from cellguard.assessments.faulttree.order import module_gates
from cellguard.assessments.faulttree.quantify import (
    DEFAULT_NODE_BUDGET,
    SMALL_TREE_EVENTS,
    _live_nodes,
    _Manager,
    gate_function,
)
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree


def probabilities(
    tree: FaultTree, assignments: Sequence[Mapping[str, float]], *, time_limit: float
) -> list[float] | None:
    """The exact top-event probability of ``tree`` with each assignment's events given the
    probability it names (other events keep theirs); ``None`` when the tree is not one this
    shortcut serves (too large, its diagrams large, or its build outlasted ``time_limit``)."""
    if len(tree.events) > SMALL_TREE_EVENTS or tree.top in tree.events:
        return None
    deadline = time.perf_counter() + time_limit
    modules = find_modules(tree)
    manager = _Manager(small=True)
    bdd = manager.bdd
    built: list[tuple[str, Any, list[tuple[int, str]]]] = []
    """Each module in build order: its name, its diagram and (variable index, leaf) pairs."""
    groups: dict[str, Group] = {}
    """The events :func:`.merge.merge_events` made, each with its connective and members."""
    for module in tree.topological_order():
        if module not in modules:
            continue
        gates, leaves = module_gates(tree, module, modules)  # quantify's variable order
        merged, leaves, made = merge_events(tree, gates, leaves)  # and its merged events
        groups.update(made)
        values: dict[str, Any] = {TRUE: bdd.true, FALSE: bdd.false}
        variables: list[tuple[int, str]] = []
        for leaf in leaves:
            variables.append((len(manager.q), leaf))
            values[leaf] = manager.new_var(0.0, [])
        for name in gates:
            if time.perf_counter() > deadline:
                return None
            gate = merged.gates[name]  # as written: quantify's rewriting changes the steps
            # to a diagram, never the diagram (reduced and ordered, it is canonical)
            values[name] = gate_function(bdd, gate.op, [values[a] for a in gate.args], gate.k)
        built.append((module, values[module], variables))
        del values
        if _live_nodes(bdd) > DEFAULT_NODE_BUDGET // 4:  # nowhere near for a journey; where
            return None  # quantify could have had to free a gate, it is left to quantify
    results = []
    for assignment in assignments:
        q = list(manager.q)
        module_prob: dict[str, float] = {}
        p = 0.0
        for module, top, variables in built:
            for index, leaf in variables:
                if leaf in tree.events:
                    q[index] = assignment.get(leaf, tree.events[leaf].probability)
                elif leaf in groups:  # as quantify computes it, from this assignment
                    op, members = groups[leaf]
                    q[index] = group_probability(
                        op, [assignment.get(m, tree.events[m].probability) for m in members]
                    )
                else:
                    q[index] = module_prob[leaf]
            p = probability(bdd, top, q)[0]
            module_prob[module] = p
        results.append(p)
    return results
