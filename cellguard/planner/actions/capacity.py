"""Capacity actions: statically stable, reserved GPU fleets over several instance types,
autoscaling, cold starts, quotas, and the protections that keep load bounded."""

from __future__ import annotations

import math

from cellguard.assessments.capacity import fleet
from cellguard.assessments.stability import TARGET_UTILISATION, replicas_for_static_stability
from cellguard.models.catalog.hardware import InstanceType, find_instance, instance_catalog
from cellguard.models.components import Autoscaling, Capacity
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import AutoscalingMetric, ComponentKind, PurchaseOption
from cellguard.models.findings import Finding
from cellguard.models.wording import plural
from cellguard.planner.actions._helpers import (
    component,
    regions_of,
    set_placement,
    target_component,
    zone_count,
)
from cellguard.planner.actions.cold_start import reduce_cold_start
from cellguard.planner.actions.gpu_memory import memory_step
from cellguard.planner.actions.gpu_sharing import group_note, replicas_for_group, sharing_step
from cellguard.planner.actions.redundancy import ZONES_WANTED
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace

QUOTA_STEP = 10_000
"""Quota requests are rounded up to this many tokens (or requests) per minute."""


def _per(value: float) -> str:
    """A replica's throughput: ``1,207``; below 100 (images or embeddings a second) three
    significant figures, so 0.056 images/s does not read as 0."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _scale(ws: Workspace, stack: str, cid: str, replicas: int) -> list[Edit]:
    """Run at least ``replicas`` per region; autoscaling and reservations follow."""
    comp = component(ws, stack, cid)
    edits = ws.set(stack, ("components", cid, "replicas"), max(comp.replicas or 0, replicas))
    comp = component(ws, stack, cid)
    n = comp.replicas or replicas
    scaling = getattr(comp, "autoscaling", None)
    if isinstance(scaling, Autoscaling) and (scaling.min < n or scaling.max <= n):
        edits += ws.set(
            stack,
            ("components", cid, "autoscaling"),
            scaling.model_copy(update={"min": max(scaling.min, n), "max": max(scaling.max, 2 * n)}),
        )
    capacity = getattr(comp, "capacity", None)
    if isinstance(capacity, Capacity) and capacity.purchase in (
        PurchaseOption.ODCR,
        PurchaseOption.CAPACITY_BLOCK,
    ):
        edits += ws.set(stack, ("components", cid, "capacity", "reserved_replicas"), n)
    return edits


def statically_stable_gpus(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-CAP-012: replicas per region that survive losing a zone (and a region) at 80%."""
    stack, cid = finding.stack, finding.target
    row = fleet(ctx.graph, f"{stack}/{cid}")
    memory = memory_step("statically-stable-gpus", finding, row.replica if row else None)
    if memory is not None:
        return memory
    if row is None or row.row.per_replica is None or row.row.demand is None:
        return manual(
            "statically-stable-gpus",
            finding,
            f"Measure {cid}'s per-replica throughput (the catalog has none), then size it.",
        )
    comp = component(ws, stack, cid)
    regions = regions_of(ws, stack, comp)
    zones = min(ZONES_WANTED, zone_count(ws, stack, regions))
    edits = set_placement(ws, stack, cid, zones=zones) if (row.row.zones or 0) < zones else []
    per, demand = row.row.per_replica, row.row.demand
    needed = replicas_for_static_stability(demand, per, zones=zones, regions=len(regions))
    if needed is None:
        return manual(
            "statically-stable-gpus", finding, f"Give {cid}'s regions at least two zones."
        )
    edits += _scale(ws, stack, cid, needed)
    text = (
        f"{cid}: {needed} replicas per region over {zones} zones in {plural(len(regions), 'region')}, "
        f"from the capacity model (peak {demand:,.0f} {row.row.unit}, {_per(per)} per replica "
        f"({row.row.throughput_source or 'estimate'}), at most {TARGET_UTILISATION:.0%} after "
        "losing a zone" + (" or a region)." if len(regions) > 1 else ").")
    )
    return change("statically-stable-gpus", finding, text, edits)


