"""CG-FI-005: tier0 journeys, and tier1 journeys large enough to need them, are served by cells."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.business import Journey
from cellguard.models.enums import ComponentKind, Criticality, Reputation
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import listing
from cellguard.rules.context import CRITICAL_TIERS, RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, not_applicable, passed, unknown

LARGE_USERS = 10_000
"""A tier1 journey serving this many users or more is asked for cells (cellguard policy)."""
LARGE_PEAK_RPS = 50.0
"""A tier1 journey at this peak request rate or more is asked for cells (cellguard policy)."""
LARGE_REVENUE_PER_HOUR = 10_000.0
"""A tier1 journey losing this much per hour of outage, or per incident in penalties, or more
is asked for cells (cellguard policy)."""
SMALL_REPUTATIONS = (Reputation.LOW, Reputation.MEDIUM)
"""Reputational damage below which a tier1 journey is not asked for cells on reputation."""

META = RuleMeta(
    id="CG-FI-005",
    title="Tier0 journeys, and tier1 journeys large enough to need them, are served by cells",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.MEDIUM,
    applies_to=("journey",),
    rationale=(
        "Without cells, every user of a journey shares one deployment: a bad release, a poison "
        "request, a corrupted index or an overload reaches all of them at once. Cells are "
        "complete, independent copies of the request path, each serving a partition of the "
        "traffic behind a thin router, so such failures stay within one cell's share of users. "
        "A journey counts as celled when its entrypoint is deployed in cells or is a router "
        "that calls components deployed in cells. An empty topology.cells is the defect here: "
        "cells are an architecture a stack declares, not a value it may have left out. "
        "Cells cost a router, per-cell capacity and per-cell operations, so they are asked of "
        "every tier0 journey but of a tier1 journey only when it is large: at least "
        f"{LARGE_USERS:,} users, {LARGE_PEAK_RPS:g} requests per second at peak or "
        f"{LARGE_REVENUE_PER_HOUR:,.0f} (stack currency) per hour of outage or in penalties per "
        "incident, or high or severe reputational damage. These thresholds are cellguard "
        "policy, not a published figure. A tier1 journey is only exempted as small when all "
        "five are stated and below them; "
        "with any of them missing, the verdict is UNKNOWN."
    ),
    source="AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023)",
    remediation=(
        "Declare cells under topology.cells (for example two per region, partition: "
        "tenant-hash), deploy the journey's request path into them with placement.cells, and "
        "make the entrypoint a thin router (kind: router, strategy: cell_hash, health_checks: "
        "true) that only calls into cells."
    ),
    action="adopt-cells",
)


def _size(journey: Journey) -> tuple[list[str], list[str]]:
    """Why a tier1 journey is large (reasons), and which size keys it leaves unstated."""
    impact, demand = journey.impact, journey.demand
    reasons: list[str] = []
    missing: list[str] = []
    if impact.users is None:
        missing.append("impact.users")
    elif impact.users >= LARGE_USERS:
        reasons.append(f"{impact.users:,} users")
    if demand.peak_rps is None:
        missing.append("demand.peak_rps")
    elif demand.peak_rps >= LARGE_PEAK_RPS:
        reasons.append(f"{demand.peak_rps:g} rps at peak")
    if impact.revenue_per_hour is None:
        missing.append("impact.revenue_per_hour")
    elif impact.revenue_per_hour >= LARGE_REVENUE_PER_HOUR:
        reasons.append(f"{impact.revenue_per_hour:,.0f}/h at stake")
    if impact.penalty_per_incident is None:
        missing.append("impact.penalty_per_incident")
    elif impact.penalty_per_incident >= LARGE_REVENUE_PER_HOUR:
        reasons.append(f"{impact.penalty_per_incident:,.0f} penalty per incident")
    if impact.reputation is None:
        missing.append("impact.reputation")
    elif impact.reputation not in SMALL_REPUTATIONS:
        reasons.append(f"{impact.reputation.value} reputational damage")
    return reasons, missing


def _small(target: Target, journey: Journey) -> Outcome | None:
    """N/A or UNKNOWN for a tier1 journey that is not shown to be large, else None."""
    reasons, missing = _size(journey)
    if reasons or journey.criticality is not Criticality.TIER1:
        return None
    if missing:
        return unknown(
            target,
            f"{journey.id} is tier1; cells are asked of tier1 journeys that are large, and "
            f"whether it is cannot be told without {listing(missing)}.",
            tuple(missing[0].split(".")),
        )
    return not_applicable(
        target,
        f"{journey.id} is tier1 but small (under {LARGE_USERS:,} users, "
        f"{LARGE_PEAK_RPS:g} rps, {LARGE_REVENUE_PER_HOUR:,.0f}/h and "
        f"{LARGE_REVENUE_PER_HOUR:,.0f} per incident, low or medium reputational damage); cells "
        "are not asked of it.",
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey."""
    graph = ctx.graph
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        tier = journey.criticality.value
        if journey.criticality not in CRITICAL_TIERS:
            yield not_applicable(target, f"{journey.id} is {tier}; cells are asked of tier0/tier1.")
            continue
        small = _small(target, journey)
        if small is not None:
            yield small
            continue
        try:
            entry = graph.entrypoint(stack, journey.id)
        except KeyError:
            yield unknown(
                target,
                f"{journey.id} enters at {journey.entrypoint}, in a document that is not "
                "loaded; whether it is served by cells cannot be checked.",
                ("entrypoint",),
            )
            continue
        cells = [c.id for c in ctx.document(stack).topology.cells]
        kind = graph.kind(entry)
        entry_cells = [localise(c, stack) for c in graph.placement(entry).cells]
        name = localise(entry, stack)
        celled_callees = [
            localise(e.target, stack)
            for e in graph.dependencies(entry)
            if graph.placement(e.target).cells
        ]
        evidence: dict[str, Evidence] = {
            "criticality": tier,
            "cells": cells,
            "entrypoint": name,
            "entrypoint_kind": kind.value,
            "entrypoint_cells": entry_cells,
        }
        if entry_cells:
            yield passed(
                target,
                f"{journey.id} ({tier}) enters at {name}, deployed in cells "
                f"{listing(entry_cells)}.",
                ("entrypoint",),
                **evidence,
            )
        elif not cells and not celled_callees:
            yield failed(
                target,
                f"{journey.id} ({tier}) is not served by cells: {stack} declares no "
                "topology.cells, so one bad release, poison request or overload reaches every "
                "user of the journey.",
                ("entrypoint",),
                **evidence,
            )
        elif kind is ComponentKind.ROUTER and celled_callees:
            yield passed(
                target,
                f"{journey.id} ({tier}) enters through router {name} into cells "
                f"(via {listing(celled_callees)}).",
                ("entrypoint",),
                routed_to=celled_callees,
                **evidence,
            )
        elif kind is ComponentKind.ROUTER:
            yield failed(
                target,
                f"{journey.id} ({tier}) enters through router {name}, but nothing it calls is "
                "deployed in cells: every user still shares one deployment.",
                ("entrypoint",),
                **evidence,
            )
        else:
            yield failed(
                target,
                f"{journey.id} ({tier}) enters at {name} ({kind.value}), which runs outside "
                "every cell and is not a router: it is shared by all users and all cells.",
                ("entrypoint",),
                **evidence,
            )


RULE = PythonRule(META, check)
