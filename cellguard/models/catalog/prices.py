"""Prices (``prices.yaml``): instance hours, capacity reservations, managed model tokens.

The planner puts a monthly cost on each change of a plan with these (``planner/costing.py``).
Every rate carries its :class:`~cellguard.models.catalog.sources.Source` and whether it is an
estimate; the report labels a cost built on any estimate as one.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file


class InstanceHours(CatalogModel):
    """On-Demand rates of instance types in one region, per instance-hour."""

    region: str
    estimate: bool
    source: Source
    prices: dict[str, float] = Field(min_length=1)


class SageMakerRates(CatalogModel):
    """SageMaker ml.* rates, and the factor over the EC2 rate for types without one."""

    estimate: bool
    factor: float = Field(gt=0)
    source: Source
    prices: dict[str, float] = Field(default_factory=lambda: {})


class RegionFactors(CatalogModel):
    """How much more (or less) an instance-hour costs in a region than in the priced region."""

    estimate: bool
    source: Source
    factors: dict[str, float] = Field(min_length=1)


class Reservations(CatalogModel):
    """What a capacity reservation costs per reserved instance-hour, as a factor of On-Demand."""

    odcr_factor: float = Field(ge=0)
    source: Source


class TokenPrice(CatalogModel):
    """A managed model's price per million tokens."""

    model: str = Field(min_length=1)
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)
    estimate: bool
    source: Source


class Tokens(CatalogModel):
    """Managed model token prices."""

    cross_region_source: Source
    models: tuple[TokenPrice, ...]


class PriceCatalog(CatalogModel):
    """Everything ``prices.yaml`` holds."""

    hours_per_month: float = Field(gt=0)
    hours_source: Source
    instance_hours: InstanceHours
    sagemaker: SageMakerRates
    regions: RegionFactors
    reservations: Reservations
    tokens: Tokens


@cache
def price_catalog() -> PriceCatalog:
    """The packaged price catalog."""
    return load_catalog_file("prices.yaml", PriceCatalog)


_PROFILES = ("us.", "eu.", "apac.", "global.", "us-gov.", "jp.", "au.", "ca.")
"""Prefixes of Bedrock cross-region inference profiles, priced as the model."""


def token_price(model: str) -> TokenPrice | None:
    """The token price of Bedrock model ``model`` (an inference profile id too)."""
    name = model.strip()
    for prefix in _PROFILES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return next((t for t in price_catalog().tokens.models if t.model == name), None)
