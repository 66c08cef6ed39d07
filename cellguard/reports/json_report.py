"""The JSON contract of ``assess --format json`` (DESIGN §7), ``schema_version`` 1.

Stable: fields may be added, none renamed or removed. Keys are written sorted and the
output is byte-identical for the same input and date. ``journeys`` (exact availability),
``blast_radius``, ``capacity`` and ``latency`` hold the quantitative tables. Strings are exact;
control, bidi and zero-width characters in them are written as ``\\uXXXX`` escapes
(:func:`cellguard.models.text.json_safe`), never raw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from cellguard import __version__
from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.assessments.figures import Figures
from cellguard.assessments.risks import risk_rows
from cellguard.assessments.scoring import Score
from cellguard.models.findings import Finding, Pillar, Severity, Status
from cellguard.reports.json_lines import _compact, _FindingLines, finding_dict
from cellguard.rules.engine import Assessment
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
    return "".join(
        render_json_chunks(assessment, min_severity=min_severity, include_passed=include_passed)
    )


def render_json_chunks(
    assessment: Assessment,
    *,
    min_severity: Severity | None = None,
    include_passed: bool = False,
) -> Iterator[str]:
    """:func:`render_json`'s text in pieces of whole lines, made as they are asked for: the
    command writes each piece while the next is made (:mod:`cellguard.cli.overlap`)."""
    data = _report_data(assessment, min_severity, include_passed, lambda f: f)
    return dump_chunks(data, {"findings": _FindingLines().encode})


def dump_lines(
    data: dict[str, Any], encoders: Mapping[str, Callable[[Any, str], str]] | None = None
) -> str:
    """``data`` as JSON with each top-level key, and each item of a top-level list, on a line.

    ``encoders`` may name, for a top-level list, the function writing each of its items (given
    the item and its key path), instead of :func:`_compact`.
    """
    return "".join(dump_chunks(data, encoders))


CHUNK_LINES = 1000
"""Lines per piece of :func:`dump_chunks` (about 1.2 MB of findings): large enough that a
piece costs little to hand over, small enough that the last one, written after everything
else is made, is a few milliseconds of a 50 MB report."""


def dump_chunks(
    data: dict[str, Any], encoders: Mapping[str, Callable[[Any, str], str]] | None = None
) -> Iterator[str]:
    """:func:`dump_lines`'s text in pieces of at least :data:`CHUNK_LINES` whole lines (the
    last piece may hold fewer), each ending with its line break; joined, they are the text."""
    lines = ["{"]
    items = sorted(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i < len(items) - 1 else ""
        if isinstance(value, list) and value:
            encode = (encoders or {}).get(key, _compact)
            lines.append(f"  {_compact(key)}: [")
            last = len(value) - 1
            for j, item in enumerate(value):
                lines.append(f"    {encode(item, f'{key}[{j}]')}{',' if j < last else ''}")
                if len(lines) >= CHUNK_LINES:
                    lines.append("")  # the piece's last line break
                    yield "\n".join(lines)
                    lines = []
            lines.append(f"  ]{comma}")
        else:
            lines.append(f"  {_compact(key)}: {_compact(value, key)}{comma}")
    lines.append("}")
    lines.append("")  # the last line break
    yield "\n".join(lines)
