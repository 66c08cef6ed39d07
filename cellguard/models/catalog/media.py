"""Non-LLM models and their measured throughput (``media_throughput.yaml``).

A :class:`MediaModel` is a model the capacity model recognises by name (image generation,
embeddings), with the unit its work is counted in and, for diffusion transformers, the figures
a FLOPS estimate needs. A :class:`MediaMeasurement` is work per second of one replica under
stated conditions (steps, resolution, batch), with its source.
"""

from functools import cache
from typing import Literal

from pydantic import Field, model_validator

from cellguard.models.catalog.hardware import find_gpu, normalise
from cellguard.models.catalog.sources import CatalogModel, Source, load_catalog_file
from cellguard.models.enums import ServingEngine

MediaUnit = Literal["images", "embeddings", "audio_seconds"]
"""The units non-LLM work is counted in (the journey's ``demand.unit``)."""


class MediaModel(CatalogModel):
    """A non-LLM model the catalog knows."""

    id: str = Field(min_length=1)
    name: str = Field(min_length=1, description="The model's repository name.")
    aliases: tuple[str, ...] = Field((), description="Other names contained in a spec's name.")
    unit: MediaUnit
    architecture: Literal["unet", "dit", "encoder"]
    params_b: float | None = Field(None, gt=0, description="Parameters of the denoiser, B.")
    latent_downsample: int | None = Field(None, gt=0, description="VAE downsampling factor.")
    patch: int | None = Field(None, gt=0, description="Latent patch size of a transformer.")
    guidance_passes: int | None = Field(
        None, gt=0, description="Denoiser passes per step (2 with classifier-free guidance)."
    )
    source: Source

    def matches(self, name: str) -> bool:
        """Whether a spec's model ``name`` names this model (it contains a name or alias)."""
        key = normalise(name)
        return any(normalise(n) in key for n in (self.name, *self.aliases))

    def tokens_per_image(self, pixels: int) -> float | None:
        """Latent tokens of one image of ``pixels`` pixels (transformers only)."""
        if self.architecture != "dit" or not self.latent_downsample or not self.patch:
            return None
        return pixels / (self.latent_downsample * self.patch) ** 2


class MediaConditions(CatalogModel):
    """What the benchmark ran."""

    steps: int | None = Field(None, gt=0, description="Denoising steps per image.")
    resolution: str | None = Field(None, pattern=r"^[0-9]+x[0-9]+$")
    batch: int | None = Field(None, gt=0, description="Requests processed together.")
    tokens_per_item: int | None = Field(None, gt=0, description="Tokens per embedded item.")
    note: str | None = None

    @property
    def pixels(self) -> int | None:
        """Width times height (``None`` without a resolution)."""
        if self.resolution is None:
            return None
        width, height = self.resolution.split("x")
        return int(width) * int(height)


class MediaMeasurement(CatalogModel):
    """One measured figure: work per second of one replica."""

    id: str = Field(min_length=1)
    model: str = Field(min_length=1, description="A MediaModel id.")
    gpu: str = Field(min_length=1, description="GPU name (gpus.yaml, or see gpu_dense_tflops).")
    gpu_dense_tflops_bf16: float | None = Field(
        None, gt=0, description="Dense 16-bit TFLOPS of a GPU gpus.yaml does not list."
    )
    gpus: int = Field(gt=0)
    engine: str = Field(min_length=1, description="How it was served (baseline, tensorrt).")
    per_s: float = Field(gt=0, description="Work per second in the model's unit.")
    conditions: MediaConditions
    source: Source

    def dense_tflops(self) -> float | None:
        """Dense 16-bit TFLOPS of the measured GPU (gpus.yaml first)."""
        gpu = find_gpu(self.gpu)
        return gpu.dense_tflops["bf16"] if gpu is not None else self.gpu_dense_tflops_bf16


class MediaCatalog(CatalogModel):
    """``media_throughput.yaml``."""

    models: tuple[MediaModel, ...] = Field(min_length=1)
    measurements: tuple[MediaMeasurement, ...] = ()

    @model_validator(mode="after")
    def _measurements_resolve(self) -> "MediaCatalog":
        """Every measurement names a catalogued model and a GPU whose FLOP/s are known."""
        ids = {m.id for m in self.models}
        for measurement in self.measurements:
            if measurement.model not in ids:
                raise ValueError(
                    f"measurement {measurement.id}: model {measurement.model!r} is not among "
                    f"the models ({', '.join(sorted(ids))}); add it under 'models'"
                )
            if measurement.dense_tflops() is None:
                raise ValueError(
                    f"measurement {measurement.id}: GPU {measurement.gpu!r} is not in gpus.yaml; "
                    "add it there or give gpu_dense_tflops_bf16"
                )
        return self


@cache
def media_catalog() -> MediaCatalog:
    """The non-LLM models and measurements, user catalogs laid over (parsed once)."""
    return load_catalog_file("media_throughput.yaml", MediaCatalog)


@cache
def _found() -> dict[str, MediaModel | None]:
    """What :func:`find_media_model` answered so far (forgotten with the catalog)."""
    return {}


def find_media_model(name: str) -> MediaModel | None:
    """The catalogued non-LLM model a spec's ``model.name`` names, or ``None``."""
    found = _found()
    if name not in found:  # every model endpoint asks, the walk normalises every name
        found[name] = next((m for m in media_catalog().models if m.matches(name)), None)
    return found[name]


def media_measurements(model_id: str) -> tuple[MediaMeasurement, ...]:
    """The measurements of one model, in catalog order."""
    return tuple(m for m in media_catalog().measurements if m.model == model_id)


SAME_ENGINE: dict[str, frozenset[ServingEngine]] = {
    "tensorrt": frozenset({ServingEngine.TENSORRT_LLM})
}
"""Serving engines that run what a measurement's ``engine`` names (a TensorRT-compiled
pipeline); ``baseline`` (a card's non-optimised pipeline, framework not named) has none."""


def engine_caveat(measurement: MediaMeasurement, engine: ServingEngine | None) -> str | None:
    """Why ``measurement`` may not carry over to a replica served with ``engine`` (``None`` when
    the engine is the measured one), as for LLM points (issue 15 item 4). A pipeline's speed
    depends on its engine and backend: Triton, for one, serves whatever its model repository
    holds (a TensorRT engine, or a Python backend running the PyTorch pipeline). Where the
    catalog measured the same model, GPU and conditions with another engine, the caveat gives
    that figure, so the report shows how far the choice of engine moves it."""
    if engine is not None and engine in SAME_ENGINE.get(measurement.engine, frozenset()):
        return None
    served = engine.value if engine is not None else "an undeclared engine"
    text = (
        f"measured with {measurement.engine}, served with {served}: the figure holds for the "
        "measured engine and backend only"
    )
    if engine is ServingEngine.TRITON:
        text += (
            " (Triton runs whatever backend its model repository holds: a TensorRT engine, or "
            "a Python backend running the PyTorch pipeline)"
        )
    unit = next((f"{m.unit}/s" for m in media_catalog().models if m.id == measurement.model), "")
    others = [
        m
        for m in media_measurements(measurement.model)
        if m.engine != measurement.engine
        and m.gpu == measurement.gpu
        and m.gpus == measurement.gpus
        and m.conditions == measurement.conditions
    ]
    for other in sorted(others, key=lambda m: m.id):
        change = other.per_s / measurement.per_s - 1
        text += (
            f"; the {other.engine} pipeline on the same {measurement.gpu} makes {other.per_s:g} {unit} "
            f"against {measurement.per_s:g} ({abs(change):.0%} {'less' if change < 0 else 'more'})"
        )
    return text
