"""The failure domains a stack lives in: accounts, regions with zones, cells and shared domains."""

from typing import Annotated

from pydantic import Field, model_validator

from cellguard.models.base import Identifier, Percent, SpecModel
from cellguard.models.enums import RegionRole, SharedDomainType

ZoneId = str
REGION_PATTERN = r"^[a-z]{2}(-[a-z]+)+-\d+$"
"""A region name, e.g. ``eu-west-1``."""


class Region(SpecModel):
    """A cloud region and the availability zones the stack may use in it."""

    name: str = Field(
        pattern=REGION_PATTERN,
        description="Region name, e.g. us-east-1.",
    )
    zones: list[ZoneId] = Field(
        min_length=1,
        description="Availability zone ids (e.g. use1-az1) usable in this region, in preference order.",
    )
    role: RegionRole | None = Field(None, description="Role of the region.")


class Cell(SpecModel):
    """A cell: an independent, complete copy of the stack serving a partition of the traffic."""

    id: Identifier = Field(description="Cell id, unique within the stack.")
    region: str = Field(description="The region the cell lives in.")
    partition: str | None = Field(
        None, description="How traffic is partitioned onto cells, e.g. tenant-hash."
    )
    zones: list[ZoneId] | None = Field(
        None, description="Zones of the cell (default: every zone of its region)."
    )


class AvailabilityOverrides(SpecModel):
    """Overrides of the catalog's prior availability of failure domains, in percent."""

    zone: Percent | None = Field(None, description="Availability of one availability zone.")
    region: Percent | None = Field(None, description="Availability of one region.")
    account: Percent | None = Field(
        None, description="Availability of one account (quota, IAM, billing incidents)."
    )
    cell: Percent | None = Field(None, description="Availability of one cell's shared plumbing.")


class SharedDomain(SpecModel):
    """An explicit shared-fate domain: one thing whose failure takes all its members down."""

    id: Identifier = Field(description="Domain id, unique within the stack or platform.")
    type: SharedDomainType = Field(description="What kind of shared thing this is.")
    description: str | None = Field(None, description="What is shared and why.")
    availability: Percent | None = Field(
        None, description="Availability of the domain in percent (default: catalog prior)."
    )


class Topology(SpecModel):
    """Accounts, regions, zones and cells: the failure domains of the stack."""

    accounts: list[Identifier] = Field(
        min_length=1, description="Cloud accounts the stack runs in; the first is the default."
    )
    regions: list[Region] = Field(
        min_length=1, description="Regions the stack runs in; the first is the default."
    )
    cells: list[Cell] = Field(
        default_factory=lambda: [], description="Cells, if the stack is celled."
    )
    availability: AvailabilityOverrides = Field(
        default_factory=AvailabilityOverrides,
        description="Overrides of the catalog's priors for zones, regions, accounts and cells.",
    )
    shared_domains: list[SharedDomain] = Field(
        default_factory=lambda: [],
        description="Explicit shared-fate domains (quotas, node pools, control planes, ...).",
    )
    allowed_regions: list[Annotated[str, Field(pattern=REGION_PATTERN)]] = Field(
        default_factory=lambda: [],
        description=(
            "Regions the stack and its data may be in (residency, e.g. the EU regions); the "
            "regions must be among them, and `plan` recovers only into them. Empty: any region "
            "of the primary region's geography."
        ),
    )

    @model_validator(mode="after")
    def _regions_allowed(self) -> "Topology":
        outside = [r.name for r in self.regions if r.name not in self.allowed_regions]
        if self.allowed_regions and outside:
            raise ValueError(
                f"region(s) {', '.join(outside)} not in allowed_regions "
                f"({', '.join(self.allowed_regions)}): add them there, or move the stack"
            )
        return self

    def region(self, name: str) -> Region | None:
        """Return the region called ``name``, if the topology has it."""
        return next((r for r in self.regions if r.name == name), None)
