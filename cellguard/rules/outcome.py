"""What a rule reports: one :class:`Outcome` per target it looked at."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields

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


_new = object.__new__

FAST_OUTCOMES = (
    tuple(f.name for f in fields(Outcome)) == ("status", "target", "message", "evidence", "field")
    and not hasattr(Outcome, "__post_init__")
    and "__slots__" not in vars(Outcome)
)
"""Whether :func:`_outcome` may fill an outcome's ``__dict__`` directly (checked here, so a
change to :class:`Outcome` falls back to its constructor)."""


def _outcome(
    status: Status, target: Target, message: str, evidence: Mapping[str, Evidence], field: KeyPath
) -> Outcome:
    """``Outcome(status, target, message, evidence, field)`` without the frozen dataclass's
    ``object.__setattr__`` per field: two thirds of the time of the 118,000 outcomes of 10,000
    components. The same object, equal to the constructor's (tested)."""
    if not FAST_OUTCOMES:
        return Outcome(status, target, message, evidence, field)
    outcome = _new(Outcome)
    state = outcome.__dict__
    state["status"] = status
    state["target"] = target
    state["message"] = message
    state["evidence"] = evidence
    state["field"] = field
    return outcome


def passed(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """A PASS outcome."""
    return _outcome(Status.PASS, target, message, evidence, field)


def failed(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """A FAIL outcome."""
    return _outcome(Status.FAIL, target, message, evidence, field)


def unknown(target: Target, message: str, field: KeyPath = (), **evidence: Evidence) -> Outcome:
    """An UNKNOWN outcome: the spec lacks the data to decide (never a FAIL)."""
    return _outcome(Status.UNKNOWN, target, message, evidence, field)


def not_applicable(target: Target, message: str, field: KeyPath = ()) -> Outcome:
    """A NOT_APPLICABLE outcome: the check does not concern this target."""
    return _outcome(Status.NOT_APPLICABLE, target, message, {}, field)


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
