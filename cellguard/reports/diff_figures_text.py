"""Text and markdown of the figures ``cellguard diff`` compares (:mod:`.diff_figures`), and the
cell helpers both diff renderings share.

A figure that moved reads ``old -> new`` (``→`` in markdown); one that did not is printed once.
Names, titles and evidence keys and values are made inert in the text and escaped in the
markdown, as in :mod:`.diff_text`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from cellguard.assessments.throughput_media import WORK_UNITS
from cellguard.models.findings import Evidence
from cellguard.models.text import inert
from cellguard.reports.diff_figures import (
    CapacityDelta,
    CapacityFigures,
    EvidenceDelta,
    LatencyDelta,
    LatencyFigures,
    same,
)
from cellguard.reports.md_text import code, md_inline

NONE = "-"
VALUE_CHARS = 80
"""Longest evidence value shown (a long list is cut with an ellipsis)."""


def num(value: float | None, fmt: str) -> str:
    """``value`` formatted, or a dash when missing."""
    return NONE if value is None else format(value, fmt)


def signed(value: float | None, fmt: str) -> str:
    """``value`` with its sign (no ``-0.0``), or a dash when missing."""
    if value is None:
        return NONE
    text = format(value, fmt)
    if text.lstrip("-").strip("0.,") == "":
        return format(0.0, fmt)
    return text if text.startswith("-") else f"+{text}"


def pct(value: float | None) -> str:
    """A share as a percentage with one decimal."""
    return NONE if value is None else f"{value:.1%}"


def grid(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int = 1) -> list[str]:
    """Columns padded to their widest cell; the first ``left`` columns left-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return ("  " + "  ".join(parts)).rstrip()

    return [line(headers), *(line(r) for r in rows)]


def md_table(headers: Sequence[str], align: str, rows: Sequence[Sequence[str]]) -> list[str]:
    """A markdown table; ``align`` holds ``l`` or ``r`` per column."""
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if a == "r" else "---" for a in align) + "|",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def evidence_value(value: Evidence, digits: int = 6) -> str:
    """An evidence value on one line: numbers with thousands separators (``digits`` significant
    digits below a million), lists joined."""
    if value is None:
        return "absent"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.0f}" if abs(value) >= 1e6 else f"{value:,.{digits}g}"
    if isinstance(value, Mapping) and isinstance(value.get("label"), str):
        text = str(value["label"])  # an event or item with a human label: the label says it
    elif isinstance(value, Mapping):
        text = ", ".join(f"{k}: {evidence_value(v)}" for k, v in value.items()) or "{}"
    elif isinstance(value, Sequence) and not isinstance(value, str):
        text = ", ".join(evidence_value(v) for v in value) or "none"
    else:
        text = str(value)
    text = inert(text, single_line=True)
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


def evidence_pair(old: Evidence, new: Evidence) -> tuple[str, str]:
    """Both sides of a moved evidence value, with as many digits as it takes to tell them
    apart (99.6393 -> 99.6393 is shown as 99.639274 -> 99.639268)."""
    for digits in (6, 8, 10, 12, 17):
        pair = evidence_value(old, digits), evidence_value(new, digits)
        if pair[0] != pair[1]:
            break
    return pair


def _items(value: Evidence) -> list[str] | None:
    if isinstance(value, Sequence) and not isinstance(value, str):
        return [evidence_value(v) for v in value]
    return None


def evidence_change(old: Evidence, new: Evidence, arrow: str = "->") -> str:
    """A moved evidence value: ``old -> new``, or for two lists too long to show whole the
    items that left and came (``removed a; added b``)."""
    before, after = evidence_pair(old, new)
    olds, news = _items(old), _items(new)
    whole = f"{before} {arrow} {after}"
    if olds is None or news is None or not (before.endswith("…") or after.endswith("…")):
        return whole
    gone = [v for v in olds if v not in news]
    came = [v for v in news if v not in olds]
    parts = [
        f"{label} {', '.join(items)}"
        for label, items in (("removed", gone), ("added", came))
        if items
    ]
    return "; ".join(parts) or "the same items, their figures moved"


def _pair(old: str, new: str, arrow: str) -> str:
    return old if old == new else f"{old} {arrow} {new}"


def _cell(old: object | None, new: object | None, name: str, show: str, arrow: str = "->") -> str:
    """One figure of a row: ``old -> new`` when it moved, else the value once."""

    def text(side: object | None) -> str:
        if side is None:
            return "absent"
        value = getattr(side, name)
        if show == "pct":
            return pct(value)
        return num(value, show)

    if old is not None and new is not None and same(getattr(old, name), getattr(new, name)):
        return text(new)
    return _pair(text(old), text(new), arrow)


