"""A forked child, its pipe and a queue of work items: what every two-core split here shares.

The rule engine (:mod:`cellguard.rules.parallel`) and the spec loader
(:mod:`cellguard.models.loader.forked`) each hand part of their work to a child made with
``fork``: the two processes take item indices from one queue (a pipe holding them, read
:data:`TOKEN` bytes at a time: a read of a pipe is atomic, so each item is taken exactly once),
and the child sends back what it made through a second pipe. Whatever the child fails to send
is done by the parent afterwards, so the results never depend on the split.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Sequence

TOKEN = 2
"""Bytes per queued index."""

MAX_QUEUED = 4096 // TOKEN
"""Most indices a queue holds: they must fit a pipe's buffer so that filling the queue never
blocks. POSIX promises no capacity (only that writes of PIPE_BUF bytes, at least 512, are
atomic); Linux, where alone the splits run, gives a pipe 16 pages (65,536 bytes) and never
less than a page, 4,096 bytes, also where a user's pipe memory limit is reached (pipe(7),
"Pipe capacity" and /proc/sys/fs/pipe-user-pages-soft). Items past it are done by the
parent alone."""


def fork_with_pipe() -> tuple[int, int, int] | None:
    """``(pid, read end, write end)`` of a forked child and a pipe, or ``None`` when the system
    refuses either (process limits, memory, seccomp): then the caller works alone."""
    try:
        incoming, out = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(incoming)
        os.close(out)
        return None
    return pid, incoming, out


def reap(pid: int, failed: bool) -> int | None:
    """Wait for the child (killed first when this process leaves on an exception, e.g. Ctrl-C,
    rather than finishing its share first); its wait status, or ``None`` when the kernel
    reaped it (``SIGCHLD`` ignored, as whoever started this process may leave it: the status
    is lost, and what the child sent must show by itself whether it is whole)."""
    if failed:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return None


def queue_of(indices: Sequence[int]) -> int | None:
    """The read end of a pipe holding ``indices`` (at most :data:`MAX_QUEUED`), or ``None``
    when the system refuses a pipe."""
    try:
        queue, feed = os.pipe()
    except OSError:
        return None
    try:
        os.write(feed, b"".join(i.to_bytes(TOKEN, "little") for i in indices[:MAX_QUEUED]))
    except OSError:
        os.close(queue)
        return None
    finally:
        os.close(feed)
    return queue


def take(queue: int) -> int | None:
    """The next index from the queue; ``None`` once it is empty."""
    data = os.read(queue, TOKEN)
    return int.from_bytes(data, "little") if len(data) == TOKEN else None
