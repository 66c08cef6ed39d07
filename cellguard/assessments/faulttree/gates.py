"""Gate connectives on ``dd.cudd`` diagrams, shared by every builder of the engine."""

from __future__ import annotations

from typing import Any

from cellguard.assessments.faulttree.tree import GateOp


def at_least(bdd: Any, args: list[Any], k: int) -> Any:
    """BDD of "at least ``k`` of ``args`` are true" in ``O(len(args)·k)`` ITE operations."""
    row = [bdd.true] + [bdd.false] * k
    for arg in reversed(args):
        row = [bdd.true] + [bdd.ite(arg, row[j - 1], row[j]) for j in range(1, k + 1)]
    return row[k]


def gate_function(bdd: Any, op: GateOp, args: list[Any], k: int | None) -> Any:
    """Combine argument BDDs with a gate's connective."""
    if op is GateOp.AND:
        out = bdd.true
        for arg in args:
            out = out & arg
        return out
    if op is GateOp.OR:
        out = bdd.false
        for arg in args:
            out = out | arg
        return out
    if op is GateOp.NOT:
        return ~args[0]
    if op is GateOp.XOR:
        out = bdd.false
        for arg in args:
            out = bdd.apply("xor", out, arg)
        return out
    assert k is not None
    return at_least(bdd, args, k)
