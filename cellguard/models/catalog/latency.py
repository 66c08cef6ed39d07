"""Latency priors (``latency.yaml``): assumed p99 per call for components without a better figure.

Every prior is an assumption and is reported as one. :func:`component_prior` picks the most
specific entry for a component; :func:`model_prior` the time to first token and streaming
speed of a managed model.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import ComponentKind, Hosting


class ComponentPrior(CatalogModel):
    """The assumed p99 of one call to a kind of component."""

    kind: ComponentKind = Field(description="Component kind.")
    provider: str | None = Field(None, description="Guardrail provider or store engine.")
    hosting: Hosting | None = Field(None, description="Model hosting (embedding models).")
    p99_ms: float = Field(ge=0, description="Assumed p99 of one call, ms.")
    source: Source

    @property
    def specificity(self) -> int:
        """2 for a provider entry, 1 for a hosting entry, 0 for the kind's generic entry."""
        return 2 if self.provider is not None else 1 if self.hosting is not None else 0


class ModelPrior(CatalogModel):
    """Assumed time to first token and streaming speed of a managed model."""

    hosting: Hosting = Field(description="bedrock or external_api.")
    ttft_p99_ms: float = Field(gt=0, description="Assumed p99 time to first token, ms.")
    output_tokens_per_s: float = Field(gt=0, description="Assumed slow-end streaming speed.")
    source: Source


class LatencyCatalog(CatalogModel):
    """``latency.yaml``."""

    assumption: Source | None = Field(
        None, description="The source the assumed figures share (referenced by YAML anchor)."
    )
    components: tuple[ComponentPrior, ...] = Field(min_length=1)
    models: tuple[ModelPrior, ...] = Field(min_length=1)


@cache
def latency_catalog() -> LatencyCatalog:
    """The packaged latency priors (parsed once)."""
    return load_catalog_file("latency.yaml", LatencyCatalog)


def component_prior(
    kind: ComponentKind, *, provider: str | None = None, hosting: Hosting | None = None
) -> ComponentPrior | None:
    """The most specific prior for a ``kind`` component; ``None`` when the kind has none."""
    fitting = [
        p
        for p in latency_catalog().components
        if p.kind is kind
        and (p.provider is None or p.provider == provider)
        and (p.hosting is None or p.hosting is hosting)
    ]
    return max(fitting, key=lambda p: p.specificity, default=None)


def model_prior(hosting: Hosting) -> ModelPrior | None:
    """The prior of a managed model hosted on ``hosting``; ``None`` for self-hosted models."""
    return next((m for m in latency_catalog().models if m.hosting is hosting), None)
