"""A wall-clock deadline that interrupts CUDD inside one operation.

One BDD operation (an AND whose diagram explodes, a sifting) can run for minutes; the engine's
gate loop checks its time limit only between operations. CUDD calls a *termination callback*
from time to time during an operation (measured: about 3,000 times a second, no measurable
cost) and abandons the operation when it returns non-zero: the operation returns ``NULL``,
which ``dd`` turns into an exception, and every other diagram of the manager stays valid
(CUDD's documentation of timeouts). CUDD's own time limit is not used because it counts the
process's CPU time, which falls behind the wall clock on a loaded machine.

``dd`` does not expose the callback, so it is registered through ``ctypes`` on the manager
pointer that :mod:`.live_nodes` has already checked the layout of. Where that check failed,
:func:`deadline` does nothing and the engine falls back to checking between operations.
"""

from __future__ import annotations

import ctypes
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

from cellguard.assessments.faulttree.dd_cudd import cudd
from cellguard.assessments.faulttree.gates import gate_function
from cellguard.assessments.faulttree.live_nodes import manager_pointer
from cellguard.assessments.faulttree.tree import Gate

CUDD_TERMINATION = 5
"""``Cudd_ReadErrorCode`` after an operation was stopped by the termination callback."""

_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)


@cache
def _library() -> Any | None:
    try:
        library = ctypes.CDLL(cudd.__file__)
        register = library.Cudd_RegisterTerminationCallback
        unregister = library.Cudd_UnregisterTerminationCallback
        read_error = library.Cudd_ReadErrorCode
        clear_error = library.Cudd_ClearErrorCode
    except (AttributeError, OSError):
        return None
    register.argtypes = [ctypes.c_void_p, _CALLBACK, ctypes.c_void_p]
    register.restype = None
    unregister.argtypes = [ctypes.c_void_p]
    unregister.restype = None
    read_error.argtypes = [ctypes.c_void_p]
    read_error.restype = ctypes.c_int
    clear_error.argtypes = [ctypes.c_void_p]
    clear_error.restype = None
    return library


class Deadline:
    """A deadline for the operations of one manager: :meth:`start` before an operation,
    :meth:`stop` after it (registering is a pointer store in CUDD, so per operation is cheap;
    declaring a variable while it is registered and past due would fail)."""

    def __init__(self, bdd: Any, at: float) -> None:
        self.at = at
        self.bdd = bdd  # the manager must outlive the registration
        self.pointer = manager_pointer(bdd)
        self.library = _library() if self.pointer else None
        self._registered = False
        self._pending: list[BaseException] = []
        self._hook: Callable[[Any], object] | None = None
        clock: Callable[[], float] = time.perf_counter
        pending = self._pending

        def expired(_argument: int | None) -> int:
            if pending:  # Ctrl-C arrived: stop the operation so that it can be raised
                return 1
            return 1 if clock() > at else 0

        self._function = expired
        self._callback = _CALLBACK(expired)  # kept alive as long as CUDD may call it

    def _unraisable(self, unraisable: Any) -> None:
        """A signal handler (Ctrl-C) that runs inside the callback raises there; ctypes cannot
        propagate it and hands it to ``sys.unraisablehook``: keep it, to raise it from
        :meth:`stopped`/:meth:`stop` once CUDD has abandoned the operation."""
        if unraisable.object is self._function and unraisable.exc_value is not None:
            self._pending.append(unraisable.exc_value)
        elif self._hook is not None:
            self._hook(unraisable)

    @property
    def active(self) -> bool:
        """Whether CUDD itself checks the deadline now (else only the caller does)."""
        return self._registered

    def start(self) -> None:
        """Register the deadline with CUDD (no-op where the layout check failed)."""
        if self.library is not None and not self._registered:
            self._hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
            self.library.Cudd_RegisterTerminationCallback(self.pointer, self._callback, None)
            self._registered = True

    def stop(self) -> None:
        """Unregister it: operations run to the end again. Raises a ``KeyboardInterrupt`` (or
        other exception) that a signal handler raised inside the callback."""
        if self.library is not None and self._registered:
            self.library.Cudd_UnregisterTerminationCallback(self.pointer)
            self._registered = False
            if self._hook is not None:
                sys.unraisablehook, self._hook = self._hook, None
        self._raise_pending()

    def _raise_pending(self) -> None:
        if self._pending:
            raise self._pending.pop()

    def stopped(self) -> bool:
        """After an operation failed: whether the deadline stopped it (and clear the error);
        raises what a signal handler raised inside the callback."""
        self._raise_pending()
        if self.library is None:
            return False
        code = int(self.library.Cudd_ReadErrorCode(self.pointer))
        self.library.Cudd_ClearErrorCode(self.pointer)
        return code == CUDD_TERMINATION


@contextmanager
def deadline(bdd: Any, at: float) -> Iterator[Deadline]:
    """CUDD operations on ``bdd`` inside the block stop once ``time.perf_counter()`` passes
    ``at``; the stopped operation raises (``ValueError`` or ``RuntimeError`` from ``dd``) and
    :meth:`Deadline.stopped` tells that apart from running out of memory."""
    guard = Deadline(bdd, at)
    guard.start()
    try:
        yield guard
    finally:
        guard.stop()


def interruptible(bdd: Any, guard: Deadline, gate: Gate, args: list[Any]) -> Any | None:
    """The gate's diagram, or ``None`` when the deadline stopped the operation inside CUDD
    (between operations the gate loops check it themselves)."""
    guard.start()
    try:
        return gate_function(bdd, gate.op, args, gate.k)
    except (ValueError, RuntimeError):
        if guard.stopped():
            return None
        raise
    finally:
        guard.stop()
