"""What a rule reports: one :class:`Outcome` per target it looked at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from cellguard.models.findings import Evidence, Status, TargetKind
from cellguard.models.loader.errors import KeyPath


@dataclass(frozen=True)
class Target:
    """A thing a rule judges, with the key path of its node in the declaring document.

    ``id`` is the component id, the journey id, ``caller->callee`` for a dependency, or the
    document name for a whole stack. ``path`` is where it is declared (``components[3]``).
    """

    kind: TargetKind
    stack: str
    id: str
    path: KeyPath = ()


@dataclass(frozen=True)
class Outcome:
    """A rule's verdict on one target.

    ``field`` is the key path, relative to the target's node, of the value that decided it;
    reports point at that line. ``evidence`` holds the values and numbers looked at.
    """

    status: Status
    target: Target
    message: str
    evidence: Mapping[str, Evidence] = field(default_factory=dict)
    field: KeyPath = ()


def passed(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """A PASS outcome."""
    return Outcome(Status.PASS, target, message, evidence, field)


def failed(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """A FAIL outcome."""
    return Outcome(Status.FAIL, target, message, evidence, field)


def unknown(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """An UNKNOWN outcome: the spec lacks the data to decide (never a FAIL)."""
    return Outcome(Status.UNKNOWN, target, message, evidence, field)


def not_applicable(target: Target, message: str, field: KeyPath = ()) -> Outcome:
    """A NOT_APPLICABLE outcome: the check does not concern this target."""
    return Outcome(Status.NOT_APPLICABLE, target, message, {}, field)


def verdict(
    ok: bool | None,
    target: Target,
    *,
    passing: str,
    failing: str,
    missing: str,
    field: KeyPath = (),
    **evidence: Evidence,
) -> Outcome:
    """PASS when ``ok`` is true, FAIL when false, UNKNOWN when ``None``."""
    if ok is None:
        return unknown(target, missing, field, **evidence)
    return (passed if ok else failed)(target, passing if ok else failing, field, **evidence)
