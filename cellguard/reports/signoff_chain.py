"""The sign-off chain: every record sealed, named as cellguard names it, linked to the one before.

:func:`audit` walks every record of a store in sequence order and reports, naming the record
and its file:

- a record whose fields no longer match its digest (``record edited``, naming the field);
- a file whose name is not the one cellguard gives that record (an extra or renamed file, such
  as ``zz-forged.json``), two records with one sequence number, a gap in the sequence (a
  removed record, or an inserted one with a made-up number), a record that does not name its
  predecessor's digest (removed, inserted, reordered or replaced records), a first record that
  does not name ``GENESIS`` (``chain broken``);
- an old-format record (``schema_version`` 1) after the first sealed one (``chain broken``).

Old-format records before the first sealed record are the store's history from before the
chain: they are not digested or chained, so they are listed in a note and never verify.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cellguard.reports.signoff import (
    GENESIS,
    HASH_PREFIX,
    LegacyRecord,
    SignoffRecord,
    StoredRecord,
)


class Problem(StrEnum):
    """Why a sign-off does not verify, in the order they are reported."""

    RECORD_EDITED = "record edited"
    CHAIN_BROKEN = "chain broken"
    SIGNATURE = "signature"
    OLD_FORMAT = "old format"
    NO_RECORD = "no record"
    REJECTED = "rejected"
    SPEC_CHANGED = "spec changed"
    FINDINGS_CHANGED = "findings changed"
    WAIVERS_CHANGED = "waivers changed"
    WAIVER_EXPIRED = "waiver expired"


@dataclass(frozen=True)
class Issue:
    """One reason a sign-off does not verify."""

    problem: Problem
    text: str

    def __str__(self) -> str:
        return f"{self.problem.value}: {self.text}"


def _short(digest: str) -> str:
    return digest[:HASH_PREFIX]


def edits(stored: StoredRecord) -> list[Issue]:
    """The fields of a sealed record that no longer match its digest (none for old records)."""
    record = stored.record
    if not isinstance(record, SignoffRecord):
        return []
    issues = []
    for name in record.edited_fields():
        text = (
            f"{stored.label}: its digest does not match its fields (the digest was edited, "
            "or a field together with its field_sha256 entry)"
            if name == "digest"
            else f"{stored.label}: field '{name}' does not match the record's digest"
        )
        issues.append(Issue(Problem.RECORD_EDITED, text))
    return issues


def _missing(first: int, last: int) -> str:
    return f"record {first} is" if first == last else f"records {first}-{last} are"


def _links(sealed: list[StoredRecord], start: int) -> list[Issue]:
    """Sequence numbers and predecessor digests along the sealed records (sorted)."""
    issues: list[Issue] = []
    before: StoredRecord | None = None
    for stored in sealed:
        record = stored.record
        assert isinstance(record, SignoffRecord)
        if before is None:
            if record.sequence != start:
                issues.append(
                    Issue(
                        Problem.CHAIN_BROKEN,
                        f"{_missing(start, record.sequence - 1)} missing (removed?): "
                        f"the chain starts at {stored.label}",
                    )
                )
            if record.previous != GENESIS:
                issues.append(
                    Issue(
                        Problem.CHAIN_BROKEN,
                        f"{stored.label} names predecessor {_short(record.previous)}, but it is "
                        f"the first record of the chain (which names {_short(GENESIS)}); records "
                        "before it were removed?",
                    )
                )
            before = stored
            continue
        earlier = before.record
        assert isinstance(earlier, SignoffRecord)
        if record.sequence == earlier.sequence:
            issues.append(
                Issue(
                    Problem.CHAIN_BROKEN,
                    f"{stored.label}: a second record with sequence {record.sequence} "
                    f"(the first is {before.path.name}); an inserted or copied file?",
                )
            )
            continue
        if record.sequence != earlier.sequence + 1:
            issues.append(
                Issue(
                    Problem.CHAIN_BROKEN,
                    f"{stored.label} follows {before.label}: "
                    f"{_missing(earlier.sequence + 1, record.sequence - 1)} missing (removed?), "
                    "or it was inserted",
                )
            )
        if record.previous != earlier.digest:
            issues.append(
                Issue(
                    Problem.CHAIN_BROKEN,
                    f"{stored.label} names predecessor {_short(record.previous)}, but "
                    f"{before.label} has digest {_short(earlier.digest)}; a record was removed, "
                    "inserted, reordered or replaced",
                )
            )
        before = stored
    return issues


def legacy(records: Iterable[StoredRecord]) -> list[StoredRecord]:
    """The old-format records."""
    return [s for s in records if isinstance(s.record, LegacyRecord)]


def audit(records: list[StoredRecord]) -> list[Issue]:
    """Every edited record and break in the chain of ``records`` (sorted by sequence)."""
    sealed = [s for s in records if isinstance(s.record, SignoffRecord)]
    issues = [issue for stored in sealed for issue in edits(stored)]
    for stored in sealed:
        if stored.path.name != stored.record.file_name:
            issues.append(
                Issue(
                    Problem.CHAIN_BROKEN,
                    f"{stored.label}: the file name does not match the record (cellguard "
                    f"writes it as {stored.record.file_name}); an extra or renamed file?",
                )
            )
    old = legacy(records)
    if sealed:
        first = sealed[0].record.sequence
        issues.extend(
            Issue(
                Problem.CHAIN_BROKEN,
                f"{s.label}: an old-format record (schema_version 1) after the chain began "
                f"(at record {first}); an inserted file?",
            )
            for s in old
            if s.record.sequence >= first
        )
        start = 1 + max((s.record.sequence for s in old if s.record.sequence < first), default=0)
        issues.extend(_links(sealed, start))
    return issues


def tip(records: list[StoredRecord]) -> tuple[int, str]:
    """The next sequence number and the digest the next record names as its predecessor."""
    sealed = [s.record for s in records if isinstance(s.record, SignoffRecord)]
    sequence = 1 + max((s.record.sequence for s in records), default=0)
    return sequence, sealed[-1].digest if sealed else GENESIS
