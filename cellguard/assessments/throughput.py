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

from dataclasses import dataclass

from cellguard.assessments.replica import ReplicaSpec, replica_spec
from cellguard.assessments.throughput_model import (
    BANDWIDTH_EFFICIENCY,
    MEMORY_HEADROOM,
    MFU,
    PCIE_TP_EFFICIENCY,
    estimate_output_tokens_per_s,
    kv_capacity,
)
from cellguard.models.catalog.engines import engine_defaults
from cellguard.models.catalog.throughput import engine_caveat, find_measurement
from cellguard.models.enums import ServingEngine
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
        efficiency=spec.efficiency,
    )
    basis.update(
        concurrency=spec.concurrency,
        input_per_output=round(input_per_output, 2),
        bandwidth_efficiency=BANDWIDTH_EFFICIENCY,
        mfu=MFU,
        tp_efficiency=round(spec.efficiency, 3),
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
