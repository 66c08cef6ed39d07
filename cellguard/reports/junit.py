"""JUnit XML for CI test reporters (GitLab, Jenkins, Azure DevOps, test-report actions).

One ``<testsuite>`` per pillar (in pillar order, only pillars with results), one
``<testcase>`` per rule x target (every result, PASS included, so the counts are the
coverage): ``classname`` is ``<stack>.<rule>``, ``name`` is ``<rule> <target>``.

* ``FAIL`` -> ``<failure>`` (``type`` is the severity), unless the baseline already had it:
  a baselined FAIL is ``<skipped>`` with the message "baselined", like ``check`` treats it.
* ``WAIVED``, ``UNKNOWN`` and ``NOT_APPLICABLE`` -> ``<skipped>`` with the reason.
* ``ERROR`` (the rule crashed) -> ``<error>``.

Each ``<testsuite>`` starts with ``<properties>``: the pillar's ``score``, ``upper`` and
``assurance`` and the same three of the overall score (``overall.score``, ...), ``-`` where
nothing was weighted (see ``cellguard rules explain --scoring``).

Built with :mod:`xml.etree.ElementTree`, which escapes text and attributes. Text is made
inert first (:func:`cellguard.models.text.inert`: control, bidi and zero-width characters shown
as ``\\x1b``, ``\\u202e``); what XML 1.0 still cannot hold (U+FFFE, U+FFFF) becomes U+FFFD.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence

from cellguard.assessments.scoring import Score
from cellguard.models.findings import Evidence, Finding, Pillar, Status
from cellguard.models.text import inert
from cellguard.reports.context import ReportContext
from cellguard.rules.engine import Assessment

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """``text`` made inert, with any character XML 1.0 still forbids replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", inert(text))


def _evidence(value: Evidence) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_evidence(v)}" for k, v in value.items()) + "}"
    if isinstance(value, Sequence) and not isinstance(value, str):
        return "[" + ", ".join(_evidence(v) for v in value) + "]"
    return "null" if value is None else str(value)


def _details(f: Finding) -> str:
    lines = [f.message]
    if f.location is not None:
        lines.append(f"at {f.location.file}:{f.location.line}:{f.location.column}")
    for key, value in f.evidence.items():
        lines.append(f"{key}: {_evidence(value)}")
    if f.note:
        lines.append(f"note: {f.note}")
    lines.append(f"fix: {f.remediation}")
    return "\n".join(lines)


def _skip_reason(f: Finding, ctx: ReportContext) -> str | None:
    if f.status is Status.FAIL and ctx.is_baselined(f):
        return f"baselined: {f.message}"
    if f.status is Status.WAIVED and f.waiver is not None:
        w = f.waiver
        return f"waived by {w.owner} until {w.expires}: {w.reason}"
    if f.status is Status.UNKNOWN:
        return f"unknown (the spec lacks the data): {f.message}"
    if f.status is Status.NOT_APPLICABLE:
        return f"not applicable: {f.message}"
    return None


def _case(f: Finding, ctx: ReportContext) -> ET.Element:
    case = ET.Element(
        "testcase",
        {
            "classname": xml_text(f"{f.stack or 'cellguard'}.{f.rule}"),
            "name": xml_text(f"{f.rule} {f.target}"),
            "time": "0",
        },
    )
    if f.location is not None:
        case.set("file", xml_text(f.location.file))
        case.set("line", str(f.location.line))
    skip = _skip_reason(f, ctx)
    if skip is not None:
        ET.SubElement(case, "skipped", {"message": xml_text(skip)})
    elif f.status is Status.FAIL:
        failure = ET.SubElement(
            case,
            "failure",
            {"message": xml_text(f"{f.title}: {f.message}"), "type": f.severity.value},
        )
        failure.text = xml_text(_details(f))
    elif f.status is Status.ERROR:
        error = ET.SubElement(case, "error", {"message": xml_text(f.message), "type": "ERROR"})
        error.text = xml_text(f.message)
    return case


def _figure(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _properties(pillar: Score, overall: Score) -> ET.Element:
    """The suite's ``<properties>``: its pillar's scores and the overall ones."""
    props = ET.Element("properties")
    for prefix, s in (("", pillar), ("overall.", overall)):
        for name, value in (("score", s.score), ("upper", s.upper), ("assurance", s.assurance)):
            ET.SubElement(props, "property", {"name": prefix + name, "value": _figure(value)})
    return props


def _suite(
    name: str, findings: list[Finding], ctx: ReportContext, properties: ET.Element
) -> ET.Element:
    cases = [_case(f, ctx) for f in findings]
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None)
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    suite = ET.Element(
        "testsuite",
        {
            "name": name,
            "tests": str(len(cases)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": "0",
        },
    )
    suite.append(properties)
    suite.extend(cases)
    return suite


def to_junit(assessment: Assessment, ctx: ReportContext) -> ET.Element:
    """The ``<testsuites>`` element."""
    floor = ctx.min_severity.rank if ctx.min_severity is not None else 0
    kept = [
        f for f in assessment.findings if f.status is not Status.FAIL or f.severity.rank >= floor
    ]
    overall = assessment.scores["overall"]
    suites = [
        _suite(
            f"cellguard.{pillar.value}",
            items,
            ctx,
            _properties(assessment.scores[pillar.value], overall),
        )
        for pillar in Pillar
        if (items := [f for f in kept if f.pillar is pillar])
    ]
    root = ET.Element(
        "testsuites",
        {
            "name": "cellguard",
            "tests": str(sum(int(s.get("tests", "0")) for s in suites)),
            "failures": str(sum(int(s.get("failures", "0")) for s in suites)),
            "errors": str(sum(int(s.get("errors", "0")) for s in suites)),
            "skipped": str(sum(int(s.get("skipped", "0")) for s in suites)),
            "time": "0",
        },
    )
    root.extend(suites)
    return root


def render_junit(assessment: Assessment, ctx: ReportContext) -> str:
    """The JUnit XML document, indented, with an XML declaration and a final newline."""
    root = to_junit(assessment, ctx)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
