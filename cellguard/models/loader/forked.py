"""Spec files read on two cores for a large organisation, the documents unchanged.

Reading a spec is mostly composing its YAML and recording the position of every key and value
(:func:`~cellguard.models.loader.source.read_yaml`): two thirds of loading 10,000 components.
Each file is read on its own, so a forked child can read some of them while this process reads
the others: both take file indices from one queue (:mod:`cellguard.models.forking`); the child
sends back the data and positions of each file it read (:mod:`marshal`: plain data only), and
this process validates them as it validates its own. A file the child could not read, or
whose result it could not send (a YAML error, a value :mod:`marshal` cannot write, a crash),
is read here afterwards, so an error is reported exactly as without the split.

Whether to split is the caller's decision (a free second core, no other thread: see
:func:`cellguard.rules.parallel.can_split`); this module adds only a size floor,
:data:`MIN_BYTES`.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from collections.abc import Sequence
from pathlib import Path

from cellguard.models.forking import fork_with_pipe, queue_of, reap, take
from cellguard.models.loader.document import (
    LoadedDocument,
    read_document,
    read_spec_text,
    validated_document,
)
from cellguard.models.loader.errors import SpecLoadError
from cellguard.models.loader.source import SourceMap, read_yaml

MIN_BYTES = 1_000_000
"""Split the reading from this many bytes of spec files up (about 3,000 components of the
generated organisations). Measured in process, split against not, alternating (2 cores, other
work running): 10,001 components (3.2 MB) 1.07-1.12 -> 0.82-0.94 s, the child using 0.53 s of
CPU; 1,001 components (304 kB) 0.132 -> 0.109 s at best, but whole process, eight interleaved
runs on a quiet machine, 0.76 s split against 0.79 s alone at best and 0.85 against 0.82 s
median: no gain worth the child's CPU."""

Read = LoadedDocument | SpecLoadError
"""A file's document, or why it could not be read."""


def _read_here(file: Path, name: str) -> Read:
    try:
        return read_document(file, name)
    except SpecLoadError as exc:
        return exc


def _size(files: Sequence[Path]) -> int:
    total = 0
    for file in files:
        with contextlib.suppress(OSError):  # reading it reports why
            total += file.stat().st_size
    return total


def read_documents(files: Sequence[Path], names: Sequence[str], *, split: bool) -> list[Read]:
    """Each of ``files`` read, parsed and validated (:func:`read_document`; ``names`` are
    their names in messages), in order; with ``split`` and :data:`MIN_BYTES` of files, part
    of them composed by a forked child."""
    alone = [None] * len(files)  # what is read here: everything, without a split
    if not split or len(files) < 2 or _size(files) < MIN_BYTES:
        return _read_rest(files, names, alone)
    queue = queue_of(range(len(files)))
    forked = None if queue is None else fork_with_pipe()
    if queue is None or forked is None:
        if queue is not None:
            os.close(queue)
        return _read_rest(files, names, alone)
    pid, incoming, out = forked
    if pid == 0:
        os.close(incoming)
        _child(files, names, queue, out)
    os.close(out)
    results: list[Read | None] = [None] * len(files)
    failed = True
    try:
        while (index := take(queue)) is not None:
            results[index] = _read_here(files[index], names[index])
        with open(incoming, "rb", closefd=False) as stream:
            data = stream.read()
        failed = False
    finally:
        os.close(queue)
        os.close(incoming)
        status = reap(pid, failed)
    if status in (0, None):  # None: reaped by the kernel; a message cut short is not read
        _receive(data, names, results)
    return _read_rest(files, names, results)


def _read_rest(
    files: Sequence[Path], names: Sequence[str], results: Sequence[Read | None]
) -> list[Read]:
    """``results`` with each file not read yet (``None``) read here."""
    return [
        _read_here(files[i], names[i]) if found is None else found
        for i, found in enumerate(results)
    ]


def _receive(data: bytes, names: Sequence[str], results: list[Read | None]) -> None:
    """Validate here what the child read (what it did not send stays ``None``)."""
    try:
        sent = marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return
    for blob in sent:
        try:
            index, value, keys, values = marshal.loads(blob)
            name = names[index]
        except (EOFError, ValueError, TypeError, IndexError):
            continue
        if results[index] is not None:
            continue
        try:
            results[index] = validated_document(
                value, SourceMap.from_pairs(name, keys, values), name
            )
        except SpecLoadError as exc:
            results[index] = exc


def _child(files: Sequence[Path], names: Sequence[str], queue: int, out: int) -> None:
    """The child's whole life: take files until the queue is empty, compose each, send what
    it read, exit (never returning into the caller's code, whatever happens)."""
    code = 1
    try:
        done: list[bytes] = []
        while (index := take(queue)) is not None:
            name = names[index]
            try:
                data, source = read_yaml(read_spec_text(files[index], name), name)
                done.append(marshal.dumps((index, data, *source.pairs())))
            except Exception:  # read there: its error, if any, is reported as without a split
                continue
        with open(out, "wb", closefd=False) as stream:
            stream.write(marshal.dumps(done))
        code = 0
    finally:
        os._exit(code)
