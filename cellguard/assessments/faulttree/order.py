"""Static variable order of a fault-tree module for :mod:`.quantify`.

Depth-first order of first appearance inside each module, which keeps events that meet in a
gate next to each other; of two such orders (arguments as written, or lightest sub-tree
first) the one with the smaller total gate span is used.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree


def _weights(tree: FaultTree, module: str, modules: set[str]) -> dict[str, int]:
    """Leaf occurrences under each gate of ``module`` (a sub-module or an event counts 1)."""
    weight: dict[str, int] = {}
    stack = [module]
    while stack:
        name = stack[-1]
        pending = [
            a
            for a in tree.gates[name].args
            if a in tree.gates and a not in modules and a not in weight
        ]
        if pending and name not in weight:
            stack.extend(pending)
            continue
        stack.pop()
        weight[name] = sum(weight.get(a, 1) for a in tree.gates[name].args)
    return weight


def _dfs(
    tree: FaultTree, module: str, modules: set[str], weight: dict[str, int] | None
) -> tuple[list[str], list[str]]:
    """Gates of ``module`` in post-order and its leaves in order of first appearance, walking
    each gate's arguments as written (``weight`` None) or lightest first."""

    def ordered(name: str) -> Iterator[str]:
        args = tree.gates[name].args
        if weight is None:
            return iter(args)
        return iter(sorted(args, key=lambda a: weight.get(a, 1)))

    post: list[str] = []
    leaves: list[str] = []
    seen_leaves: set[str] = set()
    visited = {module}
    stack = [(module, ordered(module))]
    while stack:
        name, args = stack[-1]
        for arg in args:
            if arg in tree.gates and arg not in modules:
                if arg not in visited:
                    visited.add(arg)
                    stack.append((arg, ordered(arg)))
                    break
            elif arg not in seen_leaves and arg not in (TRUE, FALSE):
                seen_leaves.add(arg)
                leaves.append(arg)
        else:
            stack.pop()
            post.append(name)
    return post, leaves


def total_span(tree: FaultTree, post: list[str], leaves: list[str]) -> int:
    """Sum over gates of the distance between the first and last leaf below it in the order.

    A gate whose leaves sit close together in the order keeps a narrow diagram; on the
    Aralia trees the order with the smaller total span has the smaller BDD in 10 of 12
    cases where the two orders differ much.
    """
    position = {leaf: i for i, leaf in enumerate(leaves)}
    bounds: dict[str, tuple[int, int]] = {}
    total = 0
    for name in post:
        low, high = len(leaves), -1
        for arg in tree.gates[name].args:
            if arg in position:
                low, high = min(low, position[arg]), max(high, position[arg])
            elif arg in bounds:
                low, high = min(low, bounds[arg][0]), max(high, bounds[arg][1])
        if high >= 0:
            bounds[name] = (low, high)
            total += high - low
    return total


def module_gates(tree: FaultTree, module: str, modules: set[str]) -> tuple[list[str], list[str]]:
    """Gates inside ``module`` in post-order, and its leaves (events, sub-modules) in the
    static variable order.

    Two depth-first orders are candidates: arguments as written, and lightest first (fewest
    leaf occurrences below them, so small sub-trees take the top levels and the heavy one
    is built under them). The one with the smaller :func:`total_span` is used. Measured on
    Aralia (peak live nodes, written → lightest first): edf9204 1.49M → 1.02M, cea9601 2.36M
    → 1.03M, edf9202 402k → 49k, but edf9203 334k → 1.07M and edfpa14b 191k → 1.04M; the
    span picks the better one for all of these except edf9202.
    """
    written = _dfs(tree, module, modules, None)
    lightest = _dfs(tree, module, modules, _weights(tree, module, modules))
    if total_span(tree, *lightest) < total_span(tree, *written):
        return lightest
    return written
