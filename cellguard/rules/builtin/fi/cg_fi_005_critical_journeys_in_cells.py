"""CG-FI-005: tier0 and tier1 journeys are served by cells."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import listing
from cellguard.rules.context import CRITICAL_TIERS, RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-FI-005",
    title="Tier0 and tier1 journeys are served by cells",
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
        "cells are an architecture a stack declares, not a value it may have left out."
    ),
    source=(
        "AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023); "
        "cellguard DESIGN §6 fault isolation seed (tier0/tier1 journeys without cells)"
    ),
    remediation=(
        "Declare cells under topology.cells (for example two per region, partition: "
        "tenant-hash), deploy the journey's request path into them with placement.cells, and "
        "make the entrypoint a thin router (kind: router, strategy: cell_hash, health_checks: "
        "true) that only calls into cells."
    ),
    action="adopt-cells",
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
