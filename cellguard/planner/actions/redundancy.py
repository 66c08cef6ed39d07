"""Redundancy actions: zones, a recovery region with a DR strategy, backups and copies,
and the single points of failure a journey's fault tree shows."""

from __future__ import annotations

import math

from cellguard.assessments.availability.journeys import JourneyAvailability
from cellguard.models.components import Backup
from cellguard.models.components.common import StatefulFields
from cellguard.models.enums import BackupScope, DrStrategy
from cellguard.models.findings import Finding
from cellguard.models.stack import Stack
from cellguard.planner.actions._helpers import (
    component,
    ensure_cells,
    ensure_region,
    is_stack,
    journey_components,
    qid_parts,
    recovery_region,
    regions_of,
    set_placement,
    target_component,
    zone_count,
)
from cellguard.planner.actions.recovery_gpus import recovery_purchases
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace
from cellguard.rules.builtin.red._helpers import DR_CLASSES, recovery_point
from cellguard.rules.predicates import DATA_KINDS

ZONES_WANTED = 3
"""Zones a tier0/1 component is spread over (or every zone of its region, if fewer)."""

RETENTION_DAYS = 35
"""Backup retention: the AWS Backup / RDS maximum for continuous backups, a common default."""

_DR_ORDER = (
    DrStrategy.BACKUP_RESTORE,
    DrStrategy.PILOT_LIGHT,
    DrStrategy.WARM_STANDBY,
    DrStrategy.ACTIVE_ACTIVE,
)


def spread(ws: Workspace, stack: str, cid: str) -> tuple[list[Edit], str]:
    """Spread a component over up to three zones of each region with a replica in each."""
    comp = component(ws, stack, cid)
    regions = regions_of(ws, stack, comp)
    zones = min(ZONES_WANTED, zone_count(ws, stack, regions))
    replicas = max(comp.replicas or 0, zones, 2)
    edits = set_placement(ws, stack, cid, zones=zones)
    edits += ws.set(stack, ("components", cid, "replicas"), replicas)
    return edits, f"{cid}: {replicas} replicas per region over {zones} zones"


