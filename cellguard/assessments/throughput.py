"""What one replica of a GPU-served model can do: throughput, prefill time and time per token.

A replica's throughput is, in this order,

1. **measured by the team**: ``serving.measured.output_tokens_per_s`` -- labelled
   ``measured: serving.measured (<date>, <method>)``;
2. **measured in the catalog**: the measurement (``throughput.yaml``) for the same size class,
   precision, GPU and GPUs per replica, the same engine preferred (another engine's is used
   with a caveat) -- labelled ``measured: <source>``;
3. **estimated** from the hardware -- labelled ``estimate`` -- by the formula of
   :mod:`.throughput_model`: prefill at a share of peak FLOP/s, then decode steps that read
   the weights and every sequence's KV cache at a share of peak bandwidth.

The concurrency ``c`` is ``serving.max_concurrency``, else the concurrency of
``serving.measured``, else the engine's documented default (``engines.yaml``), each noted in
``assumed``; it is capped by the sequences whose KV cache fits next to the weights, and an
engine without a fixed default (SGLang, Triton, NIM) runs as many as fit.

The estimate is **not conservative**: it leaves out attention FLOPs, scheduling overhead,
preemption and the prefill-decode interference of mixed batches, and its efficiency factors
are calibrated on one measurement. It is a first-order figure, labelled an estimate in every
output. Where the model's architecture is not catalogued (``models.yaml``) the KV-cache reads
are left out as well, which makes it optimistic for long contexts; ``assumed`` says so. GPUs of
a replica scale linearly over NVLink and at :data:`PCIE_TP_EFFICIENCY` per doubling over PCIe
(an estimate); the weights must fit in :data:`MEMORY_HEADROOM` of the replica's GPU memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments.throughput_model import (
    BANDWIDTH_EFFICIENCY,
    MEMORY_HEADROOM,
    MFU,
    PCIE_TP_EFFICIENCY,
    estimate_output_tokens_per_s,
    kv_bytes_per_element,
    kv_capacity,
)
from cellguard.models.catalog.architectures import Architecture, find_architecture
from cellguard.models.catalog.engines import default_concurrency, engine_defaults
from cellguard.models.catalog.hardware import Gpu, find_gpu, find_instance, weight_bytes
from cellguard.models.catalog.throughput import engine_caveat, find_measurement, same_size_class
from cellguard.models.components import ComponentBase
from cellguard.models.components.inference import HostedModelFields, MeasuredServing
from cellguard.models.enums import Hosting, Precision, ServingEngine
from cellguard.models.findings import Evidence

__all__ = [
    "BANDWIDTH_EFFICIENCY",
    "ESTIMATE",
    "MEMORY_HEADROOM",
    "MFU",
    "PCIE_TP_EFFICIENCY",
    "ReplicaSpec",
    "ReplicaThroughput",
    "estimate_output_tokens_per_s",
    "replica_spec",
    "replica_throughput",
]

ESTIMATE = "estimate"
"""The throughput source label of a hardware estimate, in every output."""


@dataclass(frozen=True)
class ReplicaSpec:
    """A replica of a GPU-served model, resolved against the catalog.

    ``assumed`` lists defaults taken where the spec is silent (e.g. one GPU per replica);
    ``missing`` lists what the spec or catalog lacks for an estimate.
    """

    params_b: float | None
    precision: Precision | None
    engine: ServingEngine | None
    gpu: Gpu | None
    gpus: int
    concurrency: int | None
    assumed: tuple[str, ...] = ()
    missing: tuple[str, ...] = field(default=())
    measured: MeasuredServing | None = None
    architecture: Architecture | None = None
    context_tokens: float | None = None

    @property
    def weights(self) -> float | None:
        """Bytes of weights; ``None`` without size or precision."""
        if self.params_b is None or self.precision is None:
            return None
        return weight_bytes(self.params_b, self.precision)

    @property
    def flops(self) -> float | None:
        """Dense tensor FLOP/s of the replica at the model's precision."""
        if self.gpu is None or self.precision is None:
            return None
        return self.gpu.tflops(self.precision) * 1e12 * self.gpus

    @property
    def bandwidth(self) -> float | None:
        """Memory bandwidth of the replica, bytes/s."""
        return None if self.gpu is None else self.gpu.memory_bandwidth_gb_s * 1e9 * self.gpus

    @property
    def fits(self) -> bool | None:
        """Whether the weights fit in :data:`MEMORY_HEADROOM` of the replica's GPU memory."""
        if self.weights is None or self.gpu is None:
            return None
        return self.weights <= MEMORY_HEADROOM * self.gpu.memory_gb * 1e9 * self.gpus

    @property
    def kv_bytes_per_sequence(self) -> float | None:
        """Bytes of KV cache one sequence holds at :attr:`context_tokens`; ``None`` without the
        model's architecture, its precision or the context."""
        if self.architecture is None or self.precision is None or self.context_tokens is None:
            return None
        per_token = self.architecture.kv_bytes_per_token(kv_bytes_per_element(self.precision))
        return per_token * self.context_tokens

    def prefill_seconds(self, input_tokens: float) -> float | None:
        """Compute-bound time to process ``input_tokens`` of prompt at :data:`MFU`."""
        if self.params_b is None or self.flops is None:
            return None
        return input_tokens * 2 * self.params_b * 1e9 / (self.flops * MFU)

    def first_token_seconds(self, input_tokens: float | None) -> float | None:
        """A replica's time to first token once it takes the request: the team's measured
        TTFT p99 (``serving.measured``) when given, else the prefill of ``input_tokens``."""
        if self.measured is not None and self.measured.ttft_p99_ms is not None:
            return self.measured.ttft_p99_ms / 1000
        return self.prefill_seconds(input_tokens) if input_tokens else None

    def decode_step_seconds(self) -> float | None:
        """Bandwidth-bound time of one decode step: the weights read once at the achieved rate."""
        if self.weights is None or self.bandwidth is None:
            return None
        return self.weights / (self.bandwidth * BANDWIDTH_EFFICIENCY)


