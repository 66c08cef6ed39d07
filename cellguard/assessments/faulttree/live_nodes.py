"""Live nodes of a CUDD manager in microseconds instead of milliseconds (issue 21 item 3).

The engine reads the manager's size between gate operations to keep within its node budget.
``dd.cudd.BDD.statistics()`` gives it (``keys - dead``), but computes fifteen other figures with
it, two of which scan CUDD's whole unique table and computed-table cache
(``Cudd_ReadUsedSlots``, ``Cudd_ReadCacheUsedSlots``) and it raises a warning each time: 1.1 ms on
an empty default manager here, 2-4 ms on a large one, 5-20% of the engine's time on the slowest
Aralia trees. CUDD's own ``Cudd_ReadKeys`` and ``Cudd_ReadDead``, exported by the extension
module that dd builds CUDD into, read the same two counters in constant time.

dd does not expose its ``DdManager *`` to Python. In ``dd.cudd.BDD`` (a Cython class) it is the
first field after the object header and the class's method table pointer, which Cython also
publishes as the capsule ``BDD.__pyx_vtable__``. Before its first use the reader checks that
layout on a small manager of its own: the word before the pointer must be the method table, the
pointer none of the object's Python attributes, and the counts it reads must equal dd's own
(``statistics()``: variables and live nodes, before and after building a diagram). If anything
differs -- another dd, another build, a 32-bit interpreter -- :func:`live_nodes` uses
``statistics()`` as before, so the numbers never depend on the check.
"""

from __future__ import annotations

import ctypes
import warnings
from collections.abc import Callable
from functools import cache
from typing import Any

from cellguard.assessments.faulttree.dd_cudd import cudd

WORD = ctypes.sizeof(ctypes.c_void_p)
HEADER = 2 * WORD
"""``PyObject_HEAD``: the reference count and the type."""


def _statistics_count(bdd: Any) -> int:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return int(bdd.statistics(exact_node_count=False)["n_nodes"])


def _word(address: int) -> int:
    return ctypes.c_void_p.from_address(address).value or 0


@cache
def _method_table() -> int:
    capsule = vars(cudd.BDD).get("__pyx_vtable__")
    if capsule is None:
        return 0
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = [ctypes.py_object, ctypes.c_char_p]
    return int(get_pointer(capsule, None) or 0)


def _manager(bdd: Any, table: int) -> int:
    """The ``DdManager *`` of ``bdd``, or 0 when the word before it is not the method table."""
    if _word(id(bdd) + HEADER) != table:
        return 0
    return _word(id(bdd) + HEADER + WORD)


def _counters() -> tuple[Callable[[int], int], Callable[[int], int], Callable[[int], int]]:
    library = ctypes.CDLL(cudd.__file__)  # the loaded extension: dlopen returns its handle
    functions = []
    for name, result in (
        ("Cudd_ReadKeys", ctypes.c_uint),
        ("Cudd_ReadDead", ctypes.c_uint),
        ("Cudd_ReadSize", ctypes.c_int),
    ):
        function = getattr(library, name)
        function.restype = result
        function.argtypes = [ctypes.c_void_p]
        functions.append(function)
    keys, dead, size = functions
    return keys, dead, size


@cache
def _reader() -> Callable[[Any], int] | None:
    """``bdd -> live nodes`` through CUDD's counters, or None when the layout check fails."""
    if WORD != 8:
        return None
    try:
        table = _method_table()
        keys, dead, size = _counters()
    except (AttributeError, OSError, ValueError):  # no such symbol or library
        return None
    if not table:
        return None
    bdd = cudd.BDD(memory_estimate=2**22, initial_cache_size=2**10)
    manager = _manager(bdd, table)
    attributes = {id(bdd.vars), id(bdd._index_of_var), id(bdd._var_with_index), 0}
    if manager in attributes:
        return None
    names = [f"x{i}" for i in range(12)]
    bdd.declare(*names)
    before = (keys(manager) - dead(manager), _statistics_count(bdd))
    f = bdd.false
    for a, b in zip(names[::2], names[1::2], strict=True):
        f = f | (bdd.var(a) & bdd.var(b))
    after = (keys(manager) - dead(manager), _statistics_count(bdd))
    del f
    if size(manager) != len(bdd.vars) or before[0] != before[1] or after[0] != after[1]:
        return None
    if after[0] <= before[0]:  # the diagram must have shown in both counts
        return None

    def read(bdd: Any) -> int:
        pointer = _manager(bdd, table)
        return int(keys(pointer) - dead(pointer)) if pointer else _statistics_count(bdd)

    return read


def manager_pointer(bdd: Any) -> int:
    """The ``DdManager *`` of a ``dd.cudd`` manager, or 0 where the layout check failed."""
    if type(bdd) is not cudd.BDD or _reader() is None:
        return 0
    return _manager(bdd, _method_table())


def live_nodes(bdd: Any) -> int:
    """Nodes in ``bdd``'s manager minus dead ones (``statistics()["n_nodes"]``, cheaply)."""
    reader = _reader() if type(bdd) is cudd.BDD else None
    return _statistics_count(bdd) if reader is None else reader(bdd)


_reader()  # checked at import, so that no size read of the engine pays for the check
