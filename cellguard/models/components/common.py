"""Fields every component shares, and building blocks several kinds reuse."""

from typing import Annotated

from pydantic import Field

from cellguard.models.base import (
    MAX_DAYS,
    MAX_MINUTES,
    MAX_REPLICAS,
    MAX_SECONDS,
    MAX_ZONES,
    Identifier,
    NonNegativeInt,
    Percent,
    PositiveInt,
    Reference,
    SpecModel,
)
from cellguard.models.components.startup import Startup
from cellguard.models.dependencies import DependencyItem, Protections
from cellguard.models.enums import AutoscalingMetric, BackupScope, RolloutStrategy, Runtime


class Placement(SpecModel):
    """Where a component runs. Omitted: the stack's first region and account, zones unspecified."""

    regions: list[str] | None = Field(
        None, min_length=1, description="Regions the component runs in (default: the first)."
    )
    zones: Annotated[int, Field(ge=1, le=MAX_ZONES)] | list[str] | None = Field(
        None,
        description=(
            "Zones per region: a count (the region's first N zones) or explicit zone ids. "
            "Omitted for regional managed services whose zones are not known."
        ),
    )
    account: Identifier | None = Field(
        None, description="Account the component runs in (default: the first)."
    )
    cells: list[Identifier] | None = Field(
        None, description="Cells the component is deployed in (default: none, shared)."
    )


class Autoscaling(SpecModel):
    """Horizontal autoscaling of replicas."""

    min: NonNegativeInt = Field(le=MAX_REPLICAS, description="Fewest replicas per region.")
    max: PositiveInt = Field(le=MAX_REPLICAS, description="Most replicas per region.")
    metric: AutoscalingMetric | None = Field(None, description="The signal scaled on.")


class Rollout(SpecModel):
    """How new versions are rolled out."""

    strategy: RolloutStrategy = Field(description="Rollout strategy.")
    automatic_rollback: bool | None = Field(None, description="Rolls back automatically on alarm.")


class ContainerImage(SpecModel):
    """The container image a component runs."""

    reference: str = Field(
        min_length=1, description="Image reference; pin with a digest (repo@sha256:...)."
    )

    @property
    def pinned(self) -> bool:
        """Whether the reference is pinned to a digest."""
        return "@sha256:" in self.reference


class Backup(SpecModel):
    """A backup schedule of a stateful component."""

    scope: BackupScope = Field(description="Where the copy lives.")
    every_minutes: PositiveInt | None = Field(
        None, le=MAX_MINUTES, description="Backup interval in minutes."
    )
    retention_days: PositiveInt | None = Field(
        None, le=MAX_DAYS, description="How long copies are kept."
    )
    restore_tested: bool | None = Field(None, description="Restores are tested regularly.")


class Replication(SpecModel):
    """Continuous replication of a stateful component."""

    cross_region: bool | None = Field(None, description="Replicated to another region.")
    cross_account: bool | None = Field(None, description="Replicated to another account.")
    regions: list[str] = Field(default_factory=lambda: [], description="Replica regions.")
    lag_seconds: PositiveInt | None = Field(
        None, le=MAX_SECONDS, description="Typical replication lag."
    )
    failover_tested: bool | None = Field(
        None, description="Failover to the replica has been tested."
    )


class ComponentBase(SpecModel):
    """Fields shared by every component kind."""

    id: Identifier = Field(description="Component id, unique within the stack.")
    description: str | None = Field(None, description="What the component does.")
    owner: str | None = Field(None, description="Owning team, if not the stack owner.")
    labels: dict[str, str] = Field(default_factory=lambda: {}, description="Free-form labels.")
    placement: Placement | None = Field(None, description="Where the component runs.")
    replicas: NonNegativeInt | None = Field(
        None,
        le=MAX_REPLICAS,
        description="Replicas per region, spread round-robin over the placement's zones.",
    )
    min_healthy_replicas: NonNegativeInt | None = Field(
        None,
        le=MAX_REPLICAS,
        description=(
            "Replicas per region the journeys need (default: what the capacity model says "
            "peak demand needs, else 1)."
        ),
    )
    availability: Percent | None = Field(
        None,
        description=(
            "One replica's availability in percent, before zone, region and account effects "
            "(for managed kinds: the service in one region). Default: catalog prior."
        ),
    )
    depends_on: list[DependencyItem] = Field(
        default_factory=lambda: [],
        description="Components this one calls: mappings, or bare ids as shorthand for {to: id}.",
    )
    shared_domains: list[Reference] = Field(
        default_factory=lambda: [],
        description="Explicit shared-fate domains the component belongs to ('stack/id' across stacks).",
    )


class ServiceFields(SpecModel):
    """Fields of components that run code the team deploys."""

    runtime: Runtime | None = Field(None, description="Where it runs.")
    image: ContainerImage | None = Field(None, description="Container image.")
    protections: Protections | None = Field(None, description="Load and failure protections.")
    autoscaling: Autoscaling | None = Field(None, description="Horizontal autoscaling.")
    rollout: Rollout | None = Field(None, description="Rollout strategy.")
    startup: Startup | None = Field(
        None,
        description=(
            "What a new replica needs to start (weights, image, licence services): it sets "
            "the scale-out and replacement time (omitted: the fixed repair prior)."
        ),
    )


class StatefulFields(SpecModel):
    """Fields of components that hold data."""

    backups: list[Backup] | None = Field(
        None, description="Backup schedules (an empty list means: no backups)."
    )
    replication: Replication | None = Field(None, description="Continuous replication.")


__all__ = [
    "Autoscaling",
    "Backup",
    "ComponentBase",
    "ContainerImage",
    "Placement",
    "Reference",
    "Replication",
    "Rollout",
    "ServiceFields",
    "StatefulFields",
]
