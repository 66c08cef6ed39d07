"""Failure rates of training runs (``training.yaml``), e.g. the Llama 3 report's interruptions.

A synchronous data-parallel run stops when any of its GPUs (or their hosts and links) fails,
so a run of ``n`` GPUs is interrupted ``n`` times as often as one GPU: the catalog stores the
observed interruptions, GPUs and days, and :attr:`InterruptionRate.per_gpu_hour` derives the
per-GPU rate from them.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file

HOURS_PER_DAY = 24


class InterruptionRate(CatalogModel):
    """Unexpected interruptions observed on a fleet of GPUs over some days."""

    id: str = Field(min_length=1, description="Stable id.")
    description: str = Field(min_length=1, description="What was counted.")
    interruptions: int = Field(gt=0, description="Unexpected interruptions counted.")
    days: float = Field(gt=0, description="Length of the observation, in days.")
    gpus: int = Field(gt=0, description="GPUs in the observed run.")
    source: Source

    @property
    def per_gpu_hour(self) -> float:
        """Interruptions per GPU-hour: interruptions / (GPUs x days x 24)."""
        return self.interruptions / (self.gpus * self.days * HOURS_PER_DAY)


class TrainingCatalog(CatalogModel):
    """``training.yaml``."""

    interruption_rates: tuple[InterruptionRate, ...] = Field(min_length=1)


@cache
def training_catalog() -> TrainingCatalog:
    """The packaged training catalog (parsed once)."""
    return load_catalog_file("training.yaml", TrainingCatalog)


def interruption_rate(rate_id: str = "llama3-h100") -> InterruptionRate:
    """The interruption rate ``rate_id``; ``KeyError`` if the catalog has none."""
    for rate in training_catalog().interruption_rates:
        if rate.id == rate_id:
            return rate
    raise KeyError(f"no interruption rate {rate_id!r} in training.yaml")
