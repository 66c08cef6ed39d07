"""Built-in rules evaluated on two cores for a large organisation, findings unchanged.

A rule is a pure function of the graph, so which process evaluates it changes nothing: after
the graph is built, a forked child and this process take the built-in rules from one queue
(a pipe holding their indices, read two bytes at a time: a read of a pipe is atomic, so each
rule is taken exactly once), the child sends back the findings of the rules it took, and
:func:`split_run` returns every rule's findings at its own index, as the serial loop would.

This process keeps what must or should run here: the Python rules of packs and plugins
(untrusted code stays in one process; a pack's YAML rules are data and may move),
:data:`PINNED` (the journey figures they compute are read again by the reports) and
:data:`FLEET_RULES` (the fleets and latencies they read are made here for the figures).
Nothing is split while other threads run (the child would inherit their locks) or when the
system refuses the fork or the pipe. Anything the child fails to send back (it crashed, was
killed, or a rule's findings could not be written: :mod:`.transfer`) is evaluated here
afterwards; where ``fork`` is unavailable, or one core is all there is, or other processes have
kept a core busy since the assessment started (:mod:`cellguard.models.spare`), nothing is split.

Measured at 10,001 components (CPU, load 2 on two cores): 1.8 s of rules and figures here and
1.4 s in the child instead of 2.2-2.7 s in one process (the child copies on write the pages whose
reference counts it touches; it packs and sends each rule's findings as it goes, :mod:`.transfer`,
and this process reads them between its own rules, :class:`_Received`): the wall time gained on a free
second core costs CPU, which is why :mod:`cellguard.models.spare` decides. (A report's lines were split too,
until writing them alone was measured faster: 5.16 against 5.48 s at best at 43,611 lines, with
0.85-1.2 s less CPU; the report is now written while it is made, :mod:`cellguard.cli.overlap`.)
The fork, pipes and queue are :mod:`cellguard.models.forking`'s, shared with the loader.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from cellguard.models.findings import Finding, LocationLookup
from cellguard.models.forking import MAX_QUEUED, queue_of
from cellguard.models.forking import fork_with_pipe as _fork
from cellguard.models.forking import reap as _reap
from cellguard.models.forking import take as _take
from cellguard.models.spare import second_core_free
from cellguard.rules.base import Rule
from cellguard.rules.transfer import packed, unpacked

PINNED = frozenset({"CG-FI-009", "CG-RED-010", "CG-RED-011"})
"""Rules always evaluated in this process: they fill the graph's cache of journey availability
and provenance, which the figures of every report read afterwards (a quarter of the rules' time
at 10,000 components)."""

FLEET_RULES = frozenset(
    {
        "CG-CAP-010",
        "CG-CAP-011",
        "CG-CAP-012",
        "CG-CAP-013",
        "CG-CAP-014",
        "CG-CAP-015",
        "CG-TIM-008",
    }
)
"""Rules always evaluated in this process too: they read the model fleets and journey latencies
(:mod:`cellguard.assessments.capacity`, :mod:`cellguard.assessments.latency`), which the
figures made here read as well. Here, they are made once after the fork, while the child
evaluates rules, instead of before it for both processes (0.25-0.35 s at 10,000 components
that the child waited for)."""

MIN_COMPONENTS = 2000
"""Split the rules from this many components up: below it, forking costs about what it saves.
Measured whole process (the rules this faster since the threshold was 500; split against not,
alternating, six runs each): 1,001 components 0.82 s at best either way, median 1.07 split
against 0.99 s, with 0.11-0.21 s more CPU; 3,001 components 1.79 against 2.03 s at best, median
2.04 against 2.29 s, with 0.33 s more CPU."""


T = TypeVar("T")


def cores() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def can_split(components: int) -> bool:
    """Whether to split the rules of an organisation of ``components`` components."""
    return (
        components >= MIN_COMPONENTS
        and sys.platform.startswith("linux")  # fork is safe here; macOS frameworks are not
        and hasattr(os, "fork")
        and cores() >= 2
        and not _other_threads()  # a child inherits other threads' locks, not the threads
        and second_core_free()  # a core busy elsewhere: alone is faster (:mod:`cellguard.models.spare`)
    )


def _other_threads() -> bool:
    return threading.active_count() > 1


_HEAD = 7
"""Bytes before each rule's findings in the child's pipe: its index (2), how they are packed
(1) and their length (4)."""

_CHUNK = 1 << 20
_PIPE_SIZE = 1 << 20
"""Asked of the kernel for the findings' pipe (64 KiB by default): fewer writes and reads."""


def _frame(index: int, how: int, data: bytes) -> bytes:
    return index.to_bytes(2, "little") + bytes((how,)) + len(data).to_bytes(4, "little") + data


def _send(out: int, pending: bytearray) -> None:
    """Write what the pipe takes of ``pending`` now (``out`` does not block) and keep the rest."""
    try:
        written = os.write(out, pending)
    except BlockingIOError:
        return
    del pending[:written]


