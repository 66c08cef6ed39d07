"""SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, any SARIF viewer).

What becomes a result:

* ``FAIL``: a result of kind ``fail`` whose level follows the finding's severity after business
  impact (critical/high -> ``error``, medium -> ``warning``, low/info -> ``note``).
* ``WAIVED``: the same, with an accepted ``external`` suppression carrying the waiver's reason,
  owner, ticket and expiry (code scanning shows it as dismissed, not as an open alert).
* ``UNKNOWN`` is not a result: it means the spec lacks the data and is never a defect
  (DESIGN §6); the other formats list it. ``PASS`` and ``NOT_APPLICABLE`` are not results.
* ``ERROR`` (a crashed rule) is a tool execution notification, and the invocation is marked
  unsuccessful, so a viewer does not take the missing results as a pass.

Rules carry no ``helpUri`` and the driver no ``informationUri``: cellguard has no published web
home to link to, so the help text (rationale, fix, sources) stands on its own.

Every result points at the file, line and column of the offending key (``Finding.location``,
relative to the working directory under ``%SRCROOT%``), or at the top of its stack's file when
the finding has no key of its own. ``partialFingerprints["cellguard/v1"]`` is
:attr:`Finding.fingerprint` (rule + stack + logical target, never line numbers), so an alert
survives reformatting and reordering of the YAML. With a baseline (``check --baseline``) each
result also carries ``baselineState`` ``new`` or ``unchanged``.

Texts a viewer displays (messages, descriptions, help, a suppression's justification) are made
inert (:func:`cellguard.models.text.inert`: escape sequences and bidi controls shown as
``\\x1b``, ``\\u202e``); properties keep the exact strings, and the JSON text holds no raw
control character (:func:`cellguard.models.text.json_safe`).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any
from urllib.parse import quote

from cellguard import __version__
from cellguard.models.findings import Finding, Location, Severity, Status
from cellguard.models.json_text import dumps
from cellguard.models.text import inert, json_safe
from cellguard.reports.context import ReportContext
from cellguard.reports.json_report import SCORE_KEYS
from cellguard.rules.engine import Assessment
from cellguard.rules.metadata import RuleMeta

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "cellguard/v1"
SRCROOT = "%SRCROOT%"

LEVELS: dict[Severity, str] = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
"""SARIF level of a severity."""

SECURITY_SEVERITY: dict[Severity, str] = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.0",
}
"""``security-severity`` per severity, inside GitHub's bands (critical > 9.0, high 7.0-8.9,
medium 4.0-6.9, low 0.1-3.9, none 0)."""

_WORD = re.compile(r"[A-Za-z0-9]+")


def _sentence(text: str) -> str:
    """Inert text on one line, ending with a period (SARIF messages and descriptions are
    sentences)."""
    text = " ".join(inert(text).split())
    return text if text.endswith((".", "!", "?")) else f"{text}."


def _rule_name(meta: RuleMeta) -> str:
    """A PascalCase identifier from the title, e.g. ``VectorStoresAreNotShared...``."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(meta.title))


def _rule(meta: RuleMeta) -> dict[str, Any]:
    markdown = inert(
        f"**{meta.title}**\n\n{meta.rationale}\n\n**Fix:** {meta.remediation}\n\n"
        f"**Source:** {meta.source}"
    )
    rule: dict[str, Any] = {
        "id": meta.id,
        "name": _rule_name(meta),
        "shortDescription": {"text": _sentence(meta.title)},
        "fullDescription": {"text": _sentence(meta.rationale)},
        "help": {
            "text": f"{_sentence(meta.remediation)} Source: {_sentence(meta.source)}",
            "markdown": markdown,
        },
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "tags": [meta.pillar.value, meta.category.value, "reliability"],
            "security-severity": SECURITY_SEVERITY[meta.severity],
            "precision": "high",
            "problem.severity": _problem_severity(meta.severity),
        },
    }
    return rule


def _problem_severity(severity: Severity) -> str:
    level = LEVELS[severity]
    return "recommendation" if level == "note" else level


def artifact_uri(file: str) -> tuple[str, str | None]:
    """The URI of a spec file and its base id: relative paths under ``%SRCROOT%`` with forward
    slashes, absolute ones as ``file://`` URIs (no base)."""
    windows = PureWindowsPath(file)
    if windows.drive:
        return "file:///" + _quoted(windows.as_posix()), None
    path = PurePosixPath(file.replace("\\", "/"))
    if path.is_absolute():
        return "file://" + _quoted(str(path)), None
    return _quoted(str(path)), SRCROOT


def _quoted(path: str) -> str:
    """``path`` percent-encoded as UTF-8; a name that is not UTF-8 on disk (Python holds its
    bytes as lone surrogates, PEP 383) as its own bytes, and any other lone surrogate as
    ``surrogatepass`` writes it (before, either was an internal error, exit 3)."""
    try:
        return quote(path, errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, errors="surrogatepass")


