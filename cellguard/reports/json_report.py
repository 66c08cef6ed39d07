"""The JSON contract of ``assess --format json`` (DESIGN §7), ``schema_version`` 1.

Stable: fields may be added, none renamed or removed. Keys are written sorted and the
output is byte-identical for the same input and date. ``journeys`` (exact availability),
``blast_radius``, ``capacity`` and ``latency`` hold the quantitative tables. Strings are exact;
control, bidi and zero-width characters in them are written as ``\\uXXXX`` escapes
(:func:`cellguard.models.text.json_safe`), never raw.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from cellguard import __version__
from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.assessments.figures import Figures
from cellguard.assessments.risks import risk_rows
from cellguard.assessments.scoring import Score
from cellguard.models.findings import (
    Finding,
    Impact,
    Location,
    Pillar,
    Severity,
    Status,
    WaiverUse,
)
from cellguard.models.json_text import dumps
from cellguard.models.text import json_safe
from cellguard.rules.engine import Assessment
from cellguard.rules.parallel import split_lines
from cellguard.rules.waivers import WaiverReport

SCHEMA_VERSION = 1
REPORTED = (Status.FAIL, Status.WAIVED, Status.UNKNOWN, Status.ERROR)
"""Statuses listed under ``findings`` by default (PASS and NOT_APPLICABLE are counted only)."""

SCORE_KEYS = ("overall", *(p.value for p in Pillar))


def score_dict(scores: dict[str, Score]) -> dict[str, Any]:
    """``{"overall": 87.5, "fault_isolation": ..., ...}``; ``None`` where nothing was scored."""
    return {key: scores[key].score for key in SCORE_KEYS}


def _tallies(scores: dict[str, Score]) -> dict[str, Any]:
    """``score_details``: the tallies, the upper score and the assurance of each score."""
    return {
        key: {
            "passed": s.passed,
            "failed": s.failed,
            "unknown": s.unknown,
            "waived": s.waived,
            "coverage": s.coverage,
            "upper": s.upper,
            "assurance": s.assurance,
        }
        for key, s in ((k, scores[k]) for k in SCORE_KEYS)
    }


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding in the contract's shape, plus ``impact``, ``waiver`` and ``note``."""
    return {
        "rule": finding.rule,
        "title": finding.title,
        "pillar": finding.pillar.value,
        "category": finding.category.value,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "base_severity": finding.base_severity.value,
        "stack": finding.stack,
        "target": finding.target,
        "target_kind": finding.target_kind.value,
        "message": finding.message,
        "evidence": finding.evidence,
        "remediation": finding.remediation,
        "fingerprint": finding.fingerprint,
        "location": _location_dict(finding.location),
        "impact": _impact_dict(finding.impact),
        "waiver": _waiver_use_dict(finding.waiver),
        "note": finding.note,
    }


def _location_dict(location: Location | None) -> dict[str, Any] | None:
    if location is None:
        return None
    return {"file": location.file, "line": location.line, "column": location.column}


def _impact_dict(impact: Impact | None) -> dict[str, Any] | None:
    if impact is None:
        return None
    return {
        "journeys": list(impact.journeys),
        "criticality": impact.criticality,
        "revenue_per_hour": impact.revenue_per_hour,
        "penalty_per_incident": impact.penalty_per_incident,
        "severity_shift": impact.shift,
        "reason": impact.reason,
    }


def _waiver_use_dict(waiver: WaiverUse | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "owner": waiver.owner,
        "reason": waiver.reason,
        "expires": waiver.expires,
        "ticket": waiver.ticket,
        "expired": waiver.expired,
    }


def _waiver_dict(report: WaiverReport) -> dict[str, Any]:
    use = report.use
    return {
        "stack": use.stack,
        "rule": use.rule,
        "target": use.target,
        "owner": use.owner,
        "reason": use.reason,
        "ticket": use.ticket,
        "expires": use.expires,
        "state": report.state.value,
        "matched": list(report.matched),
        "location": {
            "file": report.location.file,
            "line": report.location.line,
            "column": report.location.column,
        },
    }


def visible(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    statuses: tuple[Status, ...] = REPORTED,
) -> list[Finding]:
    """The findings a report lists: by status, and FAILs at or above ``min_severity``."""
    if min_severity is None:  # no floor: the status decides (118,000 findings at 10,000)
        wanted = frozenset(statuses)
        return [f for f in assessment.findings if f.status in wanted]
    floor = min_severity.rank
    return [
        f
        for f in assessment.findings
        if f.status in statuses and (f.status is not Status.FAIL or f.severity.rank >= floor)
    ]


