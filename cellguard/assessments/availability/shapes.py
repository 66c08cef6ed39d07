"""Journey figures shared by fault trees of the same shape, whatever their names.

An organisation repeats itself: stacks built from one template compile to journey trees that
differ only in names (``s00007/c3`` where another has ``s00008/c3``). The engines that give a
journey its figures (:func:`~cellguard.assessments.faulttree.importance.analyse`,
:func:`~cellguard.assessments.faulttree.cutsets.minimal_cut_sets` and
:func:`~cellguard.assessments.faulttree.variants.probabilities`) read a name only to tell it
from another, to keep the order in which the tree lists it, and to sort (cut sets, ties
between importances): never its text. So two trees whose names map one to one onto each
other in the same sorted order, whose events and gates are listed in the same order with the
same probabilities, repair times, operators, ``k`` and arguments, get the same figures with
the names mapped: that is a tree's :class:`Shape`, and its ``key`` is all a memo needs. The
key holds every number and the whole structure (the content), never a pattern of names, so a
tree shares figures only with trees that are equal to it up to that renaming (tested against
the engines on renamed and reordered trees).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import TypeVar

from cellguard.assessments.faulttree.tree import CONSTANTS, FaultTree

V = TypeVar("V")

Key = tuple[Hashable, ...]


def _exact(value: float | None) -> str | None:
    """``value`` exactly (``0.0`` and ``-0.0`` apart, which ``==`` is not)."""
    return None if value is None else value.hex()


class Shape:
    """A tree's names in sorted order, each name's rank among them, and the :attr:`key`: the
    tree with every name replaced by its rank (constants kept)."""

    __slots__ = ("key", "names", "rank")

    def __init__(self, tree: FaultTree) -> None:
        self.names = sorted({*tree.events, *tree.gates})
        self.rank = {name: i for i, name in enumerate(self.names)}
        rank: dict[str, Hashable] = {**self.rank, **{c: c for c in CONSTANTS}}

        def of(name: str) -> Hashable:
            found = rank.get(name)
            return ("undefined", name) if found is None else found

        self.key: Key = (
            of(tree.top),
            tuple(
                (
                    rank[name],
                    event.name == name,
                    _exact(event.probability),
                    _exact(event.repair_hours),
                )
                for name, event in tree.events.items()
            ),
            tuple(
                (
                    rank[name],
                    gate.name == name,
                    gate.op.value,
                    gate.k,
                    tuple(of(arg) for arg in gate.args),
                )
                for name, gate in tree.gates.items()
            ),
        )

    def ranks(self, names: Iterable[str]) -> tuple[int, ...]:
        """The ranks of ``names`` (names of this tree), smallest first."""
        return tuple(sorted(self.rank[n] for n in names))


_SHAPES: dict[int, tuple[FaultTree, Shape]] = {}
SHAPES_KEPT = 4096


def shape_of(tree: FaultTree) -> Shape:
    """The :class:`Shape` of ``tree``, made once while the tree is among the last
    :data:`SHAPES_KEPT` asked about (the journeys' figures and their provenance ask for the
    same trees)."""
    known = _SHAPES.get(id(tree))
    if known is not None and known[0] is tree:  # kept alive here: ids stay unique
        return known[1]
    shape = Shape(tree)
    if len(_SHAPES) >= SHAPES_KEPT:
        del _SHAPES[next(iter(_SHAPES))]
    _SHAPES[id(tree)] = (tree, shape)
    return shape


class Memo(dict[Key, V]):
    """Figures by shape key, the oldest forgotten first past ``kept`` entries."""

    def __init__(self, kept: int) -> None:
        super().__init__()
        self.kept = kept

    def keep(self, key: Key, value: V) -> V:
        """Remember ``value`` under ``key`` and return it."""
        if len(self) >= self.kept:
            del self[next(iter(self))]
        self[key] = value
        return value
