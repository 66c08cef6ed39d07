"""Capacity in the workload's own unit: images, embedded items, audio seconds or requests.

A journey whose ``demand.unit`` is not tokens loads the model endpoints it reaches in that
unit (``peak_rps x`` the unit's work per request, route shares included). A fleet counts in a
non-token unit when its model is a catalogued non-LLM model (``media_throughput.yaml``: SDXL,
FLUX, SD3 count images) or when every journey reaching it declares the same non-token unit.

A replica's supply in that unit is, in this order:

1. **measured** (``media_throughput.yaml``) on the same GPU, GPUs per replica, steps and
   resolution -- labelled ``measured: <source>``;
2. **scaled from a measurement** of the same model -- labelled ``estimate`` -- by the GPUs'
   dense 16-bit FLOP/s (diffusion is compute bound), by steps (each step is one pass of the
   denoiser) and by pixels (linear: attention's quadratic term is left out, optimistic above
   the measured resolution);
3. **estimated from FLOPS** -- labelled ``estimate`` -- for diffusion transformers with
   catalogued parameters: ``images/s = GPU dense FLOP/s x MFU / (2 x params x latent tokens x
   passes x steps)``; for embedding models with ``model.params_b``: ``items/s = GPU dense
   FLOP/s x MFU / (2 x params x tokens per item)``. Text-encoder, VAE and attention FLOPs are
   left out, so both are optimistic;
4. for unit ``requests``, the declared service time: ``serving.max_concurrency`` (else one)
   requests per ``demand.service_ms``.

Audio has no catalogued figure yet: its supply is unknown and says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from cellguard.assessments.demand import JourneyLoad, Load
from cellguard.assessments.throughput_model import MFU
from cellguard.models.business import DemandUnit
from cellguard.models.catalog.hardware import Gpu, normalise
from cellguard.models.catalog.media import (
    SAME_ENGINE,
    MediaMeasurement,
    MediaModel,
    engine_caveat,
    find_media_model,
    media_measurements,
)
from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.enums import ServingEngine
from cellguard.models.findings import Evidence

ESTIMATE = "estimate"
"""The source label of a scaled or FLOPS-based figure (as for LLM throughput)."""

UNIT_LABELS: dict[DemandUnit, str] = {
    DemandUnit.IMAGES: "images/s",
    DemandUnit.EMBEDDINGS: "embeddings/s",
    DemandUnit.AUDIO_SECONDS: "audio seconds/s",
    DemandUnit.REQUESTS: "requests/s",
}
"""How capacity rows name each non-token unit."""

WORK_UNITS = frozenset(label for label in UNIT_LABELS.values() if label != "requests/s")
"""Units whose rates are often below one per second: outputs give them three significant
figures instead of one decimal."""


@dataclass(frozen=True)
class WorkFigures:
    """A fleet's demand and per-replica supply in a non-token unit (``None`` where unknown).

    ``servers`` and ``service_rate`` describe the replicas as a queue (M/M/c): how many
    requests are served at once per region-replica count, and requests/s each server finishes;
    ``service_seconds`` is one request's time on a replica (for the latency budget).
    """

    unit: str
    demand: float
    lacking: tuple[str, ...]
    per_replica: float | None
    source: str | None
    basis: dict[str, Evidence] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    service_seconds: float | None = None
    slots_per_replica: int = 1


def work_unit(comp: ModelEndpoint | EmbeddingModel, load: Load) -> DemandUnit | None:
    """The non-token unit the fleet of ``comp`` counts in, or ``None`` (tokens, as before).

    A catalogued non-LLM model decides; otherwise an embedding model counts embeddings when a
    journey reaching it declares that unit, and a model endpoint counts the one non-token unit
    (images, audio seconds, requests) that every journey reaching it declares.
    """
    model = find_media_model(comp.model.name) if comp.model is not None else None
    if model is not None:
        return DemandUnit(model.unit)
    units = load.units
    if isinstance(comp, EmbeddingModel):
        return DemandUnit.EMBEDDINGS if DemandUnit.EMBEDDINGS in units else None
    if len(units) == 1 and units[0] not in (DemandUnit.TOKENS, DemandUnit.EMBEDDINGS):
        return units[0]
    return None


def _weighted(journeys: tuple[JourneyLoad, ...], value: dict[str, float]) -> float | None:
    """The work-rate-weighted mean of ``value`` over the journeys (``None`` if none count)."""
    weights = {j.name: (j.rps or 0.0) * (j.per_request or 0.0) for j in journeys}
    total = sum(weights[n] for n in value)
    if total <= 0:
        return None
    return sum(weights[n] * v for n, v in value.items()) / total


def _gpu_flops(gpu: Gpu, gpus: int) -> float:
    return gpu.dense_tflops["bf16"] * 1e12 * gpus


def _best(
    measurements: tuple[MediaMeasurement, ...], gpu: Gpu, engine: ServingEngine | None
) -> tuple[MediaMeasurement, int]:
    """The point to scale, and how many points on its GPU competed (issue 17 item 6 review).

    Same GPU first, then the nearest FLOP/s. Among the points there, the serving engine's own
    (:data:`SAME_ENGINE`) wins; an engine with no point of its own (Triton, whose backend may
    be a TensorRT engine or the PyTorch pipeline; vLLM; an undeclared one) gets the most
    conservative of them, never the fastest.
    """

    def place(m: MediaMeasurement) -> tuple[bool, float]:
        same = normalise(m.gpu) in {normalise(gpu.name), *(normalise(a) for a in gpu.aliases)}
        ratio = (m.dense_tflops() or 1.0) / gpu.dense_tflops["bf16"]
        return (not same, abs(math.log(ratio)))

    nearest = min(place(m) for m in measurements)
    here = [m for m in measurements if place(m) == nearest]
    own = [m for m in here if engine is not None and engine in SAME_ENGINE.get(m.engine, ())]
    if own:
        return min(own, key=lambda m: m.id), len(here)

    def scaled(m: MediaMeasurement) -> tuple[float, str]:
        cost = (m.conditions.steps or 0) * (m.conditions.pixels or 0)
        return (m.per_s * cost / ((m.dense_tflops() or 1.0) * m.gpus), m.id)

    return min(here, key=scaled), len(here)


def _images(
    comp: ModelEndpoint | EmbeddingModel,
    model: MediaModel | None,
    journeys: tuple[JourneyLoad, ...],
    gpu: Gpu | None,
    gpus: int,
) -> tuple[float | None, str | None, dict[str, Evidence], list[str]]:
    missing: list[str] = []
    basis: dict[str, Evidence] = {}
    cost: dict[str, float] = {}
    for j in journeys:
        images = j.demand.images if j.demand else None
        if images is None or images.steps is None or images.pixels is None:
            missing.append(f"the steps and resolution of {j.name}'s images (demand.images)")
        else:
            cost[j.name] = images.steps * images.pixels
    if model is None:
        name = comp.model.name if comp.model else "the model"
        missing.append(f"a catalogued image model for {name} (media_throughput.yaml)")
    if gpu is None:
        missing.append("the GPU of a replica (serving.gpu or a catalogued instance type)")
    mean_cost = _weighted(journeys, cost)
    if missing or model is None or gpu is None or mean_cost is None:
        return None, None, basis, missing
    basis.update(model=model.id, gpu=gpu.name, gpus_per_replica=gpus)
    found = media_measurements(model.id)
    if found:
        serving = getattr(comp, "serving", None)
        engine = serving.engine if serving else None
        best, competing = _best(found, gpu, engine)
        base_cost = (best.conditions.steps or 0) * (best.conditions.pixels or 0)
        flops_ratio = _gpu_flops(gpu, gpus) / ((best.dense_tflops() or 1.0) * 1e12 * best.gpus)
        per = best.per_s * flops_ratio * base_cost / mean_cost
        basis.update(
            measurement=best.id,
            measured_images_per_s=best.per_s,
            measured_steps=best.conditions.steps,
            measured_resolution=best.conditions.resolution,
            measured_gpu=best.gpu,
            measured_engine=best.engine,
        )
        caveat = engine_caveat(best, engine)
        chosen: list[str] = []
        if caveat is not None:
            basis["caveats"] = [caveat]
            if competing > 1:
                served = engine.value if engine is not None else "an undeclared engine"
                chosen = [
                    f"the most conservative of the {competing} points on {best.gpu}: "
                    f"{served} has no point of its own"
                ]
        exact = math.isclose(flops_ratio, 1.0) and math.isclose(base_cost, mean_cost)
        if exact:
            if chosen:
                basis["assumed"] = chosen
            return per, f"measured: {best.source.title}", basis, []
        basis["assumed"] = [
            *chosen,
            f"scaled from {best.gpu} by dense 16-bit FLOP/s ({flops_ratio:.3f}x: diffusion "
            "is compute bound)",
            f"scaled by steps x pixels ({base_cost / mean_cost:.3f}x: attention's quadratic "
            "cost in pixels left out)",
        ]
        return per, ESTIMATE, basis, []
    tokens = model.tokens_per_image(round(mean_cost))
    if not model.params_b or not model.guidance_passes or tokens is None:
        return (
            None,
            None,
            basis,
            [
                f"a measured images/s of {model.id} on any GPU, or its architecture for a FLOPS "
                "estimate (media_throughput.yaml)"
            ],
        )
    image_flops = 2 * model.params_b * 1e9 * tokens * model.guidance_passes
    basis.update(
        params_b=model.params_b,
        steps_x_latent_tokens=round(tokens),
        passes_per_step=model.guidance_passes,
        mfu=MFU,
        assumed=[
            "FLOPS estimate: images/s = GPU dense FLOP/s x MFU / (2 x params x latent tokens "
            "x passes x steps); text encoders, VAE and attention FLOPs left out (optimistic)"
        ],
    )
    return _gpu_flops(gpu, gpus) * MFU / image_flops, ESTIMATE, basis, []


def _embeddings(
    comp: ModelEndpoint | EmbeddingModel,
    journeys: tuple[JourneyLoad, ...],
    gpu: Gpu | None,
    gpus: int,
) -> tuple[float | None, str | None, dict[str, Evidence], list[str]]:
    missing: list[str] = []
    tokens: dict[str, float] = {}
    for j in journeys:
        embeddings = j.demand.embeddings if j.demand else None
        if embeddings is None or embeddings.tokens_per_item is None:
            missing.append(f"the tokens per item of {j.name} (demand.embeddings.tokens_per_item)")
        else:
            tokens[j.name] = float(embeddings.tokens_per_item)
    params = comp.model.params_b if comp.model else None
    if params is None:
        missing.append("the embedding model's size (model.params_b)")
    if gpu is None:
        missing.append("the GPU of a replica (serving.gpu or a catalogued instance type)")
    mean_tokens = _weighted(journeys, tokens)
    if missing or params is None or gpu is None or mean_tokens is None:
        return None, None, {}, missing
    basis: dict[str, Evidence] = {
        "gpu": gpu.name,
        "gpus_per_replica": gpus,
        "params_b": params,
        "tokens_per_item": round(mean_tokens, 1),
        "mfu": MFU,
        "assumed": [
            "FLOPS estimate: items/s = GPU dense FLOP/s x MFU / (2 x params x tokens per "
            "item); attention FLOPs and padding left out (optimistic)"
        ],
    }
    return _gpu_flops(gpu, gpus) * MFU / (2 * params * 1e9 * mean_tokens), ESTIMATE, basis, []


def work_figures(
    comp: ModelEndpoint | EmbeddingModel,
    load: Load,
    unit: DemandUnit,
    gpu: Gpu | None,
    gpus: int,
    sizing: Load | None = None,
) -> WorkFigures:
    """Demand and per-replica supply of ``comp``'s fleet in ``unit`` (not tokens).

    The per-replica rate depends on the work of a request (steps and resolution, tokens per
    item, service time): the journeys' own, or for a fleet no journey reaches directly (a
    fallback) those of ``sizing``, the journeys of the primaries it stands in for.
    """
    journeys = load.of_unit(unit)
    if not journeys and sizing is not None:
        journeys = sizing.of_unit(unit)
    label = UNIT_LABELS[unit]
    other = tuple(j.name for j in load.journeys if j.unit is not unit)
    lacking = load.lacking_work(unit) + other
    missing: list[str] = []
    if other:
        missing.append(f"the demand of {', '.join(other)} in {label} (declared in another unit)")
    demand = load.work_rate(unit)
    rps = sum(j.rps or 0.0 for j in journeys if j.per_request is not None)
    work = sum((j.rps or 0.0) * (j.per_request or 0.0) for j in journeys)
    per_request = work / rps if rps > 0 else None
    slots = 1
    per: float | None = None
    source: str | None = None
    basis: dict[str, Evidence] = {}
    if unit is DemandUnit.IMAGES:
        model = find_media_model(comp.model.name) if comp.model else None
        per, source, basis, gaps = _images(comp, model, journeys, gpu, gpus)
        missing += gaps
    elif unit is DemandUnit.EMBEDDINGS:
        per, source, basis, gaps = _embeddings(comp, journeys, gpu, gpus)
        missing += gaps
    elif unit is DemandUnit.REQUESTS:
        serving = getattr(comp, "serving", None)
        declared = serving.max_concurrency if serving else None
        slots = declared or 1
        times = {
            j.name: j.demand.service_ms
            for j in journeys
            if j.demand is not None and j.demand.service_ms is not None
        }
        missing += [
            f"the service time of {j.name} (demand.service_ms)"
            for j in journeys
            if j.name not in times
        ]
        mean_ms = _weighted(journeys, times)
        if mean_ms and len(times) == len(journeys):
            per = slots * 1000 / mean_ms
            source = "declared: demand.service_ms"
            basis = {"service_ms": round(mean_ms, 1), "concurrency": slots}
            if declared is None:
                basis["assumed"] = [
                    "one request at a time per replica (serving.max_concurrency not declared)"
                ]
    else:
        name = comp.model.name if comp.model else "the model"
        missing.append(f"a measured throughput of {name} in {label} (the catalog has none)")
    service = per_request * slots / per if per and per_request else None
    return WorkFigures(
        unit=label,
        demand=demand,
        lacking=lacking,
        per_replica=per,
        source=source,
        basis=basis,
        missing=tuple(missing),
        service_seconds=service,
        slots_per_replica=slots,
    )
