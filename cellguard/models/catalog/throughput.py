"""Measured serving throughput (``throughput.yaml``) and how a spec's model is matched to it.

Every figure is aggregate *output* tokens per second of one replica (``gpus`` GPUs), as
benchmarks report it. :func:`find_measurement` returns the measurement that fits a replica:
same precision, GPU and GPUs per replica (tensor parallelism), and a model within
:data:`SIZE_TOLERANCE` of the measured size. The engine does not exclude a measurement: one
taken with the same engine is preferred, and another engine's is used with a caveat
(:func:`engine_caveat`). Then the scenario closest to online serving wins
(:data:`SCENARIO_PREFERENCE`).
"""

from functools import cache
from typing import Literal

from pydantic import Field

from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import Precision, ServingEngine

Scenario = Literal["server", "concurrency", "saturation", "offline"]

SCENARIO_PREFERENCE: tuple[Scenario, ...] = ("server", "concurrency", "saturation", "offline")
"""Benchmark scenarios, most representative of online serving first. ``offline`` (no latency
bound) overstates what a latency-bound service gets and is used only when nothing else fits."""

SIZE_TOLERANCE = 0.15
"""A model within 15% of a measured model's parameter count is in the same size class: decode
cost scales with the bytes of weights, so 7-8B models (Mistral 7.2B, Qwen 7.6B, Llama 8B) share
one measurement, while 3B or 13B models do not."""


class Conditions(CatalogModel):
    """What the benchmark did."""

    scenario: Scenario = Field(description="How load was offered (see the module docstring).")
    input_tokens: int | None = Field(None, gt=0, description="Mean input tokens per request.")
    output_tokens: int | None = Field(None, gt=0, description="Mean output tokens per request.")
    concurrency: int | None = Field(None, gt=0, description="Concurrent requests, if fixed.")
    note: str | None = Field(None, description="Anything else that shapes the figure.")


class Measurement(CatalogModel):
    """One measured throughput figure."""

    id: str = Field(min_length=1, description="Stable id of the measurement.")
    model: str = Field(min_length=1, description="The model measured.")
    params_b: float = Field(gt=0, description="Its parameters, in billions.")
    precision: Precision = Field(description="Precision of the served weights.")
    gpu: str = Field(min_length=1, description="Canonical GPU name (gpus.yaml).")
    gpus: int = Field(gt=0, description="GPUs serving one replica.")
    engine: ServingEngine = Field(description="Serving engine.")
    engine_version: str | None = Field(None, description="Engine version, if reported.")
    output_tokens_per_s: float = Field(gt=0, description="Aggregate output tokens/s per replica.")
    conditions: Conditions
    source: Source

    def label(self) -> str:
        """``measured: <source title>`` -- how outputs name a throughput figure's origin."""
        return f"measured: {self.source.title}"


class ThroughputCatalog(CatalogModel):
    """``throughput.yaml``."""

    measurements: tuple[Measurement, ...] = Field(min_length=1)


@cache
def throughput_catalog() -> ThroughputCatalog:
    """The packaged throughput measurements (parsed once)."""
    return load_catalog_file("throughput.yaml", ThroughputCatalog)


def same_size_class(params_b: float, measured_b: float) -> bool:
    """Whether a ``params_b`` model is within :data:`SIZE_TOLERANCE` of a ``measured_b`` one."""
    return abs(params_b - measured_b) <= SIZE_TOLERANCE * measured_b


def find_measurement(
    *,
    params_b: float,
    precision: Precision,
    gpu: str,
    gpus: int,
    engine: ServingEngine | None,
) -> Measurement | None:
    """The best measurement for a replica so configured, or ``None`` when none fits.

    ``engine`` only ranks the fitting measurements (the same engine first); see
    :func:`engine_caveat` for what a mismatch means.
    """
    spec_gpu = find_gpu(gpu)
    if spec_gpu is None:
        return None
    fitting = [
        m
        for m in throughput_catalog().measurements
        if m.precision is precision
        and m.gpus == gpus
        and spec_gpu.matches(m.gpu)
        and same_size_class(params_b, m.params_b)
    ]
    if not fitting:
        return None
    return min(
        fitting,
        key=lambda m: (
            m.engine is not engine,
            SCENARIO_PREFERENCE.index(m.conditions.scenario),
            abs(m.params_b - params_b),
            m.id,
        ),
    )


def engine_caveat(measurement: Measurement, engine: ServingEngine | None) -> str | None:
    """Why ``measurement`` may not carry over to a replica served with ``engine`` (``None``
    when the engines are the same). Engines differ in scheduling, kernels and batch limits,
    typically by tens of percent on the same hardware: the figure is used, with this caveat."""
    if engine is measurement.engine:
        return None
    served = engine.value if engine is not None else "an undeclared engine"
    return (
        f"measured with {measurement.engine.value}, served with {served}: engines differ in "
        "scheduling and kernels, so the figure may be off by tens of percent"
    )