_CAPACITY = (
    ("demand", "demand", ",.0f"),
    ("supply", "supply", ",.0f"),
    ("utilisation", "utilisation", "pct"),
    ("after zone loss", "utilisation_after_zone_loss", "pct"),
    ("replicas", "replicas", ",d"),
    ("needed", "replicas_needed", ",d"),
)
_LATENCY = (
    ("TTFT budget", "ttft_budget_ms", ",.0f"),
    ("TTFT objective", "ttft_objective_ms", ",d"),
    ("TTFT slack", "ttft_slack_ms", ",.0f"),
    ("e2e budget", "e2e_budget_ms", ",.0f"),
    ("e2e objective", "e2e_objective_ms", ",d"),
    ("e2e slack", "e2e_slack_ms", ",.0f"),
)


def _digits(show: str, unit: str) -> str:
    """Three significant figures for rates in images, embeddings or audio seconds per second
    (0.112 images/s would read as 0 with the token rates' whole numbers)."""
    return ",.3g" if show == ",.0f" and unit in WORK_UNITS else show


def _capacity_rows(deltas: Sequence[CapacityDelta], arrow: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for c in deltas:
        old: CapacityFigures | None = c.old
        new: CapacityFigures | None = c.new
        rows.append(
            [
                f"{c.stack}/{c.id}",
                c.unit,
                *(
                    _cell(old, new, name, _digits(show, c.unit), arrow)
                    for _, name, show in _CAPACITY
                ),
            ]
        )
    return rows


def _latency_rows(deltas: Sequence[LatencyDelta], arrow: str) -> list[list[str]]:
    rows: list[list[str]] = []
    for j in deltas:
        old: LatencyFigures | None = j.old
        new: LatencyFigures | None = j.new
        rows.append(
            [
                f"{j.stack}/{j.journey}",
                *(_cell(old, new, name, show, arrow) for _, name, show in _LATENCY),
            ]
        )
    return rows


def _status(d: EvidenceDelta, arrow: str) -> str:
    if d.old_severity is d.new_severity:
        return f"{d.status.value} {d.new_severity.value.upper()}"
    return f"{d.status.value} {d.old_severity.value.upper()} {arrow} {d.new_severity.value.upper()}"


# -- plain text -------------------------------------------------------------------------------


def text_figures(
    capacity: Sequence[CapacityDelta],
    latency: Sequence[LatencyDelta],
    evidence: Sequence[EvidenceDelta],
) -> list[str]:
    """The capacity, latency and evidence sections of the text diff (empty ones left out)."""
    lines: list[str] = []
    if capacity:
        rows = [[inert(r[0], single_line=True), *r[1:]] for r in _capacity_rows(capacity, "->")]
        headers = ["endpoint", "unit", *(h for h, _, _ in _CAPACITY)]
        lines += ["", f"Capacity at peak ({len(capacity)} moved)", *grid(headers, rows, left=2)]
    if latency:
        rows = [[inert(r[0], single_line=True), *r[1:]] for r in _latency_rows(latency, "->")]
        headers = ["journey (p99, ms)", *(h for h, _, _ in _LATENCY)]
        lines += ["", f"Latency budgets ({len(latency)} moved)", *grid(headers, rows)]
    if evidence:
        lines += ["", f"Figures moved in findings whose status did not change ({len(evidence)})"]
        for d in evidence:
            head = f"  {_status(d, '->')}  {d.rule}  {d.stack}/{d.target}  {d.title}"
            lines.append(inert(head, single_line=True))
            for c in d.changes:
                change = evidence_change(c.old, c.new)
                lines.append(f"      {inert(c.key, single_line=True)}: {change}")
    return lines


# -- markdown ---------------------------------------------------------------------------------


def md_figures(
    capacity: Sequence[CapacityDelta],
    latency: Sequence[LatencyDelta],
    evidence: Sequence[EvidenceDelta],
) -> list[str]:
    """The capacity, latency and evidence sections of the markdown diff (empty ones left out)."""
    lines: list[str] = []
    if capacity:
        rows = [[md_inline(r[0]), md_inline(r[1]), *r[2:]] for r in _capacity_rows(capacity, "→")]
        headers = ["endpoint", "unit", *(h for h, _, _ in _CAPACITY)]
        table = md_table(headers, "ll" + "r" * len(_CAPACITY), rows)
        lines += [f"### Capacity at peak ({len(capacity)} moved)", "", *table, ""]
    if latency:
        rows = [[md_inline(r[0]), *r[1:]] for r in _latency_rows(latency, "→")]
        headers = ["journey (p99, ms)", *(h for h, _, _ in _LATENCY)]
        table = md_table(headers, "l" + "r" * len(_LATENCY), rows)
        lines += [f"### Latency budgets ({len(latency)} moved)", "", *table, ""]
    if evidence:
        rows = [
            [
                _status(d, "→"),
                code(d.rule),
                md_inline(f"{d.stack}/{d.target}"),
                "<br>".join(
                    f"{code(c.key)} {md_inline(evidence_change(c.old, c.new, '→'))}"
                    for c in d.changes
                ),
            ]
            for d in evidence
        ]
        table = md_table(["status", "rule", "target", "figures old → new"], "llll", rows)
        title = f"### Figures moved in findings whose status did not change ({len(evidence)})"
        lines += [title, "", *table, ""]
    return lines
