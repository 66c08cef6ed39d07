"""Availability priors (``availability.yaml``) of failure domains and components.

Every prior has an availability in percent, a mean repair time and a :class:`Source`. A
component prior also has a *scope*: ``replica`` (each replica fails on its own, in its zone)
or ``service`` (a managed regional service: one event per region that all callers share).
Component priors are matched on ``hosting``, ``engine``, ``runtime`` and ``provider``; the first match in
file order wins, and the last entry (empty match) is the default.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file


class PriorScope(StrEnum):
    """What one basic event of a component stands for."""

    REPLICA = "replica"
    SERVICE = "service"


class Prior(CatalogModel):
    """Availability and repair time of one thing, with its source."""

    availability: float = Field(gt=0, le=100, description="Steady-state availability, percent.")
    repair_hours: float = Field(gt=0, description="Mean time to restore, hours.")
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


def component_prior(
    hosting: str | None, engine: str | None, runtime: str | None, provider: str | None = None
) -> ComponentPrior:
    """The first component prior matching these attributes (the catalog ends with a default)."""
    for prior in availability_catalog().components:
        m = prior.match
        if (
            (m.hosting is None or m.hosting == hosting)
            and (m.engine is None or m.engine == engine)
            and (m.runtime is None or m.runtime == runtime)
            and (m.provider is None or m.provider == provider)
        ):
            return prior
    raise LookupError("availability.yaml has no default component prior")  # pragma: no cover


def shared_domain_prior(domain_type: str) -> Prior:
    """The prior of an explicit shared domain of ``domain_type`` (``other`` if unknown)."""
    priors = availability_catalog().shared_domains
    return priors.get(domain_type, priors["other"])
