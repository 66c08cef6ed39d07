"""CG-CAP-001: the GPU capacity of tier0 and tier1 journeys is reserved."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.enums import PurchaseOption
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._helpers import journey_names
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import MODEL_KINDS, runs_gpus

META = RuleMeta(
    id="CG-CAP-001",
    title="GPU capacity of tier0 and tier1 journeys is reserved",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "Accelerated instances are often short in a zone or region. A fleet bought on demand "
        "runs until it has to replace a failed node, scale out for a surge or move away from "
        "a lost zone; then InsufficientInstanceCapacity leaves a critical journey short. Spot "
        "capacity can be reclaimed at two minutes' notice, and a savings plan is a price "
        "commitment, not a capacity reservation. On-Demand Capacity Reservations and Capacity "
        "Blocks for ML hold the instances for you."
    ),
    source=(
        "AWS EC2 User Guide, On-Demand Capacity Reservations and Capacity Blocks for ML; GENREL01"
    ),
    remediation=(
        "Reserve the baseline GPU fleet with On-Demand Capacity Reservations (or Capacity "
        "Blocks for known peaks, SageMaker training plans for SageMaker endpoints) and set "
        "capacity.purchase to odcr or capacity_block and capacity.reserved_replicas."
    ),
    action="reserve-gpu-capacity",
)

RESERVED = (PurchaseOption.ODCR, PurchaseOption.CAPACITY_BLOCK)
"""Purchase options that hold capacity, not just a price."""

WHY_NOT: dict[PurchaseOption, str] = {
    PurchaseOption.ON_DEMAND: (
        "on-demand GPUs, which may be unavailable when a node must be replaced or the fleet "
        "must scale out"
    ),
    PurchaseOption.SPOT: "spot GPUs, which can be reclaimed at two minutes' notice",
    PurchaseOption.SAVINGS_PLAN: (
        "a savings plan, which is a price commitment, not a capacity reservation"
    ),
}


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every GPU model on a tier0 or tier1 journey."""
    for qid, comp in ctx.components(*MODEL_KINDS):
        target = ctx.component_target(qid)
        if not runs_gpus(comp):
            yield not_applicable(target, f"{target.id} runs on a managed service, not our GPUs.")
            continue
        journeys = ctx.critical_journeys(qid)
        if not journeys:
            yield not_applicable(target, f"{target.id} serves no tier0 or tier1 journey.")
            continue
        assert isinstance(comp, ModelEndpoint | EmbeddingModel)
        capacity = comp.capacity
        purchase = capacity.purchase if capacity else None
        reserved = capacity.reserved_replicas if capacity else None
        names = journey_names(journeys, target.stack)
        evidence: dict[str, Evidence] = {
            "purchase": purchase.value if purchase else None,
            "reserved_replicas": reserved,
            "replicas": comp.replicas,
            "journeys": [f"{s}/{j.id}" for s, j in journeys],
        }
        if reserved is not None and reserved > 0:
            how = f"{purchase.value}, " if purchase else ""
            yield passed(
                target,
                f"{target.id} holds reserved GPU capacity ({how}{reserved} replicas reserved).",
                ("capacity", "reserved_replicas"),
                **evidence,
            )
        elif purchase in RESERVED and reserved is None:
            assert purchase is not None
            yield passed(
                target,
                f"{target.id} runs on reserved GPU capacity ({purchase.value}).",
                ("capacity", "purchase"),
                **evidence,
            )
        elif reserved == 0:
            yield failed(
                target,
                f"{target.id} serves {names} but reserves 0 GPU replicas "
                "(capacity.reserved_replicas).",
                ("capacity", "reserved_replicas"),
                **evidence,
            )
        elif purchase is not None:
            yield failed(
                target,
                f"{target.id} serves {names} on {WHY_NOT[purchase]}.",
                ("capacity", "purchase"),
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} serves {names} but does not say how its GPUs are bought "
                "(capacity.purchase).",
                ("capacity",),
                **evidence,
            )


RULE = PythonRule(META, check)