def _resolve_gpu(hosted: HostedModelFields) -> tuple[Gpu | None, int | None, list[str]]:
    """The GPU and, from the instance type, GPUs per instance; plus what is missing."""
    serving = hosted.serving
    missing: list[str] = []
    if serving is not None and serving.gpu is not None:
        gpu = find_gpu(serving.gpu)
        if gpu is None:
            missing.append(f"GPU {serving.gpu!r} is not in the catalog")
        per_instance = None
        for name in serving.instance_types:
            found = find_instance(name)
            if found is not None and gpu is not None and gpu.matches(found.gpu):
                per_instance = found.gpus
                break
        return gpu, per_instance, missing
    for name in serving.instance_types if serving is not None else []:
        found = find_instance(name)
        if found is not None:
            return find_gpu(found.gpu), found.gpus, missing
    missing.append("the GPU (serving.gpu or a catalogued serving.instance_types)")
    return None, None, missing


def _engine_default(engine: ServingEngine, gpu: Gpu | None, assumed: list[str]) -> int | None:
    """The engine's default concurrency on ``gpu``, noted in ``assumed``; ``None`` without one."""
    value = default_concurrency(engine, gpu.name if gpu else None)
    entry = engine_defaults(engine)
    if value is None or entry is None:
        return None
    assumed.append(
        f"max_concurrency={value} (the {engine.value} default of {entry.setting}"
        f"{' on ' + gpu.name if gpu and gpu.name in entry.by_gpu else ''}: "
        f"{entry.source.cite()})"
    )
    return value


def _architecture(
    name: str | None, params: float | None, assumed: list[str]
) -> Architecture | None:
    """The catalogued architecture of the model called ``name``, unless ``params`` puts the
    spec's model in another size class (a name reused for another model): then none."""
    found = find_architecture(name) if name else None
    if found is None or params is None or same_size_class(params, found.params_b):
        return found
    assumed.append(
        f"model.name is catalogued as {found.name} ({found.params_b:g}B), but params_b is "
        f"{params:g}: its architecture is not used"
    )
    return None


