"""The JSON report's finding lines and compact values (:mod:`.json_report` writes the rest).

Each finding is one line, written from its fields as :func:`_compact` writes its
:func:`finding_dict` (the same bytes, tested), made safe as :func:`json_safe` makes it
(:func:`_safe`).
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections.abc import Callable
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from cellguard.models.findings import Finding, Impact, Location, WaiverUse
from cellguard.models.json_text import dumps
from cellguard.models.text import json_safe


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


def _safe(text: str) -> str:
    """``json_safe(text)`` for one line of JSON text. JSON text holds no raw C0 control
    character (the encoder escapes them in strings; between tokens there are only spaces), so
    an ASCII line without DEL has nothing unsafe: that is checked without copying the line
    (``json_safe`` encodes and filters a copy of it: 0.2 s for the 43,600 lines of 10,000
    components), and any other line is left to :func:`json_safe`, a line at a time (on a whole
    report one character outside ASCII would send all of it through the regular expression:
    1.3 s for 53 MB)."""
    if text.isascii() and "\x7f" not in text:
        return text
    return json_safe(text)


_sha256 = hashlib.sha256
_marshalled: Callable[[Any], bytes] = marshal.dumps


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
        self._parts: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._evidences: dict[bytes, str] = {}

    def _text(self, value: str) -> str:
        """``value`` as a JSON string, each distinct one encoded once (titles, remediations,
        enumeration members and stacks repeat on every line)."""
        found = self._texts.get(value)
        if found is None:
            found = self._texts[value] = encode_basestring(value)
        return found

    def _evidence(self, evidence: object) -> str:
        """:func:`_evidence`, the text of evidence with the same content as one written before
        reused: 43,600 findings of 10,000 components have 5,700 distinct evidence texts. The
        content is told by :func:`marshal.dumps`, which writes exactly the types and values
        (``1``, ``1.0`` and ``True`` apart, a float bit for bit, a tuple apart from a list);
        the same bytes are the same values and so the same JSON text. Evidence it cannot
        write (an enumeration member, a subclass) is encoded each time."""
        try:
            key = _marshalled(evidence)
        except ValueError:
            return _evidence(evidence)
        found = self._evidences.get(key)
        if found is None:
            found = self._evidences[key] = _evidence(evidence)
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
        return _safe(self._line(finding, at))

    def _rule_parts(self, finding: Finding) -> tuple[str, str, str]:
        """The text around the values that vary, with what one rule's findings share (its
        base severity, category, pillar, remediation, id and title) written once per rule."""
        key = (
            finding.rule,
            finding.title,
            finding.remediation,
            finding.pillar,
            finding.category,
            finding.base_severity,
        )
        parts = self._parts.get(key)
        if parts is None:
            rule, title, remediation, pillar, category, base = map(encode_basestring, key)
            parts = self._parts[key] = (
                f'{{"base_severity": {base}, "category": {category}, "evidence": ',
                f', "pillar": {pillar}, "remediation": {remediation}, "rule": {rule}, "severity": ',
                f', "title": {title}, "waiver": ',
            )
        return parts

    def _line(self, finding: Finding, at: str) -> str:
        """:meth:`encode` before :func:`_safe`."""
        text_of, texts = self._text, self._texts.get  # each hit without a call
        evidence, waiver = finding.evidence, finding.waiver
        try:
            head, middle, tail = self._rule_parts(finding)
            text = "".join(
                (
                    head,
                    "{}" if type(evidence) is dict and not evidence else self._evidence(evidence),
                    ', "fingerprint": "',
                    # finding.fingerprint written out (hexadecimal digits: a JSON string as
                    # they are; the same text as the property's, tested)
                    _sha256(
                        f"{finding.rule}\x1f{finding.stack}\x1f{finding.target}".encode()
                    ).hexdigest()[:16],
                    '", "impact": ',
                    self._once(finding.impact, _impact_dict),
                    ', "location": ',
                    self._location(finding.location),
                    ', "message": ',
                    encode_basestring(finding.message),
                    ', "note": ',
                    "null" if finding.note is None else encode_basestring(finding.note),
                    middle,
                    texts(finding.severity) or text_of(finding.severity),
                    ', "stack": ',
                    texts(finding.stack) or text_of(finding.stack),
                    ', "status": ',
                    texts(finding.status) or text_of(finding.status),
                    ', "target": ',
                    encode_basestring(finding.target),
                    ', "target_kind": ',
                    texts(finding.target_kind) or text_of(finding.target_kind),
                    tail,
                    "null" if waiver is None else self._once(waiver, _waiver_use_dict),
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
