"""The hardware, throughput, service and latency catalogs: well formed, cited, and matched right."""

from __future__ import annotations

import datetime as dt

import pytest

from cellguard.models.catalog.architectures import architecture_catalog, find_architecture
from cellguard.models.catalog.engines import engine_catalog
from cellguard.models.catalog.hardware import (
    find_gpu,
    find_instance,
    gpu_catalog,
    instance_catalog,
    weight_bytes,
)
from cellguard.models.catalog.latency import component_prior, latency_catalog, model_prior
from cellguard.models.catalog.services import api_rate, service_catalog
from cellguard.models.catalog.sources import Source
from cellguard.models.catalog.throughput import (
    engine_caveat,
    find_measurement,
    same_size_class,
    throughput_catalog,
)
from cellguard.models.enums import ComponentKind, Hosting, Precision, ServingEngine
from cellguard.rules.builtin.cap import cg_cap_009_training_launch_rate as cap009


def _sources() -> list[Source]:
    found = [g.source for g in gpu_catalog().gpus]
    found += [f.source for f in instance_catalog().families]
    found += [m.source for m in throughput_catalog().measurements]
    found += [e.source for e in engine_catalog().engines]
    found += [m.source for m in architecture_catalog().models]
    found += [r.source for r in service_catalog().rates]
    found += [p.source for p in latency_catalog().components]
    found += [m.source for m in latency_catalog().models]
    return found


def test_every_number_is_cited_and_dated() -> None:
    sources = _sources()
    assert len(sources) > 20
    for source in sources:
        assert source.title and source.checked <= dt.date(2026, 12, 31)
        assert "checked 20" in source.cite()


def test_gpu_figures_match_the_datasheets() -> None:
    h100, l40s, l4 = find_gpu("H100"), find_gpu("NVIDIA L40S"), find_gpu("l4")
    assert h100 is not None and l40s is not None and l4 is not None
    assert (h100.memory_gb, h100.memory_bandwidth_gb_s) == (80, 3350)
    assert (l40s.memory_gb, l40s.memory_bandwidth_gb_s) == (48, 864)
    assert l40s.tflops(Precision.FP8) == 733 and l40s.tflops(Precision.BF16) == 362
    assert l4.tflops(Precision.FP16) == 121
    h200 = find_gpu("H200")
    assert h200 is not None and h200.memory_bandwidth_gb_s == 4800


def test_precisions_without_tensor_cores_compute_in_16_bit() -> None:
    a100 = find_gpu("A100")
    assert a100 is not None and a100.name == "A100-40GB"
    assert a100.tflops(Precision.FP8) == a100.tflops(Precision.BF16) == 312
    assert a100.tflops(Precision.INT8) == 624
    assert a100.tflops(Precision.INT4) == 312
    assert a100.tflops(Precision.FP32) == 156


def test_unknown_gpu_and_instance() -> None:
    assert find_gpu("MI300X") is None
    assert find_instance("x9.huge") is None


def test_instance_types_expand_from_families() -> None:
    types = instance_catalog().instance_types()
    names = [t.name for t in types]
    assert len(names) == len(set(names)), "instance type names are unique"
    for t in types:
        assert find_gpu(t.gpu) is not None, t.name
    g6e = find_instance("g6e.xlarge")
    mme = find_instance("ml.g5.12xlarge")
    p5 = find_instance("p5.48xlarge")
    assert g6e is not None and (g6e.gpu, g6e.gpus, g6e.platform) == ("L40S", 1, "ec2")
    assert mme is not None and (mme.gpu, mme.gpus, mme.platform) == ("A10G", 4, "sagemaker")
    assert p5 is not None and p5.gpus == 8 and "us-east-1" in p5.regions
    # NVLink through NVSwitch on the p families; PCIe only on the g families.
    assert p5.interconnect == "nvlink" and mme.interconnect == "pcie"
    for t in types:
        assert t.interconnect == (
            "nvlink" if t.name.removeprefix("ml.").startswith("p") else "pcie"
        )
    l40s, h100 = find_gpu("L40S"), find_gpu("H100")
    assert l40s is not None and h100 is not None and not l40s.nvlink and h100.nvlink


def test_weight_bytes() -> None:
    assert weight_bytes(8, Precision.BF16) == 16e9
    assert weight_bytes(8, Precision.FP8) == 8e9
    assert weight_bytes(70, Precision.INT4) == 35e9


def test_measurements_refer_to_catalogued_gpus() -> None:
    for m in throughput_catalog().measurements:
        assert find_gpu(m.gpu) is not None, m.id
        assert m.label().startswith("measured: ")


def test_design_section_10_figures_are_in_the_catalog() -> None:
    figures = {
        (m.gpu, m.params_b, m.precision, m.conditions.scenario): m.output_tokens_per_s
        for m in throughput_catalog().measurements
    }
    assert figures[("H100", 8, Precision.FP8, "offline")] == 5777
    assert figures[("H100", 8, Precision.FP8, "server")] == 5103
    assert figures[("L40S", 8, Precision.FP8, "offline")] == 1642
    assert figures[("L40S", 8, Precision.FP8, "server")] == 1207
    assert figures[("H100", 70, Precision.FP8, "saturation")] == 920
    assert figures[("A10G", 8, Precision.BF16, "concurrency")] == 285


