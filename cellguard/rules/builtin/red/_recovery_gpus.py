"""CG-RED-008's GPU check: the GPUs a recovery needs can be obtained within the RTO (issue 16 item 4).

A journey served by GPU replicas (self-hosted or SageMaker) that do not already run in the DR
recovery region needs those GPUs there during the outage. How long that takes depends on how
they are obtained (``capacity.recovery_purchase``): held capacity (an ODCR, an active Capacity
Block) launches in minutes, capacity bought during the outage (on demand, spot) may take far
longer for scarce families, and a regional failover is when every customer of the lost region
buys in the same places. The recovery time of such a replica is the catalog's obtain time
(:mod:`cellguard.models.catalog.gpu_obtain`) plus its start-up (scale-out time:
:mod:`cellguard.assessments.startup`) without the start-up's provision step, which the obtain
time in the recovery region replaces (the primary's ``capacity.purchase`` does not buy the
recovery region's nodes), against the RTO. A start-up source that is a component of
the stack (a weights bucket, an image registry) must be reachable in the recovery region: it
runs there or has a copy there, or the replica cannot start at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments.startup import figure, runs_on_gpu_nodes, scale_out
from cellguard.models.catalog.gpu_obtain import obtain_time, serving_family
from cellguard.models.components.startup import Startup
from cellguard.models.enums import BackupScope, DrStrategy, PurchaseOption
from cellguard.models.findings import Evidence
from cellguard.models.references import localise, qualify
from cellguard.rules.builtin.red._helpers import has_copy, needed_components
from cellguard.rules.context import RuleContext

SOURCE = (
    "Amazon EC2 User Guide: On-Demand Capacity Reservations, Capacity Blocks for ML, "
    "insufficient instance capacity (cellguard catalog gpu_obtain.yaml)"
)
"""Where the obtain times come from (each entry cites its own page)."""


@dataclass
class RecoveryGpus:
    """What the GPU check adds to CG-RED-008's verdict of one journey."""

    fails: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    oks: list[str] = field(default_factory=list)
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _sources_in_region(
    ctx: RuleContext, qid: str, name: str, region: str, found: RecoveryGpus
) -> None:
    """A replica started in ``region`` pulls from its start-up sources there: a source that is
    a component of the stack must run in ``region`` or have a copy there (replication or a
    cross-region backup); otherwise the recovery cannot start the replica."""
    startup = getattr(ctx.graph.component(qid), "startup", None)
    stack = ctx.graph.stack_of(qid)
    for key, source in startup.sources() if isinstance(startup, Startup) else ():
        if source.component is None:
            continue
        ref = qualify(source.component, stack)
        try:
            regions = ctx.graph.placement(ref).regions
            comp = ctx.graph.component(ref)
        except KeyError:  # declared in a document that is not loaded
            found.unknowns.append(
                f"{name} pulls its {key} from {source.component}, a document not loaded: "
                f"whether it is reachable in {region} is unknown"
            )
            continue
        if region in regions:
            continue
        copy = has_copy(comp, BackupScope.CROSS_REGION, regions)
        where = (
            f"{name} pulls its {key} from {source.component}, which runs in {', '.join(regions)}"
        )
        if copy is False:
            found.fails.append(f"{where} with no copy in {region}: the recovery cannot start it")
        elif copy is None:
            found.unknowns.append(f"{where}; whether it has a copy in {region} is unknown")


@dataclass(frozen=True)
class RegionGpus:
    """How one GPU model's replicas are obtained and started in a recovery region."""

    how: str
    """E.g. ``llm needs g6e GPUs in us-west-2 bought as odcr: 5 min to obtain (...) + 5 min to
    start = 10 min``; empty when the obtain time is unknown."""
    minutes: float | None
    """Obtain plus start-up minutes (obtain only when the start-up is unknown); ``None`` when
    the obtain time is unknown."""
    lacking: str | None
    """The key whose absence leaves the obtain time unknown."""
    start_known: bool
    capacity_block: bool
    evidence: dict[str, Evidence]


def region_gpus(comp: object, name: str, region: str) -> RegionGpus:
    """How long ``comp``'s GPUs take to obtain (``capacity.recovery_purchase``, the catalog)
    and start (its scale-out time) in ``region``."""
    capacity = getattr(comp, "capacity", None)
    purchase: PurchaseOption | None = getattr(capacity, "recovery_purchase", None)
    serving = getattr(comp, "serving", None)
    family = serving_family(serving)
    entry = obtain_time(purchase, family) if purchase and family else None
    if purchase is None or family is None or entry is None:
        lacking = "capacity.recovery_purchase" if purchase is None else "serving.instance_types"
        return RegionGpus(
            "",
            None,
            lacking,
            False,
            False,
            {"recovery_purchase": purchase.value if purchase else None},
        )
    start = scale_out(comp, provision=False)  # the obtain time above is its provisioning
    start_min = (start.seconds or 0.0) / 60.0
    total = entry.minutes + start_min
    label = "an estimate" if entry.estimate else "published"
    how = (
        f"{name} needs {family} GPUs in {region} bought as {purchase.value}: "
        f"{figure(entry.minutes)} min to obtain ({label}, {entry.source.title})"
    )
    if start.seconds is not None:
        how += f" + {figure(start_min)} min to start = {figure(total)} min"
    evidence: dict[str, Evidence] = {
        "recovery_region": region,
        "recovery_purchase": purchase.value,
        "instance_family": family,
        "obtain_minutes": entry.minutes,
        "obtain_estimate": entry.estimate,
        "start_minutes": round(start_min, 1) if start.seconds is not None else None,
        "recovery_minutes": round(total, 1),
    }
    return RegionGpus(
        how,
        total,
        None,
        start.seconds is not None,
        purchase is PurchaseOption.CAPACITY_BLOCK,
        evidence,
    )


def recovery_gpus(ctx: RuleContext, stack: str, journey_id: str, rto: float) -> RecoveryGpus:
    """Judge the GPUs the journey needs in the recovery region against ``rto`` minutes."""
    found = RecoveryGpus()
    dr = ctx.document(stack).practices.disaster_recovery
    region = dr.recovery_region
    if region is None or dr.strategy in (None, DrStrategy.NONE):
        return found
    for qid in needed_components(ctx.graph, stack, journey_id):
        comp = ctx.graph.component(qid)
        if not runs_on_gpu_nodes(comp) or region in ctx.graph.placement(qid).regions:
            continue
        name = localise(qid, stack)
        _sources_in_region(ctx, qid, name, region, found)
        gpus = region_gpus(comp, name, region)
        found.evidence[name] = gpus.evidence
        if gpus.minutes is None:
            found.unknowns.append(
                f"how {name} obtains its GPUs in {region} is unknown ({gpus.lacking})"
            )
        elif gpus.minutes > rto:
            found.fails.append(gpus.how)
        elif not gpus.start_known:
            found.unknowns.append(
                f"{gpus.how}, and its start-up time is unknown (serving.cold_start_seconds)"
            )
        else:
            suffix = " (while a Capacity Block is active there)" if gpus.capacity_block else ""
            found.oks.append(gpus.how + suffix)
    return found


__all__ = ["SOURCE", "RecoveryGpus", "RegionGpus", "recovery_gpus", "region_gpus"]
