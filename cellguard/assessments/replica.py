"""A replica of a GPU-served model resolved against the catalog: GPU, concurrency, KV cache.

:func:`replica_spec` reads the spec's model and serving keys and fills the gaps it may:
GPUs per replica (one, or one SageMaker instance), the concurrency (``serving.measured``'s,
else the engine default of ``engines.yaml``), the model's architecture (``models.yaml``), the
tensor-parallel efficiency over the instance's interconnect; every gap filled is listed in
``assumed``. :mod:`.throughput` turns it into a throughput figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments.throughput_model import (
    BANDWIDTH_EFFICIENCY,
    MEMORY_HEADROOM,
    MFU,
    PCIE_TP_EFFICIENCY,
    kv_bytes_per_element,
    kv_capacity,
    tp_efficiency,
)
from cellguard.models.catalog.architectures import Architecture, find_architecture
from cellguard.models.catalog.engines import default_concurrency, engine_defaults
from cellguard.models.catalog.hardware import (
    Gpu,
    InstanceType,
    find_gpu,
    find_instance,
    weight_bytes,
)
from cellguard.models.catalog.mig import mig_slice
from cellguard.models.catalog.throughput import same_size_class
from cellguard.models.components import ComponentBase
from cellguard.models.components.gpu_sharing import GpuSharingMode
from cellguard.models.components.inference import HostedModelFields, MeasuredServing
from cellguard.models.enums import Hosting, Precision, ServingEngine


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
    efficiency: float = 1.0

    @property
    def weights(self) -> float | None:
        """Bytes of weights; ``None`` without size or precision."""
        if self.params_b is None or self.precision is None:
            return None
        return weight_bytes(self.params_b, self.precision)

    @property
    def flops(self) -> float | None:
        """Dense tensor FLOP/s of the replica at the model's precision (tensor-parallel
        efficiency included)."""
        if self.gpu is None or self.precision is None:
            return None
        return self.gpu.tflops(self.precision) * 1e12 * self.gpus * self.efficiency

    @property
    def bandwidth(self) -> float | None:
        """Memory bandwidth of the replica, bytes/s (tensor-parallel efficiency included)."""
        if self.gpu is None:
            return None
        return self.gpu.memory_bandwidth_gb_s * 1e9 * self.gpus * self.efficiency

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
        """Bandwidth-bound time of one decode step of a lone sequence: the weights and that
        sequence's KV cache (when the architecture is catalogued) read at the achieved rate."""
        if self.weights is None or self.bandwidth is None:
            return None
        kv = self.kv_bytes_per_sequence or 0.0
        return (self.weights + kv) / (self.bandwidth * BANDWIDTH_EFFICIENCY)


def _resolve_gpu(hosted: HostedModelFields) -> tuple[Gpu | None, InstanceType | None, list[str]]:
    """The GPU and the catalogued instance type carrying it (``None`` if none is named);
    plus what is missing."""
    serving = hosted.serving
    missing: list[str] = []
    if serving is not None and serving.gpu is not None:
        gpu = find_gpu(serving.gpu)
        if gpu is None:
            missing.append(f"GPU {serving.gpu!r} is not in the catalog")
        for name in serving.instance_types:
            found = find_instance(name)
            if found is not None and gpu is not None and gpu.matches(found.gpu):
                return gpu, found, missing
        return gpu, None, missing
    for name in serving.instance_types if serving is not None else []:
        found = find_instance(name)
        if found is not None:
            return find_gpu(found.gpu), found, missing
    missing.append("the GPU (serving.gpu or a catalogued serving.instance_types)")
    return None, None, missing


def _mig_instance(
    hosted: HostedModelFields, gpu: Gpu | None, assumed: list[str], missing: list[str]
) -> tuple[Gpu | None, bool]:
    """The GPU a replica computes on: the share of ``gpu`` of its MIG instance
    (``serving.gpu_sharing`` mode mig), else ``gpu`` itself; and whether it is a MIG slice."""
    sharing = hosted.serving.gpu_sharing if hosted.serving is not None else None
    if sharing is None or sharing.mode is not GpuSharingMode.MIG or gpu is None:
        return gpu, False
    profile = sharing.profile or ""
    found = mig_slice(gpu, profile)
    if found is None:
        missing.append(f"MIG profile {profile} of {gpu.name} (mig_profiles.yaml)")
        return None, True
    assumed.append(
        f"a MIG {profile} instance of {gpu.name}: {found.memory_gb:g} GB, "
        f"{found.memory_bandwidth_gb_s:,.0f} GB/s, {found.dense_tflops['bf16']:,.0f} dense "
        f"bf16 TFLOPS ({found.source.cite()})"
    )
    return found, True


def _tp_efficiency(
    gpus: int, gpu: Gpu | None, instance: InstanceType | None, assumed: list[str]
) -> float:
    """The tensor-parallel efficiency of a replica of ``gpus`` GPUs, noted in ``assumed``
    when below 1: NVLink from the instance type, else from the GPU part; PCIe when neither
    says (the lower figure, since missing data must not flatter the estimate)."""
    if gpus <= 1:
        return 1.0
    if instance is not None:
        nvlink: bool | None = instance.interconnect == "nvlink"
        where = f"{instance.name}: {instance.interconnect}"
    elif gpu is not None:
        nvlink = gpu.nvlink
        where = f"{gpu.name}: {'NVLink' if gpu.nvlink else 'a PCIe card without NVLink'}"
    else:
        nvlink, where = None, "interconnect unknown"
    value = tp_efficiency(gpus, nvlink)
    if value < 1:
        assumed.append(
            f"tensor parallelism over PCIe ({where}): {value:.2f} of linear scaling over "
            f"{gpus} GPUs (estimate: {PCIE_TP_EFFICIENCY} per doubling)"
        )
    return value


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
    gpu, instance, gpu_missing = _resolve_gpu(comp)
    per_instance = instance.gpus if instance is not None else None
    missing += gpu_missing
    gpu, sliced = _mig_instance(comp, gpu, assumed, missing)
    if sliced:  # a replica is one MIG instance, not the instance type's GPUs
        per_instance = None
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
    efficiency = _tp_efficiency(gpus, gpu, instance, assumed)
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
        efficiency=efficiency,
    )
