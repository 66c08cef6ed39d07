"""Load one spec file: bytes -> YAML data with positions -> a validated Stack or Platform."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from cellguard.models.base import API_VERSION
from cellguard.models.enums import DocumentKind
from cellguard.models.loader.errors import Diagnostic, SpecLoadError, one_of, suggest
from cellguard.models.loader.source import (
    MAX_FILE_BYTES,
    SourceMap,
    decode,
    read_yaml,
    too_large,
)
from cellguard.models.loader.validation_errors import diagnostics_from
from cellguard.models.quoting import clipped, quoted
from cellguard.models.stack import DOCUMENT_ADAPTER, Document, Platform, Stack

_STARTER = "start from `cellguard init`, or see the spec reference in the README"


@dataclass(frozen=True)
class LoadedDocument:
    """A validated document with the file it came from and the positions of its keys."""

    file: str
    document: Stack | Platform
    source: SourceMap

    @property
    def name(self) -> str:
        """The document's ``metadata.name``."""
        return self.document.metadata.name


def _shown(value: Any) -> str:
    """A top-level value for a message: as ``repr`` writes it, bounded (a long string is cut, a
    mapping or list is named, not printed)."""
    if isinstance(value, str):
        return quoted(value, escape=True)
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return clipped(repr(value))


def _precheck(data: Any, source: SourceMap) -> None:
    """Clear messages for the mistakes that would otherwise produce a wall of errors."""
    if data is None:
        raise SpecLoadError(
            [
                source.diagnostic(
                    (),
                    "the file is empty",
                    code="empty-file",
                    expected="a cellguard document: apiVersion, kind, metadata, topology, ...",
                    suggestion=_STARTER,
                )
            ]
        )
    if not isinstance(data, dict):
        shape = "a list" if isinstance(data, list) else f"a single value ({_shown(data)})"
        raise SpecLoadError(
            [
                source.diagnostic(
                    (),
                    f"the document is {shape}, not a mapping",
                    code="not-a-mapping",
                    expected="a mapping with apiVersion, kind, metadata, topology, components",
                    suggestion=_STARTER,
                )
            ]
        )
    problems: list[Diagnostic] = []
    version = data.get("apiVersion")
    if "apiVersion" not in data:
        near = suggest("apiVersion", [k for k in data if isinstance(k, str)])
        problems.append(
            source.diagnostic(
                (),
                "missing required key 'apiVersion'",
                code="missing-key",
                expected=f"apiVersion: {API_VERSION}",
                suggestion=f"did you mean 'apiVersion' instead of '{near}'?" if near else None,
            )
        )
    elif version != API_VERSION:
        problems.append(
            source.diagnostic(
                ("apiVersion",),
                f"unsupported apiVersion {_shown(version)}",
                code="api-version",
                expected=f"apiVersion: {API_VERSION} (the only version this cellguard reads)",
                suggestion="upgrade cellguard if the file was written for a newer version",
            )
        )
    kinds = [k.value for k in DocumentKind]
    kind = data.get("kind")
    if "kind" not in data:
        problems.append(
            source.diagnostic(
                (), "missing required key 'kind'", code="missing-key", expected=one_of(kinds)
            )
        )
    elif kind not in kinds:
        near = suggest(str(kind), kinds)
        problems.append(
            source.diagnostic(
                ("kind",),
                f"unknown document kind {_shown(kind)}",
                code="unknown-kind",
                expected=one_of(kinds),
                suggestion=f"did you mean '{near}'?" if near else None,
            )
        )
    if problems:
        raise SpecLoadError(problems)


def parse_document(text: str, file: str) -> LoadedDocument:
    """Parse and validate the text of one spec file (no cross-reference checks)."""
    data, source = read_yaml(text, file)
    return validated_document(data, source, file)


def validated_document(data: Any, source: SourceMap, file: str) -> LoadedDocument:
    """Validate the data :func:`read_yaml` read from ``file`` (no cross-reference checks)."""
    _precheck(data, source)
    try:
        document: Stack | Platform = DOCUMENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise SpecLoadError(diagnostics_from(exc, Document, data, source)) from None
    return LoadedDocument(file=file, document=document, source=source)


_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def read_spec_bytes(path: Path, name: str) -> bytes:
    """The bytes of a spec file: a regular file of at most :data:`MAX_FILE_BYTES`.

    The file is opened without blocking and checked on the open descriptor: a FIFO would block
    the open or the read, a device (``/dev/zero``) never ends. Anything else is a located
    :class:`SpecLoadError` (exit code 2), as is every OS error.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SpecLoadError.at(name, 1, 1, f"cannot read file: {reason}", code="io") from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked before fdopen, which refuses a directory (OSError)
        os.close(fd)
        kind = _KINDS.get(stat.S_IFMT(mode), "a special file")
        raise SpecLoadError.at(
            name,
            1,
            1,
            f"not a regular file ({kind})",
            code="io",
            suggestion="give a spec file, or a directory of them",
        )
    with os.fdopen(fd, "rb") as handle:
        size = os.fstat(fd).st_size
        if size > MAX_FILE_BYTES:
            raise too_large(name, size)
        try:
            return handle.read(MAX_FILE_BYTES + 1)  # decode() refuses a file that grew past it
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise SpecLoadError.at(name, 1, 1, f"cannot read file: {reason}", code="io") from None


def read_spec_text(path: Path, name: str) -> str:
    """The text of a spec file (:func:`read_spec_bytes`, decoded), or a located
    :class:`SpecLoadError`."""
    return decode(read_spec_bytes(path, name), name)


def read_document(path: Path, display: str | None = None) -> LoadedDocument:
    """Read, parse and validate one spec file (no cross-reference checks)."""
    name = display or str(path)
    return parse_document(read_spec_text(path, name), name)
