"""The hardware estimate of a replica's throughput: its constants and formula.

One output token costs a replica, prefill included::

    t_out = r·2P / (F·MFU) + max( W / (B·η·c) + K / (B·η),  2P / (F·MFU) )
    output tokens/s = 1 / t_out

with ``P`` parameters, ``W = P x bytes per parameter`` the weights, ``F`` and ``B`` the dense
tensor FLOP/s at the model's precision and the memory bandwidth of all the replica's GPUs
(times the tensor-parallel efficiency ``e`` of :func:`tp_efficiency` when it has several),
``c`` the replica's concurrency, ``r`` the demand's input tokens per output token, and ``K``
the bytes of KV cache one sequence holds at the journeys' context (input + half the output
tokens; :func:`context_tokens`). The first term is prefill (compute-bound, ``2P`` FLOPs per
input token). The second is decode: a step reads the weights once for the ``c`` sequences
and the KV cache of each of them (DESIGN §10: TPOT >= bytes read per step / bandwidth), or is
bound by its ``2P`` FLOPs per token, whichever is slower. Without prefill, KV cache and
at low concurrency this is the textbook ``c x η·B / W``.
"""

from __future__ import annotations

import math

from cellguard.models.catalog.hardware import Gpu, weight_bytes
from cellguard.models.enums import Precision

BANDWIDTH_EFFICIENCY = 0.75
"""Share of peak memory bandwidth a decode step achieves. Calibrated on the catalog's A10G
point: 10 concurrent x 600 GB/s x 0.75 / 16 GB of weights = 281 tok/s against 285 measured
(short prompts: the KV cache of 10 sequences of a few hundred tokens is a few percent of the
weights, within the calibration's error)."""

MFU = 0.3
"""Share of peak dense tensor FLOP/s that prefill (and compute-bound decode) achieves. The
MLPerf v5.1 server results for Llama 3.1 8B FP8 imply about 0.25 (L40S) to 0.37 (H100) at a
summarisation-like 8:1 input:output ratio; 0.3 sits between them."""

MEMORY_HEADROOM = 0.9
"""Weights and KV cache may take at most 90% of a replica's GPU memory (engines reserve the
rest for activations and CUDA graphs; vLLM's gpu_memory_utilization defaults to 0.9)."""

KV_BYTES_PER_ELEMENT = 2.0
"""Bytes of one KV-cache element: 16 bit. Engines keep the KV cache in the activations' dtype
unless told otherwise (vLLM ``--kv-cache-dtype auto``), also for fp8/int8/int4 weights; fp32
models keep it in 32 bit."""

PCIE_TP_EFFICIENCY = 0.8
"""Estimate: the share of linear scaling each doubling of tensor parallelism keeps over PCIe.
Tensor parallelism all-reduces the activations twice per layer per step; over NVLink/NVSwitch
(600-900 GB/s per GPU) that is a few percent of a step, over PCIe Gen4/5 (32-64 GB/s each
way, no NVLink on the L40S, L4 or A10G) it is a visible share, more so at small batches. No measurement in the
catalog backs the figure: it is labelled an estimate wherever it is applied."""


def kv_bytes_per_element(precision: Precision) -> float:
    """Bytes of one KV-cache element for a model served at ``precision``."""
    return 4.0 if precision is Precision.FP32 else KV_BYTES_PER_ELEMENT


def context_tokens(input_per_output: float | None, mean_output: float | None) -> float | None:
    """Tokens of context a sequence holds on average while decoding: its input plus half its
    output (the KV cache grows by one token per step); ``None`` without the demand's tokens."""
    if input_per_output is None or mean_output is None:
        return None
    return mean_output * (input_per_output + 0.5)


def tp_efficiency(gpus: int, nvlink: bool | None) -> float:
    """Share of linear scaling a replica of ``gpus`` GPUs keeps: 1 for one GPU or NVLink,
    :data:`PCIE_TP_EFFICIENCY` per doubling over PCIe (``nvlink`` False or unknown)."""
    if gpus <= 1 or nvlink:
        return 1.0
    return float(PCIE_TP_EFFICIENCY ** math.log2(gpus))


def kv_capacity(
    *, params_b: float, precision: Precision, gpu: Gpu, gpus: int, kv_bytes_per_sequence: float
) -> int:
    """Sequences whose KV cache fits next to the weights in :data:`MEMORY_HEADROOM` of the
    replica's memory (0 when not even one does)."""
    free = MEMORY_HEADROOM * gpu.memory_gb * 1e9 * gpus - weight_bytes(params_b, precision)
    if free <= 0 or kv_bytes_per_sequence <= 0:
        return 0
    return math.floor(free / kv_bytes_per_sequence)


def estimate_output_tokens_per_s(
    *,
    params_b: float,
    precision: Precision,
    gpu: Gpu,
    gpus: int,
    concurrency: int,
    input_per_output: float,
    kv_bytes_per_sequence: float = 0.0,
    efficiency: float = 1.0,
) -> float:
    """The hardware estimate of a replica's output tokens/s (formula in the module docstring).

    ``kv_bytes_per_sequence`` is ``K`` (0: KV reads left out); ``efficiency`` is ``e``."""
    if concurrency <= 0 or gpus <= 0 or input_per_output < 0 or kv_bytes_per_sequence < 0:
        raise ValueError("concurrency and gpus must be positive, the rest >= 0")
    if not 0 < efficiency <= 1:
        raise ValueError("efficiency must be in (0, 1]")
    two_p = 2 * params_b * 1e9
    flops = gpu.tflops(precision) * 1e12 * gpus * efficiency * MFU
    bandwidth = gpu.memory_bandwidth_gb_s * 1e9 * gpus * efficiency * BANDWIDTH_EFFICIENCY
    prefill = input_per_output * two_p / flops
    memory = weight_bytes(params_b, precision) / (bandwidth * concurrency)
    decode = max(memory + kv_bytes_per_sequence / bandwidth, two_p / flops)
    return 1.0 / (prefill + decode)
