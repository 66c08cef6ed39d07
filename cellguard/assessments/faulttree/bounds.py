"""Bounds of a module's probability when some of its gates were left free.

A gate left free (budget or time limit) becomes a free variable ``v``; ``P(∀v: top) ≤ P(top) ≤
P(∃v: top)`` for any module, because the gate's true value is one of the two for every state of
the events. A sub-module that is itself only bounded is, in a monotone parent, a variable whose
probability lies in a range: ``P(parent)`` is affine in it and rises with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.evaluate import probability

Interval = tuple[float, float]


def high_probabilities(
    q: Sequence[float], free: Sequence[str], ranged: Mapping[int, Interval]
) -> list[float]:
    """``q`` with free variables (named ``x<i>``) at 1 and ranged sub-modules at their upper
    bound; ``q`` itself holds 0 and the lower bounds for them."""
    high = list(q)
    for name in free:
        high[int(name[1:])] = 1.0
    for i, (_, upper) in ranged.items():
        high[i] = upper
    return high


def module_bounds(
    bdd: Any,
    top: Any,
    q: Sequence[float],
    free: Sequence[str],
    ranged: Mapping[int, Interval],
    monotone: bool,
) -> tuple[float, float, int]:
    """Bounds of ``P(top)`` and the diagram's nodes, given free variables and sub-modules known
    only to lie in a range (``ranged``: only in a monotone module).

    Where every gate of the module is monotone, ``∀v: f = f|v=0`` and ``∃v: f = f|v=1``, and
    ``P(f)`` rises with each independent sub-module's probability, so both bounds are walks
    of ``top`` itself: free variables at 0 and 1, ranged sub-modules at their lower and upper
    bounds. No BDD operation after the deadline, however large ``top`` is. Otherwise
    (``not`` or ``xor`` gates) the quantified diagrams ``P(∀free: top)``, ``P(∃free: top)``
    are built."""
    if monotone:
        low, _, n = probability(bdd, top, q)
        high, _, _ = probability(bdd, top, high_probabilities(q, free, ranged))
        return low, high, n
    names = set(free)
    low, _, n1 = probability(bdd, bdd.forall(names, top), q)
    high, _, n2 = probability(bdd, bdd.exist(names, top), q)
    return low, high, max(n1, n2)
