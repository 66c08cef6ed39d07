"""The risk register in the reports: a table of the risks beside the journeys they touch, and
the rank a finding takes from the risks on its component (:mod:`cellguard.assessments.risks`).

Findings are ordered by status, baseline and severity first; among findings of the same
severity, one on a component (or a dependency whose caller or callee is a component) named by
a higher-scoring risk (likelihood x severity) comes first.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from cellguard.assessments.risks import RiskRow, risk_by_component, risk_of_target, risk_rows
from cellguard.models.findings import Finding
from cellguard.models.references import localise
from cellguard.models.text import inert
from cellguard.reports.md_text import code, md, table
from cellguard.rules.engine import Assessment


def rows_of(assessment: Assessment) -> tuple[RiskRow, ...]:
    """The risk rows of the assessed graph (none without a graph)."""
    return risk_rows(assessment.graph) if assessment.graph is not None else ()


def risk_rank(assessment: Assessment) -> dict[str, int]:
    """Qualified component id -> the highest risk score naming it."""
    return risk_by_component(assessment.graph) if assessment.graph is not None else {}


def finding_risk(ranks: dict[str, int], finding: Finding) -> int:
    """The risk score a finding ranks by (0 when no risk names its component)."""
    return risk_of_target(ranks, finding.stack, finding.target_kind.value, finding.target)


def _cells(row: RiskRow, multi: bool) -> tuple[str, str, str, str, str]:
    """Risk, likelihood x severity (score), components, controls, journeys touched; ids are
    local to the risk's stack unless several stacks were assessed (``multi``)."""
    r = row.risk
    within = "" if multi else row.stack
    rating = f"{r.likelihood.value} x {r.severity.value} = {r.score}" + (
        " (severe, likely)" if r.severe_and_likely else ""
    )
    comps = ", ".join(localise(c, within) for c in row.components) or "-"
    controls = "; ".join(
        f"{localise(c, within)}: {', '.join(found) if found else 'none proved'}"
        for c, found in row.controls
    )
    journeys = ", ".join(localise(j, within) for j in row.journeys) or "-"
    return localise(f"{row.stack}/{r.id}", within), rating, comps, controls or "-", journeys


def risk_cells(assessment: Assessment) -> list[tuple[str, str, str, str, str]]:
    """The register's rows as text cells (see :data:`HEADER`), highest score first."""
    multi = len(assessment.stacks) > 1
    return [_cells(r, multi) for r in rows_of(assessment)]


HEADER = ["risk", "likelihood x severity", "components", "controls proved", "journeys touched"]


def risks_markdown(assessment: Assessment) -> list[str]:
    """The register as a markdown table, highest score first (nothing without risks)."""
    rows = rows_of(assessment)
    if not rows:
        return []
    cells = [_cells(r, len(assessment.stacks) > 1) for r in rows]
    body = [[code(c[0]), md(c[1]), md(c[2]), md(c[3]), md(c[4])] for c in cells]
    return table(HEADER, body)


def risk_table(assessment: Assessment, plain: bool) -> Table | None:
    """The register as a terminal table, highest score first (``None`` without risks)."""
    rows = rows_of(assessment)
    if not rows:
        return None
    made = Table(
        title="Risk register", title_justify="left", box=box.ASCII if plain else box.SIMPLE_HEAD
    )
    for column in HEADER:
        made.add_column(column, justify="left")
    for row in rows:
        cells = _cells(row, len(assessment.stacks) > 1)
        made.add_row(*(Text(inert(cell, single_line=True)) for cell in cells))
    return made
