"""Baselines of ``cellguard check``: which failing findings a base already had.

A baseline comes either from a JSON report (``assess --format json`` / ``check -f json``,
schema_version 1) or from an assessment of the same specs at another git revision. Either way
it is reduced to :class:`Baseline`: the fingerprints of the base's FAIL findings (the only
status ``check`` compares), a short record of each for listing resolved findings, and the base
scores for score deltas. Matching is by fingerprint (rule, stack, logical target), never by
line number, so moving or reformatting YAML does not make a finding "new".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Severity, Status
from cellguard.reports.json_input import JsonInputError, parse_json, read_bounded, shown
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


MAX_COUNT = 1_000_000_000
"""Largest tally read from a baseline's summary or score details."""


def _require(condition: bool, source: str, what: str) -> None:
    if not condition:
        raise BaselineError(f"{source}: {what}")


def _is_int(value: Any) -> bool:
    """An integer and not a boolean (``true`` is an ``int`` in Python)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any, source: str, where: str) -> int:
    _require(
        _is_int(value) and 0 <= value <= MAX_COUNT,
        source,
        f"{where} is {shown(value)}, expected a count (an integer from 0 to {MAX_COUNT:,})",
    )
    return int(value)


def _percentage(value: Any, source: str, where: str) -> float | None:
    """A score or share from 0 to 100, or ``None`` (JSON null)."""
    number_ok = value is None or (
        isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 100
    )
    _require(
        number_ok,
        source,
        f"{where} is {shown(value)}, expected a score (a number from 0 to 100, or null)",
    )
    return None if value is None else float(value)


def _score(value: Any, details: Any, source: str, key: str) -> Score:
    """One score; ``upper`` and ``assurance`` are absent from reports written before they
    existed (read as ``None``), like any tally (read as 0)."""
    number = _percentage(value, source, f"scores.{key}")
    if details is None:
        details = {}
    _require(
        isinstance(details, dict),
        source,
        f"score_details.{key} is {shown(details)}, expected an object",
    )

    def count(tally: str) -> int:
        if tally not in details:
            return 0
        return _count(details[tally], source, f"score_details.{key}.{tally}")

    def share(name: str) -> float | None:
        return _percentage(details.get(name), source, f"score_details.{key}.{name}")

    return Score(
        number,
        count("passed"),
        count("failed"),
        count("unknown"),
        count("waived"),
        upper=share("upper"),
        assurance=share("assurance"),
    )


def _text(item: dict[str, Any], key: str, source: str, where: str) -> str:
    value = item.get(key, "")
    _require(isinstance(value, str), source, f"{where}.{key} is {shown(value)}, expected a string")
    return str(value)


def _base_finding(item: Any, source: str, index: int) -> BaseFinding | None:
    where = f"findings[{index}]"
    _require(isinstance(item, dict), source, f"{where} is not an object")
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
        f"{where} has an unknown status {shown(status)} (expected one of {', '.join(known)})",
    )
    if status != Status.FAIL.value:
        return None
    severities = [s.value for s in Severity]
    severity = item.get("severity")
    if severity not in severities:
        raise BaselineError(
            f"{source}: {where} has an unknown severity {shown(severity)} "
            f"(expected one of {', '.join(severities)})"
        )
    return BaseFinding(
        fingerprint=str(fingerprint),
        rule=_text(item, "rule", source, where),
        stack=_text(item, "stack", source, where),
        target=_text(item, "target", source, where),
        severity=Severity(severity),
        title=_text(item, "title", source, where),
    )


def _scores(data: dict[str, Any], source: str) -> dict[str, Score]:
    scores_in = data.get("scores")
    details = data.get("score_details")
    if scores_in is None:
        return {}
    _require(
        isinstance(scores_in, dict), source, f"scores is {shown(scores_in)}, expected an object"
    )
    if details is None:
        details = {}
    _require(
        isinstance(details, dict), source, f"score_details is {shown(details)}, expected an object"
    )
    return {
        key: _score(scores_in[key], details.get(key), source, key)
        for key in SCORE_KEYS
        if key in scores_in
    }


def parse_baseline(text: str, source: str) -> Baseline:
    """A baseline from the text of a cellguard JSON report; :class:`BaselineError` otherwise.

    Every value used is checked for its type (strictly: ``true`` is not the number 1) and
    range; size, depth and numbers of the whole document are bounded by
    :func:`cellguard.reports.json_input.parse_json`.
    """
    try:
        data = parse_json(text, source)
    except JsonInputError as exc:
        raise BaselineError(str(exc)) from None
    _require(isinstance(data, dict), source, "not a cellguard JSON report (no top-level object)")
    tool = data.get("tool")
    _require(
        isinstance(tool, dict) and tool.get("name") == "cellguard",
        source,
        "not a cellguard JSON report (tool.name is not 'cellguard')",
    )
    version = data.get("schema_version")
    _require(
        _is_int(version) and version == SCHEMA_VERSION,
        source,
        f"schema_version {shown(version)} is not supported (this cellguard reads {SCHEMA_VERSION})",
    )
    findings = data.get("findings")
    _require(isinstance(findings, list), source, "has no findings list")
    failing = [
        b for i, item in enumerate(findings) if (b := _base_finding(item, source, i)) is not None
    ]
    scores = _scores(data, source)
    summary = data.get("summary")
    _require(
        summary is None or isinstance(summary, dict),
        source,
        f"summary is {shown(summary)}, expected an object",
    )
    counted = None
    if isinstance(summary, dict) and Status.FAIL.value in summary:
        counted = _count(summary[Status.FAIL.value], source, f"summary.{Status.FAIL.value}")
    complete = counted is None or counted <= len(failing)
    unique = {b.fingerprint: b for b in failing}
    return Baseline(source, tuple(unique[k] for k in sorted(unique)), scores, complete)


def load_baseline(path: Path) -> Baseline:
    """Read a baseline JSON report from ``path`` (at most
    :data:`~cellguard.reports.json_input.MAX_JSON_BYTES`)."""
    try:
        text = read_bounded(path)
    except JsonInputError as exc:
        raise BaselineError(str(exc)) from None
    return parse_baseline(text, str(path))
