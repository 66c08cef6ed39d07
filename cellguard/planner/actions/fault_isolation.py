"""Fault-isolation actions: cells behind a thin router, per-team copies of shared stores,
dedicated quotas, orchestration frameworks out of the front door, scoped tool credentials."""

from __future__ import annotations

from cellguard.assessments.timeouts import blocking_calls, worst_case_ms
from cellguard.models.components import App, Autoscaling, Placement, Rollout, Router
from cellguard.models.dependencies import Dependency, Protections
from cellguard.models.enums import (
    AutoscalingMetric,
    DependencyMode,
    RolloutStrategy,
    RouterStrategy,
)
from cellguard.models.findings import Finding
from cellguard.models.references import qualify
from cellguard.models.stack import Stack
from cellguard.planner.actions._helpers import (
    component,
    ensure_cells,
    ensure_region,
    free_id,
    journey_components,
    onto_route,
    qid_parts,
    regions_of,
    reroute,
    set_placement,
    wait_ms,
    zone_count,
)
from cellguard.planner.actions.redundancy import ZONES_WANTED
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace
from cellguard.rules.context import CRITICAL_TIERS

ROUTER_TIMEOUT_MS = 30_000
"""Router -> cell timeout when the cell's own calls are unbounded."""


def adopt_cells(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-FI-005: cells per region, the journey's components in every cell, a thin router."""
    stack, journey = finding.stack, finding.target
    doc = ws.document(stack)
    if not isinstance(doc, Stack):
        return []
    entry_stack, entry = qid_parts(ctx.graph.entrypoint(stack, journey))
    if entry_stack != stack:
        return manual(
            "adopt-cells", finding, f"Serve {journey} from cells (its entry is elsewhere)."
        )
    own = [
        qid_parts(q)[1]
        for q in journey_components(ctx, stack, journey)
        if q.startswith(stack + "/")
    ]
    entry_comp = component(ws, stack, entry)
    routed = isinstance(entry_comp, Router)
    members = [c for c in own if not (routed and c == entry)]
    shared = sorted(
        {
            qualify(d.to, stack)
            for c in members
            for d in component(ws, stack, c).depends_on
            if d.on_required_path and "/" in d.to
        }
    )
    if shared:
        return manual(
            "adopt-cells",
            finding,
            f"Serve {journey} from cells once its shared dependencies ({', '.join(shared)}) are "
            "deployed per cell: a cell calling a shared instance is not isolated.",
        )
    regions = sorted({r for c in members for r in regions_of(ws, stack, component(ws, stack, c))})
    cells, edits = ensure_cells(ws, stack, regions)
    for cid in members:
        comp = component(ws, stack, cid)
        mine = [c.id for c in cells if c.region in regions_of(ws, stack, comp)]
        edits += set_placement(ws, stack, cid, cells=mine)
    if routed:
        router_id = entry
    else:
        router_id = free_id(ws, stack, "cell-router")
        calls = blocking_calls(ctx.graph, f"{stack}/{entry}")
        worst = worst_case_ms(calls)
        timeout = wait_ms(worst) if worst else ROUTER_TIMEOUT_MS
        streams = any(d.mode is DependencyMode.STREAM for d in entry_comp.depends_on)
        entry_regions = regions_of(ws, stack, entry_comp)
        zones = min(ZONES_WANTED, zone_count(ws, stack, entry_regions))
        place = entry_comp.placement or Placement()
        router = Router(
            id=router_id,
            kind="router",
            description="Thin, stateless cell router: tenant -> cell map, health-checked cells",
            strategy=RouterStrategy.CELL_HASH,
            health_checks=True,
            runtime=getattr(entry_comp, "runtime", None),
            placement=Placement(regions=entry_regions, zones=zones, account=place.account),
            replicas=max(zones, 3),
            autoscaling=Autoscaling(
                min=max(zones, 3),
                max=3 * max(zones, 3),
                metric=AutoscalingMetric.REQUESTS_PER_SECOND,
            ),
            rollout=Rollout(strategy=RolloutStrategy.CANARY, automatic_rollback=True),
            protections=Protections(
                rate_limiting=True, load_shedding=True, circuit_breaker=True, backoff_jitter=True
            ),
            depends_on=[
                Dependency(
                    to=entry,
                    timeout_ms=timeout,
                    mode=DependencyMode.STREAM if streams else DependencyMode.SYNC,
                )
            ],
        )
        edits += ws.add(stack, ("components",), router)
        for j in doc.business.journeys:
            if j.entrypoint == entry and j.criticality in CRITICAL_TIERS:
                edits += ws.set(stack, ("business", "journeys", j.id, "entrypoint"), router_id)
                edits += onto_route(ws, stack, j.id, entry)  # the router calls the old entry
    text = (
        f"{len(cells)} cells ({', '.join(c.id for c in cells)}, partitioned by tenant hash); "
        f"{', '.join(members)} run in every cell of their region"
        + ("" if routed else f"; {journey} enters through the new thin router {router_id}")
        + "."
    )
    return change("adopt-cells", finding, text, edits)


def isolate_agent_service(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-FI-007: move the framework's orchestration out of the entry tier into a service."""
    stack, cid = finding.stack, finding.target
    comp = component(ws, stack, cid)
    if not isinstance(comp, App) or not comp.framework:
        return manual("isolate-agent-service", finding, f"Run {cid}'s agent as its own service.")
    new_id = free_id(ws, stack, f"{cid}-orchestrator")
    calls = blocking_calls(ctx.graph, f"{stack}/{cid}")
    worst = worst_case_ms(calls)
    timeout = wait_ms(worst) if worst else ROUTER_TIMEOUT_MS
    streams = any(d.mode is DependencyMode.STREAM for d in comp.depends_on)
    service = comp.model_copy(
        update={
            "id": new_id,
            "description": f"{comp.framework} orchestration moved out of {cid}'s process",
            "image": None,
        }
    )
    edits = ws.add(stack, ("components",), service)
    edits += ws.set(stack, ("components", cid, "framework"), None)
    call = Dependency(
        to=new_id,
        timeout_ms=timeout,
        mode=DependencyMode.STREAM if streams else DependencyMode.SYNC,
    )
    edits += ws.set(stack, ("components", cid, "depends_on"), [call])
    edits += reroute(ws, stack, cid, new_id)
    text = (
        f"{comp.framework} runs in a service of its own, {new_id} (same placement and "
        f"replicas), which makes {cid}'s calls; {cid} calls it with a {timeout:,} ms timeout."
    )
    return change("isolate-agent-service", finding, text, edits) + manual(
        "isolate-agent-service",
        finding,
        f"Build and publish the {new_id} image and pin it by digest.",
    )


def scope_tool_credentials(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-FI-008: credentials scoped to what the tool needs."""
    edits = ws.set(finding.stack, ("components", finding.target, "least_privilege"), True)
    return change(
        "scope-tool-credentials",
        finding,
        f"{finding.target}: an IAM role scoped to exactly the writes it makes.",
        edits,
    )


def isolate_model_quota(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-FI-004: a quota of its own (own account or provisioned throughput)."""
    stack, cid = finding.stack, finding.target
    comp = ws.document(stack).component(cid)
    if comp is None or getattr(comp, "quota", None) is None:
        return manual("isolate-model-quota", finding, f"Give {cid} a quota of its own.")
    edits = ws.set(stack, ("components", cid, "quota", "shared_with"), [])
    return change(
        "isolate-model-quota",
        finding,
        f"{cid} draws on a quota no other team shares.",
        edits,
    ) + manual(
        "isolate-model-quota",
        finding,
        f"Move {cid}'s model calls to an account (or provisioned throughput) of its own so its "
        "quota is not shared.",
    )


def _split(action: str, noun: str) -> Action:
    def act(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
        return _split_shared(ws, finding, ctx, action, noun)

    act.__doc__ = f"Give each stack using a shared {noun} its own copy."
    return act


def _split_shared(
    ws: Workspace, finding: Finding, ctx: ActionContext, action: str, noun: str
) -> list[ActionResult]:
    owner, cid = finding.stack, finding.target
    qid = f"{owner}/{cid}"
    if qid not in ctx.graph.nx:
        return manual(action, finding, f"Give every team its own {noun} instead of sharing one.")
    original = component(ws, owner, cid)
    users = sorted({ctx.graph.stack_of(e.source) for e in ctx.graph.dependents(qid)} - {owner})
    edits: list[Edit] = []
    made = []
    for stack in users:
        if stack not in ws.documents:
            continue
        new_id = cid if ws.document(stack).component(cid) is None else f"{cid}-{stack}"[:63]
        regions = regions_of(ws, owner, original)
        for r in regions:
            edits += ensure_region(ws, stack, r)
        place = original.placement or Placement()
        copy = original.model_copy(
            update={
                "placement": place.model_copy(update={"account": None, "cells": None}),
                "depends_on": [
                    d.model_copy(update={"to": qualify(d.to, owner)}) for d in original.depends_on
                ],
                "shared_domains": [],
                "description": f"{stack}'s own copy of {owner}/{cid} (was shared)",
            }
        )
        edits += ws.add(stack, ("components",), copy)
        for caller in ws.document(stack).components:
            for dep in caller.depends_on:
                if qualify(dep.to, stack) == qid:
                    edits += ws.set(
                        stack, ("components", caller.id, "depends_on", dep.to, "to"), new_id
                    )
        made.append(f"{stack}/{new_id}")
    if not made:
        return manual(action, finding, f"Give every team its own {noun} instead of sharing {cid}.")
    text = f"Each team gets its own {noun}: {', '.join(made)} replace the shared {owner}/{cid}."
    return change(action, finding, text, edits) + manual(
        action,
        finding,
        f"Load each copy of {cid} with only its team's data (partitioned ingestion).",
    )


def split_shared_domain(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-FI-009: splitting a shared failure domain is an organisational decision."""
    return manual(
        "split-shared-domain",
        finding,
        f"Split the failure domain behind {finding.target}'s largest blast radius (see the "
        "finding's evidence) into one per department or cell.",
    )


def remove_cross_cell_dependency(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-FI-006: deploy the callee in the caller's cells (and so in their regions)."""
    caller_id, _, callee = finding.target.partition("->")
    s, cid = qid_parts(qualify(callee, finding.stack))
    caller = component(ws, finding.stack, caller_id)
    cells = list(caller.placement.cells or []) if caller.placement else []
    if s != finding.stack or not cells:
        return manual(
            "remove-cross-cell-dependency",
            finding,
            f"Keep {caller_id}'s calls to {callee} in-cell: deploy {callee} in {caller_id}'s cells.",
        )
    topo = ws.document(s).topology
    regions = regions_of(ws, s, component(ws, s, cid))
    for cell in cells:
        found = next((c for c in topo.cells if c.id == cell), None)
        if found is not None and found.region not in regions:
            regions.append(found.region)
    edits = set_placement(ws, s, cid, regions=regions, cells=cells)
    return change(
        "remove-cross-cell-dependency",
        finding,
        f"{cid} runs in the same cells as its caller.",
        edits,
    )


ACTIONS: dict[str, Action] = {
    "adopt-cells": adopt_cells,
    "isolate-agent-service": isolate_agent_service,
    "scope-tool-credentials": scope_tool_credentials,
    "isolate-model-quota": isolate_model_quota,
    "split-shared-vector-store": _split("split-shared-vector-store", "vector store"),
    "split-shared-prompt-library": _split("split-shared-prompt-library", "prompt library"),
    "split-shared-fine-tuned-model": _split("split-shared-fine-tuned-model", "fine-tuned model"),
    "split-shared-domain": split_shared_domain,
    "remove-cross-cell-dependency": remove_cross_cell_dependency,
}
"""Fault-isolation actions by id."""
