"""Horizontal bar charts of the HTML report, laid out here and drawn as inline SVG by its template.

Three charts: scores by pillar (the proven score, and up to the upper score in a lighter shade:
what the UNKNOWN verdicts could add), expected annual loss by journey (red where the journey
misses its availability objective) and money per hour of outage by failure domain (the blast
radius). Pure and deterministic; no script, no font or image to fetch. Labels are clipped to
fit and carried whole in each bar's tooltip; the template escapes them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cellguard.assessments.availability.blast import BlastRadius
from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.assessments.scoring import Score
from cellguard.models.wording import plural
from cellguard.reports.svg import clip

WIDTH = 490.0
LABEL_W = 222.0
VALUE_W = 118.0
BAR_H = 16.0
GAP = 6.0
TOP = 4.0
BAR_W = WIDTH - LABEL_W - VALUE_W - 8

RED, AMBER, GREEN, GREY, BLUE = "#c62828", "#b26a00", "#2e7d32", "#9aa3b0", "#1565c0"
DOMAIN_COLOURS = {
    "region": "#8b0000",
    "account": "#6a1b9a",
    "zone": "#b26a00",
    "cell": "#1565c0",
    "shared": "#c62828",
}


@dataclass(frozen=True)
class Bar:
    """One bar: ``width`` px filled in ``colour``, then ``extra`` px in a lighter shade."""

    y: float
    label: str
    full: str
    width: float
    colour: str
    value: str
    extra: float = 0.0


@dataclass(frozen=True)
class Chart:
    """A bar chart with its size; ``empty`` says why there is nothing to draw."""

    title: str
    bars: tuple[Bar, ...]
    height: float
    note: str = ""
    empty: str = ""
    width: float = WIDTH
    label_w: float = LABEL_W
    bar_w: float = BAR_W


def _chart(
    title: str,
    rows: Sequence[tuple[str, float, str, str, float]],
    note: str = "",
    top: float | None = None,
) -> Chart:
    """``rows`` of (label, value, value text, colour, extra value), scaled so that ``top``
    (default: the largest value plus extra) fills the bar width."""
    rows = [(label, _finite(v), shown, colour, _finite(e)) for label, v, shown, colour, e in rows]
    if top is None:
        top = max((v + e for _, v, _, _, e in rows), default=0.0)
    scale = BAR_W / top if top > 0 else 0.0
    bars = tuple(
        Bar(
            y=TOP + i * (BAR_H + GAP),
            label=clip(label, LABEL_W - 8),
            full=f"{label}: {shown}",
            width=max(value * scale, 1.0 if value > 0 else 0.0),
            colour=colour,
            value=shown,
            extra=extra * scale,
        )
        for i, (label, value, shown, colour, extra) in enumerate(rows)
    )
    height = TOP * 2 + len(rows) * (BAR_H + GAP)
    return Chart(title, bars, height, note)


def _finite(value: float) -> float:
    """A bar's length: NaN, infinite and negative values draw no bar (their text still says)."""
    return value if math.isfinite(value) and value > 0 else 0.0


def score_colour(score: float | None) -> str:
    """Red below 50, amber below 80, green from 80."""
    if score is None:
        return GREY
    return RED if score < 50 else AMBER if score < 80 else GREEN


def scores_chart(rows: Sequence[tuple[str, Score]]) -> Chart:
    """Proven score by pillar (``rows`` of label and score) on a 0-100 scale, the upper score
    in a lighter shade."""
    data: list[tuple[str, float, str, str, float]] = []
    for label, s in rows:
        if s.score is None:
            data.append((label, 0.0, "not scored", GREY, 0.0))
            continue
        upper = s.upper if s.upper is not None else s.score
        shown = f"{s.score:.1f} (upper {upper:.1f})"
        data.append((label, s.score, shown, score_colour(s.score), upper - s.score))
    note = "solid: proven score · light: upper score, if every unknown passed"
    return _chart("Scores by pillar (0–100)", data, note, top=100.0)


def loss_chart(
    journeys: Sequence[JourneyAvailability], money: Callable[[float, str], str]
) -> Chart:
    """Expected annual loss by journey, largest first (``money(value, stack)`` writes it)."""
    priced = sorted(
        (j for j in journeys if j.loss_per_year is not None),
        key=lambda j: (-(j.loss_per_year or 0.0), j.stack, j.journey),
    )
    data = [
        (
            f"{j.stack}/{j.journey}",
            j.loss_per_year or 0.0,
            money(j.loss_per_year or 0.0, j.stack) + "/yr",
            RED if j.meets_objective is False else BLUE,
            0.0,
        )
        for j in priced
    ]
    chart = _chart(
        "Expected loss per year by journey", data, "red: misses its availability objective"
    )
    if not data:
        return Chart(chart.title, (), 0.0, empty="No journey states revenue or penalties.")
    return chart


def blast_chart(
    radius: Sequence[BlastRadius], money: Callable[[float, Sequence[str]], str], limit: int = 12
) -> Chart:
    """Money per hour of outage by failure domain, largest first (at most ``limit`` bars)."""
    rows = sorted(radius, key=lambda b: (-b.money_per_hour, b.domain.node_id))
    data = [
        (
            b.domain.node_id,
            b.money_per_hour,
            f"{money(b.money_per_hour, b.stacks)}/h · {plural(len(b.journeys), 'journey')}",
            DOMAIN_COLOURS.get(b.domain.kind.value, GREY),
            0.0,
        )
        for b in rows[:limit]
    ]
    more = len(rows) - limit
    note = f"{more} more in the table" if more > 0 else ""
    chart = _chart("Blast radius: money per hour of outage by failure domain", data, note)
    if not data:
        return Chart(
            chart.title, (), 0.0, empty="No failure domain takes a journey down on its own."
        )
    return chart
