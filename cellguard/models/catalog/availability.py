"""Availability priors (``availability.yaml``) of failure domains and components.

Every prior has an availability in percent, a mean repair time and a :class:`Source`. A
component prior also has a *scope*: ``replica`` (each replica fails on its own, in its zone)
or ``service`` (a managed regional service: one event per region that all callers share).
Component priors are matched on ``hosting``, ``engine``, ``runtime``, ``provider``, ``product``,
``framework`` and ``multi_az``; the first match in file order wins. There is no default: a
component no entry matches has no prior (:func:`component_prior` returns ``None``), and the
availability of its journeys is unproven until the spec sets its ``availability``.

Every prior says in ``basis`` what kind of figure it is (:class:`PriorBasis`): an SLA credit
threshold, a provider's design figure, a cellguard estimate or a cellguard assumption.
"""

from enum import StrEnum
from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file


class PriorScope(StrEnum):
    """What one basic event of a component stands for."""

    REPLICA = "replica"
    SERVICE = "service"


class PriorBasis(StrEnum):
    """What kind of figure a prior is."""

    SLA = "sla"
    """The provider's SLA credit threshold: a contractual floor, not a measurement."""
    DESIGN = "design"
    """The provider's published design figure (e.g. S3 Standard's 99.99%)."""
    ESTIMATE = "estimate"
    """A labelled cellguard estimate derived from the nearest published figure."""
    ASSUMPTION = "assumption"
    """A cellguard assumption: no provider publishes such a figure."""


class Prior(CatalogModel):
    """Availability and repair time of one thing, with its source."""

    availability: float = Field(gt=0, le=100, description="Steady-state availability, percent.")
    repair_hours: float = Field(gt=0, description="Mean time to restore, hours.")
    basis: PriorBasis = Field(description="What kind of figure the availability is.")
    source: Source

    @property
    def unavailability(self) -> float:
        """Probability of being down at a random time."""
        return (100.0 - self.availability) / 100.0


class ComponentMatch(CatalogModel):
    """Attribute values a component must have for a prior to apply (unset: any)."""

    hosting: str | None = None
    engine: str | None = None
    runtime: str | None = None
    provider: str | None = None
    product: str | None = None
    framework: str | None = None
    multi_az: bool | None = None

    def fits(self, attributes: "ComponentAttributes") -> bool:
        """Whether every attribute this match sets has that value in ``attributes``."""
        return all(
            wanted is None or getattr(attributes, name) == wanted
            for name, wanted in self.model_dump().items()
        )


class ComponentAttributes(CatalogModel):
    """The attributes of a component that priors are matched on (``None``: not set)."""

    hosting: str | None = None
    engine: str | None = None
    runtime: str | None = None
    provider: str | None = None
    product: str | None = None
    framework: str | None = None
    multi_az: bool | None = None


class ComponentPrior(Prior):
    """A component prior: match, scope, availability, repair time and source."""

    match: ComponentMatch
    scope: PriorScope


class DomainPriors(CatalogModel):
    """Priors of the derived failure domains."""

    zone: Prior
    region: Prior
    account: Prior
    cell: Prior


class AvailabilityCatalog(CatalogModel):
    """``availability.yaml``."""

    domains: DomainPriors
    shared_domains: dict[str, Prior]
    components: tuple[ComponentPrior, ...] = Field(min_length=1)


@cache
def availability_catalog() -> AvailabilityCatalog:
    """The packaged availability catalog (parsed once)."""
    return load_catalog_file("availability.yaml", AvailabilityCatalog)


def component_prior(attributes: ComponentAttributes) -> ComponentPrior | None:
    """The first component prior matching ``attributes``; ``None`` when none does (no prior:
    the component's availability is unknown)."""
    return next((p for p in availability_catalog().components if p.match.fits(attributes)), None)


def shared_domain_prior(domain_type: str) -> Prior:
    """The prior of a shared domain of ``domain_type`` (``other`` if unknown); the types are
    those of :class:`~cellguard.models.enums.SharedDomainType` and the pools AWS imposes
    (``lambda_concurrency``, ``bedrock_model_quota``) and shared GPUs (``gpu_sharing``)."""
    priors = availability_catalog().shared_domains
    return priors.get(domain_type, priors["other"])
