"""Gate rewriting before a module's BDD is built: the same Boolean functions, cheaper to build.

See :func:`rewrite`. :mod:`.quantify` calls it once per module, after choosing the static
variable order, and builds the rewritten gates instead of the tree's own.
"""

from __future__ import annotations

from cellguard.assessments.faulttree.merge import MAX_LEAVES, MONOTONE
from cellguard.assessments.faulttree.tree import FaultTree, Gate, GateOp


def rewrite(
    tree: FaultTree, module: str, modules: set[str], gates: list[str], leaves: list[str]
) -> tuple[list[str], dict[str, Gate]]:
    """The gates of ``module`` (``gates`` in post-order, ``leaves`` in variable order) rewritten
    into the same Boolean functions built with fewer and smaller BDD operations: the gates
    now reachable from ``module`` in post-order, and their definitions (new gates are named
    ``<gate>~<n>``).

    * **Flattening**: an AND (OR) argument of an AND (OR) gate that is not a module, has no
      other parent and has only gates as arguments is replaced by its arguments. (Inlining
      events as well spreads them one by one over the wide diagrams: nus9601's bound went
      from 4.04e-4 to 1, jbd9601 did twice the work.) An OR argument of an OR gate other than
      the module's own is inlined with its events too: the chains of ORs in which Aralia's
      files write a wide OR (``OR(15 events, OR(15 events, OR(...)))``) then combine their
      events first and the wide diagram below once, instead of once per link (CUDD cache
      look-ups, with :mod:`.merge`: edf9203 608k -> 402k, edf9202 353k -> 255k, elf9601 347k ->
      194k; jbd9601 184k -> 239k; the module's own gate stays as it was: inlined there,
      edf9202's top circuit took a 852,000-node input instead of 96,000). Not in modules of
      more than :data:`.merge.MAX_LEAVES` variables, which go on truncated: nus9601's bound
      was 1.00% wide with it instead of 0.74%; nor in modules with a ``NOT`` or ``XOR``
      (das9701's hard path is tuned on its gates as they were).
    * **Factoring**: among the AND arguments of an OR gate that flattening could inline (no
      other parent, only gates below), the argument shared by the most of them (the first
      met on ties) is pulled out,
      ``(a∧b) ∨ (a∧c) ∨ d = (a ∧ (b∨c)) ∨ d``, repeatedly and inside the new gates; with
      absorption ``a ∨ (a∧b) = a``. A shared factor is then combined once instead of once
      per product. (The dual, for AND of ORs, measured no better and cea9601 2 % worse.)
    * **Operand order**: every AND/OR folds its arguments narrowest first, by the distance
      between the first and last leaf below each in the variable order, so the wide
      (expensive) diagrams come last, when everything else is already combined.

    Each AND/OR of more than two arguments is then built as a chain of two-argument gates,
    so that the budget and the time limit are checked between any two BDD operations.

    Measured on Aralia (peak live nodes / CUDD cache look-ups, before → after): edf9204
    1.20M/6.2M → 673k/1.74M (build 2.4 s → 0.7 s), edf9202 733k/2.3M → 580k/0.98M,
    edf9203 542k/1.24M → 366k/1.26M, cea9601 1.21M/3.03M → 1.14M/3.03M; nus9601 stays
    within its time limit with its bound [9.9e-6, 4.0e-4] (before: 141 s and [0, 1] in
    one of two runs). jbd9601 does the most extra work (0.14M → 0.29M look-ups, 0.02 s).
    """
    parents: dict[str, int] = {}
    for name in gates:
        for arg in tree.gates[name].args:
            parents[arg] = parents.get(arg, 0) + 1

    def is_gate(arg: str) -> bool:  # a gate of this module (not a sub-module)
        return arg in tree.gates and arg not in modules

    chains = len(leaves) <= MAX_LEAVES and all(  # OR chains inlined with their events
        tree.gates[name].op in MONOTONE for name in gates
    )

    def inner(arg: str, op: GateOp, into: str | None = None) -> bool:
        """A one-parent ``op`` gate over gates only (or, flattened ``into`` an OR below the
        module's own gate, over anything)."""
        return (
            is_gate(arg)
            and parents[arg] == 1
            and tree.gates[arg].op is op
            and (
                (chains and op is GateOp.OR and into is not None and into != module)
                or all(is_gate(a) for a in tree.gates[arg].args)
            )
        )

    defs: dict[str, Gate] = {}
    for name in gates:  # flattening, bottom-up: an inlined argument is already flat
        gate = tree.gates[name]
        args = gate.args
        if gate.op in (GateOp.AND, GateOp.OR):
            args = tuple(
                b for a in args for b in (defs[a].args if inner(a, gate.op, name) else (a,))
            )
        defs[name] = Gate(name, gate.op, args, gate.k)
    made = 0

    def new_gate(owner: str, op: GateOp, args: list[str]) -> str:
        nonlocal made
        if len(args) == 1:
            return args[0]
        made += 1
        while f"{owner}~{made}" in tree.gates or f"{owner}~{made}" in tree.events:
            made += 1
        defs[f"{owner}~{made}"] = Gate(f"{owner}~{made}", op, tuple(args))
        return f"{owner}~{made}"

    def factor(owner: str, products: list[list[str]], rest: list[str]) -> list[str]:
        """Arguments of an OR equal to ``OR(rest, AND(p) for p in products)``."""
        out = list(rest)
        while products:
            count: dict[str, int] = {}
            for product in products:
                for a in dict.fromkeys(product):
                    count[a] = count.get(a, 0) + 1
            best = max(count, key=count.__getitem__)  # the first of the most frequent
            if count[best] < 2:
                break
            remainders = [[a for a in p if a != best] for p in products if best in p]
            products = [p for p in products if best not in p]
            if not all(remainders):  # absorption: best ∨ (best ∧ x) = best
                out.append(best)
                continue
            sub = factor(
                owner,
                [r for r in remainders if len(r) > 1],
                [r[0] for r in remainders if len(r) == 1],
            )
            out.append(new_gate(owner, GateOp.AND, [best, new_gate(owner, GateOp.OR, sub)]))
        out.extend(new_gate(owner, GateOp.AND, p) for p in products)
        return out

    for name in gates:
        args = defs[name].args
        products = [list(defs[a].args) for a in args if inner(a, GateOp.AND)]
        if defs[name].op is GateOp.OR and len(products) > 1:
            rest = [a for a in args if not inner(a, GateOp.AND)]
            defs[name] = Gate(name, GateOp.OR, tuple(factor(name, products, rest)))
    bounds: dict[str, tuple[int, int]] = {leaf: (i, i) for i, leaf in enumerate(leaves)}

    def span(arg: str) -> int:  # constants first
        low, high = bounds.get(arg, (0, -1))
        return high - low

    post: list[str] = []
    visited = {module}
    stack = [(module, iter(defs[module].args))]
    while stack:  # post-order; the bounds of every gate from its arguments'
        name, pending = stack[-1]
        for arg in pending:
            if arg in defs and arg not in visited:
                visited.add(arg)
                stack.append((arg, iter(defs[arg].args)))
                break
        else:
            stack.pop()
            gate = defs[name]
            inside = [bounds[a] for a in gate.args if a in bounds]
            if inside:
                bounds[name] = (min(b[0] for b in inside), max(b[1] for b in inside))
            if gate.op in (GateOp.AND, GateOp.OR):
                operands = sorted(gate.args, key=span)
                while len(operands) > 2:  # one operation per gate: budget and time are checked
                    operands[:2] = [new_gate(name, gate.op, operands[:2])]
                    post.append(operands[0])
                defs[name] = Gate(name, gate.op, tuple(operands))
            post.append(name)
    return post, defs
