"""Probability of a BDD built with ``dd.cudd``: exact, without subtractions.

A BDD node for variable ``x`` with children ``hi``/``lo`` fails with probability
``P = q·P(hi) + (1 − q)·P(lo)``. CUDD uses complemented edges (a negated edge denotes the
complement of the node it points to), so each node carries both ``P`` and ``Q = 1 − P``,
each computed by the same recurrence from non-negative terms; following a complemented edge
swaps them. Nothing is ever computed as ``1 − x``, so probabilities of 1e-13 keep all their
digits.

Where the optional C walker is built and passes its check (:mod:`.native`), every diagram is
evaluated by it in one pass over its nodes. Otherwise, small diagrams are walked node by node in
Python, and large ones are written by CUDD's own DDDMP writer (C speed) to a temporary file and
evaluated level by level with numpy: every node of a level depends only on deeper levels, so a
level is one vectorised step. The three give the same numbers (tested).

The manager's variables must be named ``x<i>`` and declared in that order (so that CUDD's index
of ``x<i>`` is ``i``); ``q[i]`` is the probability of ``x<i>``.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cellguard.assessments.faulttree.native import pointer, walker

SMALL_DAG = 4000
"""Diagrams up to this many nodes are walked in Python; larger ones go through DDDMP."""


def probability(bdd: Any, f: Any, q: Sequence[float]) -> tuple[float, float, int]:
    """``(P(f), 1 − P(f), nodes)`` for BDD ``f`` of ``bdd`` (a ``dd.cudd.BDD``)."""
    if f == bdd.true:
        return 1.0, 0.0, 1
    if f == bdd.false:
        return 0.0, 1.0, 1
    native = walker()
    if native is not None:  # it counts the nodes itself: no Cudd_DagSize pass first
        return native.probability(pointer(f), pointer(bdd.true), array("d", q))
    size = int(f.dag_size)
    if size <= SMALL_DAG:
        p, r = _walk(bdd, f, q)
        return p, r, size
    p, r = _vectorised(bdd, f, q)
    return p, r, size


def _walk(bdd: Any, f: Any, q: Sequence[float]) -> tuple[float, float]:
    def key(u: Any) -> int:
        return int(u) ^ 1 if u.negated else int(u)

    one = bdd.true
    memo: dict[int, tuple[float, float]] = {key(one): (0.0, 1.0) if one.negated else (1.0, 0.0)}

    def pq(u: Any) -> tuple[float, float]:
        p, r = memo[key(u)]
        return (r, p) if u.negated else (p, r)

    stack = [f]
    while stack:
        u = stack[-1]
        k = key(u)
        if k in memo:
            stack.pop()
            continue
        lo, hi = u.low, u.high
        klo, khi = key(lo), key(hi)
        if klo in memo and khi in memo:
            x = q[int(u.var[1:])]
            plo, rlo = pq(lo)
            phi, rhi = pq(hi)
            memo[k] = (x * phi + (1.0 - x) * plo, x * rhi + (1.0 - x) * rlo)
            stack.pop()
        else:
            if klo not in memo:
                stack.append(lo)
            if khi not in memo:
                stack.append(hi)
    return pq(f)


def _read_dddmp(bdd: Any, f: Any) -> tuple[bytes, bytes]:
    handle, path = tempfile.mkstemp(suffix=".dddmp", prefix="cellguard-")
    os.close(handle)
    try:
        bdd.dump(path, [f], filetype="dddmp")
        text = Path(path).read_bytes()
    finally:
        Path(path).unlink()
    head, _, rest = text.partition(b"\n.nodes\n")
    body, _, _ = rest.partition(b".end")
    return head, body


def _vectorised(bdd: Any, f: Any, q: Sequence[float]) -> tuple[float, float]:
    p, r, root, _ = _forward(bdd, f, q)
    if root > 0:
        return float(p[root]), float(r[root])
    return float(r[-root]), float(p[-root])


def birnbaum_all(bdd: Any, f: Any, q: Sequence[float]) -> dict[int, float]:
    """``P(f | x_i) − P(f | ¬x_i)`` for every variable ``x_i`` in ``f``'s support, in one pass.

    Reverse-mode differentiation of the probability recurrence: the adjoint of a node is
    ``∂P(f)/∂P(node)``, pushed from the root down level by level (a complemented edge flips
    its sign, since ``P(¬g) = 1 − P(g)``); the Birnbaum importance of ``x`` is the sum, over
    the nodes labelled ``x``, of adjoint × (``P(then) − P(else)``). One DDDMP dump and two
    vectorised sweeps replace two cofactor evaluations per variable.
    """
    import numpy as np

    if f == bdd.true or f == bdd.false:
        return {}
    native = walker()
    if native is not None:
        values = native.birnbaum(pointer(f), pointer(bdd.true), array("d", q))
        return {i: values[i] for i in sorted(int(name[1:]) for name in bdd.support(f))}
    p, r, root, nodes = _forward(bdd, f, q)
    ids, var, then, else_, level = nodes
    adjoint = np.zeros(p.shape[0])
    adjoint[abs(root)] = 1.0 if root > 0 else -1.0
    order = np.argsort(level, kind="stable")
    bounds = np.flatnonzero(np.diff(level[order])) + 1
    x = np.array([q[v] for v in var.tolist()], dtype=np.float64)
    for group in np.split(order, bounds):
        a = adjoint[ids[group]]
        t, e = then[group], else_[group]
        np.add.at(adjoint, np.abs(t), a * x[group] * np.sign(t))
        np.add.at(adjoint, np.abs(e), a * (1.0 - x[group]) * np.sign(e))
    pt = np.where(then > 0, p[np.abs(then)], r[np.abs(then)])
    pe = np.where(else_ > 0, p[np.abs(else_)], r[np.abs(else_)])
    contribution = adjoint[ids] * (pt - pe)
    out: dict[int, float] = {}
    for v, c in zip(var.tolist(), contribution.tolist(), strict=True):
        out[v] = out.get(v, 0.0) + c
    return out


def _forward(bdd: Any, f: Any, q: Sequence[float]) -> tuple[Any, Any, int, tuple[Any, ...]]:
    """``P`` and ``Q`` of every node of ``f``'s DDDMP dump (indexed by DDDMP id), the signed
    root id, and the inner nodes as arrays (ids, variable index, then, else, level)."""
    import numpy as np  # only large diagrams need it; small trees skip loading numpy

    head, body = _read_dddmp(bdd, f)
    root = next(int(line.split()[1]) for line in head.splitlines() if line.startswith(b".rootids"))
    # Lines are "id name index then else" with names x<i> or T (the constant): make every
    # field a number (T -> -1) and let numpy parse the text in C.
    numeric = body.replace(b" T ", b" -1 ").replace(b" x", b" ")
    table = np.fromstring(numeric.decode("ascii"), dtype=np.int64, sep=" ").reshape(-1, 5)
    ids, names, then, else_ = table[:, 0], table[:, 1], table[:, 3], table[:, 4]
    size = int(ids.max()) + 1
    p = np.zeros(size)
    r = np.zeros(size)
    terminal = names < 0
    # The regular terminal is the constant true.
    p[ids[terminal]] = 1.0
    r[ids[terminal]] = 0.0
    inner = ~terminal
    node_var = names[inner]
    used = np.unique(node_var)
    level_of = np.zeros(int(used.max()) + 1 if used.size else 1, dtype=np.int64)
    level_of[used] = [bdd.level_of_var(f"x{v}") for v in used.tolist()]
    node_ids = ids[inner]
    node_then = then[inner]
    node_else = else_[inner]
    node_level = level_of[node_var]
    node_q = np.asarray(q, dtype=np.float64)[node_var]
    order = np.argsort(-node_level, kind="stable")
    sorted_levels = node_level[order]
    bounds = np.flatnonzero(np.diff(sorted_levels)) + 1
    for group in np.split(order, bounds):
        t = node_then[group]
        e = node_else[group]
        x = node_q[group]
        pt = np.where(t > 0, p[np.abs(t)], r[np.abs(t)])
        rt = np.where(t > 0, r[np.abs(t)], p[np.abs(t)])
        pe = np.where(e > 0, p[np.abs(e)], r[np.abs(e)])
        re = np.where(e > 0, r[np.abs(e)], p[np.abs(e)])
        target = node_ids[group]
        p[target] = x * pt + (1.0 - x) * pe
        r[target] = x * rt + (1.0 - x) * re
    return p, r, root, (node_ids, node_var, node_then, node_else, node_level)
