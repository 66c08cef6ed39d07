"""The figures ``cellguard diff`` compares beside findings: capacity, latency and evidence.

* **Capacity**: each model endpoint or embedding model (matched by stack and id) with its
  demand, supply, utilisation at peak and after losing a zone, replicas and replicas needed.
* **Latency**: each journey's p99 budgets for time to first token and end to end, against its
  objectives, with the slack.
* **Evidence**: a finding whose status did not change (still failing, still unknown, still
  waived) can still have moved: a fleet whose supply rose from 3,502 to 5,253 tokens/s fails
  CG-CAP-011 on both sides. Its evidence is flattened to dotted keys
  (``throughput_basis.concurrency``) and compared key by key; a list is one value.

Only rows and findings where something moved are kept (a side missing counts as moved).
Numbers are equal when they agree to nine significant digits (the same inputs give the same
figures, so this only absorbs float noise). Every list is sorted.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from cellguard.assessments.capacity import CapacityRow
from cellguard.assessments.latency import LatencyRow
from cellguard.models.findings import Evidence, Finding, Severity, Status
from cellguard.rules.engine import Assessment

STILL = (Status.FAIL, Status.UNKNOWN, Status.WAIVED)
"""Statuses whose findings are compared for evidence when both sides have them."""


def same(old: object, new: object) -> bool:
    """Equal, numbers to nine significant digits (``True`` and ``1`` differ)."""
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if isinstance(old, (int, float)) and isinstance(new, (int, float)):
        if (
            isinstance(old, float)
            and isinstance(new, float)
            and math.isnan(old)
            and math.isnan(new)
        ):
            return True
        return math.isclose(old, new, rel_tol=1e-9, abs_tol=1e-12)
    return old == new


@dataclass(frozen=True)
class CapacityFigures:
    """One fleet's capacity on one side (``None`` where the data is missing)."""

    unit: str
    demand: float | None
    supply: float | None
    utilisation: float | None
    utilisation_after_zone_loss: float | None
    replicas: int | None
    replicas_needed: int | None

    @classmethod
    def of(cls, row: CapacityRow) -> CapacityFigures:
        """Take the figures of a capacity row."""
        return cls(
            row.unit,
            row.demand,
            row.supply,
            row.utilisation,
            row.utilisation_after_zone_loss,
            row.replicas,
            row.replicas_needed,
        )


@dataclass(frozen=True)
class LatencyFigures:
    """One journey's p99 latency budget on one side, milliseconds."""

    ttft_budget_ms: float | None
    ttft_objective_ms: int | None
    ttft_slack_ms: float | None
    e2e_budget_ms: float | None
    e2e_objective_ms: int | None
    e2e_slack_ms: float | None

    @classmethod
    def of(cls, row: LatencyRow) -> LatencyFigures:
        """Take the figures of a latency row."""
        return cls(
            row.ttft_budget_ms,
            row.ttft_objective_ms,
            row.ttft_slack_ms,
            row.e2e_budget_ms,
            row.e2e_objective_ms,
            row.e2e_slack_ms,
        )


def _moved(old: object | None, new: object | None) -> bool:
    if old is None or new is None:
        return old is not new
    return any(not same(getattr(old, f.name), getattr(new, f.name)) for f in fields(old))  # type: ignore[arg-type]


@dataclass(frozen=True)
class CapacityDelta:
    """A fleet whose capacity moved (``None`` on the side that does not have it)."""

    stack: str
    id: str
    old: CapacityFigures | None
    new: CapacityFigures | None

    @property
    def unit(self) -> str:
        """The unit of demand and supply (the new side's when both have one)."""
        side = self.new or self.old
        assert side is not None
        return side.unit


@dataclass(frozen=True)
class LatencyDelta:
    """A journey whose latency budget or objective moved."""

    stack: str
    journey: str
    old: LatencyFigures | None
    new: LatencyFigures | None


@dataclass(frozen=True)
class EvidenceChange:
    """One evidence key whose value moved (``None``: absent on that side)."""

    key: str
    old: Evidence
    new: Evidence


@dataclass(frozen=True)
class EvidenceDelta:
    """A finding with the same status on both sides whose evidence moved."""

    fingerprint: str
    rule: str
    stack: str
    target: str
    title: str
    status: Status
    old_severity: Severity
    new_severity: Severity
    changes: tuple[EvidenceChange, ...]

    @property
    def sort_key(self) -> tuple[int, int, str, str, str]:
        """Failing first, worst first, then rule, stack and target."""
        return (
            STILL.index(self.status),
            -max(self.old_severity.rank, self.new_severity.rank),
            self.rule,
            self.stack,
            self.target,
        )


def flatten(evidence: Mapping[str, Evidence], prefix: str = "") -> dict[str, Evidence]:
    """Nested mappings as dotted keys; sequences and scalars are leaves."""
    out: dict[str, Evidence] = {}
    for key, value in evidence.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, path + "."))
        else:
            out[path] = value
    return out


