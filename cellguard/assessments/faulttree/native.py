"""The optional C walker of CUDD diagrams (``_cudd_walk``), checked before it is trusted.

``_cudd_walk`` reads the nodes of a ``dd.cudd`` diagram in place, by their addresses, with
CUDD 3.0's node layout (``index``, ``ref``, ``next``, ``then``, ``else``; see the C file). It is
built when a C compiler is present (``setup.py``, ``optional=True``). Before its first use in a
process, :func:`walker` checks that layout on a small diagram: every field the walker reads is
read once more through ctypes, at addresses dd itself handed out, and compared with what dd's own
accessors say (``_index``, ``high``, ``low``); then the walker's probability and importances of
that diagram are compared with the known values. Any difference, or no extension, and
:func:`walker` returns ``None``: the pure-Python evaluation is used, with the same results.

Set ``CELLGUARD_NO_NATIVE=1`` to force the pure-Python path (the tests compare the two).
"""

from __future__ import annotations

import ctypes
import os
from array import array
from functools import cache
from typing import Any, Protocol, cast

THEN_OFFSET = 16
ELSE_OFFSET = 24
"""Byte offsets of the children in CUDD 3.0's ``DdNode`` on 64-bit platforms."""

DD_INT_OFFSET = 2
"""``int(f)`` of a ``dd.cudd.Function`` is its node pointer plus 2 (0 and 1 mean false/true in
dd's expression syntax)."""


class Walker(Protocol):
    """What ``_cudd_walk`` offers (see its docstrings)."""

    def probability(self, root: int, one: int, q: array[float], /) -> tuple[float, float, int]: ...

    def birnbaum(self, root: int, one: int, q: array[float], /) -> list[float]: ...

    def truncate(
        self, root: int, one: int, q: array[float], up: bool, budget: float, min_nodes: int, /
    ) -> tuple[int, bytes, float, int] | None: ...

    def joint(
        self,
        roots: list[int],
        one: int,
        q: array[float],
        level: array[int],
        table: bytes,
        max_states: int,
        seconds: float,
        /,
    ) -> tuple[float, float, int, int] | None: ...


def pointer(f: Any) -> int:
    """The ``DdNode *`` (complement bit included) behind a ``dd.cudd.Function``."""
    return int(f) - DD_INT_OFFSET


def _layout_matches(bdd: Any, f: Any) -> bool:
    """Whether raw reads of every regular node of ``f`` agree with dd's accessors."""
    seen: set[int] = set()
    stack = [f]
    while stack:
        u = stack.pop()
        if u == bdd.true or u == bdd.false:
            continue
        node = pointer(u) & ~1
        if node in seen:
            continue
        seen.add(node)
        regular = ~u if u.negated else u
        if ctypes.c_uint32.from_address(node).value != regular._index:
            return False
        if ctypes.c_uint64.from_address(node + THEN_OFFSET).value != pointer(regular.high):
            return False
        if ctypes.c_uint64.from_address(node + ELSE_OFFSET).value != pointer(regular.low):
            return False
        stack.extend((regular.high, regular.low))
    return bool(seen)


def _self_test(module: Walker) -> bool:
    from cellguard.assessments.faulttree.dd_cudd import cudd

    if ctypes.sizeof(ctypes.c_void_p) != 8:
        return False
    bdd = cudd.BDD(memory_estimate=2**22, initial_cache_size=2**10)
    bdd.declare("x0", "x1", "x2")
    x0, x1, x2 = (bdd.var(f"x{i}") for i in range(3))
    f = (x0 & ~x1) | x2  # complemented edges included
    if not _layout_matches(bdd, f) or not _layout_matches(bdd, ~f):
        return False
    q = array("d", [0.1, 0.2, 0.3])
    one = pointer(bdd.true)
    p, r, nodes = module.probability(pointer(f), one, q)
    pn, rn, _ = module.probability(pointer(~f), one, q)
    expected = 0.3 + 0.7 * 0.1 * 0.8  # P(x2) + P(¬x2)·P(x0)·P(¬x1)
    birnbaum = module.birnbaum(pointer(f), one, q)
    # dP/dq0 = 0.7·0.8, dP/dq1 = −0.7·0.1, dP/dq2 = 1 − 0.1·0.8
    wanted = [0.56, -0.07, 0.92]
    close = all(abs(a - b) < 1e-12 for a, b in zip(birnbaum, wanted, strict=True))
    return (
        _joint_ok(module, bdd, f, q)
        and nodes == f.dag_size
        and abs(p - expected) < 1e-15
        and abs(r - (1 - expected)) < 1e-15
        and abs(pn - r) < 1e-15
        and abs(rn - p) < 1e-15
        and close
    )


def _joint_ok(module: Walker, bdd: Any, f: Any, q: array[float]) -> bool:
    """``joint`` (absent from builds older than it: then not used) against the walker's own
    probability of a conjunction's diagram, and ``P(f ∧ ¬f) = 0``."""
    if not hasattr(module, "joint"):
        return True
    x0, x1 = bdd.var("x0"), bdd.var("x1")
    g = ~x0 | x1
    one = pointer(bdd.true)
    level = array("i", [bdd.level_of_var(f"x{i}") for i in range(3)])
    both = module.joint([pointer(f), pointer(g)], one, q, level, b"\x08", 100, 1.0)
    never = module.joint([pointer(f), pointer(~f)], one, q, level, b"\x08", 100, 1.0)
    p, r, _ = module.probability(pointer(f & g), one, q)
    return (
        both is not None
        and abs(both[0] - p) < 1e-15
        and abs(both[1] - r) < 1e-15
        and never is not None
        and never[:2] == (0.0, 1.0)
    )


@cache
def walker() -> Walker | None:
    """The checked C walker, or ``None`` (not built, disabled, or its layout check failed)."""
    if os.environ.get("CELLGUARD_NO_NATIVE"):
        return None
    try:
        from cellguard.assessments.faulttree import _cudd_walk
    except ImportError:
        return None
    module = cast(Walker, _cudd_walk)
    try:
        trusted = _self_test(module)
    except (TypeError, ValueError):  # a stale build whose signature no longer matches
        trusted = False
    return module if trusted else None
