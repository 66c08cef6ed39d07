"""The findings of the HTML report: by pillar, then by rule, each rule's text stated once.

A rule that fails on nine components used to print its title, remediation and help nine times;
here a rule is a heading with its title, remediation (once, when every finding of the rule
shares it) and help, over a compact table of its findings: status, where, the finding with its
evidence (:mod:`.html_evidence`) and, for a failing one, the journeys and money at stake.
Pillars and rules keep the report's order: worst first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cellguard.models.findings import Finding, Pillar, Status
from cellguard.reports.html_evidence import EvidenceBook, Item
from cellguard.reports.html_summary import Currencies, at_stake, finding_anchor, journeys_text

BESIDE = 6
"""Most evidence values written beside a finding; more go under it, several a line."""
PER_LINE = 3


@dataclass(frozen=True)
class Row:
    """One finding of a rule's table."""

    finding: Finding
    anchor: str
    where: str
    evidence: tuple[Item, ...]
    """Evidence values written as text (beside the finding)."""
    tables: tuple[Item, ...]
    """Evidence values that are tables of their own (under the finding, full width)."""
    grid: tuple[tuple[Item, ...], ...]
    """A long evidence list (more than :data:`BESIDE` values) under the finding, full width,
    :data:`PER_LINE` keys and values a line."""
    stake: str
    journeys: str
    remediation: str | None
    """Set when the rule's findings do not all share one remediation."""


@dataclass(frozen=True)
class RuleGroup:
    """A rule and its listed findings."""

    rule: str
    title: str
    remediation: str | None
    rows: tuple[Row, ...]
    failing: int


@dataclass(frozen=True)
class PillarGroup:
    """A pillar's rules, worst first."""

    label: str
    failing: int
    rules: tuple[RuleGroup, ...]


def _where(f: Finding) -> str:
    return f.stack if f.target == f.stack else f"{f.stack}/{f.target}"


def _said(f: Finding, journeys: Sequence[str]) -> bool:
    """Whether the finding already names these journeys: it is about the one journey, or its
    evidence lists them (``journeys``), so the impact line need not list them again."""
    if tuple(journeys) == (_where(f),):
        return True
    listed = f.evidence.get("journeys")
    if not isinstance(listed, Sequence) or isinstance(listed, str):
        return False
    names = {str(j) if "/" in str(j) else f"{f.stack}/{j}" for j in listed}
    return names == set(journeys)


def _needs_remediation(f: Finding) -> bool:
    return f.status in (Status.FAIL, Status.WAIVED)


def _row(f: Finding, book: EvidenceBook, currencies: Currencies, shared: bool) -> Row:
    impact = f.impact
    failing = f.status is Status.FAIL
    items = book.items(f)
    texts = tuple(i for i in items if i.table is None)
    grid: tuple[tuple[Item, ...], ...] = ()
    if len(texts) > BESIDE:
        grid = tuple(texts[n : n + PER_LINE] for n in range(0, len(texts), PER_LINE))
        texts = ()
    return Row(
        finding=f,
        anchor=finding_anchor(f),
        where=_where(f),
        evidence=texts,
        tables=tuple(i for i in items if i.table is not None),
        grid=grid,
        stake=at_stake(f, currencies) if failing else "",
        journeys=(
            journeys_text(impact.journeys)
            if failing and impact is not None and not _said(f, impact.journeys)
            else ""
        ),
        remediation=None if shared or not _needs_remediation(f) else f.remediation,
    )


def _rule_group(items: Sequence[Finding], book: EvidenceBook, currencies: Currencies) -> RuleGroup:
    texts = {f.remediation for f in items if _needs_remediation(f)}
    shared = len(texts) <= 1
    return RuleGroup(
        rule=items[0].rule,
        title=items[0].title,
        remediation=next(iter(texts)) if shared and texts else None,
        rows=tuple(_row(f, book, currencies, shared) for f in items),
        failing=sum(1 for f in items if f.status is Status.FAIL),
    )


def finding_groups(
    listed: Sequence[Finding], book: EvidenceBook, currencies: Currencies
) -> list[PillarGroup]:
    """``listed`` (in report order) by pillar, then by rule in order of first appearance."""
    out: list[PillarGroup] = []
    for pillar in Pillar:
        items = [f for f in listed if f.pillar is pillar]
        if not items:
            continue
        by_rule: dict[str, list[Finding]] = {}
        for f in items:
            by_rule.setdefault(f.rule, []).append(f)
        rules = tuple(_rule_group(fs, book, currencies) for fs in by_rule.values())
        failing = sum(1 for f in items if f.status is Status.FAIL)
        out.append(PillarGroup(pillar.label, failing, rules))
    return out
