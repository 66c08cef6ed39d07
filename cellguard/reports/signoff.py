"""Architecture-review sign-offs: what a record binds, and the digest that seals it.

A record says who approved or rejected which spec, when, and under which rules: the sha256 of
the *normalised* spec (every loaded document dumped canonically -- defaults filled in, keys
sorted, file names and comments left out -- so reformatting or reordering YAML keys does not
change it), of the rule pack (each rule's metadata, sorted by id) and of the findings
(fingerprint, status and severity, sorted), plus the waivers in force with their expiry, the
reviewer, the decision, the comment, the assessment date and the time it was signed.

A record of ``schema_version`` 2 is *sealed*: ``digest`` is the sha256 of a canonical JSON
(sorted keys, no whitespace, UTF-8) of every other field except ``field_sha256``, which holds
the sha256 of each field's canonical JSON on its own so that an edit can be traced to the field
that was changed. Records are *chained*: ``previous`` is the digest of the record before it in
the store (``GENESIS`` for the first), see :mod:`cellguard.reports.signoff_chain`. Records of
``schema_version`` 1 (written before the chain) have neither and are read as
:class:`LegacyRecord`: they cannot be verified.

The chain has no key: it detects edits, inserted, removed, reordered and extra files and stale
approvals, not someone who rewrites the whole store and recomputes every digest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from cellguard.models.findings import Finding
from cellguard.models.json_text import dumps
from cellguard.models.loader.organisation import Organisation
from cellguard.rules.engine import Assessment
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.waivers import WaiverReport, WaiverState

HASH_PREFIX = 12
"""Hex digits of a digest shown in messages and file names."""

GENESIS = "0" * 64
"""What the first record of a chain names as its predecessor."""

MAX_SIGNATURE = 16 * 1024
"""An armoured SSH signature is a few hundred characters."""

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
"""A sha256 digest as 64 lower-case hex digits."""


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

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    stack: str
    rule: str
    target: str | None
    owner: str
    reason: str
    ticket: str | None
    expires: dt.date

    @property
    def label(self) -> str:
        """``waiver of RULE on STACK/TARGET by OWNER``."""
        return f"waiver of {self.rule} on {self.stack}/{self.target or '*'} by {self.owner}"


class _Body(BaseModel):
    """The fields every record has, in both schema versions."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    kind: Literal["cellguard-signoff"] = "cellguard-signoff"
    subject: str
    sequence: int = Field(ge=1)
    reviewer: str
    decision: Decision
    comment: str | None
    date: dt.date
    spec_sha256: Sha256
    rules_sha256: Sha256
    findings_sha256: Sha256
    stacks: list[str]
    scores: dict[str, float | None]
    waivers: list[RecordedWaiver]
    cellguard_version: str

    @property
    def file_name(self) -> str:
        """``<date>-<spec-hash-prefix>-<n>.json``."""
        return f"{self.date.isoformat()}-{self.spec_sha256[:HASH_PREFIX]}-{self.sequence}.json"

    @property
    def who(self) -> str:
        """``REVIEWER on DATE``."""
        return f"{self.reviewer} on {self.date.isoformat()}"

    def to_json(self) -> str:
        """The text cellguard writes: sorted keys, two-space indent, ASCII, trailing newline."""
        return (
            dumps(self.model_dump(mode="json", exclude=self._unwritten()), sort_keys=True, indent=2)
            + "\n"
        )

    def _unwritten(self) -> set[str]:
        """Optional fields left out of the file while unset."""
        return set()


class LegacyRecord(_Body):
    """A record of ``schema_version`` 1: no digest, no chain; it cannot be verified."""

    schema_version: Literal[1]


