"""The verdict of ``cellguard verify``, also shown by every report that shows a sign-off.

A sign-off verifies when the whole chain of the store is intact (:func:`audit`), the last
record about the subject is sealed (not an old-format record), approves, and matches what can
be recomputed now: the sha256 of the normalised spec; and -- when the spec is unchanged -- the
findings and the waivers in force of a fresh assessment *as of the record's date* (so a waiver
that expired since does not count as a change of findings), and no waiver in force then has
expired by ``today``. A changed rule pack is a note: it fails only if the findings changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace

from cellguard.models.findings import Status
from cellguard.models.wording import plural
from cellguard.reports.context import SignoffBlock
from cellguard.reports.signoff import (
    HASH_PREFIX,
    Decision,
    LegacyRecord,
    RecordedWaiver,
    SignoffRecord,
    StoredRecord,
    findings_digest,
    rules_digest,
    spec_digest,
    waivers_in_force,
)
from cellguard.reports.signoff_chain import Issue, Problem, audit, legacy
from cellguard.rules.engine import Assessment
from cellguard.rules.waivers import apply_waivers


@dataclass(frozen=True)
class Current:
    """What a record is compared with: digests and waivers recomputed from the current inputs."""

    spec_sha256: str
    rules_sha256: str
    findings_sha256: str
    waivers: tuple[RecordedWaiver, ...]


def current_state(assessment: Assessment, as_of: dt.date) -> Current:
    """The spec, rules, findings and waivers in force of ``assessment``, judged as of ``as_of``.

    Waivers are applied again as of ``as_of`` (the record's date): a finding a waiver touched
    was a FAIL before waivers, so it is reset and waived anew; nothing else depends on the date.
    """
    assert assessment.graph is not None  # run_rules keeps the graph it assessed
    org = assessment.graph.org
    raw = [
        replace(f, status=Status.FAIL, waiver=None, note=None) if f.waiver is not None else f
        for f in assessment.findings
    ]
    findings, reports = apply_waivers(raw, org, as_of)
    return Current(
        spec_sha256=spec_digest(org),
        rules_sha256=rules_digest(assessment.rules),
        findings_sha256=findings_digest(findings),
        waivers=tuple(waivers_in_force(reports)),
    )


@dataclass(frozen=True)
class Verdict:
    """The outcome of ``verify``: ok, or the issues; and notes that do not fail it."""

    checked: StoredRecord | None
    issues: tuple[Issue, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Approved, intact, unchanged, no waiver expired."""
        return not self.issues

    def block(self) -> SignoffBlock | None:
        """The report's sign-off block: the checked record and whether it still verifies."""
        if self.checked is None:
            return None
        record = self.checked.record
        return SignoffBlock(
            reviewer=record.reviewer,
            decision=record.decision.value,
            date=record.date.isoformat(),
            spec_sha256=record.spec_sha256,
            findings_sha256=record.findings_sha256,
            comment=record.comment,
            record=self.checked.path.name,
            problems=tuple((i.problem.value, i.text) for i in self.issues),
        )


def latest(records: list[StoredRecord], subject: str) -> StoredRecord | None:
    """The last record about ``subject`` (the largest sequence)."""
    mine = [s for s in records if s.record.subject == subject]
    return mine[-1] if mine else None


def _short(digest: str) -> str:
    return digest[:HASH_PREFIX]


def _waiver_changes(record: SignoffRecord, now: tuple[RecordedWaiver, ...]) -> list[Issue]:
    recorded = set(record.waivers)
    on = record.date.isoformat()
    gone = [
        Issue(
            Problem.WAIVERS_CHANGED,
            f"the record lists a {w.label} expiring on {w.expires.isoformat()} "
            f"that the spec does not have in force on {on}",
        )
        for w in record.waivers
        if w not in now
    ]
    new = [
        Issue(
            Problem.WAIVERS_CHANGED,
            f"the spec has a {w.label} expiring on {w.expires.isoformat()} in force on {on} "
            "that the record does not list",
        )
        for w in now
        if w not in recorded
    ]
    return gone + new


def _against_current(
    record: SignoffRecord, current: Current, today: dt.date
) -> tuple[list[Issue], list[str]]:
    issues: list[Issue] = []
    notes: list[str] = []
    noun, who = record.decision.noun, record.who
    waivers: tuple[RecordedWaiver, ...] | list[RecordedWaiver] = record.waivers
    if record.spec_sha256 != current.spec_sha256:
        issues.append(
            Issue(
                Problem.SPEC_CHANGED,
                f"spec changed since the {noun} by {who} (recorded "
                f"{_short(record.spec_sha256)}, now {_short(current.spec_sha256)})",
            )
        )
    else:
        if record.findings_sha256 != current.findings_sha256:
            issues.append(
                Issue(
                    Problem.FINDINGS_CHANGED,
                    f"findings changed since the {noun} by {who} (recorded "
                    f"{_short(record.findings_sha256)}, now {_short(current.findings_sha256)} "
                    f"as of {record.date.isoformat()}); assess with the rules of the sign-off "
                    "(--rules, --select, --ignore, --no-plugins) or sign off again",
                )
            )
        issues.extend(_waiver_changes(record, current.waivers))
        waivers = current.waivers  # the spec's dates, not the record's copy of them
    issues.extend(
        Issue(Problem.WAIVER_EXPIRED, f"{w.label} expired on {w.expires.isoformat()}")
        for w in waivers
        if today > w.expires
    )
    if record.rules_sha256 != current.rules_sha256:
        notes.append("the rule pack changed since the sign-off (findings may differ)")
    return issues, notes


def judge(
    records: list[StoredRecord],
    *,
    subject: str,
    current: Callable[[dt.date], Current],
    today: dt.date,
    command: str = "cellguard signoff",
    signature: Callable[[SignoffRecord], str | None] | None = None,
) -> Verdict:
    """Whether the store's last record about ``subject`` approves it as it is now.

    ``records`` is the whole store (sorted by sequence): any edit or break in the chain fails
    every subject. ``current(date)`` recomputes the spec, rules, findings and waivers as of a
    date; ``command`` is how the message about an old-format record says to sign off again;
    ``signature`` (when signatures are required) says why the checked record's signature is
    not good, or None.
    """
    stored = latest(records, subject)
    issues = audit(records)
    notes: list[str] = []
    old = [s for s in legacy(records) if s is not stored]
    if old:
        notes.append(
            f"{plural(len(old), 'old-format record')} (schema_version 1) in the store "
            + (
                "is not sealed or chained and was"
                if len(old) == 1
                else "are not sealed or chained and were"
            )
            + " not checked"
        )
    notes.extend(
        f"{s.label} is not in the form cellguard writes (reformatted?); "
        "its fields still match its digest"
        for s in records
        if isinstance(s.record, SignoffRecord) and not s.record.edited_fields() and not s.canonical
    )
    if stored is None:
        issues.append(Issue(Problem.NO_RECORD, f"no sign-off recorded for {subject}"))
        return Verdict(None, tuple(issues), tuple(notes))
    record = stored.record
    if isinstance(record, LegacyRecord):
        issues.append(
            Issue(
                Problem.OLD_FORMAT,
                f"{stored.label} is in the old format (schema_version 1): it has no digest and "
                f"is not chained, so it cannot be verified; sign off again: {command} {subject} "
                "--reviewer NAME --decision approve|reject",
            )
        )
        return Verdict(stored, tuple(issues), tuple(notes))
    if signature is not None and (why := signature(record)) is not None:
        issues.append(Issue(Problem.SIGNATURE, f"{stored.label}: {why}"))
    if record.decision is Decision.REJECT:
        issues.append(Issue(Problem.REJECTED, f"the last decision was a rejection by {record.who}"))
    found, more = _against_current(record, current(record.date), today)
    issues.extend(found)
    notes.extend(more)
    order = list(Problem)
    return Verdict(
        stored, tuple(sorted(issues, key=lambda i: order.index(i.problem))), tuple(notes)
    )
