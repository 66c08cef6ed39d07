"""Writing a long text while it is still being made, on a second thread.

A large report (50 MB of JSON at 10,000 components) used to be made whole and then written:
the write waits for whoever reads standard output (a pipe drains 64 KiB at a time) or for the
file system, 0.3-0.6 s in which nothing else happened. :func:`write_overlapped` writes each
piece here while a second thread makes the next ones; the pieces are written in order, exactly
as given. The writing releases the interpreter's lock while the operating system takes the
bytes, so the two overlap on two cores.

The writing stays in the caller's thread because that is where signals arrive: Ctrl-C while a
reader reads nothing (a stalled pipe) interrupts the waiting write at once, as it did the one
write of a whole report; a write waiting on another thread could not be interrupted, and the
caller would have waited for it. A failure to write (a closed pipe, a full disk) stops the
making and is raised as it is; a failure to make a piece is raised here after what was made
before it is written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterable, Iterator

_DEPTH = 4
"""Pieces made ahead of the writing at most (a bound on the memory held for it)."""

THREAD_NAME = "cellguard-report-maker"


def write_overlapped(pieces: Iterable[str], write: Callable[[str], object]) -> None:
    """Call ``write(piece)`` for each of ``pieces`` in order, here, while a second thread makes
    the next pieces. A single piece, or a system that refuses a thread, is made and written
    here alone."""
    made = iter(pieces)
    first = next(made, None)
    if first is None:
        return
    second = next(made, None)
    if second is None:
        write(first)
        return
    ready: queue.Queue[str | BaseException | None] = queue.Queue(maxsize=_DEPTH)
    stop = threading.Event()
    thread = threading.Thread(target=_make, args=(made, ready, stop), name=THREAD_NAME, daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no thread to be had: make and write here
        write(first)
        write(second)
        for piece in made:
            write(piece)
        return
    try:
        write(first)
        write(second)
        while (item := ready.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            write(item)
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):  # room for the maker's last put: it then stops
            while True:
                ready.get_nowait()
        thread.join()


def _make(
    made: Iterator[str], ready: queue.Queue[str | BaseException | None], stop: threading.Event
) -> None:
    """The second thread: make pieces into ``ready`` until they end (``None``), making one
    fails (the exception), or the writing has stopped."""
    try:
        for piece in made:
            if stop.is_set():
                return
            ready.put(piece)
    except BaseException as exc:  # raised in the caller's thread, after the pieces before it
        ready.put(exc)
        return
    ready.put(None)