def _journey_json(journey: JourneyAvailability, figs: Figures) -> dict[str, Any]:
    """A journey's exact figures and the priors behind them (:mod:`.provenance`)."""
    prov = figs.provenance_of(journey)
    return {**journey.to_json(), **(prov.to_json() if prov is not None else {})}


def to_json_data(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    include_passed: bool = False,
) -> dict[str, Any]:
    """The whole report as plain data."""
    return _report_data(assessment, min_severity, include_passed, finding_dict)


def _report_data(
    assessment: Assessment,
    min_severity: Severity | None,
    include_passed: bool,
    finding: Callable[[Finding], Any],
) -> dict[str, Any]:
    """:func:`to_json_data`, each finding as ``finding`` gives it."""
    statuses = tuple(Status) if include_passed else REPORTED
    counts = {s.value: 0 for s in Status}
    for (_, _, status, _), count in assessment.tally().items():
        counts[status.value] += count
    stack_scores = assessment.stack_scores()
    figs = assessment.figures
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cellguard", "version": __version__},
        "as_of": assessment.as_of.isoformat(),
        "scores": score_dict(assessment.scores),
        "score_details": _tallies(assessment.scores),
        "stacks": [
            {"name": name, "scores": score_dict(stack_scores[name])} for name in assessment.stacks
        ],
        "rules": [m.id for m in assessment.rules],
        "summary": counts,
        "journeys": [_journey_json(j, figs) for j in figs.journeys] if figs else [],
        "blast_radius": [b.to_json() for b in figs.blast_radius] if figs else [],
        "capacity": [c.to_json() for c in figs.capacity] if figs else [],
        "latency": [lat.to_json() for lat in figs.latency] if figs else [],
        "findings": [
            finding(f) for f in visible(assessment, min_severity=min_severity, statuses=statuses)
        ],
        "waivers": [_waiver_dict(w) for w in assessment.waivers],
        "risks": [r.to_json() for r in risk_rows(assessment.graph)] if assessment.graph else [],
    }


def render_json(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    include_passed: bool = False,
) -> str:
    """The report as JSON text: sorted keys, one top-level key and one list item per line.

    One finding per line diffs well in pull requests, and it lets the C encoder do the work
    (``json`` falls back to pure Python whenever ``indent`` is set).
    """
    data = _report_data(assessment, min_severity, include_passed, lambda f: f)
    return _made_safe(dump_lines(data, {"findings": _FindingLines().raw}))


def _made_safe(text: str) -> str:
    """``json_safe(text)`` for JSON text whose finding lines were written without it
    (:meth:`_FindingLines.raw`): one pass over the report instead of one per line (0.2 s for
    the 43,600 lines of 10,000 components). JSON text holds no raw C0 control character (the
    encoder escapes them in strings, and there are none between tokens but line breaks and
    spaces), so ASCII text without DEL has nothing unsafe: that is checked without copying the
    text, the rest left to :func:`json_safe`."""
    if text.isascii() and "\x7f" not in text:
        return text
    return json_safe(text)


_OPTIONS: dict[str, Any] = {"sort_keys": True, "ensure_ascii": False, "separators": (", ", ": ")}
_ENCODER = json.JSONEncoder(allow_nan=False, **_OPTIONS)
"""What :func:`~cellguard.models.json_text.dumps` makes for each line, made once (a report of
10,000 components has 45,000 lines)."""


def _compact(value: Any, at: str = "") -> str:
    try:
        text = _ENCODER.encode(value)
    except ValueError:  # a non-finite number: dumps raises the error naming where it is
        text = dumps(value, at=at, **_OPTIONS)
    return json_safe(text)


def dump_lines(
    data: dict[str, Any], encoders: Mapping[str, Callable[[Any, str], str]] | None = None
) -> str:
    """``data`` as JSON with each top-level key, and each item of a top-level list, on a line.

    ``encoders`` may name, for a top-level list, the function writing each of its items (given
    the item and its key path), instead of :func:`_compact`.
    """
    lines = ["{"]
    items = sorted(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value:
            encode = (encoders or {}).get(key, _compact)
            lines.append(f"  {_compact(key)}: [")
            last = len(value) - 1
            lines.extend(
                split_lines(  # a large report's lines on two cores
                    last + 1,
                    lambda j: f"    {encode(value[j], f'{key}[{j}]')}{',' if j < last else ''}",  # noqa: B023
                )
            )
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_compact(key)}: {_compact(value, key)}{comma}")
    lines.append("}")
    lines.append("")  # the last line break, without copying a 50 MB report once more
    return "\n".join(lines)


