"""Architecture-review sign-offs: the record, its digests, the store, and the verdict of ``verify``.

A record says who approved or rejected which spec, when, and under which rules: the sha256 of
the *normalised* spec (every loaded document dumped canonically -- defaults filled in, keys
sorted, file names and comments left out -- so reformatting or reordering YAML keys does not
change it), of the rule pack (each rule's metadata, sorted by id) and of the findings
(fingerprint, status and severity, sorted), plus the waivers in force with their expiry.

Records live in ``<root>/.cellguard/signoffs/`` as ``<date>-<spec-hash-prefix>-<n>.json``;
``n`` is one more than the largest sequence number in the store, so the last record is the
one with the largest ``sequence``. A record is written to a temporary file and hard-linked to
its name, which fails rather than replace an existing file: records are never overwritten.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from cellguard.models.findings import Finding
from cellguard.models.loader.organisation import Organisation
from cellguard.reports.formats import SignoffBlock
from cellguard.rules.engine import Assessment
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.waivers import WaiverState

STORE_DIR = Path(".cellguard") / "signoffs"
"""Where records live, relative to the store root."""

HASH_PREFIX = 12
MAX_ATTEMPTS = 1000


class SignoffError(Exception):
    """A record that cannot be read or written."""


class Decision(StrEnum):
    """A reviewer's decision."""

    APPROVE = "approve"
    REJECT = "reject"

    @property
    def noun(self) -> str:
        """``approval`` or ``rejection``."""
        return "approval" if self is Decision.APPROVE else "rejection"


class RecordedWaiver(BaseModel):
    """A waiver in force when the record was made."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stack: str
    rule: str
    target: str | None
    owner: str
    reason: str
    ticket: str | None
    expires: dt.date


class SignoffRecord(BaseModel):
    """One sign-off, as written to ``.cellguard/signoffs/``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: Literal[1] = 1
    kind: Literal["cellguard-signoff"] = "cellguard-signoff"
    subject: str
    sequence: int
    reviewer: str
    decision: Decision
    comment: str | None
    date: dt.date
    spec_sha256: str
    rules_sha256: str
    findings_sha256: str
    stacks: list[str]
    scores: dict[str, float | None]
    waivers: list[RecordedWaiver]
    cellguard_version: str

    @property
    def file_name(self) -> str:
        """``<date>-<spec-hash-prefix>-<n>.json``."""
        return f"{self.date.isoformat()}-{self.spec_sha256[:HASH_PREFIX]}-{self.sequence}.json"

    def to_json(self) -> str:
        """Canonical JSON text (sorted keys, two-space indent, trailing newline)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, indent=2) + "\n"

    def block(self) -> SignoffBlock:
        """The HTML report's sign-off block."""
        return SignoffBlock(
            reviewer=self.reviewer,
            decision=self.decision.value,
            date=self.date.isoformat(),
            spec_sha256=self.spec_sha256,
            findings_sha256=self.findings_sha256,
            comment=self.comment,
        )


# -- digests ----------------------------------------------------------------------------------


def _sha256(value: object) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def spec_digest(org: Organisation) -> str:
    """sha256 of the loaded documents dumped canonically (see the module docstring)."""
    documents = sorted(
        (d.document.model_dump(mode="json", by_alias=True) for d in org.documents),
        key=lambda doc: (str(doc["kind"]) if "kind" in doc else "", str(doc["metadata"]["name"])),
    )
    return _sha256(documents)


def rules_digest(rules: Iterable[RuleMeta]) -> str:
    """sha256 of the rule pack: every rule's metadata, sorted by id."""
    return _sha256(sorted((m.model_dump(mode="json") for m in rules), key=lambda m: str(m["id"])))


def findings_digest(findings: Iterable[Finding]) -> str:
    """sha256 of the findings: fingerprint, status and severity of each, sorted."""
    lines = sorted(f"{f.fingerprint} {f.status.value} {f.severity.value}" for f in findings)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def waivers_in_force(assessment: Assessment) -> list[RecordedWaiver]:
    """The spec's waivers that had not expired on the assessment date, sorted."""
    kept = [
        RecordedWaiver(
            stack=w.use.stack,
            rule=w.use.rule,
            target=w.use.target,
            owner=w.use.owner,
            reason=w.use.reason,
            ticket=w.use.ticket,
            expires=dt.date.fromisoformat(w.use.expires),
        )
        for w in assessment.waivers
        if w.state is not WaiverState.EXPIRED and not w.use.expired
    ]
    return sorted(kept, key=lambda w: (w.stack, w.rule, w.target or "", w.expires))


# -- the store --------------------------------------------------------------------------------


def subject_of(path: Path, root: Path) -> str:
    """How records name ``path``: relative to the store root (POSIX), else absolute."""
    absolute = path.resolve()
    try:
        relative = absolute.relative_to(root.resolve())
    except ValueError:
        return absolute.as_posix()
    return relative.as_posix() or "."


@dataclass(frozen=True)
class StoredRecord:
    """A record and the file it was read from."""

    path: Path
    record: SignoffRecord


