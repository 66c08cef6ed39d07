"""Rough probabilities and importances of a fault tree's gates, as if their arguments were
independent (the *independence approximation*).

Used only to steer work (:mod:`.truncate`'s budgets), never as a result: where events are
shared, these figures can be off by orders of magnitude (nus9601's 1,337-event module needs one
event that every branch shares, and the product of the branches counts it many times).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cellguard.assessments.faulttree.tree import FALSE, TRUE, Gate, GateOp


def _exactly(probabilities: Sequence[float]) -> list[float]:
    """``P(exactly j of them)`` for every ``j``."""
    row = [1.0] + [0.0] * len(probabilities)
    for p in probabilities:
        for j in range(len(probabilities), 0, -1):
            row[j] = row[j] * (1.0 - p) + row[j - 1] * p
        row[0] *= 1.0 - p
    return row


def _odd(probabilities: Sequence[float]) -> float:
    """``P(an odd number of them)``."""
    odd = 0.0
    for p in probabilities:
        odd = odd * (1.0 - p) + (1.0 - odd) * p
    return odd


def gate_estimate(gate: Gate, ps: Sequence[float]) -> float:
    """The gate's probability from its arguments' ``ps``."""
    if gate.op is GateOp.AND:
        out = 1.0
        for p in ps:
            out *= p
        return out
    if gate.op is GateOp.OR:
        out = 1.0
        for p in ps:
            out *= 1.0 - p
        return 1.0 - out
    if gate.op is GateOp.NOT:
        return 1.0 - ps[0]
    if gate.op is GateOp.XOR:
        return _odd(ps)
    assert gate.k is not None
    return sum(_exactly(ps)[gate.k :])


def _odd_of_two(a: float, b: float) -> float:
    return a * (1.0 - b) + (1.0 - a) * b


def derivatives(gate: Gate, ps: Sequence[float]) -> list[float]:
    """``|d gate_estimate / d ps[i]|`` for every ``i``, from the arguments before ``i`` and those
    after it (no division, so zeros are fine): linear in the arguments for ``AND``, ``OR`` and
    ``XOR``, ``n * k`` for ``atleast k`` (one argument at a time made wide gates quadratic and
    ``atleast`` cubic: 2 s for an ``OR`` of 8,000 events)."""
    n = len(ps)
    if gate.op is GateOp.NOT:
        return [1.0]
    if gate.op is GateOp.ATLEAST:
        assert gate.k is not None
        return _atleast_derivatives(ps, gate.k)
    if gate.op is GateOp.XOR:
        unit, join = 0.0, _odd_of_two
    else:
        unit, join = 1.0, (lambda a, b: a * b)
    terms = list(ps) if gate.op is not GateOp.OR else [1.0 - p for p in ps]
    before = [unit] * (n + 1)
    for i, t in enumerate(terms):
        before[i + 1] = join(before[i], t)
    out = [0.0] * n
    after = unit
    for i in range(n - 1, -1, -1):
        rest = join(before[i], after)
        out[i] = abs(1.0 - 2.0 * rest) if gate.op is GateOp.XOR else rest
        after = join(terms[i], after)
    return out


def _atleast_derivatives(ps: Sequence[float], k: int) -> list[float]:
    """``P(exactly k - 1 of the others)`` for every argument."""
    n = len(ps)

    def add(row: list[float], p: float) -> list[float]:  # one more argument (counts below k)
        return [row[0] * (1.0 - p)] + [row[j] * (1.0 - p) + row[j - 1] * p for j in range(1, k)]

    before = [[1.0] + [0.0] * (k - 1)]
    for p in ps[:-1]:
        before.append(add(before[-1], p))
    out = [0.0] * n
    after = [1.0] + [0.0] * (k - 1)
    for i in range(n - 1, -1, -1):
        out[i] = sum(before[i][j] * after[k - 1 - j] for j in range(k))
        after = add(after, ps[i])
    return out


def estimates(
    gates: Mapping[str, Gate],
    order: Sequence[str],
    leaf_probability: Mapping[str, float],
    top: str,
) -> tuple[dict[str, float], dict[str, float]]:
    """Each gate's estimated probability, and each gate's and leaf's estimated importance
    ``|dP(top) / dP(name)|`` by the chain rule (summed over the paths to ``top``). ``order``
    lists the gates, every gate after its arguments."""
    p: dict[str, float] = {TRUE: 1.0, FALSE: 0.0, **leaf_probability}
    for name in order:
        p[name] = gate_estimate(gates[name], [p[a] for a in gates[name].args])
    importance = {top: 1.0}
    for name in reversed(order):
        weight = importance.get(name, 0.0)
        if weight == 0.0:
            continue
        slopes = derivatives(gates[name], [p[a] for a in gates[name].args])
        for arg, slope in zip(gates[name].args, slopes, strict=True):
            if slope > 0.0:  # not inf * 0 = NaN where sums over many paths overflowed
                importance[arg] = importance.get(arg, 0.0) + weight * slope
    return p, importance
