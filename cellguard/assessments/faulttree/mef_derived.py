"""The MEF's derived connectives, written with cellguard's five gate operations.

The Open-PSA MEF (section 4.2) defines ``nand``, ``nor``, ``iff``, ``imply`` and
``cardinality`` besides ``and``, ``or``, ``not``, ``xor`` and ``atleast``. Each is rewritten
into the five, with anonymous inner gates, so every engine reads them unchanged:

* ``nand(x...) = not(and(x...))``, ``nor(x...) = not(or(x...))``;
* ``iff(a, b) = not(xor(a, b))``, ``imply(a, b) = or(not(a), b)`` (exactly two arguments);
* ``cardinality min=l max=h (x1..xn)``: between ``l`` and ``h`` arguments true, i.e.
  ``and(atleast l, not(atleast h+1))``; a bound that always holds (``l = 0``, ``h >= n``)
  is left out, and ``l > h`` is an error.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cellguard.assessments.faulttree.mef_xml import MefError, Node, shown
from cellguard.assessments.faulttree.tree import TRUE, GateOp

DERIVED = ("nand", "nor", "iff", "imply", "cardinality")
_INTEGER = re.compile(r"\s*[+-]?[0-9]{1,18}\s*")

AddGate = Callable[[GateOp, tuple[str, ...], int | None, str | None], str]
"""Adds a gate (op, args, k, name or None for a new anonymous one) and returns its name."""


def _bound(node: Node, key: str, what: str, error: Callable[[str, Node], MefError]) -> int:
    raw = node.get(key)
    if raw is None or not _INTEGER.fullmatch(raw):
        found = "" if raw is None else f", found {key}={shown(raw)}"
        raise error(
            f'{what} needs integer min and max{found}; expected e.g. <cardinality min="1" max="2">',
            node,
        )
    value = int(raw)
    if value < 0:
        raise error(f"{what}: {key}={shown(raw.strip())} is negative; expected 0 or more", node)
    return value


def derived(
    node: Node,
    args: list[str],
    what: str,
    name: str | None,
    add: AddGate,
    error: Callable[[str, Node], MefError],
) -> str:
    """Add the gates of derived connective ``node`` over ``args``; the name of the result
    (``name`` when given, else a new anonymous gate)."""
    tag = node.tag
    if tag in ("nand", "nor"):
        inner = add(GateOp.AND if tag == "nand" else GateOp.OR, tuple(args), None, None)
        return add(GateOp.NOT, (inner,), None, name)
    if tag in ("iff", "imply"):
        if len(args) != 2:
            raise error(f"{what} takes exactly two arguments, found {len(args)}", node)
        if tag == "iff":
            inner = add(GateOp.XOR, tuple(args), None, None)
            return add(GateOp.NOT, (inner,), None, name)
        negated = add(GateOp.NOT, (args[0],), None, None)
        return add(GateOp.OR, (negated, args[1]), None, name)
    low = _bound(node, "min", what, error)
    high = _bound(node, "max", what, error)
    if low > high:
        raise error(
            f"{what}: min={low} is greater than max={high}; no number of arguments is both",
            node,
        )
    count = len(args)
    if low > count:
        raise error(
            f"{what}: min={low} is more than its {count} arguments, so it can never be true; "
            f"expected min between 0 and {count}",
            node,
        )
    parts: list[str] = []
    if low > 0:
        parts.append(add(GateOp.ATLEAST, tuple(args), low, None))
    if high < count:
        over = add(GateOp.ATLEAST, tuple(args), high + 1, None)
        parts.append(add(GateOp.NOT, (over,), None, None))
    return add(GateOp.AND, tuple(parts) or (TRUE,), None, name)
