"""Bounds of a module's probability when some of its gates were left free.

A gate left free (budget or time limit) becomes a free variable ``v``; ``P(∀v: top) ≤ P(top) ≤
P(∃v: top)`` for any module, because the gate's true value is one of the two for every state of
the events. A sub-module that is itself only bounded is, in a monotone parent, a variable whose
probability lies in a range: ``P(parent)`` is affine in it and rises with it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping, Sequence
from typing import Any

from cellguard.assessments.faulttree.evaluate import probability
from cellguard.assessments.faulttree.interrupt import Deadline
from cellguard.assessments.faulttree.tree import FALSE, TRUE, Gate, GateOp

Interval = tuple[float, float]

BOUND_SECONDS = 5.0
"""Most seconds the ``forall``/``exist`` diagrams of a non-monotone module's bound may take (they
are built after the deadline)."""


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
    are built, for at most :data:`BOUND_SECONDS` (then the bound is ``[0, 1]``)."""
    if monotone:
        low, _, n = probability(bdd, top, q)
        high, _, _ = probability(bdd, top, high_probabilities(q, free, ranged))
        return low, high, n
    names = set(free)
    guard = Deadline(bdd, time.perf_counter() + BOUND_SECONDS)
    guard.start()
    try:
        low_f, high_f = bdd.forall(names, top), bdd.exist(names, top)
    except (ValueError, RuntimeError):
        if not guard.stopped():
            raise
        return 0.0, 1.0, 0
    finally:
        guard.stop()
    low, _, n1 = probability(bdd, low_f, q)
    high, _, n2 = probability(bdd, high_f, q)
    return low, high, max(n1, n2)


def _bits(mask: int) -> list[int]:
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def forced(
    defs: Mapping[str, Gate], gates: Sequence[str], leaves: Sequence[str], top: str
) -> tuple[int, int]:
    """Bit sets over ``leaves`` of the leaves a monotone module's ``top`` needs (one of them
    false makes it false) and of those enough for it (one of them true makes it true), found by
    propagating constants through the gates (``gates`` in post-order): sound, maybe not all."""
    every = (1 << len(leaves)) - 1
    need: dict[str, int] = {TRUE: 0, FALSE: every}
    enough: dict[str, int] = {TRUE: every, FALSE: 0}
    for i, leaf in enumerate(leaves):
        need[leaf] = enough[leaf] = 1 << i
    for name in gates:
        gate = defs[name]
        args_need = [need[a] for a in gate.args]
        args_enough = [enough[a] for a in gate.args]
        n = len(gate.args)
        k = 1 if gate.op is GateOp.OR else n if gate.op is GateOp.AND else (gate.k or 1)
        # false when more than n - k arguments are false; true when k of them are true
        need[name] = _at_least_of(args_need, n - k + 1, every)
        enough[name] = _at_least_of(args_enough, k, every)
    return need[top], enough[top]


def _at_least_of(masks: Sequence[int], times: int, every: int) -> int:
    """Bits set in at least ``times`` of ``masks`` (``every`` bit when ``times`` is 0 or less:
    the gate is constant)."""
    if times <= 0:
        return every
    if times == 1:
        out = 0
        for mask in masks:
            out |= mask
        return out
    if times == len(masks):
        out = every
        for mask in masks:
            out &= mask
        return out
    counts: dict[int, int] = {}
    for mask in masks:
        for bit in _bits(mask):
            counts[bit] = counts.get(bit, 0) + 1
    return sum(1 << bit for bit, count in counts.items() if count >= times)


def tighten(
    bound: Interval,
    need: int,
    enough: int,
    leaf_ranges: Sequence[Interval],
) -> Interval:
    """A monotone module's bound narrowed by the leaves it needs and those enough for it:
    ``top ≤ AND(needed)`` and ``top ≥ OR(enough)``, over independent leaves."""
    low, high = bound
    if need:
        high = min(high, math.prod(leaf_ranges[i][1] for i in _bits(need)))
    if enough:
        low = max(low, 1.0 - math.prod(1.0 - leaf_ranges[i][0] for i in _bits(enough)))
    return (min(low, high), max(low, high))  # crossed only by rounding: both are the value
