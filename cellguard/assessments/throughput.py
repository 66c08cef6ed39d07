"""What one replica of a GPU-served model can do: throughput, prefill time and time per token.

A replica's throughput is, in this order,

1. **measured**: the catalog measurement (``throughput.yaml``) for the same size class,
   precision, GPU, GPUs per replica and engine -- labelled ``measured: <source>``;
2. **estimated** from the hardware -- labelled ``estimate`` -- as the inverse of the GPU time
   one output token costs, prefill included::

       t_out = r·2P / (F·MFU) + max( W / (B·η·c),  2P / (F·MFU) )
       output tokens/s = 1 / t_out

   with ``P`` parameters, ``W = P × bytes per parameter`` the weights, ``F`` and ``B`` the dense
   tensor FLOP/s at the model's precision and the memory bandwidth of all the replica's GPUs,
   ``c`` the replica's concurrency (``serving.max_concurrency``) and ``r`` the demand's input
   tokens per output token. The first term is prefill (compute-bound, ``2P`` FLOPs per input
   token); the second is decode, bound by reading the weights once per step for ``c``
   sequences (DESIGN §10: TPOT >= bytes read per step / bandwidth) or by its ``2P`` FLOPs per
   token, whichever is slower. Without prefill and at low concurrency this is the textbook
   ``c × η·B / W``.

Assumptions of the estimate, all conservative or calibrated: KV-cache reads, attention FLOPs
and scheduling overhead are left out (they lower real throughput at long contexts);
:data:`BANDWIDTH_EFFICIENCY` and :data:`MFU` are the achieved shares of peak; GPUs of a replica
scale linearly (tensor parallelism); the weights must fit in :data:`MEMORY_HEADROOM` of the
replica's GPU memory. Without a declared concurrency there is no estimate (the decode term
needs it): the figure stays unknown rather than invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.models.catalog.engines import default_concurrency, engine_defaults
from cellguard.models.catalog.hardware import Gpu, find_gpu, find_instance, weight_bytes
from cellguard.models.catalog.throughput import engine_caveat, find_measurement
from cellguard.models.components import ComponentBase
from cellguard.models.components.inference import HostedModelFields, MeasuredServing
from cellguard.models.enums import Hosting, Precision, ServingEngine
from cellguard.models.findings import Evidence

BANDWIDTH_EFFICIENCY = 0.75
"""Share of peak memory bandwidth a decode step achieves. Calibrated on the catalog's A10G
point: 10 concurrent x 600 GB/s x 0.75 / 16 GB of weights = 281 tok/s against 285 measured."""

MFU = 0.3
"""Share of peak dense tensor FLOP/s that prefill (and compute-bound decode) achieves. The
MLPerf v5.1 server results for Llama 3.1 8B FP8 imply about 0.25 (L40S) to 0.37 (H100) at a
summarisation-like 8:1 input:output ratio; 0.3 sits between them."""

MEMORY_HEADROOM = 0.9
"""Weights may take at most 90% of a replica's GPU memory; the rest holds the KV cache."""

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


def replica_spec(comp: ComponentBase) -> ReplicaSpec:
    """The :class:`ReplicaSpec` of a model endpoint or embedding model served on GPUs."""
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
    )


def estimate_output_tokens_per_s(
    *,
    params_b: float,
    precision: Precision,
    gpu: Gpu,
    gpus: int,
    concurrency: int,
    input_per_output: float,
) -> float:
    """The hardware estimate of a replica's output tokens/s (formula in the module docstring)."""
    if concurrency <= 0 or gpus <= 0 or input_per_output < 0:
        raise ValueError("concurrency and gpus must be positive, input_per_output >= 0")
    two_p = 2 * params_b * 1e9
    flops = gpu.tflops(precision) * 1e12 * gpus * MFU
    bandwidth = gpu.memory_bandwidth_gb_s * 1e9 * gpus * BANDWIDTH_EFFICIENCY
    prefill = input_per_output * two_p / flops
    decode = max(weight_bytes(params_b, precision) / (bandwidth * concurrency), two_p / flops)
    return 1.0 / (prefill + decode)


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
    if missing:
        return ReplicaThroughput(None, None, basis, tuple(missing))
    assert spec.params_b and spec.precision and spec.gpu and spec.concurrency
    assert input_per_output is not None
    value = estimate_output_tokens_per_s(
        params_b=spec.params_b,
        precision=spec.precision,
        gpu=spec.gpu,
        gpus=spec.gpus,
        concurrency=spec.concurrency,
        input_per_output=input_per_output,
    )
    basis.update(
        concurrency=spec.concurrency,
        input_per_output=round(input_per_output, 2),
        bandwidth_efficiency=BANDWIDTH_EFFICIENCY,
        mfu=MFU,
    )
    return ReplicaThroughput(value, ESTIMATE, basis)