def _child(
    rules: Sequence[Rule], run_one: Callable[[Rule], list[Finding]], queue: int, out: int
) -> None:
    """The child's whole life: take rules until the queue is empty, send their findings, exit
    (never returning into the caller's code, whatever happens). Each rule's findings are
    packed and sent as soon as they are made, as far as the pipe takes them without waiting
    (the rest goes with the next rule's, or at the end), so that this process reads them
    between its own rules and little is left once the queue is empty (:class:`_Received`); a
    rule whose findings cannot be packed is left out, and evaluated there."""
    code = 1
    try:
        os.set_blocking(out, False)
        pending = bytearray()
        while (index := _take(queue)) is not None:
            found = run_one(rules[index])
            try:
                pending += _frame(index, *packed(found))
            except Exception:  # not sent: the other process evaluates the rule
                continue
            _send(out, pending)
        os.set_blocking(out, True)
        with open(out, "wb", closefd=False) as stream:
            stream.write(pending)
        code = 0
    finally:
        os._exit(code)


class _Received:
    """The child's findings read from its pipe, each rule's put at its index in ``results``
    as soon as all of it has arrived: between this process's own rules (:meth:`poll`, without
    waiting) and at the end (:meth:`drain`). Reading them there instead of all at once after
    the queue is empty (0.13-0.3 s at 10,000 components, while the child was done) lets the
    child take that much more of the queue. Anything malformed (the child was killed mid-way,
    or a message is broken) ends the reading: the rules not read are evaluated here."""

    def __init__(
        self,
        incoming: int,
        results: list[list[Finding] | None],
        locate: LocationLookup,
        arrived: Callable[[list[Finding]], object] = lambda found: None,
    ) -> None:
        self.incoming = incoming
        self.results = results
        self.locate = locate
        self.arrived = arrived
        self.buffer = bytearray()
        self.broken = False
        os.set_blocking(incoming, False)

    def poll(self) -> None:
        """Read and unpack what has arrived, without waiting."""
        while not self.broken:
            try:
                chunk = os.read(self.incoming, _CHUNK)
            except BlockingIOError:
                return
            if not chunk:
                return
            self._take(chunk)

    def drain(self) -> None:
        """Read and unpack everything until the child closes its end."""
        os.set_blocking(self.incoming, True)
        while not self.broken and (chunk := os.read(self.incoming, _CHUNK)):
            self._take(chunk)

    def _take(self, chunk: bytes) -> None:
        buffer = self.buffer
        buffer += chunk
        start = 0
        while len(buffer) - start >= _HEAD:
            index = int.from_bytes(buffer[start : start + 2], "little")
            how = buffer[start + 2]
            end = start + _HEAD + int.from_bytes(buffer[start + 3 : start + _HEAD], "little")
            if len(buffer) < end:
                break
            try:
                if self.results[index] is not None:
                    raise ValueError(f"rule {index} sent twice")
                data = bytes(buffer[start + _HEAD : end])
                self.results[index] = found = unpacked(how, data, self.locate)
            except Exception:  # a broken message: the rules not read run here
                self.broken = True
                return
            start = end
            self.arrived(found)
        del buffer[:start]


def split_run(
    rules: Sequence[Rule],
    run_one: Callable[[Rule], list[Finding]],
    *,
    movable: Callable[[Rule], bool],
    alongside: Callable[[], T],
    locate: LocationLookup,
    arrived: Callable[[list[Finding]], object] = lambda found: None,
) -> tuple[list[list[Finding]], T]:
    """Each rule's findings by its index in ``rules``, the ``movable`` ones (less
    :data:`PINNED` and :data:`FLEET_RULES`) shared with a forked child; ``run_one`` turns one
    rule into its findings and never raises (a crashing rule is one ERROR finding).
    ``alongside()`` is called here after the rules that stay here and before the shared ones
    (the child meanwhile takes them), and what it returns is returned too. The child's findings whose location it did not read
    come back with it looked up here by ``locate`` when it is read. ``arrived`` is called here
    with each rule's findings as they are made or read, while the child still evaluates rules
    (what it does there is done in parallel with the child's work)."""
    results: list[list[Finding] | None] = [None] * len(rules)
    kept = PINNED | FLEET_RULES
    queued = [i for i, rule in enumerate(rules) if movable(rule) and rule.meta.id not in kept]
    queued = queued[:MAX_QUEUED]  # the queue must fit a pipe's buffer
    queue = queue_of(queued)
    forked = None if queue is None else _fork()
    if queue is None or forked is None:
        if queue is not None:
            os.close(queue)
        found = [run_one(rule) for rule in rules]
        return found, alongside()
    pid, incoming, out = forked
    if pid == 0:
        os.close(incoming)
        _child(rules, run_one, queue, out)
    os.close(out)
    with contextlib.suppress(AttributeError, OSError):  # a larger pipe where Linux allows
        import fcntl  # here, not at the top: Windows has none (and no split)

        fcntl.fcntl(incoming, fcntl.F_SETPIPE_SZ, _PIPE_SIZE)
    received = _Received(incoming, results, locate, arrived)
    failed = True
    try:
        taken = set(queued)
        for i, rule in enumerate(rules):  # what stays here, then the queue
            if i not in taken:
                results[i] = made = run_one(rule)
                arrived(made)
                received.poll()
        also = alongside()
        received.poll()
        while (index := _take(queue)) is not None:
            results[index] = made = run_one(rules[index])
            arrived(made)
            received.poll()
        received.drain()
        failed = False
    finally:
        os.close(queue)
        os.close(incoming)
        _reap(pid, failed)
    return [run_one(rules[i]) if found is None else found for i, found in enumerate(results)], also