@pytest.mark.parametrize(
    ("params", "precision", "gpu", "gpus", "engine", "expected"),
    [
        (8, Precision.FP8, "L40S", 1, ServingEngine.VLLM, 1207),  # server preferred to offline
        (8, Precision.FP8, "H100-SXM", 1, ServingEngine.VLLM, 5103),  # alias
        (7.2, Precision.FP8, "L40S", 1, ServingEngine.VLLM, 1207),  # same size class
        (8, Precision.BF16, "L40S", 1, ServingEngine.VLLM, None),  # precision differs
        (8, Precision.FP8, "L40S", 2, ServingEngine.VLLM, None),  # GPUs per replica differ
        (8, Precision.FP8, "L40S", 1, ServingEngine.TGI, 1207),  # engine differs: a caveat
        (13, Precision.FP8, "L40S", 1, ServingEngine.VLLM, None),  # another size class
        (70, Precision.FP8, "H100", 2, ServingEngine.NIM, 920),
        (70, Precision.FP8, "H100", 2, ServingEngine.VLLM, 920),  # only NIM measured it
        (8, Precision.FP8, "H100", 1, None, 5103),  # engine not declared
        (8, Precision.FP8, "MI300X", 1, ServingEngine.VLLM, None),  # GPU not catalogued
    ],
)
def test_find_measurement(
    params: float,
    precision: Precision,
    gpu: str,
    gpus: int,
    engine: ServingEngine | None,
    expected: float | None,
) -> None:
    found = find_measurement(
        params_b=params, precision=precision, gpu=gpu, gpus=gpus, engine=engine
    )
    assert (found.output_tokens_per_s if found else None) == expected


def test_an_engine_mismatch_is_a_caveat() -> None:
    found = find_measurement(
        params_b=70, precision=Precision.FP8, gpu="H100", gpus=2, engine=ServingEngine.VLLM
    )
    assert found is not None
    caveat = engine_caveat(found, ServingEngine.VLLM)
    assert caveat is not None and "measured with nim, served with vllm" in caveat
    assert engine_caveat(found, ServingEngine.NIM) is None


def test_model_architectures_from_the_model_cards() -> None:
    llama8 = find_architecture("meta-llama/Llama-3.1-8B-Instruct")
    assert llama8 is not None and (llama8.layers, llama8.kv_heads, llama8.head_dim) == (32, 8, 128)
    assert llama8.kv_bytes_per_token(2) == 131_072  # 2 x 32 x 8 x 128 x 2 B
    assert find_architecture("llama-3.1-8b-instruct") is llama8  # without the organisation
    llama70 = find_architecture("meta-llama/Llama-3.3-70B-Instruct")
    assert llama70 is not None and llama70.kv_bytes_per_token(2) == 327_680  # 80 layers
    qwen = find_architecture("Qwen/Qwen2.5-Coder-7B-Instruct")
    assert qwen is not None and qwen.kv_bytes_per_token(2) == 57_344  # 28 layers, 4 KV heads
    assert find_architecture("acme/house-model-8b") is None


def test_size_class() -> None:
    assert same_size_class(7.6, 8) and same_size_class(9.2, 8)
    assert not same_size_class(9.3, 8) and not same_size_class(3, 8)


def test_create_training_job_rate_comes_from_the_catalog() -> None:
    rate = api_rate("sagemaker.create_training_job")
    assert rate.per_second == 1.0 and rate.api == "CreateTrainingJob"
    assert rate.per_second == cap009.CREATE_TRAINING_JOB_RPS
    with pytest.raises(KeyError):
        api_rate("sagemaker.nothing")


def test_latency_priors_most_specific_first() -> None:
    bedrock = component_prior(ComponentKind.GUARDRAIL, provider="bedrock_guardrails")
    generic = component_prior(ComponentKind.GUARDRAIL, provider="custom")
    embed = component_prior(ComponentKind.EMBEDDING_MODEL, hosting=Hosting.BEDROCK)
    assert bedrock is not None and bedrock.provider == "bedrock_guardrails"
    assert generic is not None and generic.provider is None
    assert embed is not None and embed.hosting is Hosting.BEDROCK and embed.p99_ms == 200
    assert component_prior(ComponentKind.TOOL) is None
    assert component_prior(ComponentKind.AGENT) is None
    prior = model_prior(Hosting.BEDROCK)
    assert prior is not None and prior.ttft_p99_ms > 0
    assert model_prior(Hosting.SELF_HOSTED) is None
    assert "assumption" in prior.source.title


def test_find_gpu_by_key_finds_what_a_walk_of_the_catalog_finds() -> None:
    """The lookup table answers every name and alias, however spelled, as the first GPU in
    catalog order that matches it."""
    gpus = gpu_catalog().gpus
    names = [n for g in gpus for n in (g.name, *g.aliases)]
    spellings = [*names, *(f" NVIDIA {n.lower()} " for n in names), "H-100", "no-such-gpu", ""]
    for name in spellings:
        walked = next((g for g in gpus if g.matches(name)), None)
        assert find_gpu(name) is walked, name
    assert find_gpu("nvidia l40s") is not None