def _kv_capped(
    concurrency: int | None,
    *,
    fill: bool,
    params: float | None,
    precision: Precision | None,
    gpu: Gpu | None,
    gpus: int,
    kv: float | None,
    assumed: list[str],
) -> int | None:
    """``concurrency`` capped by the sequences whose KV cache fits (with ``fill``, that many
    when the concurrency is unknown); unchanged without the figures."""
    if params is None or precision is None or gpu is None or kv is None:
        return concurrency
    if concurrency is None and not fill:
        return None
    fit = kv_capacity(
        params_b=params, precision=precision, gpu=gpu, gpus=gpus, kv_bytes_per_sequence=kv
    )
    if fit < 1 or (concurrency is not None and concurrency <= fit):
        return concurrency
    what = f"{fit} sequences of {kv / 1e6:,.0f} MB of KV cache fit next to the weights"
    if concurrency is None:
        assumed.append(f"concurrency={fit} (the engine admits what fits: {what})")
    else:
        assumed.append(f"concurrency={fit}, not {concurrency} (only {what})")
    return fit


def replica_spec(comp: ComponentBase, context_tokens: float | None = None) -> ReplicaSpec:
    """The :class:`ReplicaSpec` of a model endpoint or embedding model served on GPUs.

    ``context_tokens`` is the context a sequence holds while decoding (see
    :func:`.throughput_model.context_tokens`); with the model's architecture it sizes the KV
    cache the estimate reads and the concurrency that fits."""
    if not isinstance(comp, HostedModelFields):
        raise TypeError(f"{comp.id} does not serve a model")
    model, serving = comp.model, comp.serving
    missing: list[str] = []
    assumed: list[str] = []
    params = model.params_b if model else None
    precision = model.precision if model else None
    if params is None:
        missing.append("the model size (model.params_b)")
    if precision is None:
        missing.append("the precision (model.precision)")
    gpu, per_instance, gpu_missing = _resolve_gpu(comp)
    missing += gpu_missing
    gpus = serving.gpus_per_replica if serving is not None else None
    concurrency = serving.max_concurrency if serving is not None else None
    measured = serving.measured if serving is not None else None
    if concurrency is None and measured is not None and measured.at_concurrency is not None:
        concurrency = measured.at_concurrency
        assumed.append(f"max_concurrency={concurrency} (the concurrency of serving.measured)")
    if concurrency is None and serving is not None and serving.engine is not None:
        concurrency = _engine_default(serving.engine, gpu, assumed)
    if gpus is None:
        if comp.hosting is Hosting.SAGEMAKER and per_instance is not None:
            gpus = per_instance
            assumed.append(f"gpus_per_replica={gpus} (one SageMaker instance per replica)")
        else:
            gpus = 1
            assumed.append("gpus_per_replica=1")
    architecture = _architecture(model.name if model else None, params, assumed)
    kv = None
    if architecture is not None and precision is not None and context_tokens is not None:
        kv = architecture.kv_bytes_per_token(kv_bytes_per_element(precision)) * context_tokens
    engine = serving.engine if serving is not None else None
    entry = engine_defaults(engine) if engine is not None else None
    concurrency = _kv_capped(
        concurrency,
        fill=concurrency is None and entry is not None and entry.kv_bound,
        params=params,
        precision=precision,
        gpu=gpu,
        gpus=gpus,
        kv=kv,
        assumed=assumed,
    )
    return ReplicaSpec(
        params_b=params,
        precision=precision,
        engine=serving.engine if serving else None,
        gpu=gpu,
        gpus=gpus,
        concurrency=concurrency,
        assumed=tuple(assumed),
        missing=tuple(missing),
        measured=measured,
        architecture=architecture,
        context_tokens=context_tokens,
    )


@dataclass(frozen=True)
class ReplicaThroughput:
    """A replica's output tokens/s and where the figure comes from (``None`` when unknown)."""

    output_tokens_per_s: float | None
    source: str | None
    basis: dict[str, Evidence]
    missing: tuple[str, ...] = ()


def _basis(spec: ReplicaSpec) -> dict[str, Evidence]:
    return {
        "gpu": spec.gpu.name if spec.gpu else None,
        "gpus_per_replica": spec.gpus,
        "params_b": spec.params_b,
        "precision": spec.precision.value if spec.precision else None,
        "engine": spec.engine.value if spec.engine else None,
        "assumed": list(spec.assumed),
    }


