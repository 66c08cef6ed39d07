"""The rows of the capacity model: one model fleet's demand, supply and failover figures.

:mod:`capacity` computes them, :mod:`failover` adds what fails over to a fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments.demand import Load
from cellguard.assessments.queueing import QueueStats
from cellguard.assessments.stability import TARGET_UTILISATION
from cellguard.assessments.throughput import ReplicaSpec
from cellguard.assessments.throughput_media import WORK_UNITS
from cellguard.models.findings import Evidence

OUTPUT_TPS = "output tokens/s"
TOKENS_PS = "tokens/s"
REQUESTS_PS = "requests/s"
QUOTA = "quota"


@dataclass(frozen=True)
class PrimaryDown:
    """Failure-driven failover: ``primary`` down entirely (a bad canary, a crash loop, a driver
    fault), so every request of the journeys whose calls name ``fallback`` goes to it.

    ``demand`` is that demand in ``unit`` (from :mod:`demand`, route shares included);
    ``own_demand`` is what the fallback carries anyway; ``shed`` is the share of ``demand`` the
    design accepts to shed (``shed_on_failover``); ``supply`` is the fallback's quota (the
    dimension closest to exhaustion) or its fleet's throughput. ``complete`` is false when a
    journey lacks the numbers (its demand is then left out of the sums).
    """

    primary: str
    fallback: str
    unit: str
    demand: float
    own_demand: float
    shed: float
    supply: float | None
    journeys: tuple[str, ...]
    complete: bool
    missing: tuple[str, ...] = ()

    @property
    def carried(self) -> float:
        """What the fallback must serve: its own demand plus the failover demand not shed."""
        return self.own_demand + self.demand * (1 - self.shed)

    @property
    def utilisation(self) -> float | None:
        """:attr:`carried` over the supply (``None`` without a supply)."""
        return ratio(self.carried, self.supply)

    @property
    def utilisation_without_shedding(self) -> float | None:
        """Own plus all of the failover demand over the supply."""
        return ratio(self.own_demand + self.demand, self.supply)

    def to_json(self) -> dict[str, Evidence]:
        """JSON-ready figures: rates to 0.1, utilisations to 0.001."""
        return {
            "primary": self.primary,
            "fallback": self.fallback,
            "unit": self.unit,
            "demand": rounded(self.demand, 1),
            "own_demand": rounded(self.own_demand, 1),
            "shed": self.shed,
            "carried": rounded(self.carried, 1),
            "supply": rounded(self.supply, 1),
            "utilisation": rounded(self.utilisation, 3),
            "utilisation_without_shedding": rounded(self.utilisation_without_shedding, 3),
            "journeys": list(self.journeys),
            "complete": self.complete,
            "missing": list(self.missing),
        }


@dataclass(frozen=True)
class CapacityRow:
    """Capacity of one model endpoint or embedding model (``None`` where data is missing).

    ``failover_demand`` is what its primaries cannot carry after their worst zone or region
    loss; ``primary_down`` is the worst failure-driven failover onto it (a primary down
    entirely, see :class:`PrimaryDown`). ``replicas`` and ``replicas_needed`` are per region; ``after_zone_loss`` is the capacity
    left in the worst-hit region after losing its largest zone (its utilisation is against
    that region's share of demand); ``after_region_loss`` is what the other regions hold.
    """

    stack: str
    id: str
    kind: str
    basis: str
    unit: str
    demand: float | None
    demand_complete: bool
    journeys: tuple[str, ...]
    supply: float | None
    utilisation: float | None
    failover_demand: float | None = None
    primary_down: PrimaryDown | None = None
    per_replica: float | None = None
    replicas: int | None = None
    regions: tuple[str, ...] = ()
    zones: int | None = None
    replicas_after_zone_loss: int | None = None
    after_zone_loss: float | None = None
    utilisation_after_zone_loss: float | None = None
    after_region_loss: float | None = None
    utilisation_after_region_loss: float | None = None
    replicas_needed: int | None = None
    p99_wait_ms: float | None = None
    queue_saturated: bool = False
    throughput_source: str | None = None
    throughput_basis: dict[str, Evidence] = field(default_factory=dict)
    shared_with: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    target_utilisation: float = TARGET_UTILISATION
    retried_demand: float | None = None
    """A quota's offered load with the callers' retries of the calls it throttles (only
    when the first calls exceed it and a caller retries; :mod:`.quota_retries`)."""

    @property
    def utilisation_with_retries(self) -> float | None:
        """Offered load with retries over the quota (``None`` without retried demand)."""
        return ratio(self.retried_demand, self.supply) if self.retried_demand else None

    @property
    def qid(self) -> str:
        """``stack/id``."""
        return f"{self.stack}/{self.id}"

    def to_json(self) -> dict[str, Evidence]:
        """The row as JSON-ready data: fixed key order, rates to 0.1 (to 0.001 in images,
        embeddings or audio seconds per second), utilisations to 0.001."""
        digits = 3 if self.unit in WORK_UNITS else 1
        return {
            "stack": self.stack,
            "id": self.id,
            "kind": self.kind,
            "basis": self.basis,
            "unit": self.unit,
            "demand": rounded(self.demand, digits),
            "demand_complete": self.demand_complete,
            "journeys": list(self.journeys),
            "failover_demand": rounded(self.failover_demand, digits),
            "primary_down": self.primary_down.to_json() if self.primary_down else None,
            "supply": rounded(self.supply, digits),
            "utilisation": rounded(self.utilisation, 3),
            "per_replica": rounded(self.per_replica, digits),
            "replicas": self.replicas,
            "regions": list(self.regions),
            "zones": self.zones,
            "replicas_after_zone_loss": self.replicas_after_zone_loss,
            "after_zone_loss": rounded(self.after_zone_loss, digits),
            "utilisation_after_zone_loss": rounded(self.utilisation_after_zone_loss, 3),
            "after_region_loss": rounded(self.after_region_loss, digits),
            "utilisation_after_region_loss": rounded(self.utilisation_after_region_loss, 3),
            "replicas_needed": self.replicas_needed,
            "target_utilisation": self.target_utilisation,
            "p99_wait_ms": rounded(self.p99_wait_ms, 1),
            "queue_saturated": self.queue_saturated,
            "throughput_source": self.throughput_source,
            "throughput_basis": dict(sorted(self.throughput_basis.items())),
            "shared_with": list(self.shared_with),
            "retried_demand": rounded(self.retried_demand, digits),
            "utilisation_with_retries": rounded(self.utilisation_with_retries, 3),
            "missing": list(self.missing),
        }


def rounded(value: float | None, digits: int) -> float | None:
    """``value`` rounded to ``digits`` decimals (``None`` stays ``None``; no ``-0.0``)."""
    return None if value is None else round(value, digits) + 0.0


@dataclass(frozen=True)
class Fleet:
    """A row with what produced it: the replica's hardware and the load (for latency)."""

    row: CapacityRow
    load: Load
    replica: ReplicaSpec | None = None
    queue: QueueStats | None = None
    service_seconds: float | None = None
    """One request's time on a replica, for fleets counted in a non-token unit (images,
    embeddings, requests: :mod:`throughput_media`); ``None`` for tokens."""


def ratio(demand: float, supply: float | None) -> float | None:
    """``demand / supply``; ``None`` without a positive supply."""
    if supply is None or supply <= 0:
        return None
    return demand / supply
