"""Blast radius of each failure domain: what goes down when it alone fails.

A journey is in a domain's blast radius when the domain failing, with every other event
working, takes the journey down (the domain is an order-1 cut set of the journey). The
money at stake is the summed ``revenue_per_hour`` of those journeys; the departments are the
``department`` labels of their stacks.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.assessments.availability.journeys import journey_availability, journey_result
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.placement import DomainRef
from cellguard.models.findings import Evidence


@dataclass(frozen=True)
class BlastRadius:
    """The journeys, stacks and departments one failure domain takes down on its own."""

    domain: DomainRef
    journeys: tuple[tuple[str, str], ...]
    stacks: tuple[str, ...]
    departments: tuple[str, ...]
    money_per_hour: float
    share: float
    """Share of the organisation's revenue per hour (0 when no journey states revenue)."""

    def to_json(self) -> dict[str, Evidence]:
        """The entry of the JSON contract's ``blast_radius`` section."""
        return {
            "domain": self.domain.node_id,
            "kind": self.domain.kind.value,
            "journeys": [f"{s}/{j}" for s, j in self.journeys],
            "stacks": list(self.stacks),
            "departments": list(self.departments),
            "money_per_hour": round(self.money_per_hour, 2),
            "share_of_revenue": round(self.share, 4),
        }


def blast_radius(graph: StackGraph) -> list[BlastRadius]:
    """Every failure domain that takes at least one journey down, by money then id."""
    hit: dict[str, list[tuple[str, str]]] = {}
    total = 0.0
    revenue: dict[tuple[str, str], float] = {}
    for result in journey_availability(graph):
        key = (result.stack, result.journey)
        jt, _ = journey_result(graph, *key)
        revenue[key] = result.revenue_per_hour or 0.0
        total += revenue[key]
        for event in result.single_points:
            info = jt.events.get(event)
            if info is not None and info.domain is not None:
                hit.setdefault(event, []).append(key)
    out: list[BlastRadius] = []
    for node_id, journeys in hit.items():
        journeys = sorted(set(journeys))
        stacks = sorted({s for s, _ in journeys})
        departments = sorted(
            {
                dept
                for s in stacks
                if (loaded := graph.org.by_name(s)) is not None
                and (dept := loaded.document.metadata.labels.get("department")) is not None
            }
        )
        money = sum(revenue[j] for j in journeys)
        out.append(
            BlastRadius(
                DomainRef.parse(node_id),
                tuple(journeys),
                tuple(stacks),
                tuple(departments),
                money,
                money / total if total > 0 else 0.0,
            )
        )
    return sorted(out, key=lambda b: (-b.money_per_hour, -len(b.journeys), b.domain))
