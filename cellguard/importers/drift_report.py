"""Drift in four formats: a table for people, JSON, SARIF 2.1.0 and GitHub annotations.

Every difference names both places: the spec key (file:line:column) and the value in the
manifests or templates (file:line). JSON keeps the key ``manifests`` for that side whatever the
source (``source`` says which: ``manifests`` or ``templates``). Text from either file is inert in the table, SARIF messages and annotations
(escape sequences and bidi controls shown as ``\\x1b``, ``\\u202e``); JSON keeps exact strings
with every unsafe character as a ``\\uXXXX`` escape.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from cellguard import __version__
from cellguard.importers.drift import Difference, DriftReport, Place
from cellguard.models.json_text import dumps
from cellguard.models.text import inert, json_safe

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "cellguard-drift"


class DriftFormat(StrEnum):
    """Output formats of ``drift``."""

    TABLE = "table"
    JSON = "json"
    SARIF = "sarif"
    GITHUB = "github"


def _value(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _manifest(d: Difference) -> str:
    return str(d.manifest_place) if d.manifest_place is not None else f"(not in the {d.source})"


def render_table(report: DriftReport) -> str:
    """One block per difference, then a summary line."""
    lines: list[str] = []
    for d in report.differences:
        lines.append(
            inert(f"DRIFT  {d.stack}/{d.component}  {d.key}  ({d.kind})", single_line=True)
        )
        lines.append(inert(f"    {d.message}", single_line=True))
        spec = "" if d.kind == "not-in-spec" else f"{_value(d.spec_value)}  "
        lines.append(inert(f"    spec:      {spec}at {d.spec_place}", single_line=True))
        found = "" if d.manifest_place is None else f"{_value(d.manifest_value)}  at "
        side = f"{d.source}:".ljust(10)
        lines.append(inert(f"    {side} {found}{_manifest(d)}", single_line=True))
    count = len(report.differences)
    if count:
        lines.append(
            inert(
                f"cellguard: {count} difference{'s' if count != 1 else ''} between "
                f"{report.spec} and {report.against}",
                single_line=True,
            )
        )
    else:
        lines.append(
            inert(
                f"cellguard: no drift: {report.spec} agrees with {report.against} "
                f"({report.compared} values compared)",
                single_line=True,
            )
        )
    return "\n".join(lines) + "\n"


def _place(place: Place | None) -> dict[str, Any] | None:
    if place is None:
        return None
    out: dict[str, Any] = {"file": place.file, "line": place.line}
    if place.column is not None:
        out["column"] = place.column
    return out


def render_json(report: DriftReport) -> str:
    """The stable JSON form (``schema_version`` 1)."""
    data = {
        "schema_version": 1,
        "tool": {"name": "cellguard", "version": __version__},
        "spec": report.spec,
        "sources": report.sources,
        "manifests": report.manifests,
        "compared": report.compared,
        "differences": [
            {
                "stack": d.stack,
                "component": d.component,
                "key": d.key,
                "kind": d.kind,
                "source": d.source,
                "message": d.message,
                "spec": {"value": d.spec_value, "location": _place(d.spec_place)},
                "manifests": {"value": d.manifest_value, "location": _place(d.manifest_place)},
            }
            for d in report.differences
        ],
    }
    return json_safe(dumps(data, indent=2, ensure_ascii=False)) + "\n"


def _sarif_location(place: Place, message: str | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": place.line}
    if place.column is not None:
        region["startColumn"] = place.column
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": place.file.replace("\\", "/")},
            "region": region,
        }
    }
    if message is not None:
        location["message"] = {"text": inert(message)}
    return location


def render_sarif(report: DriftReport) -> str:
    """SARIF 2.1.0: one ``warning`` result per difference at the spec key, the manifest value
    as a related location."""
    results = []
    for d in report.differences:
        result: dict[str, Any] = {
            "ruleId": RULE_ID,
            "level": "warning",
            "message": {"text": inert(d.message)},
            "locations": [_sarif_location(d.spec_place)],
            "partialFingerprints": {"cellguard/drift/v1": f"{d.stack}/{d.component}/{d.key}"},
            "properties": {"kind": d.kind, "key": d.key},
        }
        if d.manifest_place is not None:
            result["relatedLocations"] = [
                {"id": 1, **_sarif_location(d.manifest_place, f"the value in the {d.source}")}
            ]
        results.append(result)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "cellguard",
                        "version": __version__,
                        "informationUri": "https://github.com/cellguard/cellguard",
                        "rules": [
                            {
                                "id": RULE_ID,
                                "name": "SpecDrift",
                                "shortDescription": {
                                    "text": "The spec and the Kubernetes manifests or "
                                    "CloudFormation templates disagree"
                                },
                                "fullDescription": {
                                    "text": "A value the spec states (replicas, zones, GPUs, "
                                    "instance types, autoscaling, probes, PodDisruptionBudget, "
                                    "versioning, backups, health checks, model, image) differs "
                                    "from what the manifests or templates deploy."
                                },
                                "defaultConfiguration": {"level": "warning"},
                            }
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    return json_safe(dumps(sarif, indent=2, ensure_ascii=False)) + "\n"


def _data(text: str) -> str:
    return inert(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    escaped = inert(text, single_line=True).replace("%", "%25")
    return escaped.replace(":", "%3A").replace(",", "%2C")


def _annotation(place: Place, title: str, message: str) -> str:
    props = [f"file={_property(place.file)}", f"line={place.line}"]
    if place.column is not None:
        props.append(f"col={place.column}")
    props.append(f"title={_property(title)}")
    return f"::warning {','.join(props)}::{_data(message)}"


def render_github(report: DriftReport) -> str:
    """A warning annotation on the spec key and one on the manifest value per difference."""
    lines: list[str] = []
    for d in report.differences:
        title = f"drift: {d.component} {d.key}"
        lines.append(_annotation(d.spec_place, title, f"{d.message} ({d.source}: {_manifest(d)})"))
        if d.manifest_place is not None:
            lines.append(
                _annotation(d.manifest_place, title, f"{d.message} (spec: {d.spec_place})")
            )
    count = len(report.differences)
    lines.append(
        f"cellguard: {count} difference{'s' if count != 1 else ''} between the spec and "
        f"{report.against}"
        if count
        else "cellguard: no drift"
    )
    return "\n".join(lines) + "\n"


RENDERERS = {
    DriftFormat.TABLE: render_table,
    DriftFormat.JSON: render_json,
    DriftFormat.SARIF: render_sarif,
    DriftFormat.GITHUB: render_github,
}


def render_drift(report: DriftReport, output_format: DriftFormat) -> str:
    """``report`` in ``output_format``."""
    return RENDERERS[output_format](report)