def add_gpu_capacity(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-011: enough replicas for peak demand at the target utilisation (unless a
    replica cannot hold the model: more of them cannot fix that, :mod:`.gpu_memory`)."""
    stack, cid = finding.stack, finding.target
    row = fleet(ctx.graph, f"{stack}/{cid}")
    spec = row.replica if row is not None else None
    memory = sharing_step("add-gpu-capacity", finding, spec) or memory_step(
        "add-gpu-capacity", finding, spec
    )
    if memory is not None:
        return memory
    if row is None or not row.row.per_replica or row.row.demand is None:
        return manual("add-gpu-capacity", finding, f"Measure {cid}'s per-replica throughput.")
    regions = len(regions_of(ws, stack, component(ws, stack, cid)))
    needed = math.ceil(row.row.demand / (row.row.per_replica * TARGET_UTILISATION * regions))
    needed = max(needed, replicas_for_group(finding, row.row.replicas or needed))  # shared GPUs
    edits = _scale(ws, stack, cid, needed)
    text = (
        f"{cid}: at least {needed} replicas per region for peak {row.row.demand:,.0f} "
        f"{row.row.unit} at {TARGET_UTILISATION:.0%} ({_per(row.row.per_replica)} per replica)."
    ) + group_note(finding, needed)
    return change("add-gpu-capacity", finding, text, edits)


def absorb_surge(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-014: autoscale far enough for the surge, or run enough to absorb it."""
    stack, cid = finding.stack, finding.target
    row = fleet(ctx.graph, f"{stack}/{cid}")
    comp = component(ws, stack, cid)
    surges = [
        (j.demand.surge.multiplier, j.demand.surge.ramp_seconds)
        for _, j in ctx.rules.journeys_of(f"{stack}/{cid}")
        if j.demand.surge is not None
    ]
    if row is None or not row.row.per_replica or row.row.demand is None or not surges:
        return manual("absorb-surge", finding, f"Measure {cid}'s throughput and surges.")
    regions = len(regions_of(ws, stack, comp))
    multiplier = max(m for m, _ in surges)
    ramp = min(r for _, r in surges)
    demand = row.row.demand * multiplier
    needed = math.ceil(demand / (row.row.per_replica * regions))
    serving = getattr(comp, "serving", None)
    cold = serving.cold_start_seconds if serving is not None else None
    if cold is not None and cold > ramp:
        edits = _scale(ws, stack, cid, needed)
        text = (
            f"{cid}: {needed} replicas per region run ahead of the {multiplier:g}x surge "
            f"({demand:,.0f} {row.row.unit}), because a new replica takes {cold} s to serve, "
            f"longer than the {ramp} s ramp."
        )
    else:
        scaling = getattr(comp, "autoscaling", None)
        low = scaling.min if isinstance(scaling, Autoscaling) else comp.replicas or 1
        metric = scaling.metric if isinstance(scaling, Autoscaling) else None
        new = Autoscaling(
            min=low, max=max(needed, low + 1), metric=metric or AutoscalingMetric.QUEUE_DEPTH
        )
        edits = ws.set(stack, ("components", cid, "autoscaling"), new)
        text = (
            f"{cid}: autoscale up to {new.max} replicas per region for the {multiplier:g}x surge."
        )
    return change("absorb-surge", finding, text, edits)


def reserve_gpu_capacity(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-001: on-demand capacity reservations for every replica."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    n = comp.replicas or 1
    edits = ws.set(
        stack,
        ("components", cid, "capacity"),
        Capacity(purchase=PurchaseOption.ODCR, reserved_replicas=n),
    )
    text = (
        f"{cid}: reserve its {n} replicas per region with On-Demand Capacity Reservations "
        "(capacity blocks suit fixed-term surges)."
    )
    out = change("reserve-gpu-capacity", finding, text, edits)
    return (
        out
        + manual(
            "reserve-gpu-capacity",
            finding,
            f"Create the capacity reservations for {cid} in each region and zone (they are billed "
            "whether used or not).",
        )
        if out
        else out
    )


def _size_order(t: InstanceType) -> tuple[int, str]:
    """Smallest sizes first: ``xlarge`` < ``2xlarge`` < ``12xlarge`` (the number in the size)."""
    size = t.name.rsplit(".", 1)[-1]
    digits = "".join(ch for ch in size if ch.isdigit())
    return (int(digits) if digits else 1, t.name)


def diversify_instance_types(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-CAP-002: add catalog instance types with the same GPU and GPU count."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    serving = getattr(comp, "serving", None)
    training = comp.kind == ComponentKind.TRAINING_JOB.value if hasattr(comp, "kind") else False
    types: list[str] = (
        list(getattr(comp, "instance_types", []))
        if training
        else (list(serving.instance_types) if serving is not None else [])
    )
    known = [find_instance(t) for t in types]
    base = next((k for k in known if k is not None), None)
    if base is None:
        return manual(
            "diversify-instance-types",
            finding,
            f"List a second instance type for {cid} (its current one is not in the catalog).",
        )
    regions = regions_of(ws, stack, comp)
    extra = [
        t.name
        for t in sorted(instance_catalog().instance_types(), key=_size_order)
        if t.gpu == base.gpu
        and t.gpus == base.gpus
        and t.platform == base.platform
        and t.name not in types
        and all(r in t.regions for r in regions)
    ][:2]
    if not extra:
        return manual(
            "diversify-instance-types", finding, f"No other {base.gpu} instance type offered."
        )
    path = (
        ("components", cid, "instance_types")
        if training
        else ("components", cid, "serving", "instance_types")
    )
    edits = ws.set(stack, path, [*types, *extra])
    text = (
        f"{cid}: may also run on {', '.join(extra)} (same {base.gpu} x{base.gpus}, offered in "
        f"{', '.join(regions)} per the instance catalog)."
    )
    return change("diversify-instance-types", finding, text, edits)


def enable_autoscaling(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-003: autoscale between the current fleet and twice it."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    n = max(comp.replicas or 1, 1)
    model = isinstance(comp, HostedModelFields)
    metric = AutoscalingMetric.QUEUE_DEPTH if model else AutoscalingMetric.REQUESTS_PER_SECOND
    new = Autoscaling(min=n, max=max(2 * n, n + 2), metric=metric)
    edits = ws.set(stack, ("components", cid, "autoscaling"), new)
    text = f"{cid}: autoscale {new.min}-{new.max} replicas per region on {metric.value}."
    return change("enable-autoscaling", finding, text, edits)


def _protection(action: str, flag: str, words: str) -> Action:
    def act(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
        comp = target_component(ws, finding)
        if "protections" not in type(comp).model_fields:
            return manual(action, finding, f"{finding.target} should {words}.")
        edits = ws.set(finding.stack, ("components", finding.target, "protections", flag), True)
        return change(action, finding, f"{finding.target}: {words}.", edits)

    act.__doc__ = f"Turn on protections.{flag}."
    return act


add_rate_limiting = _protection(
    "add-rate-limiting", "rate_limiting", "rate-limit clients (per-client token bucket)"
)
add_load_shedding = _protection(
    "add-load-shedding", "load_shedding", "shed load early when queues exceed their bound"
)
add_backoff_jitter = _protection(
    "add-backoff-jitter", "backoff_jitter", "retry with exponential backoff and full jitter"
)


def throttle_ingestion(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-008: throttle every source read."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    edits: list[Edit] = []
    for source in getattr(comp, "sources", []):
        edits += ws.set(stack, ("components", cid, "sources", source.name, "throttled"), True)
    names = ", ".join(s.name for s in getattr(comp, "sources", []))
    return change(
        "throttle-ingestion", finding, f"{cid}: throttle reads of {names} to their limits.", edits
    )


def bound_ingestion_parallelism(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-CAP-015: parallel workers that fit in the embedding model's spare capacity."""
    stack, cid = finding.stack, finding.target
    spare = finding.evidence.get("spare_rps")
    latency = finding.evidence.get("embedding_latency_ms")
    if not isinstance(spare, int | float) or not isinstance(latency, int | float) or spare <= 0:
        return manual(
            "bound-ingestion-parallelism", finding, f"Bound {cid}'s parallelism to spare capacity."
        )
    workers = max(1, math.floor(spare * TARGET_UTILISATION * latency / 1000))
    edits = ws.set(stack, ("components", cid, "parallelism"), workers)
    text = (
        f"{cid}: {workers} parallel workers ({spare:g} requests/s spare on the embedding model "
        f"at {latency:g} ms a call, {TARGET_UTILISATION:.0%} of it)."
    )
    return change("bound-ingestion-parallelism", finding, text, edits)


def pace_training_launches(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-CAP-009: retry throttled launches with backoff, and keep warm pools."""
    stack, cid = finding.stack, finding.target
    edits = ws.set(stack, ("components", cid, "retries"), True)
    edits += ws.set(stack, ("components", cid, "warm_pool"), True)
    text = (
        f"{cid}: retry throttled CreateTrainingJob calls with backoff and keep SageMaker warm "
        "pools between jobs."
    )
    return change("pace-training-launches", finding, text, edits)


def raise_model_quota(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-013: a quota covering peak at 80% and failover traffic; approval is manual."""
    stack, cid = finding.stack, finding.target
    row = fleet(ctx.graph, f"{stack}/{cid}")
    comp = target_component(ws, finding)
    quota = getattr(comp, "quota", None)
    if row is None or row.row.demand is None or quota is None:
        return manual("raise-model-quota", finding, f"Request a quota for {cid} covering peak.")
    need = max(row.row.demand / TARGET_UTILISATION, row.row.demand + (row.row.failover_demand or 0))
    per_minute = math.ceil(need * 60 / QUOTA_STEP) * QUOTA_STEP
    field = "tokens_per_minute" if row.row.unit == "tokens/s" else "requests_per_minute"
    edits = ws.set(stack, ("components", cid, "quota", field), per_minute)
    failover = row.row.failover_demand or 0.0
    text = (
        f"{cid}: quota of {per_minute:,} {field.replace('_', ' ')}: peak {row.row.demand:,.0f} "
        f"{row.row.unit} at {TARGET_UTILISATION:.0%} of it"
        + (
            f", peak plus {failover:,.0f} {row.row.unit} of failover traffic within it"
            if failover
            else ""
        )
        + " (demand from the capacity model)."
    )
    out = change("raise-model-quota", finding, text, edits)
    return (
        out
        + manual(
            "raise-model-quota",
            finding,
            f"Request the increase of {cid}'s quota to {per_minute:,} {field.replace('_', ' ')} "
            "(Service Quotas) and wait for approval before relying on it.",
        )
        if out
        else out
    )


ACTIONS: dict[str, Action] = {
    "statically-stable-gpus": statically_stable_gpus,
    "add-gpu-capacity": add_gpu_capacity,
    "absorb-surge": absorb_surge,
    "reserve-gpu-capacity": reserve_gpu_capacity,
    "diversify-instance-types": diversify_instance_types,
    "enable-autoscaling": enable_autoscaling,
    "reduce-cold-start": reduce_cold_start,
    "add-rate-limiting": add_rate_limiting,
    "add-load-shedding": add_load_shedding,
    "add-backoff-jitter": add_backoff_jitter,
    "throttle-ingestion": throttle_ingestion,
    "bound-ingestion-parallelism": bound_ingestion_parallelism,
    "pace-training-launches": pace_training_launches,
    "raise-model-quota": raise_model_quota,
}
"""Capacity actions by id."""
