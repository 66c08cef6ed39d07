"""Models and adapters hosted together on one model endpoint's GPU pool (issue 17 item 3).

SageMaker multi-model endpoints and inference components, vLLM multi-LoRA and Triton model
repositories put several models on the same replicas. ``serving.hosted_models`` lists them:
one entry per named model, or one entry for many alike (per-tenant models) with their count,
the size of one and the share of requests that find their model resident.
"""

from pydantic import Field, model_validator

from cellguard.models.base import MAX_POPULATION, MAX_RATE, MAX_SIZE_GB, PositiveInt, SpecModel


class ModelAccess(SpecModel):
    """How often a request finds its hosted model already resident in a replica's GPUs."""

    hit_ratio: float = Field(
        ge=0,
        le=1,
        description=(
            "Share of requests whose model is resident (a cache hit); the rest wait for a "
            "cold load from the source."
        ),
    )
    hot_models: PositiveInt | None = Field(
        None,
        le=MAX_POPULATION,
        description=(
            "Models each replica keeps resident to reach hit_ratio (omitted: count x "
            "hit_ratio, rounded up: the figure under uniform access, an estimate)."
        ),
    )


class HostedModels(SpecModel):
    """Models or adapters sharing the endpoint's GPU pool: one named model, or many alike.

    Per-tenant models (one per user) are one entry with their ``count``, the size of one and
    the access pattern, not thousands of components.
    """

    name: str = Field(
        min_length=1, description="Name of the model or of the group, e.g. user-loras."
    )
    count: PositiveInt = Field(
        1, le=MAX_POPULATION, description="Models in the group (1: a single named model)."
    )
    size_gb: float = Field(
        gt=0,
        le=MAX_SIZE_GB,
        description=(
            "GPU memory one resident model takes, GB (weights or adapter; list a LoRA base "
            "model as its own entry of count 1)."
        ),
    )
    access: ModelAccess | None = Field(
        None,
        description=(
            "Cache hit ratio (required when count > 1; omitted for one model: always resident)."
        ),
    )
    load_gb_per_s: float | None = Field(
        None,
        gt=0,
        le=MAX_RATE,
        description=(
            "Gigabytes per second a model is loaded at from its source (S3, a model store) "
            "into the GPUs; a cold load takes size_gb / load_gb_per_s."
        ),
    )

    @model_validator(mode="after")
    def _consistent(self) -> "HostedModels":
        """A group of several models states its hit ratio; hot models fit in the group."""
        if self.count > 1 and self.access is None:
            raise ValueError(
                f"'{self.name}' groups {self.count} models but has no 'access': add "
                "access: {hit_ratio: <share of requests whose model is resident>}"
            )
        hot = self.access.hot_models if self.access else None
        if hot is not None and hot > self.count:
            raise ValueError(
                f"'access.hot_models' ({hot}) exceeds 'count' ({self.count}): a replica "
                f"cannot keep more models resident than the group holds; set it to at most {self.count}"
            )
        return self

    @property
    def hit_ratio(self) -> float:
        """Share of requests finding the model resident (1 for a single always-resident one)."""
        return self.access.hit_ratio if self.access else 1.0