def _physical(location: Location) -> dict[str, Any]:
    uri, base = artifact_uri(location.file)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": max(1, location.line),
                "startColumn": max(1, location.column),
            },
        }
    }


def stack_files(assessment: Assessment, ctx: ReportContext) -> dict[str, str]:
    """Each stack's spec file, from the graph or from its located findings and waivers."""
    files: dict[str, str] = {}
    if ctx.graph is not None:
        files.update({d.name: d.file for d in ctx.graph.org.documents})
    for waiver in assessment.waivers:
        files.setdefault(waiver.use.stack, waiver.location.file)
    for finding in assessment.findings:
        if finding.location is not None:
            files.setdefault(finding.stack, finding.location.file)
    return files


def finding_location(finding: Finding, files: dict[str, str]) -> Location | None:
    """Where a finding points; the top of its stack's file when it has no key of its own."""
    if finding.location is not None:
        return finding.location
    file = files.get(finding.stack)
    return None if file is None else Location(file, 1, 1)


def _message(finding: Finding) -> str:
    where = (
        finding.stack if finding.target == finding.stack else f"{finding.stack}/{finding.target}"
    )
    text = f"{inert(where, single_line=True)}: {_sentence(finding.message)}"
    if finding.note:
        text += f" Note: {_sentence(finding.note)}"
    if finding.status is Status.FAIL:
        text += f" Fix: {_sentence(finding.remediation)}"
    return text


def _result(
    finding: Finding,
    index: int,
    files: dict[str, str],
    ctx: ReportContext,
    with_baseline: bool,
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "kind": "fail",
        "level": LEVELS[finding.severity],
        "message": {"text": _message(finding)},
    }
    location = finding_location(finding, files)
    if location is not None:
        result["locations"] = [_physical(location)]
    result["partialFingerprints"] = {FINGERPRINT_KEY: finding.fingerprint}
    if with_baseline:
        result["baselineState"] = "unchanged" if ctx.is_baselined(finding) else "new"
    if finding.status is Status.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        ticket = f", ticket {waiver.ticket}" if waiver.ticket else ""
        suppression: dict[str, Any] = {
            "kind": "external",
            "status": "accepted",
            "justification": inert(
                f"{waiver.reason} (waived by {waiver.owner}{ticket}, until {waiver.expires})"
            ),
            "properties": {"owner": waiver.owner, "expires": waiver.expires},
        }
        if waiver.ticket:
            suppression["properties"]["ticket"] = waiver.ticket
        result["suppressions"] = [suppression]
    properties: dict[str, Any] = {
        "severity": finding.severity.value,
        "pillar": finding.pillar.value,
        "stack": finding.stack,
        "target": finding.target,
    }
    if finding.evidence:
        properties["evidence"] = finding.evidence
    if ctx.is_baselined(finding):
        properties["baselined"] = True
    result["properties"] = properties
    return result


def _notification(finding: Finding, index: int) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": _sentence(finding.message)},
        "associatedRule": {"id": finding.rule, "index": index},
    }


def score_properties(assessment: Assessment) -> dict[str, dict[str, float | None]]:
    """The run's scores: ``{"overall": {"score": 27.1, "upper": 31.4, "assurance": 95.7},
    ...}`` for the overall score and each pillar (``null`` where nothing was weighted)."""
    return {
        key: {"score": s.score, "upper": s.upper, "assurance": s.assurance}
        for key, s in ((k, assessment.scores[k]) for k in SCORE_KEYS)
    }


def to_sarif(assessment: Assessment, ctx: ReportContext) -> dict[str, Any]:
    """The SARIF log as plain data."""
    index = {meta.id: i for i, meta in enumerate(assessment.rules)}
    files = stack_files(assessment, ctx)
    floor = ctx.min_severity.rank if ctx.min_severity is not None else 0
    with_baseline = ctx.baseline_scores is not None or bool(ctx.baselined)
    results = [
        _result(f, index[f.rule], files, ctx, with_baseline)
        for f in assessment.findings
        if (f.status is Status.FAIL and f.severity.rank >= floor) or f.status is Status.WAIVED
    ]
    errors = assessment.errors
    invocation: dict[str, Any] = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [_notification(f, index[f.rule]) for f in errors]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "cellguard",
                "fullName": "cellguard resilience assessment",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_rule(meta) for meta in assessment.rules],
            }
        },
        "invocations": [invocation],
        "originalUriBaseIds": {
            SRCROOT: {
                "description": {
                    "text": "The directory cellguard ran in (the repository root in CI)."
                }
            }
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "asOf": assessment.as_of.isoformat(),
            "stacks": list(assessment.stacks),
            "scores": score_properties(assessment),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(assessment: Assessment, ctx: ReportContext) -> str:
    """The SARIF log as indented JSON text with a final newline."""
    return json_safe(dumps(to_sarif(assessment, ctx), indent=2, ensure_ascii=False)) + "\n"
