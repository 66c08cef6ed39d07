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


def derivative(gate: Gate, ps: Sequence[float], i: int) -> float:
    """``|d gate_estimate / d ps[i]|``."""
    others = [*ps[:i], *ps[i + 1 :]]
    if gate.op is GateOp.AND:
        out = 1.0
        for p in others:
            out *= p
        return out
    if gate.op is GateOp.OR:
        out = 1.0
        for p in others:
            out *= 1.0 - p
        return out
    if gate.op is GateOp.NOT:
        return 1.0
    if gate.op is GateOp.XOR:
        return abs(1.0 - 2.0 * _odd(others))
    assert gate.k is not None
    return _exactly(others)[gate.k - 1]


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
        ps = [p[a] for a in gates[name].args]
        for i, arg in enumerate(gates[name].args):
            importance[arg] = importance.get(arg, 0.0) + weight * derivative(gates[name], ps, i)
    return p, importance
