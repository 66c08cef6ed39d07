"""Serving engines' default concurrency limits (``engines.yaml``).

A spec that leaves ``serving.max_concurrency`` out still gets a throughput estimate when its
engine documents a default (:func:`default_concurrency`); the estimate then says it rests on
that default. Engines whose limit follows from the KV-cache memory have ``max_concurrency:
null`` and are estimated from the KV-cache bound instead.
"""

from functools import cache

from pydantic import Field

from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import ServingEngine


class EngineDefaults(CatalogModel):
    """One engine's concurrency limit when it is not configured."""

    engine: ServingEngine
    setting: str = Field(min_length=1, description="The engine's name for the limit.")
    max_concurrency: int | None = Field(
        description="Default concurrent sequences per replica (null: none, memory-derived)."
    )
    by_gpu: dict[str, int] = Field(
        default_factory=lambda: {}, description="GPU (canonical name) -> default on that GPU."
    )
    kv_bound: bool = Field(
        False,
        description=(
            "Without a fixed default, the engine admits as many sequences as its KV cache "
            "holds (the estimate then uses that many)."
        ),
    )
    source: Source


class EngineCatalog(CatalogModel):
    """``engines.yaml``."""

    engines: tuple[EngineDefaults, ...] = Field(min_length=1)


@cache
def engine_catalog() -> EngineCatalog:
    """The packaged engine defaults (parsed once)."""
    return load_catalog_file("engines.yaml", EngineCatalog)


def engine_defaults(engine: ServingEngine) -> EngineDefaults | None:
    """The catalog entry of ``engine``; ``None`` when it is not catalogued."""
    return next((e for e in engine_catalog().engines if e.engine is engine), None)


def default_concurrency(engine: ServingEngine, gpu: str | None) -> int | None:
    """The engine's default concurrency on ``gpu`` (``None``: no fixed default or unknown)."""
    found = engine_defaults(engine)
    if found is None:
        return None
    spec_gpu = find_gpu(gpu) if gpu else None
    if spec_gpu is not None:
        for name, value in found.by_gpu.items():
            if spec_gpu.matches(name):
                return value
    return found.max_concurrency
