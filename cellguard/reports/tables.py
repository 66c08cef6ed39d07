"""Terminal tables of the quantitative figures: journeys, blast radius, capacity, latency.

Names from the spec go into the tables as :class:`~rich.text.Text` made inert (:func:`_name`):
a plain ``str`` cell would be parsed as rich markup, and control characters would reach the
terminal.
"""

from __future__ import annotations

import math

from rich import box
from rich.table import Table
from rich.text import Text

from cellguard.assessments.figures import Figures
from cellguard.assessments.throughput_media import WORK_UNITS
from cellguard.models.text import inert


def _name(text: str) -> Text:
    """A name from the spec as a cell: never markup, unsafe characters shown, one line."""
    return Text(inert(text, single_line=True))


def _num(value: float | None, fmt: str = ",.0f", none: str = "-") -> str:
    return (
        none
        if value is None or (isinstance(value, float) and math.isnan(value))
        else format(value, fmt)
    )


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def _table(title: str, plain: bool, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", box=box.ASCII if plain else box.SIMPLE_HEAD)
    for i, column in enumerate(columns):
        table.add_column(column, justify="left" if i == 0 else "right", no_wrap=i == 0)
    return table


def journey_table(figs: Figures, plain: bool) -> Table | None:
    """Exact availability of each journey. The caption names the journeys whose unavailability
    comes mostly from SLA credit thresholds, with that share
    (:mod:`~cellguard.assessments.availability.provenance`); ``<=`` marks an upper bound (a
    component without a prior, named in the caption)."""
    if not figs.journeys:
        return None
    table = _table(
        "Journey availability (exact)",
        plain,
        "journey",
        "tier",
        "avail.",
        "nines",
        "SLO",
        "down h/y",
        "fail/y",
        "loss/y",
    )
    unproven: list[str] = []
    mostly: list[str] = []
    for j in figs.journeys:
        prov = figs.provenance_of(j)
        proven = prov is None or prov.proven
        if prov is not None and not prov.proven:
            unproven.append(f"{j.stack}/{j.journey}: {', '.join(prov.unknown)}")
        if prov is not None and prov.mostly_sla:
            mostly.append(f"{j.stack}/{j.journey} {prov.sla_share:.0%}")
        table.add_row(
            _name(f"{j.stack}/{j.journey}"),
            _name(j.criticality),
            f"{j.availability:.4f}%" if proven else f"<={j.availability:.4f}%",
            _num(j.nines, ".2f"),
            "-"
            if j.objective is None
            else f"{j.objective:g}%" + ("" if j.meets_objective else " !"),
            _num(j.downtime_hours, ",.1f"),
            _num(j.frequency_per_year, ",.1f"),
            _num(j.loss_per_year),
        )
    notes = [f"{j.stack}/{j.journey}: {text}" for j in figs.journeys if (text := j.route_text())]
    lines = ["routes: " + "\n".join(notes)] if notes else []
    if unproven:
        lines.append(
            "unproven (upper bounds; no availability prior, set availability): "
            + "; ".join(unproven)
        )
    if mostly:
        lines.append(
            "mostly on SLA credit thresholds (floors, not measurements), share of the "
            "unavailability: " + ", ".join(mostly)
        )
    if lines:
        table.caption = Text(inert("\n".join(lines)), justify="left")
    return table


def blast_table(figs: Figures, plain: bool, limit: int = 15) -> Table | None:
    """Failure domains that take journeys down on their own, by money at stake."""
    if not figs.blast_radius:
        return None
    table = _table("Blast radius", plain, "domain", "journeys", "stacks", "money/h", "share")
    for b in figs.blast_radius[:limit]:
        table.add_row(
            _name(b.domain.node_id),
            str(len(b.journeys)),
            str(len(b.stacks)),
            _num(b.money_per_hour),
            _pct(b.share),
        )
    return table


def capacity_table(figs: Figures, plain: bool) -> Table | None:
    """Demand against supply of each model endpoint and embedding model (in its own unit:
    output tokens/s for GPU fleets, tokens or requests per minute for quotas; see the JSON).
    ``failover``: a fallback's load with its worst primary down entirely, after the shedding
    the design accepts (``primary_down`` in the JSON)."""
    if not figs.capacity:
        return None
    table = _table(
        "Capacity at peak",
        plain,
        "endpoint",
        "demand",
        "supply",
        "util",
        "-zone",
        "-region",
        "failover",
        "need",
        "source",
    )
    for c in figs.capacity:
        source = c.throughput_source or "-"
        table.add_row(
            _name(c.qid),
            _num(c.demand) if c.unit not in WORK_UNITS else f"{_num(c.demand, ',.3g')} {c.unit}",
            _num(c.supply, ",.0f" if c.unit not in WORK_UNITS else ",.3g"),
            _pct(c.utilisation),
            "none left" if c.replicas_after_zone_loss == 0 else _pct(c.utilisation_after_zone_loss),
            _pct(c.utilisation_after_region_loss),
            _pct(c.primary_down.utilisation) if c.primary_down else "-",
            _num(c.replicas_needed, "d"),
            _name(source.split(":")[0]),
        )
    return table


def latency_table(figs: Figures, plain: bool) -> Table | None:
    """Latency budget of each journey against its objectives (ms)."""
    if not figs.latency:
        return None
    table = _table(
        "Latency budget (ms, p99)",
        plain,
        "journey",
        "TTFT",
        "SLO",
        "slack",
        "e2e",
        "SLO",
        "slack",
    )
    for lat in figs.latency:
        table.add_row(
            _name(f"{lat.stack}/{lat.journey}"),
            _num(lat.ttft_budget_ms),
            _num(lat.ttft_objective_ms),
            _num(lat.ttft_slack_ms),
            _num(lat.e2e_budget_ms),
            _num(lat.e2e_objective_ms),
            _num(lat.e2e_slack_ms),
        )
    return table


def figure_tables(figs: Figures | None, plain: bool) -> list[Table]:
    """Every non-empty table, in report order."""
    if figs is None:
        return []
    made = [
        journey_table(figs, plain),
        blast_table(figs, plain),
        capacity_table(figs, plain),
        latency_table(figs, plain),
    ]
    return [t for t in made if t is not None]
