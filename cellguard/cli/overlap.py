"""Writing a long text while it is still being made, on a second thread.

A large report (50 MB of JSON at 10,000 components) used to be made whole and then written:
the write waits for whoever reads standard output (a pipe drains 64 KiB at a time) or for the
file system, 0.3-0.6 s in which nothing else happened. :func:`write_overlapped` hands each
piece to a thread that writes it while this one makes the next; the pieces are written in
order, exactly as given. The writing thread releases the interpreter's lock while the
operating system takes the bytes, so the two overlap on two cores.

A failure to write (a closed pipe, a full disk) stops the making and is raised here, in the
caller's thread, as if the caller had written; so is a failure to make a piece, after what was
made before it is written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable

_DEPTH = 4
"""Pieces made ahead of the writer at most (a bound on the memory held for it)."""


def write_overlapped(pieces: Iterable[str], write: Callable[[str], object]) -> None:
    """Call ``write(piece)`` for each of ``pieces`` in order, on a second thread while the next
    piece is made here. A single piece, or a system that refuses a thread, is written here."""
    made = iter(pieces)
    first = next(made, None)
    if first is None:
        return
    second = next(made, None)
    if second is None:
        write(first)
        return
    pending: queue.Queue[str | None] = queue.Queue(maxsize=_DEPTH)
    failed: list[BaseException] = []

    def writer() -> None:
        while (piece := pending.get()) is not None:
            if not failed:  # after a failure the rest is taken and dropped
                try:
                    write(piece)
                except BaseException as exc:  # raised in the caller's thread
                    failed.append(exc)

    thread = threading.Thread(target=writer, name="cellguard-writer", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no thread to be had: write here
        write(first)
        write(second)
        for piece in made:
            write(piece)
        return
    try:
        pending.put(first)
        pending.put(second)
        for piece in made:
            if failed:
                break
            pending.put(piece)
    finally:
        pending.put(None)
        thread.join()
    if failed:
        raise failed[0]