class SignoffStore:
    """The records under ``<root>/.cellguard/signoffs``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.directory = root / STORE_DIR

    def records(self) -> list[StoredRecord]:
        """Every record, oldest first (by sequence, then file name)."""
        for place in (self.directory.parent, self.directory):
            if place.exists() and not place.is_dir():
                raise SignoffError(
                    f"{place} is a file, not the sign-off store's directory: move it away "
                    "or point --store elsewhere"
                )
        if not self.directory.is_dir():
            return []
        found: list[StoredRecord] = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                record = SignoffRecord.model_validate_json(path.read_bytes())
            except OSError as exc:
                raise SignoffError(
                    f"{path}: not a readable sign-off record ({exc.strerror or exc})"
                ) from None
            except ValidationError as exc:
                raise SignoffError(
                    f"{path}: not a readable sign-off record ({_first_problem(exc)})"
                ) from None
            found.append(StoredRecord(path, record))
        return sorted(found, key=lambda s: (s.record.sequence, s.path.name))

    def latest(self, subject: str) -> StoredRecord | None:
        """The last record about ``subject``."""
        mine = [s for s in self.records() if s.record.subject == subject]
        return mine[-1] if mine else None

    def next_sequence(self) -> int:
        """One more than the largest sequence number in the store."""
        return max((s.record.sequence for s in self.records()), default=0) + 1

    def write(self, record: SignoffRecord) -> Path:
        """Write ``record`` under a new name; bump the sequence while a name is taken."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SignoffError(
                f"cannot create {self.directory}: {exc.strerror or exc} (is a part of that path "
                "a file? move it away or point --store elsewhere)"
            ) from None
        current = record
        for _ in range(MAX_ATTEMPTS):
            target = self.directory / current.file_name
            if _create_exclusive(target, current.to_json()):
                return target
            current = current.model_copy(update={"sequence": current.sequence + 1})
        raise SignoffError(f"could not find a free record name in {self.directory}")


def _first_problem(exc: ValidationError) -> str:
    """The first error of a record that does not validate: ``field.path: what was expected``."""
    error = exc.errors(include_url=False)[0]
    where = ".".join(str(part) for part in error["loc"])
    more = exc.error_count() - 1
    tail = f" (and {more} more)" if more else ""
    return f"{where + ': ' if where else ''}{error['msg']}{tail}"


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


# -- verify -----------------------------------------------------------------------------------


class Problem(StrEnum):
    """Why ``verify`` fails."""

    NO_RECORD = "no record"
    REJECTED = "rejected"
    SPEC_CHANGED = "spec changed"
    WAIVER_EXPIRED = "waiver expired"


@dataclass(frozen=True)
class Verdict:
    """The outcome of ``verify``: ok, or the problems with their explanations."""

    checked: StoredRecord | None
    problems: tuple[tuple[Problem, str], ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Approved, unchanged, no waiver expired."""
        return not self.problems


def judge(
    stored: StoredRecord | None,
    *,
    subject: str,
    spec_sha256: str,
    rules_sha256: str,
    today: dt.date,
) -> Verdict:
    """Whether the last record approves the current spec with every waiver still in force."""
    if stored is None:
        return Verdict(None, ((Problem.NO_RECORD, f"no sign-off recorded for {subject}"),))
    record = stored.record
    problems: list[tuple[Problem, str]] = []
    who = f"{record.reviewer} on {record.date.isoformat()}"
    if record.decision is Decision.REJECT:
        problems.append((Problem.REJECTED, f"the last decision was a rejection by {who}"))
    if record.spec_sha256 != spec_sha256:
        problems.append(
            (
                Problem.SPEC_CHANGED,
                f"spec changed since the {record.decision.noun} by {who} "
                f"(recorded {record.spec_sha256[:HASH_PREFIX]}, now {spec_sha256[:HASH_PREFIX]})",
            )
        )
    problems.extend(
        (
            Problem.WAIVER_EXPIRED,
            f"waiver of {w.rule} on {w.stack}/{w.target or '*'} by {w.owner} "
            f"expired on {w.expires.isoformat()}",
        )
        for w in record.waivers
        if today > w.expires
    )
    notes = (
        ("the rule pack changed since the sign-off (findings may differ)",)
        if record.rules_sha256 != rules_sha256
        else ()
    )
    return Verdict(stored, tuple(problems), notes)


def latest_signoff(path: Path, root: Path) -> SignoffBlock | None:
    """The sign-off block of the last record about ``path`` in the store at ``root``."""
    stored = SignoffStore(root).latest(subject_of(path, root))
    return stored.record.block() if stored is not None else None


def make_record(
    assessment: Assessment,
    org: Organisation,
    *,
    subject: str,
    sequence: int,
    reviewer: str,
    decision: Decision,
    comment: str | None,
    version: str,
) -> SignoffRecord:
    """The record of a decision on ``org`` as assessed in ``assessment``."""
    return SignoffRecord(
        subject=subject,
        sequence=sequence,
        reviewer=reviewer,
        decision=decision,
        comment=comment,
        date=assessment.as_of,
        spec_sha256=spec_digest(org),
        rules_sha256=rules_digest(assessment.rules),
        findings_sha256=findings_digest(assessment.findings),
        stacks=sorted(assessment.stacks),
        scores={k: s.score for k, s in sorted(assessment.scores.items())},
        waivers=waivers_in_force(assessment),
        cellguard_version=version,
    )
