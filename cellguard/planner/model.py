"""What a plan is made of: edits to the spec, changes tied to findings, manual steps.

Plain frozen dataclasses, like the findings they refer to. Values in :class:`Edit` are kept
as plain JSON-ready data (what the spec file will say), so a plan renders and compares
without the models.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Evidence, Finding

PathSegment: TypeAlias = str
"""A field name, or the id (``to`` for dependencies, ``name`` for regions) of a list element."""

KeyPath: TypeAlias = tuple[PathSegment, ...]


class EditOp(StrEnum):
    """How an edit changes the value at its path."""

    SET = "set"
    """Replace the value (``before`` is the old value, possibly ``None``)."""
    ADD = "add"
    """Append ``after`` to the list at the path (a new component, region, cell, ...)."""


@dataclass(frozen=True)
class Edit:
    """One value set in one document of the spec."""

    stack: str
    path: KeyPath
    op: EditOp
    before: Evidence
    after: Evidence

    @property
    def dotted(self) -> str:
        """The path as the spec reads: ``components[llm].serving.instance_types``."""
        return dotted(self.path)


def dotted(path: Sequence[str]) -> str:
    """Render a key path; list elements (selected by id) in brackets."""
    out = ""
    for i, seg in enumerate(path):
        if i > 0 and path[i - 1] in _LISTS:
            out += f"[{seg}]"
        else:
            out += ("." if out else "") + seg
    return out


_LISTS = frozenset(
    {"components", "journeys", "depends_on", "regions", "cells", "shared_domains", "sources"}
)
"""Fields holding lists whose elements a path selects by id (``to``/``name``)."""


@dataclass(frozen=True)
class FindingRef:
    """The finding a change or manual step answers: rule, stack, target and fingerprint."""

    rule: str
    stack: str
    target: str
    fingerprint: str
    title: str

    @classmethod
    def of(cls, finding: Finding) -> FindingRef:
        """The reference of ``finding``."""
        return cls(finding.rule, finding.stack, finding.target, finding.fingerprint, finding.title)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        """Findings sort by rule id, stack, target."""
        return (self.rule, self.stack, self.target)


@dataclass(frozen=True)
class Cost:
    """A monthly cost in US dollars: what is priced, and what is not (``planner/costing.py``)."""

    usd: float = 0.0
    estimate: bool = False
    """Whether any rate behind ``usd`` is an estimate."""
    lines: tuple[str, ...] = ()
    """How each priced amount was computed, with its rate."""
    unknown: tuple[str, ...] = ()
    """Components whose cost changes but that the catalog has no price for."""
    usage: tuple[str, ...] = ()
    """Usage-priced components (managed models) the change adds or moves, with their rates."""


@dataclass(frozen=True)
class Change:
    """An edit of the spec made by one action for one finding."""

    action: str
    stack: str
    target: str
    description: str
    edits: tuple[Edit, ...]
    finding: FindingRef
    resolves: tuple[FindingRef, ...] = ()
    """Findings FAIL before the plan and not FAIL on the target, filled in when verified."""
    cost: Cost | None = None
    """What the change adds to (or saves from) the monthly bill, filled in with the plan."""
    needs: tuple[str, ...] = ()
    """Teams other than the finding's stack owner that own what the change edits."""
    loss_avoided: float | None = None
    """Expected loss per month the change takes off the plan so far (plan order), in the
    journeys' currency; ``None`` when not computed."""


@dataclass(frozen=True)
class ManualStep:
    """Something a finding needs that the spec cannot express: done by people, listed."""

    action: str
    stack: str
    target: str
    description: str
    finding: FindingRef


ActionResult: TypeAlias = Change | ManualStep


@dataclass(frozen=True)
class Unresolved:
    """A finding still failing on the target, with the reason."""

    finding: FindingRef
    reason: str


@dataclass(frozen=True)
class JourneyFigures:
    """One journey's availability figures before and after the plan."""

    stack: str
    journey: str
    objective: float | None
    availability_before: float
    availability_after: float
    nines_before: float
    nines_after: float
    downtime_hours_before: float
    downtime_hours_after: float
    loss_before: float
    loss_after: float


@dataclass(frozen=True)
class Plan:
    """The remediation plan: changes, manual steps, what stays unresolved, before and after."""

    changes: tuple[Change, ...]
    manual_steps: tuple[ManualStep, ...]
    unresolved: tuple[Unresolved, ...]
    side_effects: tuple[FindingRef, ...]
    """Failing findings resolved by changes made for other findings."""
    new_failures: tuple[FindingRef, ...]
    """Findings that FAIL on the target but not before (none, unless a change has a cost)."""
    scores_before: Mapping[str, Score]
    scores_after: Mapping[str, Score]
    journeys: tuple[JourneyFigures, ...]
    rounds: int
    failing_before: int
    failing_after: int
    sources: Mapping[str, str] = field(default_factory=dict)
    """Each document's name -> the file it was loaded from."""
    targets: Mapping[str, str] = field(default_factory=dict)
    """Each document's name -> the target spec as canonical YAML."""
    cost: Cost | None = None
    """The monthly cost of the whole plan (of the changes kept)."""
    budget: float | None = None
    """The ceiling ``plan --budget`` set (USD per month), if any."""
    over_budget: tuple[Change, ...] = ()
    """Changes left out because they would have taken the plan past the budget."""
    currency: str = "USD"
    """The currency of the journeys' loss figures (the first document's)."""
    not_generated: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    """Each stack's components ``cellguard blueprint`` would not create from the target:
    ``(component id, why)`` (:mod:`cellguard.blueprints.coverage`; ``*`` for the whole stack)."""

    @property
    def loss_avoided_per_month(self) -> float:
        """Expected loss the plan avoids per month (the journeys' loss per year, before minus
        after, over 12), in :attr:`currency`."""
        return sum(j.loss_before - j.loss_after for j in self.journeys) / 12

    @property
    def empty(self) -> bool:
        """Nothing to change (manual steps may still be listed)."""
        return not self.changes

    @property
    def resolved(self) -> tuple[FindingRef, ...]:
        """Every finding the plan resolves (by its own change or as a side effect), sorted."""
        found = {r.fingerprint: r for c in self.changes for r in c.resolves}
        found.update((r.fingerprint, r) for r in self.side_effects)
        return tuple(sorted(found.values(), key=lambda r: r.sort_key))
