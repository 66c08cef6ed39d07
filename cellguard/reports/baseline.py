"""Baselines of ``cellguard check``: which failing findings a base already had.

A baseline comes either from a JSON report (``assess --format json`` / ``check -f json``,
schema_version 1) or from an assessment of the same specs at another git revision. Either way
it is reduced to :class:`Baseline`: the fingerprints of the base's FAIL findings (the only
status ``check`` compares), a short record of each for listing resolved findings, and the base
scores for score deltas. Matching is by fingerprint (rule, stack, logical target), never by
line number, so moving or reformatting YAML does not make a finding "new".
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Severity, Status
from cellguard.reports.json_report import SCHEMA_VERSION, SCORE_KEYS
from cellguard.rules.engine import Assessment


class BaselineError(Exception):
    """A baseline file that cannot be used (unreadable, not a cellguard report, wrong version)."""


@dataclass(frozen=True)
class BaseFinding:
    """What a baseline remembers of one failing finding."""

    fingerprint: str
    rule: str
    stack: str
    target: str
    severity: Severity
    title: str


@dataclass(frozen=True)
class Baseline:
    """The failing findings and scores of the base a ``check`` compares against.

    ``complete`` is False when the base report lists fewer FAILs than its summary counts (it
    was written with ``--min-severity``): the missing ones would look new.
    """

    source: str
    failing: tuple[BaseFinding, ...]
    scores: dict[str, Score]
    complete: bool = True

    @property
    def fingerprints(self) -> frozenset[str]:
        """Fingerprints of the base's FAIL findings."""
        return frozenset(f.fingerprint for f in self.failing)


@dataclass(frozen=True)
class Comparison:
    """The current FAIL findings split against a baseline, and what the base had that is gone."""

    new: tuple[Finding, ...]
    baselined: tuple[Finding, ...]
    resolved: tuple[BaseFinding, ...]

    @property
    def baselined_fingerprints(self) -> frozenset[str]:
        """For :attr:`cellguard.reports.formats.ReportContext.baselined`."""
        return frozenset(f.fingerprint for f in self.baselined)


def empty_baseline(source: str) -> Baseline:
    """A base without findings (a path that did not exist at the base revision)."""
    return Baseline(source, (), {})


def from_assessment(assessment: Assessment, source: str) -> Baseline:
    """The baseline of an assessment run here (e.g. of the specs at a git revision)."""
    failing = sorted(
        (
            BaseFinding(f.fingerprint, f.rule, f.stack, f.target, f.severity, f.title)
            for f in assessment.findings
            if f.status is Status.FAIL
        ),
        key=lambda b: b.fingerprint,
    )
    return Baseline(source, tuple(failing), dict(assessment.scores))


def compare(assessment: Assessment, baseline: Baseline) -> Comparison:
    """Split the current FAILs into new and baselined; list the base FAILs no longer failing."""
    known = baseline.fingerprints
    failing = [f for f in assessment.findings if f.status is Status.FAIL]
    still = {f.fingerprint for f in failing}
    return Comparison(
        new=tuple(f for f in failing if f.fingerprint not in known),
        baselined=tuple(f for f in failing if f.fingerprint in known),
        resolved=tuple(b for b in baseline.failing if b.fingerprint not in still),
    )


def _require(condition: bool, source: str, what: str) -> None:
    if not condition:
        raise BaselineError(f"{source}: {what}")


def _score(value: Any, details: Any) -> Score:
    tallies = details if isinstance(details, Mapping) else {}

    def count(key: str) -> int:
        item = tallies.get(key, 0)
        return item if isinstance(item, int) else 0

    number = float(value) if isinstance(value, int | float) else None
    return Score(number, count("passed"), count("failed"), count("unknown"), count("waived"))


def _base_finding(item: Any, source: str, index: int) -> BaseFinding | None:
    where = f"findings[{index}]"
    _require(isinstance(item, Mapping), source, f"{where} is not an object")
    status = item.get("status")
    fingerprint = item.get("fingerprint")
    _require(isinstance(status, str), source, f"{where} has no status")
    _require(
        isinstance(fingerprint, str) and bool(fingerprint), source, f"{where} has no fingerprint"
    )
    known = [s.value for s in Status]
    _require(
        status in known,
        source,
        f"{where} has an unknown status {status!r} (expected one of {', '.join(known)})",
    )
    if status != Status.FAIL.value:
        return None
    try:
        severity = Severity(item.get("severity"))
    except ValueError:
        expected = ", ".join(s.value for s in Severity)
        raise BaselineError(
            f"{source}: {where} has an unknown severity {item.get('severity')!r} "
            f"(expected one of {expected})"
        ) from None
    return BaseFinding(
        fingerprint=str(fingerprint),
        rule=str(item.get("rule", "")),
        stack=str(item.get("stack", "")),
        target=str(item.get("target", "")),
        severity=severity,
        title=str(item.get("title", "")),
    )


def parse_baseline(text: str, source: str) -> Baseline:
    """A baseline from the text of a cellguard JSON report; :class:`BaselineError` otherwise."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})") from None
    _require(isinstance(data, dict), source, "not a cellguard JSON report (no top-level object)")
    tool = data.get("tool")
    _require(
        isinstance(tool, dict) and tool.get("name") == "cellguard",
        source,
        "not a cellguard JSON report (tool.name is not 'cellguard')",
    )
    version = data.get("schema_version")
    _require(
        version == SCHEMA_VERSION,
        source,
        f"schema_version {version!r} is not supported (this cellguard reads {SCHEMA_VERSION})",
    )
    findings = data.get("findings")
    _require(isinstance(findings, list), source, "has no findings list")
    failing = [
        b for i, item in enumerate(findings) if (b := _base_finding(item, source, i)) is not None
    ]
    scores_in = data.get("scores")
    details = data.get("score_details")
    scores: dict[str, Score] = {}
    if isinstance(scores_in, dict):
        detail_map = details if isinstance(details, dict) else {}
        scores = {
            key: _score(scores_in.get(key), detail_map.get(key))
            for key in SCORE_KEYS
            if key in scores_in
        }
    summary = data.get("summary")
    counted = summary.get(Status.FAIL.value) if isinstance(summary, dict) else None
    complete = not isinstance(counted, int) or counted <= len(failing)
    unique = {b.fingerprint: b for b in failing}
    return Baseline(source, tuple(unique[k] for k in sorted(unique)), scores, complete)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline JSON report from ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BaselineError(f"{path}: cannot read it ({exc})") from None
    return parse_baseline(text, str(path))
