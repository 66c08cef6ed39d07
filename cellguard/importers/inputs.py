"""The inputs of an import: files, directories and standard input, read within bounds.

A file must be a regular file (a FIFO would block, a device never end) of at most
:data:`MAX_INPUT_BYTES`; all inputs together at most :data:`MAX_TOTAL_BYTES` and
:data:`MAX_FILES` files. Directories are walked in name order, hidden entries skipped.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cellguard.models.loader.errors import Diagnostic, SpecLoadError
from cellguard.models.loader.source import decode

MAX_INPUT_BYTES = 10 * 1024 * 1024
"""Largest manifest file (or standard input) read: the spec loader's limit."""

MAX_TOTAL_BYTES = 64 * 1024 * 1024
"""Most bytes read over all inputs of one command."""

MAX_FILES = 5_000
"""Most files read from the directories given."""

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "<stdin>"


@dataclass
class Input:
    """One input read: its name as messages show it, and its text."""

    name: str
    text: str


class Budget:
    """Counts the bytes, files and documents read against the limits."""

    def __init__(self) -> None:
        self.bytes = 0
        self.files = 0
        self.documents = 0


def _read_stream(stream: BinaryIO, name: str, budget: Budget) -> Input:
    raw = stream.read(MAX_INPUT_BYTES + 1)
    budget.bytes += len(raw)
    return Input(name, decode(raw, name, max_bytes=MAX_INPUT_BYTES))


def _read_file(path: Path, name: str, budget: Budget) -> Input:
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise SpecLoadError.at(
                name, 1, 1, "not a regular file", code="io", suggestion="give a manifest file"
            )
        if status.st_size > MAX_INPUT_BYTES:
            raise SpecLoadError.at(
                name,
                1,
                1,
                f"file is {status.st_size:,} bytes; the limit is {MAX_INPUT_BYTES:,} bytes",
                code="file-too-large",
                suggestion="split the manifests into several files",
            )
        budget.files += 1
        if budget.bytes + status.st_size > MAX_TOTAL_BYTES or budget.files > MAX_FILES:
            raise SpecLoadError.at(
                name,
                1,
                1,
                f"the inputs exceed {MAX_TOTAL_BYTES:,} bytes or {MAX_FILES:,} files",
                code="input-too-large",
                suggestion="import the stack's own manifests, not a whole cluster dump",
            )
        with path.open("rb") as handle:
            return _read_stream(handle, name, budget)
    except OSError as exc:
        raise SpecLoadError.at(
            name, 1, 1, f"cannot read file: {exc.strerror or type(exc).__name__}", code="io"
        ) from None


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(path)


def _directory_files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.endswith(MANIFEST_SUFFIXES) and not name.startswith("."):
                found.append(Path(root) / name)
                if len(found) > MAX_FILES:
                    raise SpecLoadError.at(
                        _display(directory),
                        1,
                        1,
                        f"more than {MAX_FILES:,} manifest files",
                        code="input-too-large",
                        suggestion="import the stack's own manifests, not a whole repository",
                    )
    return found


def read_inputs(
    paths: list[str], diagnostics: list[Diagnostic], stdin: BinaryIO | None = None
) -> list[Input]:
    """The text of every input: ``-`` is standard input, a directory its manifest files."""
    budget = Budget()
    inputs: list[Input] = []
    used_stdin = False
    for given in paths:
        try:
            if given == "-":
                if used_stdin:
                    continue
                used_stdin = True
                stream = stdin if stdin is not None else sys.stdin.buffer
                inputs.append(_read_stream(stream, STDIN, budget))
                continue
            path = Path(given)
            if path.is_dir():
                files = _directory_files(path)
                if not files:
                    raise SpecLoadError.at(
                        _display(path), 1, 1, "no *.yaml, *.yml or *.json files found", code="io"
                    )
                inputs.extend(_read_file(f, _display(f), budget) for f in files)
            elif os.path.lexists(path):
                inputs.append(_read_file(path, _display(path), budget))
            else:
                raise SpecLoadError.at(_display(path), 1, 1, "no such file or directory", code="io")
        except SpecLoadError as exc:
            diagnostics.extend(exc.diagnostics)
    return inputs