class SignoffRecord(_Body):
    """A sealed, chained record (``schema_version`` 2), as written to ``.cellguard/signoffs/``."""

    schema_version: Literal[2] = 2
    previous: Sha256
    signed_at: AwareDatetime
    field_sha256: dict[str, Sha256]
    digest: Sha256
    signature: Annotated[str, StringConstraints(max_length=MAX_SIGNATURE)] | None = None
    """An SSH signature of ``digest`` (:mod:`cellguard.reports.signoff_ssh`); not under the
    digest, which it signs."""

    def _unwritten(self) -> set[str]:
        return {"signature"} if self.signature is None else set()

    def signed(self) -> dict[str, Any]:
        """The fields under the digest, as canonical JSON values."""
        return self.model_dump(mode="json", exclude={"digest", "field_sha256", "signature"})

    def edited_fields(self) -> list[str]:
        """The fields that no longer match the record's digest; empty when it is intact.

        A changed field is found through its entry in ``field_sha256``; ``field_sha256.X`` when
        only that entry was changed (the digest still matches every field); ``digest`` when the
        digest matches no field's change (the digest itself, or a field together with its
        ``field_sha256`` entry, was changed).
        """
        signed = self.signed()
        actual = {name: _sha256(value) for name, value in signed.items()}
        if _sha256(signed) == self.digest:
            names = sorted(set(actual) | set(self.field_sha256))
            return [f"field_sha256.{n}" for n in names if self.field_sha256.get(n) != actual.get(n)]
        changed = [name for name in signed if self.field_sha256.get(name) != actual[name]]
        return changed or ["digest"]


StoredKind = SignoffRecord | LegacyRecord


@dataclass(frozen=True)
class StoredRecord:
    """A record and the file it was read from (or written to)."""

    path: Path
    record: StoredKind
    canonical: bool = True
    """Whether the file holds exactly the text cellguard writes for the record (see
    :func:`cellguard.reports.signoff_store.parse_record`)."""

    @property
    def label(self) -> str:
        """``record N (FILE)``: how messages name it."""
        return f"record {self.record.sequence} ({self.path.name})"


@dataclass(frozen=True)
class Draft:
    """A record before it takes its place in the chain: everything but sequence and predecessor."""

    body: dict[str, Any]

    def seal(
        self, *, sequence: int, previous: str, sign: Callable[[str], str] | None = None
    ) -> SignoffRecord:
        """The record as number ``sequence`` after the record whose digest is ``previous``.

        ``sign`` (optional) returns the signature of the record's digest.
        """
        fields = {**self.body, "sequence": sequence, "previous": previous}
        draft = SignoffRecord.model_validate({**fields, "field_sha256": {}, "digest": GENESIS})
        signed = draft.signed()
        digest = _sha256(signed)
        return SignoffRecord.model_validate(
            {
                **fields,
                "field_sha256": {name: _sha256(value) for name, value in signed.items()},
                "digest": digest,
                "signature": sign(digest) if sign is not None else None,
            }
        )


# -- digests ----------------------------------------------------------------------------------


def _sha256(value: object) -> str:
    """sha256 of ``value`` as canonical JSON: sorted keys, no whitespace, UTF-8."""
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


def waivers_in_force(reports: Iterable[WaiverReport]) -> list[RecordedWaiver]:
    """The waivers that had not expired on the assessment date, sorted."""
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
        for w in reports
        if w.state is not WaiverState.EXPIRED and not w.use.expired
    ]
    return sorted(kept, key=lambda w: (w.stack, w.rule, w.target or "", w.expires))


def make_record(
    assessment: Assessment,
    org: Organisation,
    *,
    subject: str,
    reviewer: str,
    decision: Decision,
    comment: str | None,
    version: str,
    signed_at: dt.datetime,
) -> Draft:
    """The record of a decision on ``org`` as assessed in ``assessment``, not yet chained."""
    return Draft(
        {
            "subject": subject,
            "reviewer": reviewer,
            "decision": decision.value,
            "comment": comment,
            "date": assessment.as_of.isoformat(),
            "signed_at": signed_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
            "spec_sha256": spec_digest(org),
            "rules_sha256": rules_digest(assessment.rules),
            "findings_sha256": findings_digest(assessment.findings),
            "stacks": sorted(assessment.stacks),
            "scores": {k: s.score for k, s in sorted(assessment.scores.items())},
            "waivers": [w.model_dump(mode="json") for w in waivers_in_force(assessment.waivers)],
            "cellguard_version": version,
        }
    )