def _same_value(old: Evidence, new: Evidence) -> bool:
    seqs = (Sequence, Mapping)
    if isinstance(old, seqs) and not isinstance(old, str):
        if not isinstance(new, seqs) or isinstance(new, str) or len(old) != len(new):
            return False
        if isinstance(old, Mapping) and isinstance(new, Mapping):
            return old.keys() == new.keys() and all(_same_value(old[k], new[k]) for k in old)
        if isinstance(old, Mapping) or isinstance(new, Mapping):
            return False
        return all(_same_value(a, b) for a, b in zip(old, new, strict=True))
    return same(old, new)


def evidence_changes(
    old: Mapping[str, Evidence], new: Mapping[str, Evidence]
) -> tuple[EvidenceChange, ...]:
    """The keys of ``old`` and ``new`` (flattened) whose values differ, sorted."""
    before, after = flatten(old), flatten(new)
    return tuple(
        EvidenceChange(key, before.get(key), after.get(key))
        for key in sorted(before.keys() | after.keys())
        if key not in before or key not in after or not _same_value(before[key], after[key])
    )


def evidence_deltas(old: Assessment, new: Assessment) -> tuple[EvidenceDelta, ...]:
    """Findings with the same status (FAIL, UNKNOWN or WAIVED) on both sides whose evidence moved."""
    before: dict[str, Finding] = {f.fingerprint: f for f in old.findings if f.status in STILL}
    out: list[EvidenceDelta] = []
    for f in new.findings:
        was = before.get(f.fingerprint)
        if was is None or was.status is not f.status:
            continue
        changes = evidence_changes(was.evidence, f.evidence)
        if changes:
            out.append(
                EvidenceDelta(
                    f.fingerprint,
                    f.rule,
                    f.stack,
                    f.target,
                    f.title,
                    f.status,
                    was.severity,
                    f.severity,
                    changes,
                )
            )
    return tuple(sorted(out, key=lambda d: d.sort_key))


def capacity_deltas(old: Assessment, new: Assessment) -> tuple[CapacityDelta, ...]:
    """Fleets whose capacity figures moved, by stack and id."""
    before = {(r.stack, r.id): CapacityFigures.of(r) for r in _rows(old, "capacity")}
    after = {(r.stack, r.id): CapacityFigures.of(r) for r in _rows(new, "capacity")}
    return tuple(
        CapacityDelta(s, i, before.get((s, i)), after.get((s, i)))
        for s, i in sorted(before.keys() | after.keys())
        if _moved(before.get((s, i)), after.get((s, i)))
    )


def latency_deltas(old: Assessment, new: Assessment) -> tuple[LatencyDelta, ...]:
    """Journeys whose latency budget or objective moved, by stack and journey."""
    before = {(r.stack, r.journey): LatencyFigures.of(r) for r in _rows(old, "latency")}
    after = {(r.stack, r.journey): LatencyFigures.of(r) for r in _rows(new, "latency")}
    return tuple(
        LatencyDelta(s, j, before.get((s, j)), after.get((s, j)))
        for s, j in sorted(before.keys() | after.keys())
        if _moved(before.get((s, j)), after.get((s, j)))
    )


def _rows(assessment: Assessment, name: str) -> tuple[Any, ...]:
    figs = assessment.figures
    return () if figs is None else tuple(getattr(figs, name))


# -- JSON -------------------------------------------------------------------------------------


def _sig(value: float | int | None, digits: int = 6) -> float | int | None:
    if value is None or isinstance(value, int) or not math.isfinite(value) or value == 0:
        return value
    return float(f"{value:.{digits}g}")


def _side_json(side: CapacityFigures | LatencyFigures | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        f.name: (v if isinstance(v := getattr(side, f.name), str) else _sig(v))
        for f in fields(side)
    }


def figures_json(
    capacity: Sequence[CapacityDelta],
    latency: Sequence[LatencyDelta],
    evidence: Sequence[EvidenceDelta],
) -> dict[str, Any]:
    """The ``capacity``, ``latency`` and ``evidence_changes`` sections of the diff document."""
    return {
        "capacity": [
            {"stack": c.stack, "id": c.id, "old": _side_json(c.old), "new": _side_json(c.new)}
            for c in capacity
        ],
        "latency": [
            {
                "stack": j.stack,
                "journey": j.journey,
                "old": _side_json(j.old),
                "new": _side_json(j.new),
            }
            for j in latency
        ],
        "evidence_changes": [
            {
                "fingerprint": d.fingerprint,
                "rule": d.rule,
                "stack": d.stack,
                "target": d.target,
                "title": d.title,
                "status": d.status.value,
                "old_severity": d.old_severity.value,
                "new_severity": d.new_severity.value,
                "changes": [{"key": c.key, "old": c.old, "new": c.new} for c in d.changes],
            }
            for d in evidence
        ],
    }