class _FindingLines:
    """Each finding's line as :func:`_compact` writes its :func:`finding_dict`, written from
    its fields: the keys in sorted order around each value's own encoding, the impact and
    waiver (shared by many findings) encoded once each, the location written out, strings
    (enumeration members are strings) by the encoder's own string function, once for each
    distinct string that repeats (titles, remediations, stacks, members). The same bytes
    (tested on every finding of the examples), without building 45,000 dictionaries for a
    report of 10,000 components and sorting their keys."""

    def __init__(self) -> None:
        self._shared: dict[int, tuple[object, str]] = {}
        self._texts: dict[str, str] = {}

    def _text(self, value: str) -> str:
        """``value`` as a JSON string, each distinct one encoded once (titles, remediations,
        enumeration members and stacks repeat on every line)."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = encode_basestring(value)
        return found

    def _location(self, location: Location | None) -> str:
        """:func:`_location_dict` as the encoder writes it (keys sorted, integers as ``str``):
        most findings have a place of their own, so a dictionary each cost more than writing."""
        if location is None:
            return "null"
        line, column = location.line, location.column
        if type(line) is not int or type(column) is not int:  # as the encoder has it
            return self._once(location, _location_dict)
        return f'{{"column": {column}, "file": {self._text(location.file)}, "line": {line}}}'

    def _once(self, value: object, as_dict: Callable[[Any], dict[str, Any] | None]) -> str:
        found = self._shared.get(id(value))
        if found is None:  # the value is kept with its text: its id cannot be reused meanwhile
            found = self._shared[id(value)] = (value, _ENCODER.encode(as_dict(value)))
        return found[1]

    def encode(self, finding: Finding, at: str) -> str:
        """The finding's line; where a value cannot be written, :func:`_compact`'s error."""
        return json_safe(self.raw(finding, at))

    def raw(self, finding: Finding, at: str) -> str:
        """:meth:`encode` before :func:`~cellguard.models.text.json_safe` (which
        :func:`_made_safe` applies to the whole report)."""
        text_of = self._text
        evidence = finding.evidence
        try:
            text = "".join(
                (
                    '{"base_severity": ',
                    text_of(finding.base_severity),
                    ', "category": ',
                    text_of(finding.category),
                    ', "evidence": ',
                    "{}" if type(evidence) is dict and not evidence else _evidence(evidence),
                    ', "fingerprint": ',
                    encode_basestring(finding.fingerprint),
                    ', "impact": ',
                    self._once(finding.impact, _impact_dict),
                    ', "location": ',
                    self._location(finding.location),
                    ', "message": ',
                    encode_basestring(finding.message),
                    ', "note": ',
                    "null" if finding.note is None else encode_basestring(finding.note),
                    ', "pillar": ',
                    text_of(finding.pillar),
                    ', "remediation": ',
                    text_of(finding.remediation),
                    ', "rule": ',
                    text_of(finding.rule),
                    ', "severity": ',
                    text_of(finding.severity),
                    ', "stack": ',
                    text_of(finding.stack),
                    ', "status": ',
                    text_of(finding.status),
                    ', "target": ',
                    encode_basestring(finding.target),
                    ', "target_kind": ',
                    text_of(finding.target_kind),
                    ', "title": ',
                    text_of(finding.title),
                    ', "waiver": ',
                    self._once(finding.waiver, _waiver_use_dict),
                    "}",
                )
            )
        except ValueError:
            return _compact(finding_dict(finding), at)
        return text


def _evidence(evidence: object) -> str:
    """``_ENCODER.encode(evidence)``: for a dictionary or a list by one C encoder of its
    options made once (``JSONEncoder.encode`` makes one, and a float formatter, per call: a
    third of the time for the small dictionaries of evidence), its circularity markers empty
    again after each value written; after an error (``ValueError`` for a non-finite number or
    a cycle, as the encoder's) a new one."""
    global _c_encoder
    if _c_encoder is None or not isinstance(evidence, (dict, list)):
        return _ENCODER.encode(evidence)
    try:
        return "".join(_c_encoder(evidence, 0))
    except BaseException:
        _c_encoder = _made_c_encoder()  # its markers may hold what it was writing
        raise


def _made_c_encoder() -> Callable[[object, int], Any] | None:
    """The C encoder ``JSONEncoder.iterencode`` makes for :data:`_ENCODER` (``None`` without
    the C accelerator, where the encoder is used)."""
    if c_make_encoder is None:  # pragma: no cover - CPython has it
        return None
    enc = _ENCODER
    return c_make_encoder(  # type: ignore[no-any-return]
        {},
        enc.default,
        encode_basestring,
        enc.indent,
        enc.key_separator,
        enc.item_separator,
        enc.sort_keys,
        enc.skipkeys,
        enc.allow_nan,
    )


_c_encoder = _made_c_encoder()
