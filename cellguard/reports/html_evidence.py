"""Evidence of the HTML report as small tables, each repeated value stated once.

A finding's evidence is a two-column table (key, value). A value is written as text (numbers
with thousands separators, money with its currency, lists joined) unless it is a list of
mappings, which becomes a small table of its own (one column per key; an ``event`` column is
left out where a ``label`` says the same in words, and a list of labelled events is just the
labels).

Stated once:

* rows of the report's blast-radius table (CG-FI-009 quotes the domains of every stack it
  names) are named, with a link to that table, instead of copied;
* any other value of more than :data:`SHARED_CHARS` characters that several findings carry
  (the same calls, the same single points of failure) is written in full at its first
  occurrence, with an anchor, and referred to by the later ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cellguard.models.findings import Evidence, Finding
from cellguard.models.wording import plural

SHARED_CHARS = 160
"""Values longer than this (as JSON) are stated once when several findings carry them."""
TEXT_CHARS = 600
"""Longest text of one value (a longer one is cut with an ellipsis)."""
MONEY_KEYS = {
    "money_per_hour": "/h",
    "revenue_per_hour": "/h",
    "penalty_per_incident": "/incident",
    "loss_per_year": "/yr",
    "expected_loss_per_year": "/yr",
}
"""Evidence keys that hold money, with the period written after the currency."""


@dataclass(frozen=True)
class Table:
    """A small table: headers and rows of text (``numeric`` columns are right-aligned)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Item:
    """One evidence key of a finding, ready to print.

    Exactly one of ``text``, ``table`` and ``ref`` is set. ``anchor`` is the id of a value
    that later findings refer to (``also`` of them); ``ref`` the id a later one points at,
    ``ref_label`` where that is.
    """

    key: str
    text: str | None = None
    table: Table | None = None
    ref: str | None = None
    ref_label: str = ""
    anchor: str | None = None
    also: int = 0
    link: str | None = None
    """An anchor of the report the text refers to (the blast-radius table)."""


def number(value: float | int) -> str:
    """A number for people: thousands separators, six significant digits below 10,000 (an
    availability of 99.9491% is not rounded up to its objective)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if value != value or value in (float("inf"), float("-inf")):
        return "–"
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}" if abs(value) < 1e4 else f"{value:,.0f}"


def text(value: Evidence, key: str = "", currency: str = "") -> str:
    """``value`` on one line: money with its currency, lists joined, mappings as ``k: v``."""
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        shown = number(value)
        per = MONEY_KEYS.get(key)
        return f"{shown} {currency}{per}" if per is not None and currency else shown
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        if isinstance(value.get("label"), str):
            return str(value["label"])
        return "; ".join(f"{k}: {text(v, k, currency)}" for k, v in value.items()) or "–"
    return ", ".join(text(v, key, currency) for v in value) or "none"


def _clip(value: str) -> str:
    return value if len(value) <= TEXT_CHARS else value[: TEXT_CHARS - 1] + "…"


def _rows(value: Evidence) -> list[Mapping[str, Evidence]] | None:
    """The rows of a value that reads best as a table: a list of mappings (not just labelled
    events), or a mapping of names to mappings (each row led by its name)."""
    if isinstance(value, Mapping):
        if value and all(isinstance(v, Mapping) and v for v in value.values()):
            return [{"name": k, **v} for k, v in value.items() if isinstance(v, Mapping)]
        return None
    if isinstance(value, str) or not isinstance(value, Sequence) or not value:
        return None
    if not all(isinstance(v, Mapping) for v in value):
        return None
    if all(
        isinstance(v, Mapping) and isinstance(v.get("label"), str) and len(v) <= 2 for v in value
    ):
        return None
    return [v for v in value if isinstance(v, Mapping)]


def table(value: Sequence[Mapping[str, Evidence]], currency: str) -> Table:
    """A list of mappings as a table, one column per key in first-seen order."""
    keys: list[str] = []
    for row in value:
        keys.extend(k for k in row if k not in keys)
    if "label" in keys and "event" in keys:
        keys.remove("event")
    if "label" in keys:
        keys.insert(0, keys.pop(keys.index("label")))
    rows = tuple(tuple(_clip(text(row.get(k), k, currency)) for k in keys) for row in value)
    numeric = tuple(
        all(
            isinstance(row.get(k), (int, float)) and not isinstance(row.get(k), bool)
            for row in value
        )
        for k in keys
    )
    return Table(tuple(k.replace("_", " ") for k in keys), rows, numeric)


def _plain(value: object) -> object:
    """A read-only mapping or sequence view as a dict or list, for JSON."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Iterable):
        return list(value)
    return repr(value)


def canonical(value: Evidence) -> str:
    """The value as sorted JSON (what "the same value" means)."""
    return json.dumps(value, sort_keys=True, default=_plain, ensure_ascii=False)


class EvidenceBook:
    """Turns findings' evidence into :class:`Item` lists, stating repeated values once.

    ``blast`` holds the blast-radius rows the report prints (as canonical JSON, by domain id).
    Call :meth:`items` in the order the report prints the findings.
    """

    def __init__(
        self,
        findings: Iterable[Finding],
        blast: Mapping[str, str],
        currency: Mapping[str, str],
    ) -> None:
        self._blast = {v: k for k, v in blast.items()}
        self._currency = currency
        self._count: dict[str, int] = {}
        self._first: dict[str, tuple[str, str]] = {}
        for f in findings:
            for value in f.evidence.values():
                key = canonical(value)
                if len(key) > SHARED_CHARS or self._blast_domains(value) is not None:
                    self._count[key] = self._count.get(key, 0) + 1

    def _blast_domains(self, value: Evidence) -> list[str] | None:
        if not isinstance(value, Sequence) or isinstance(value, str) or not value:
            return None
        domains = [self._blast.get(canonical(v)) for v in value]
        return None if any(d is None for d in domains) else [d for d in domains if d]

    def items(self, finding: Finding) -> list[Item]:
        """The evidence of ``finding`` as items."""
        currency = self._currency.get(finding.stack, "")
        out: list[Item] = []
        for key, value in finding.evidence.items():
            label = key.replace("_", " ")
            whole = canonical(value)
            seen = self._first.get(whole)
            if seen is not None:
                out.append(Item(label, ref=seen[0], ref_label=seen[1]))
                continue
            anchor, also = None, 0
            if self._count.get(whole, 0) > 1:
                anchor = f"ev{len(self._first) + 1}"
                also = self._count[whole] - 1
                where = (
                    finding.target
                    if finding.target == finding.stack
                    else f"{finding.stack}/{finding.target}"
                )
                self._first[whole] = (anchor, f"{finding.rule} {where}")
            domains = self._blast_domains(value)
            if domains is not None:
                shown = (
                    f"{plural(len(domains), 'failure domain')} of the blast-radius table: "
                    + ", ".join(domains)
                )
                out.append(
                    Item(label, text=_clip(shown), link="blast-radius", anchor=anchor, also=also)
                )
            elif (rows := _rows(value)) is not None:
                out.append(Item(label, table=table(rows, currency), anchor=anchor, also=also))
            else:
                out.append(
                    Item(label, text=_clip(text(value, key, currency)), anchor=anchor, also=also)
                )
        return out
