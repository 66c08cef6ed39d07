"""Managed-service API rates (``services.yaml``), e.g. SageMaker's CreateTrainingJob rate."""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file


class ApiRate(CatalogModel):
    """A request-rate limit of a managed-service API."""

    id: str = Field(min_length=1, description="Stable id, <service>.<api in snake case>.")
    service: str = Field(min_length=1, description="The service.")
    api: str = Field(min_length=1, description="The API operation.")
    per_second: float = Field(gt=0, description="Requests per second accepted.")
    scope: str = Field(min_length=1, description="What the limit applies to.")
    source: Source


class ServiceCatalog(CatalogModel):
    """``services.yaml``."""

    rates: tuple[ApiRate, ...] = Field(min_length=1)


@cache
def service_catalog() -> ServiceCatalog:
    """The packaged managed-service catalog (parsed once)."""
    return load_catalog_file("services.yaml", ServiceCatalog)


def api_rate(rate_id: str) -> ApiRate:
    """The API rate with id ``rate_id``; ``KeyError`` if the catalog has none."""
    for rate in service_catalog().rates:
        if rate.id == rate_id:
            return rate
    raise KeyError(f"no API rate {rate_id!r} in services.yaml")
