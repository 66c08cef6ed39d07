"""Waivers (DESIGN §3): accepted risks that turn a FAIL into WAIVED until they expire.

A waiver in a document applies to that document's findings whose rule matches the waiver's
rule id or glob and whose target is the waiver's target (a component or journey id; for a
dependency, its caller) -- or any target when the waiver names none. An expired waiver no
longer applies: the finding stays FAIL and says the waiver expired. A waiver that matches no
failing finding is reported as unused, so stale waivers get cleaned up.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from enum import StrEnum
from fnmatch import fnmatchcase

from cellguard.models.findings import Finding, Location, Status, TargetKind, WaiverUse
from cellguard.models.loader.organisation import Organisation
from cellguard.models.waivers import Waiver


class WaiverState(StrEnum):
    """What became of a waiver in this run."""

    ACTIVE = "active"
    EXPIRED = "expired"
    UNUSED = "unused"


@dataclass(frozen=True)
class WaiverReport:
    """A waiver, where it is written, and what it matched."""

    use: WaiverUse
    state: WaiverState
    matched: tuple[str, ...]
    location: Location


def _matches(waiver: Waiver, stack: str, finding: Finding) -> bool:
    if finding.stack != stack or not fnmatchcase(finding.rule, waiver.rule):
        return False
    if waiver.target is None:
        return True
    if finding.target == waiver.target:
        return True
    return finding.target_kind is TargetKind.DEPENDENCY and finding.target.startswith(
        f"{waiver.target}->"
    )


def _use(stack: str, waiver: Waiver, expired: bool) -> WaiverUse:
    return WaiverUse(
        stack=stack,
        rule=waiver.rule,
        target=waiver.target,
        owner=waiver.owner,
        reason=waiver.reason,
        expires=waiver.expires.isoformat(),
        ticket=waiver.ticket,
        expired=expired,
    )


def apply_waivers(
    findings: list[Finding], org: Organisation, today: dt.date
) -> tuple[list[Finding], list[WaiverReport]]:
    """Apply every document's waivers to ``findings`` (as of ``today``)."""
    result = list(findings)
    reports: list[WaiverReport] = []
    failing: dict[str, list[int]] | None = None  # FAILs by stack, in order: a waiver matches
    # its own document's only (each waiver scanned all 118,000 findings at 10,000 components)
    for loaded in org.documents:
        for index, waiver in enumerate(loaded.document.waivers):
            if failing is None:
                failing = {}
                for i, finding in enumerate(result):
                    if finding.status is Status.FAIL:
                        failing.setdefault(finding.stack, []).append(i)
            expired = today > waiver.expires
            use = _use(loaded.name, waiver, expired)
            matched: list[str] = []
            for i in failing.get(loaded.name, ()):
                finding = result[i]
                if finding.status is not Status.FAIL or finding.waiver is not None:
                    continue
                if not _matches(waiver, loaded.name, finding):
                    continue
                matched.append(finding.fingerprint)
                if expired:
                    note = f"waiver by {waiver.owner} expired on {waiver.expires.isoformat()}"
                    result[i] = replace(finding, waiver=use, note=note)
                else:
                    result[i] = replace(finding, status=Status.WAIVED, waiver=use)
            state = (
                WaiverState.UNUSED
                if not matched
                else WaiverState.EXPIRED
                if expired
                else WaiverState.ACTIVE
            )
            pos, _ = loaded.source.locate(("waivers", index), prefer_key=True)
            location = Location(loaded.file, pos.line, pos.column)
            reports.append(WaiverReport(use, state, tuple(sorted(matched)), location))
    return result, reports