def _concurrency_missing(engine: ServingEngine | None) -> str:
    """What to say when a replica's concurrency is unknown."""
    entry = engine_defaults(engine) if engine is not None else None
    if engine is None:
        why = "no engine declared (serving.engine) whose default could stand in"
    elif entry is None:
        why = f"no catalogued default for {engine.value}"
    else:
        why = f"{engine.value} has no fixed default for {entry.setting}"
    return f"the concurrency per replica (serving.max_concurrency; {why})"


def replica_throughput(spec: ReplicaSpec, input_per_output: float | None) -> ReplicaThroughput:
    """Measured throughput when a catalog measurement fits, else the hardware estimate.

    ``input_per_output`` is the demand's input tokens per output token (needed only for the
    estimate). The result's ``missing`` says why a figure is unknown.
    """
    basis = _basis(spec)
    measured = spec.measured
    if measured is not None and measured.output_tokens_per_s is not None:
        basis.update(
            measured_on=measured.measured_on.isoformat(),
            method=measured.method,
            at_concurrency=measured.at_concurrency,
        )
        declared = spec.concurrency
        if declared is not None and declared != measured.at_concurrency:
            basis["caveats"] = [
                f"measured at {measured.at_concurrency} concurrent requests, the replica runs "
                f"up to {declared}"
            ]
        return ReplicaThroughput(measured.output_tokens_per_s, measured.label(), basis)
    if spec.params_b and spec.precision and spec.gpu:
        found = find_measurement(
            params_b=spec.params_b,
            precision=spec.precision,
            gpu=spec.gpu.name,
            gpus=spec.gpus,
            engine=spec.engine,
        )
        if found is not None:
            basis.update(measurement=found.id, scenario=found.conditions.scenario)
            caveat = engine_caveat(found, spec.engine)
            if caveat is not None:
                basis["caveats"] = [caveat]
            return ReplicaThroughput(found.output_tokens_per_s, found.label(), basis)
    missing = list(spec.missing)
    if spec.concurrency is None:
        missing.append(_concurrency_missing(spec.engine))
    if input_per_output is None:
        missing.append("the demand's input and output tokens")
    if spec.fits is False:
        weights = (spec.weights or 0) / 1e9
        memory = spec.gpu.memory_gb * spec.gpus if spec.gpu else 0
        missing.append(f"room for the weights ({weights:.0f} GB do not fit in {memory:.0f} GB)")
    elif spec.gpu and spec.params_b and spec.precision and spec.kv_bytes_per_sequence:
        fit = kv_capacity(
            params_b=spec.params_b,
            precision=spec.precision,
            gpu=spec.gpu,
            gpus=spec.gpus,
            kv_bytes_per_sequence=spec.kv_bytes_per_sequence,
        )
        if fit < 1:
            missing.append(
                f"room for the KV cache of one sequence ({spec.kv_bytes_per_sequence / 1e9:.1f} "
                "GB) next to the weights"
            )
    if missing:
        return ReplicaThroughput(None, None, basis, tuple(missing))
    assert spec.params_b and spec.precision and spec.gpu and spec.concurrency
    assert input_per_output is not None
    kv = spec.kv_bytes_per_sequence
    value = estimate_output_tokens_per_s(
        params_b=spec.params_b,
        precision=spec.precision,
        gpu=spec.gpu,
        gpus=spec.gpus,
        concurrency=spec.concurrency,
        input_per_output=input_per_output,
        kv_bytes_per_sequence=kv or 0.0,
    )
    basis.update(
        concurrency=spec.concurrency,
        input_per_output=round(input_per_output, 2),
        bandwidth_efficiency=BANDWIDTH_EFFICIENCY,
        mfu=MFU,
    )
    if kv is not None and spec.context_tokens is not None:
        basis.update(
            context_tokens=round(spec.context_tokens),
            kv_cache_mb_per_sequence=round(kv / 1e6, 1),
        )
    else:
        assumed = basis["assumed"]
        assert isinstance(assumed, list)
        assumed.append(
            "KV-cache reads left out (the model's layers, KV heads and head size are not in "
            "the catalog): optimistic for long contexts"
        )
    return ReplicaThroughput(value, ESTIMATE, basis)
