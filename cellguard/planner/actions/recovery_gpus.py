"""How a DR plan obtains the GPUs its recovery region does not already run (CG-RED-008).

A strategy that leaves a journey's GPU replicas out of the recovery region (backup and restore,
or a component in a document the plan does not edit) must obtain their GPUs there during the
outage. CG-RED-008 judges that time (``capacity.recovery_purchase``, the catalog's obtain time,
the replica's start-up) against the RTO and leaves it UNKNOWN while the purchase is unset, so a
plan that chose such a strategy chooses the purchase too: the first of
:data:`RECOVERY_PURCHASES` whose obtain and start-up time fits the RTO, the same figure the rule
computes (:func:`~cellguard.rules.builtin.red._recovery_gpus.region_gpus`), else the fastest.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.assessments.startup import runs_on_gpu_nodes
from cellguard.models.components import ComponentBase
from cellguard.models.components.inference import Capacity
from cellguard.models.enums import PurchaseOption
from cellguard.planner.actions._helpers import component, qid_parts, regions_of
from cellguard.planner.model import Edit
from cellguard.planner.workspace import Workspace
from cellguard.rules.builtin.red._recovery_gpus import region_gpus

RECOVERY_PURCHASES = (PurchaseOption.ON_DEMAND, PurchaseOption.ODCR)
"""Tried in this order: bought when needed (nothing paid while the recovery region is idle),
else an On-Demand Capacity Reservation held there (launches in minutes, paid all the time).
Spot can be reclaimed mid-recovery and a savings plan reserves no capacity; a Capacity Block
counts only while one is active, which a standing DR plan cannot promise."""

_HELD = frozenset({PurchaseOption.ODCR, PurchaseOption.CAPACITY_BLOCK})


@dataclass(frozen=True)
class Purchase:
    """The purchase chosen for one component's recovery GPUs."""

    cid: str
    purchase: PurchaseOption
    minutes: float
    """Obtain plus start-up minutes with it (the rule's figure)."""
    fits: bool
    """Whether ``minutes`` is within the RTO (otherwise the fastest option, still too slow)."""
    estimate: bool
    """Whether the catalog's obtain time is an estimate (no published figure)."""

    def describe(self, region: str) -> str:
        """``llm's GPUs in us-west-2 as odcr (10 min, an estimate)``, with a warning when too
        slow."""
        label = ", an estimate" if self.estimate else ""
        text = (
            f"{self.cid}'s GPUs in {region} as {self.purchase.value} ({self.minutes:g} min{label}"
        )
        return text + (")" if self.fits else ", still beyond the RTO)")


def _with_purchase(comp: ComponentBase, purchase: PurchaseOption) -> ComponentBase:
    capacity = getattr(comp, "capacity", None) or Capacity()
    updated = capacity.model_copy(update={"recovery_purchase": purchase})
    return comp.model_copy(update={"capacity": updated})


def choose(comp: ComponentBase, cid: str, region: str, rto: float) -> Purchase | None:
    """The purchase for ``comp``'s GPUs in ``region`` within ``rto`` minutes; ``None`` when the
    current one already fits (held capacity, or a purchase fast enough) or when no purchase can
    make the obtain time known (the instance family is unknown)."""
    if "capacity" not in type(comp).model_fields:
        return None  # a kind whose spec cannot say how its GPUs are bought
    capacity = getattr(comp, "capacity", None)
    current: PurchaseOption | None = getattr(capacity, "recovery_purchase", None)
    if current is not None:
        now = region_gpus(comp, cid, region).minutes
        if now is not None and (now <= rto or current in _HELD):
            return None  # held capacity is as fast as anything the plan could choose
    fastest: Purchase | None = None
    for purchase in RECOVERY_PURCHASES:
        gpus = region_gpus(_with_purchase(comp, purchase), cid, region)
        minutes = gpus.minutes
        if minutes is None:
            return None  # no obtain time for this family: a purchase decides nothing
        estimate = gpus.evidence.get("obtain_estimate") is not False
        if minutes <= rto:
            return Purchase(cid, purchase, minutes, True, estimate)
        if fastest is None or minutes < fastest.minutes:
            fastest = Purchase(cid, purchase, minutes, False, estimate)
    return fastest


def recovery_purchases(
    ws: Workspace, qids: list[str], region: str, rto: float | None
) -> tuple[list[Edit], list[Purchase]]:
    """Set ``capacity.recovery_purchase`` of every GPU component of ``qids`` that does not run
    in ``region``; the edits and what was chosen. Nothing without an RTO to meet."""
    edits: list[Edit] = []
    chosen: list[Purchase] = []
    if rto is None:
        return edits, chosen
    for qid in qids:
        doc_name, cid = qid_parts(qid)
        if doc_name not in ws.documents:
            continue
        comp = component(ws, doc_name, cid)
        if not runs_on_gpu_nodes(comp) or region in regions_of(ws, doc_name, comp):
            continue
        found = choose(comp, cid, region, rto)
        if found is None:
            continue
        path = ("components", cid, "capacity", "recovery_purchase")
        edits += ws.set(doc_name, path, found.purchase)
        chosen.append(found)
    return edits, chosen


__all__ = ["RECOVERY_PURCHASES", "Purchase", "choose", "recovery_purchases"]
