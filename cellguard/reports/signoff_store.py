"""The sign-off store: ``<root>/.cellguard/signoffs/*.json``, append-only.

Records are named ``<date>-<spec-hash-prefix>-<n>.json``; ``n`` (the record's ``sequence``)
is one more than the largest in the store, and the record names the digest of the last sealed
record as its predecessor. Appending holds an exclusive lock on the directory (``flock``, where
the platform has it), refuses a store whose chain is not intact (appending would bury the
damage under a valid-looking tip), writes the record to a temporary file and hard-links it to
its name, which fails rather than replace an existing file: records are never overwritten.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import from_json

from cellguard.models.quoting import clipped, quoted
from cellguard.reports.signoff import Draft, LegacyRecord, SignoffRecord, StoredRecord
from cellguard.reports.signoff_chain import Issue, audit, tip

STORE_DIR = Path(".cellguard") / "signoffs"
"""Where records live, relative to the store root."""

MAX_ATTEMPTS = 100
MAX_RECORD_BYTES = 8 * 1024 * 1024
"""A record is a few kilobytes; a larger file is not one (and is not read whole)."""


class SignoffError(Exception):
    """A record that cannot be read or written."""


class BrokenStoreError(SignoffError):
    """A store whose chain is not intact: nothing is appended to it."""

    def __init__(self, directory: Path, issues: list[Issue]) -> None:
        shown = "; ".join(str(i) for i in issues[:3])
        more = f" (and {len(issues) - 3} more)" if len(issues) > 3 else ""
        super().__init__(f"{directory}: the sign-off chain is not intact: {shown}{more}")
        self.issues = issues


def subject_of(path: Path, root: Path) -> str:
    """How records name ``path``: relative to the store root (POSIX), else absolute."""
    absolute = path.resolve()
    try:
        relative = absolute.relative_to(root.resolve())
    except ValueError:
        return absolute.as_posix()
    return relative.as_posix() or "."


def read_record(path: Path) -> StoredRecord:
    """One record file; :class:`SignoffError` naming the file and the first problem."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):  # a FIFO would block, a device never end
            raise SignoffError(f"{path}: not a readable sign-off record (not a regular file)")
        if status.st_size > MAX_RECORD_BYTES:
            raise SignoffError(
                f"{path}: not a readable sign-off record (larger than "
                f"{MAX_RECORD_BYTES // (1024 * 1024)} MiB)"
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise SignoffError(
            f"{path}: not a readable sign-off record ({exc.strerror or exc})"
        ) from None
    return parse_record(raw, path)


def parse_record(raw: bytes, path: Path) -> StoredRecord:
    """The record in ``raw`` (the contents of ``path``), old or sealed.

    ``canonical`` says whether ``raw`` is exactly the text cellguard writes for the record,
    line endings aside (git's ``autocrlf`` may check records out with CRLF); an intact record
    that is not canonical was reformatted, which ``verify`` notes without failing.
    """
    try:
        data = from_json(raw)
    except ValueError:
        data = None  # the model reports the JSON error with its line and column
    if isinstance(data, dict) and "schema_version" not in data:
        # SignoffRecord's default would read it as version 2, and the digest would still match.
        raise SignoffError(f"{path}: not a readable sign-off record (schema_version: missing)")
    old = isinstance(data, dict) and data.get("schema_version") == 1
    model = LegacyRecord if old else SignoffRecord
    try:
        record = model.model_validate_json(raw)
    except ValidationError as exc:
        raise SignoffError(
            f"{path}: not a readable sign-off record ({_first_problem(exc)})"
        ) from None
    written = json.loads(record.to_json())
    if isinstance(data, dict) and (gone := [k for k in written if k not in data]):
        # A field left out would take its default and the digest would still match (the fuzz
        # harness dropped `kind` and verify passed): every field cellguard writes must be there.
        raise SignoffError(f"{path}: not a readable sign-off record ({_field(gone[0])}: missing)")
    text = raw.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return StoredRecord(path, record, canonical=text == record.to_json())


class SignoffStore:
    """The records under ``<root>/.cellguard/signoffs``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.directory = root / STORE_DIR

    def records(self) -> list[StoredRecord]:
        """Every record, by sequence then file name; :class:`SignoffError` on an unreadable one."""
        self._check_places()
        if not self.directory.is_dir():
            return []
        found = [read_record(path) for path in sorted(self.directory.glob("*.json"))]
        return sorted(found, key=lambda s: (s.record.sequence, s.path.name))

    def _check_places(self) -> None:
        """A file where the store's directories should be is an error naming it."""
        for place in (self.directory.parent, self.directory):
            if place.exists() and not place.is_dir():
                raise SignoffError(
                    f"{place} is a file, not the sign-off store's directory: move it away "
                    "or point --store elsewhere"
                )

    def append(self, draft: Draft, sign: Callable[[str], str] | None = None) -> StoredRecord:
        """Seal ``draft`` as the next record of the chain and write it under a new name.

        ``sign`` (optional) signs the record's digest (see :mod:`.signoff_ssh`).
        """
        self._check_places()
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SignoffError(
                f"cannot create {self.directory}: {exc.strerror or exc} (is a part of that path "
                "a file? move it away or point --store elsewhere)"
            ) from None
        with _locked(self.directory):
            for _ in range(MAX_ATTEMPTS):
                existing = self.records()
                issues = audit(existing)
                if issues:
                    raise BrokenStoreError(self.directory, issues)
                sequence, previous = tip(existing)
                record = draft.seal(sequence=sequence, previous=previous, sign=sign)
                target = self.directory / record.file_name
                if _create_exclusive(target, record.to_json()):
                    return StoredRecord(target, record)
        raise SignoffError(f"could not find a free record name in {self.directory}")


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``directory`` (no lock where the platform has none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: the exclusive link still never overwrites
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _first_problem(exc: ValidationError) -> str:
    """The first error of a record that does not validate: ``field.path: what was expected``."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(_field(part) for part in error["loc"])
    more = exc.error_count() - 1
    tail = f" (and {more} more)" if more else ""
    return f"{where + ': ' if where else ''}{clipped(error['msg'])}{tail}"


def _field(part: str | int) -> str:
    """One part of a field path: a plain name as is, an empty, odd or long key quoted (bounded,
    control characters escaped), so that every problem names its field readably."""
    text = str(part)
    if isinstance(part, int) or (text.isidentifier() and len(text) <= 64):
        return text
    return quoted(text, escape=True)


def _create_exclusive(target: Path, text: str) -> bool:
    """Write ``text`` to a new file ``target`` atomically; False if ``target`` exists."""
    fd, name = tempfile.mkstemp(prefix=".signoff.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)  # mkstemp makes 0600; a record is a normal team file
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)  # fails if target exists: never overwrites
        except FileExistsError:
            return False
        except OSError:
            return _create_no_link(target, text)
        return True
    except OSError as exc:
        raise SignoffError(f"cannot write {target}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _create_no_link(target: Path, text: str) -> bool:
    """Fallback for file systems without hard links: O_EXCL creation."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    return True
