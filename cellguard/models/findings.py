"""The vocabulary of assessment results: pillars, severities, statuses and findings.

These are output models: rules produce :class:`Finding` objects, scoring reads them and every
report format renders them. Plain frozen dataclasses keep an organisation-sized run cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeAlias

Evidence: TypeAlias = (
    "str | int | float | bool | Sequence[Evidence] | Mapping[str, Evidence] | None"
)
"""A JSON value: what a finding shows as its evidence. Sequences and mappings are read-only
views so that a ``list[str]`` or ``dict[str, int]`` is evidence as it is; lists and tuples
are written as JSON arrays."""


class Pillar(StrEnum):
    """The resilience properties of the AWS Resilience Analysis Framework, plus OBS and SEC."""

    FAULT_ISOLATION = "fault_isolation"
    SUFFICIENT_CAPACITY = "sufficient_capacity"
    TIMELY_OUTPUT = "timely_output"
    CORRECT_OUTPUT = "correct_output"
    REDUNDANCY = "redundancy"
    OBSERVABILITY = "observability"
    SECURITY = "security"

    @property
    def code(self) -> str:
        """The pillar's segment of a rule id, e.g. ``FI``."""
        return PILLAR_CODES[self]

    @property
    def label(self) -> str:
        """Human-readable name, e.g. ``Fault isolation``."""
        return self.value.replace("_", " ").capitalize()


PILLAR_CODES: dict[Pillar, str] = {
    Pillar.FAULT_ISOLATION: "FI",
    Pillar.SUFFICIENT_CAPACITY: "CAP",
    Pillar.TIMELY_OUTPUT: "TIM",
    Pillar.CORRECT_OUTPUT: "COR",
    Pillar.REDUNDANCY: "RED",
    Pillar.OBSERVABILITY: "OBS",
    Pillar.SECURITY: "SEC",
}


class FailureCategory(StrEnum):
    """The failure category a rule guards against (Resilience Analysis Framework)."""

    SHARED_FATE = "SHARED_FATE"
    EXCESSIVE_LOAD = "EXCESSIVE_LOAD"
    EXCESSIVE_LATENCY = "EXCESSIVE_LATENCY"
    MISCONFIGURATION_AND_BUGS = "MISCONFIGURATION_AND_BUGS"
    SINGLE_POINT_OF_FAILURE = "SINGLE_POINT_OF_FAILURE"


class Severity(StrEnum):
    """Severity of a failing check, lowest first."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_RANK[self]

    def shifted(self, steps: int) -> Severity:
        """This severity moved ``steps`` levels up (positive) or down, within info..critical."""
        return _SEVERITY_ORDER[max(0, min(len(_SEVERITY_ORDER) - 1, self.rank + steps))]


_SEVERITY_ORDER = list(Severity)
_SEVERITY_RANK = {severity: rank for rank, severity in enumerate(_SEVERITY_ORDER)}


class Status(StrEnum):
    """The result of one rule on one target."""

    PASS = "PASS"
    FAIL = "FAIL"
    NOT_APPLICABLE = "NOT_APPLICABLE"
    UNKNOWN = "UNKNOWN"
    WAIVED = "WAIVED"
    ERROR = "ERROR"


class TargetKind(StrEnum):
    """What a finding is about."""

    STACK = "stack"
    COMPONENT = "component"
    JOURNEY = "journey"
    DEPENDENCY = "dependency"
    RULE = "rule"


@dataclass(frozen=True)
class Location:
    """Where in the user's files a finding points (1-based line and column)."""

    file: str
    line: int
    column: int


_PLAIN_LOCATION = not hasattr(Location, "__post_init__") and "__slots__" not in vars(Location)


def new_location(file: str, line: int, column: int) -> Location:
    """``Location(file, line, column)`` without the frozen dataclass's ``__setattr__`` per
    field (43,600 locations are looked up for the JSON report of 10,000 components). The same
    object, equal to the constructor's (tested)."""
    if not _PLAIN_LOCATION:
        return Location(file, line, column)
    location: Location = object.__new__(Location)
    state = location.__dict__
    state["file"] = file
    state["line"] = line
    state["column"] = column
    return location


@dataclass(frozen=True)
class WaiverUse:
    """A waiver that matched a finding: whether it applied or had expired."""

    stack: str
    rule: str
    target: str | None
    owner: str
    reason: str
    expires: str
    ticket: str | None
    expired: bool


@dataclass(frozen=True)
class Impact:
    """Why a failing check's severity was adjusted: the journeys it touches and their stakes."""

    journeys: tuple[str, ...]
    criticality: str | None
    revenue_per_hour: float
    penalty_per_incident: float
    shift: int
    reason: str


FIELD_ORDER = (
    "rule",
    "title",
    "pillar",
    "category",
    "status",
    "severity",
    "base_severity",
    "stack",
    "target",
    "target_kind",
    "message",
    "remediation",
    "location",
    "evidence",
    "impact",
    "waiver",
    "note",
)
""":class:`Finding`'s fields in declaration order, as the paths that make findings without its
constructor rely on (``rules/engine.py``, ``rules/transfer.py``): each compares
``fields(Finding)`` with this and uses the constructor when they differ."""


@dataclass(frozen=True)
class Finding:
    """One rule's result on one target, after business impact and waivers."""

    rule: str
    title: str
    pillar: Pillar
    category: FailureCategory
    status: Status
    severity: Severity
    base_severity: Severity
    stack: str
    target: str
    target_kind: TargetKind
    message: str
    remediation: str
    location: Location | None
    evidence: dict[str, Evidence] = field(default_factory=dict)
    impact: Impact | None = None
    waiver: WaiverUse | None = None
    note: str | None = None

    @property
    def fingerprint(self) -> str:
        """Stable identity: rule, stack and logical target; never line numbers."""
        return fingerprint(self.rule, self.stack, self.target)

    if not TYPE_CHECKING:  # to the type checker, ``location`` is the field it is

        def __getattr__(self, name: str) -> Any:
            """The ``location`` of a finding made with a :class:`Place` instead (see there),
            looked up now and kept; Python calls this only for what the instance lacks."""
            state = self.__dict__
            if name == "location" and "_place" in state:
                location = state["location"] = state.pop("_place").lookup()
                return location
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

        def __getstate__(self) -> dict[str, Any]:
            """The fields, the location looked up first (a copy or a pickle carries no
            :class:`Place`)."""
            self.location  # noqa: B018
            return self.__dict__


LocationLookup = Callable[[str, tuple[str | int, ...]], Location | None]
"""Where a key path of a document is in the user's files (``None``: no such document)."""


class Place:
    """A finding's location not looked up yet: the document and key path to look up, and the
    lookup. The rule engine makes each finding with one (in its ``__dict__`` as ``_place``,
    ``location`` absent) and the first read of ``location`` looks it up: most findings (PASS,
    NOT_APPLICABLE) are counted and never shown, and finding 118,000 keys in the files of
    10,000 components was a third of turning outcomes into findings."""

    __slots__ = ("document", "path", "where")

    def __init__(self, where: LocationLookup, document: str, path: tuple[str | int, ...]) -> None:
        self.where, self.document, self.path = where, document, path

    def lookup(self) -> Location | None:
        """The location."""
        return self.where(self.document, self.path)


def fingerprint(rule: str, stack: str, target: str) -> str:
    """The first 16 hex digits of sha256 over rule, stack and target."""
    digest = hashlib.sha256(f"{rule}\x1f{stack}\x1f{target}".encode()).hexdigest()
    return digest[:16]