def spread_over_zones(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-001: spread the component's replicas over the region's zones."""
    edits, what = spread(ws, finding.stack, finding.target)
    return change("spread-over-zones", finding, f"Spread {what} (round-robin).", edits)


def dr_strategy_for(rto: float | None) -> DrStrategy:
    """The least costly DR strategy whose slowest typical recovery meets ``rto``."""
    if rto is None:
        return DrStrategy.WARM_STANDBY
    for strategy in _DR_ORDER:
        if DR_CLASSES[strategy].slowest <= rto:
            return strategy
    return DrStrategy.ACTIVE_ACTIVE


def _stack_rto(doc: Stack) -> float | None:
    rtos = [j.objectives.rto_minutes for j in doc.business.journeys]
    known = [r for r in rtos if r is not None]
    return min(known) if known else None


def deploy_in_region(ws: Workspace, stack: str, qids: list[str], region: str) -> list[Edit]:
    """Run every component in ``qids`` in ``region`` too (adding it to its document); a
    component placed in cells is placed in the region's cells too (created if missing)."""
    edits: list[Edit] = []
    for qid in qids:
        doc_name, cid = qid_parts(qid)
        if doc_name not in ws.documents:
            continue
        comp = component(ws, doc_name, cid)
        regions = regions_of(ws, doc_name, comp)
        if region in regions:
            continue
        edits += ensure_region(ws, doc_name, region)
        zones = comp.placement.zones if comp.placement is not None else None
        if isinstance(zones, list):
            edits += set_placement(ws, doc_name, cid, zones=len(zones))
        edits += set_placement(ws, doc_name, cid, regions=[*regions, region])
        placed = comp.placement.cells if comp.placement is not None else None
        if placed:  # a cell-based component gets cells in the new region too
            cells, added = ensure_cells(ws, doc_name, [region])
            edits += added
            edits += set_placement(ws, doc_name, cid, cells=[*placed, *(c.id for c in cells)])
    return edits


def set_dr(ws: Workspace, stack: str, region: str, strategy: DrStrategy) -> list[Edit]:
    """Set the stack's DR strategy and recovery region."""
    if not is_stack(ws, stack):
        return []
    path = ("practices", "disaster_recovery")
    edits = ws.set(stack, (*path, "strategy"), strategy)
    edits += ws.set(stack, (*path, "recovery_region"), region)
    return edits


def add_recovery_region(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-002: run the journey's components in a recovery region too, active-active."""
    stack, journey = finding.stack, finding.target
    region, why = recovery_region(ws, stack, ctx.recovery_region)
    qids = journey_components(ctx, stack, journey)
    edits = deploy_in_region(ws, stack, qids, region)
    edits += set_dr(ws, stack, region, DrStrategy.ACTIVE_ACTIVE)
    text = (
        f"Serve {journey} from {region} too ({why}): every component it reaches runs there "
        f"({len(qids)} components), DR strategy active_active with recovery region {region}."
    )
    return change("add-recovery-region", finding, text, edits)


def upgrade_dr_strategy(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-008: a DR strategy that recovers within the RTO, and cross-region copies of
    stores too slow to recreate."""
    stack, journey = finding.stack, finding.target
    doc = ws.document(stack)
    if not isinstance(doc, Stack):
        return []
    rto = _stack_rto(doc)
    strategy = dr_strategy_for(rto)
    current = doc.practices.disaster_recovery.strategy
    if current in _DR_ORDER and _DR_ORDER.index(current) > _DR_ORDER.index(strategy):
        strategy = current  # never weaken a stronger strategy another change chose
    region, why = recovery_region(ws, stack, ctx.recovery_region)
    qids = journey_components(ctx, stack, journey)
    edits: list[Edit] = []
    if strategy is not DrStrategy.BACKUP_RESTORE:
        edits += deploy_in_region(ws, stack, qids, region)
    edits += set_dr(ws, stack, region, strategy)
    copied = []
    for qid in qids:
        if ctx.graph.kind(qid) not in DATA_KINDS:
            continue
        s, cid = qid_parts(qid)
        if s in ws.documents:
            added = add_backup(ws, s, cid, BackupScope.CROSS_REGION, ctx)
            if added:
                copied.append(cid)
                edits += added
    bought, purchases = recovery_purchases(ws, qids, region, rto)
    edits += bought
    rto_text = f"{rto:g}-min RTO" if rto is not None else "no RTO"
    text = (
        f"DR strategy {strategy.value} (typically recovers in {DR_CLASSES[strategy].describe()}, "
        f"within the stack's {rto_text}) into {region} ({why})"
        + (f"; cross-region backups of {', '.join(copied)}" if copied else "")
        + (f"; {'; '.join(p.describe(region) for p in purchases)}" if purchases else "")
        + "."
    )
    return change("upgrade-dr-strategy", finding, text, edits)


def _rpo(ctx: ActionContext, stack: str, cid: str) -> float | None:
    rpos = [
        j.objectives.rpo_minutes
        for _, j in ctx.rules.journeys_of(f"{stack}/{cid}")
        if j.objectives.rpo_minutes is not None
    ]
    return min(rpos) if rpos else None


def _interval(ctx: ActionContext, stack: str, cid: str, scope: BackupScope) -> int:
    if scope is BackupScope.CROSS_ACCOUNT:
        return 1440
    rpo = _rpo(ctx, stack, cid)
    return max(1, min(60, math.floor(rpo))) if rpo is not None else 60


def add_backup(
    ws: Workspace, stack: str, cid: str, scope: BackupScope, ctx: ActionContext
) -> list[Edit]:
    """Add a backup of ``scope`` to a store that has none there."""
    comp = component(ws, stack, cid)
    if not isinstance(comp, StatefulFields):
        return []
    current = list(comp.backups or [])
    if any(b.scope is scope for b in current):
        return []
    every = _interval(ctx, stack, cid, scope)
    backup = Backup(scope=scope, every_minutes=every, retention_days=RETENTION_DAYS)
    return ws.set(stack, ("components", cid, "backups"), [*current, backup])


def _backup_action(action: str, scope: BackupScope) -> Action:
    def act(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
        edits = add_backup(ws, finding.stack, finding.target, scope, ctx)
        every = _interval(ctx, finding.stack, finding.target, scope)
        text = (
            f"Back {finding.target} up {scope.value.replace('_', '-')} every {every} min, "
            f"kept {RETENTION_DAYS} days (interval: the tightest RPO of the journeys using it, "
            "at most hourly; cross-account copies daily)."
        )
        return change(action, finding, text, edits)

    act.__doc__ = f"Add a {scope.value} backup."
    return act


add_same_region_backup = _backup_action("add-same-region-backup", BackupScope.SAME_REGION)
add_cross_region_backup = _backup_action("add-cross-region-backup", BackupScope.CROSS_REGION)
add_cross_account_backup = _backup_action("add-cross-account-backup", BackupScope.CROSS_ACCOUNT)


def tighten_backup_schedule(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-007: back every store of the journey up at least as often as the RPO."""
    stack, journey = finding.stack, finding.target
    doc = ws.document(stack)
    journeys = doc.business.journeys if isinstance(doc, Stack) else []
    found = next((j for j in journeys if j.id == journey), None)
    if found is None or found.objectives.rpo_minutes is None:
        return []
    every = max(1, math.floor(found.objectives.rpo_minutes))
    edits: list[Edit] = []
    names: list[str] = []
    for qid in journey_components(ctx, stack, journey):
        if ctx.graph.kind(qid) not in DATA_KINDS:
            continue
        s, cid = qid_parts(qid)
        if s not in ws.documents:
            continue
        comp = component(ws, s, cid)
        point = recovery_point(comp)
        if point.minutes is not None and point.minutes <= every:
            continue
        if not isinstance(comp, StatefulFields):
            continue
        backups = [b for b in comp.backups or [] if b.scope is not BackupScope.SAME_REGION]
        old = next((b for b in comp.backups or [] if b.scope is BackupScope.SAME_REGION), None)
        new = Backup(
            scope=BackupScope.SAME_REGION,
            every_minutes=every,
            retention_days=(old.retention_days if old and old.retention_days else RETENTION_DAYS),
            restore_tested=old.restore_tested if old else None,
        )
        edits += ws.set(s, ("components", cid, "backups"), [new, *backups])
        names.append(cid)
    text = (
        f"Back up {', '.join(names)} in-region every {every} min (continuous backup / "
        f"point-in-time recovery) to meet {journey}'s {found.objectives.rpo_minutes:g}-min RPO."
    )
    return change("tighten-backup-schedule", finding, text, edits)


def deploy_model_in_recovery_region(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-006: run the model in the recovery regions of the stacks that use it."""
    stack, cid = finding.stack, finding.target
    wanted = finding.evidence.get("recovery_regions")
    regions = [r for r in wanted if isinstance(r, str)] if isinstance(wanted, list) else []
    edits: list[Edit] = []
    for region in regions:
        edits += deploy_in_region(ws, stack, [f"{stack}/{cid}"], region)
    text = f"Deploy {cid} in {', '.join(regions)} (the recovery region) as well."
    out = change("deploy-model-in-recovery-region", finding, text, edits)
    comp = target_component(ws, finding)
    model = getattr(comp, "model", None)
    if out and model is not None and model.fine_tuned:
        out += manual(
            "deploy-model-in-recovery-region",
            finding,
            f"Copy the fine-tuned weights of {cid} to {', '.join(regions)} and keep the copy "
            "current with every new fine-tune (custom models exist only where they are copied).",
        )
    return out


def test_replica_failover(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-009: a failover test is an operation, not architecture: a manual step."""
    return manual(
        "test-replica-failover",
        finding,
        f"Rehearse failover of {finding.target} to its replica (e.g. in a game day), then record "
        "replication.failover_tested: true.",
    )


def _journey_figures(ctx: ActionContext, stack: str, journey: str) -> JourneyAvailability | None:
    figures = ctx.assessment.figures
    if figures is None:
        return None
    return next((j for j in figures.journeys if (j.stack, j.journey) == (stack, journey)), None)


def _fix_events(
    ws: Workspace, finding: Finding, ctx: ActionContext, events: list[str], action: str
) -> list[ActionResult]:
    """Remove the causes of ``events`` (fault-tree basic events) the spec can change."""
    stack, journey = finding.stack, finding.target
    edits: list[Edit] = []
    done: list[str] = []
    shared: list[str] = []
    regional = False
    for event in events:
        kind, _, rest = event.partition(":")
        if kind in ("replica", "replicas"):  # one replica, or several in a zone or region
            qid = rest.split("@", 1)[0]
            s, cid = qid_parts(qid)
            if s in ws.documents:
                more, what = spread(ws, s, cid)
                if more:
                    edits += more
                    done.append(what)
        elif kind in ("service", "region", "account"):
            regional = True
        elif kind == "shared":
            shared.append(rest)
    if regional:
        region, why = recovery_region(ws, stack, ctx.recovery_region)
        more = deploy_in_region(ws, stack, journey_components(ctx, stack, journey), region)
        if more:
            edits += more + set_dr(ws, stack, region, DrStrategy.ACTIVE_ACTIVE)
            done.append(f"every component of {journey} also runs in {region} ({why})")
    out = change(action, finding, f"For {journey}: " + "; ".join(done) + ".", edits)
    if shared:
        out += manual(
            action,
            finding,
            f"Split the shared {'domain' if len(set(shared)) == 1 else 'domains'} "
            f"{', '.join(sorted(set(shared)))} so that no single "
            "instance serves the whole journey (e.g. one EKS cluster per region or cell); a "
            "component's shared_domains cannot say 'one per region', so the spec keeps them.",
        )
    return out


def remove_single_points(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-011: remove the journey's order-1 cut sets."""
    figures = _journey_figures(ctx, finding.stack, finding.target)
    events = figures.single_points if figures else []
    return _fix_events(ws, finding, ctx, events, "remove-single-points")


def raise_journey_availability(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-010: remove single points, then the largest contributors, then add a region."""
    figures = _journey_figures(ctx, finding.stack, finding.target)
    if figures is None:
        return []
    events = list(figures.single_points)
    events += [e for cut in figures.cut_sets for e in cut]
    if not any(e.startswith(("region:", "account:", "service:")) for e in events):
        events.append("region:")
    return _fix_events(ws, finding, ctx, events, "raise-journey-availability")


ACTIONS: dict[str, Action] = {
    "spread-over-zones": spread_over_zones,
    "add-recovery-region": add_recovery_region,
    "upgrade-dr-strategy": upgrade_dr_strategy,
    "add-same-region-backup": add_same_region_backup,
    "add-cross-region-backup": add_cross_region_backup,
    "add-cross-account-backup": add_cross_account_backup,
    "tighten-backup-schedule": tighten_backup_schedule,
    "deploy-model-in-recovery-region": deploy_model_in_recovery_region,
    "test-replica-failover": test_replica_failover,
    "remove-single-points": remove_single_points,
    "raise-journey-availability": raise_journey_availability,
}
"""Redundancy actions by id."""
