"""The capacity model: demand, supply, static stability, failover and the hardware estimate."""

from __future__ import annotations

import json
import math
from textwrap import dedent

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.capacity import (
    TARGET_UTILISATION,
    CapacityRow,
    capacity_rows,
    fleet,
    replicas_after_zone_loss,
    replicas_for_static_stability,
    shift_share,
)
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.throughput import (
    BANDWIDTH_EFFICIENCY,
    ESTIMATE,
    MFU,
    estimate_output_tokens_per_s,
)
from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.enums import Precision
from tests.helpers import load_texts

L40S_FP8_SERVER = 1207.0
"""The catalog's measured Llama 3.1 8B FP8 throughput on one L40S (MLPerf v5.1 server)."""


def stack(
    *,
    replicas: int = 6,
    zones: str = "3",
    regions: str = "[us-east-1]",
    rps: float = 10,
    output: int = 300,
    precision: str = "fp8",
    concurrency: str = "",
    fallback_quota: int = 400000,
) -> str:
    """A chat stack on a self-hosted Llama 3.1 8B fleet with a Bedrock fallback."""
    return dedent(
        f"""\
        apiVersion: cellguard/v1
        kind: Stack
        metadata: {{name: demo, owner: team}}
        business:
          journeys:
            - id: chat
              entrypoint: web
              criticality: tier1
              demand: {{peak_rps: {rps}, input_tokens: 2000, output_tokens: {output}}}
        topology:
          accounts: [prod]
          regions:
            - {{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}}
            - {{name: us-west-2, zones: [usw2-az1, usw2-az2, usw2-az3]}}
        components:
          - id: web
            kind: app
            depends_on:
              - {{to: llm, timeout_ms: 30000, mode: stream, fallback: small}}
          - id: llm
            kind: model_endpoint
            hosting: self_hosted
            model: {{name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: {precision}}}
            serving: {{engine: vllm, gpu: L40S, gpus_per_replica: 1{concurrency}}}
            placement: {{regions: {regions}, zones: {zones}}}
            replicas: {replicas}
          - id: small
            kind: model_endpoint
            hosting: bedrock
            model: {{name: anthropic.claude-3-haiku}}
            quota: {{tokens_per_minute: {fallback_quota}, shared_with: [hr-assistant]}}
        """
    )


def graph_of(text: str) -> StackGraph:
    return build_graph(load_texts(text, org_mode=False))


def row_of(graph: StackGraph, cid: str = "llm") -> CapacityRow:
    model = fleet(graph, f"demo/{cid}")
    assert model is not None
    return model.row


# -- static stability: the worked examples of the issue -------------------------------------


def test_six_replicas_at_75_percent_are_not_stable_after_a_zone_loss() -> None:
    # 4.5 rps x 1,207 output tokens = 75% of 6 replicas x 1,207 tok/s.
    row = row_of(graph_of(stack(replicas=6, rps=4.5, output=1207)))
    assert row.utilisation == pytest.approx(0.75)
    assert row.replicas_after_zone_loss == 4  # 2 per zone, lose one zone
    assert row.after_zone_loss == pytest.approx(4 * L40S_FP8_SERVER)
    # 4 replicas left for 4.5 replicas' worth of load.
    after = row.utilisation_after_zone_loss
    assert after is not None and after == pytest.approx(4.5 / 4)
    assert after > TARGET_UTILISATION
    assert row.replicas_needed == 9


def test_the_same_load_on_nine_replicas_is_stable() -> None:
    row = row_of(graph_of(stack(replicas=9, rps=4.5, output=1207)))
    assert row.utilisation == pytest.approx(0.5)
    assert row.replicas_after_zone_loss == 6
    after = row.utilisation_after_zone_loss
    assert after is not None and after == pytest.approx(0.75)
    assert after <= TARGET_UTILISATION
    assert row.replicas_needed == 9


def test_replicas_for_static_stability_worked_example() -> None:
    # 4.5 replicas of load, three zones, 80% target: 9 replicas (6 survive, 75%); 8 leave 5.
    assert replicas_for_static_stability(4.5, 1.0, zones=3) == 9
    assert replicas_for_static_stability(4.5, 1.0, zones=3, target_utilisation=1.0) == 8
    assert replicas_for_static_stability(4.5, 1.0, zones=1) is None
    # Two regions: each must carry the whole peak after the other is lost.
    assert replicas_for_static_stability(4.5, 1.0, zones=3, regions=2) == 6
    assert replicas_for_static_stability(0.0, 1.0, zones=3) == 1
    with pytest.raises(ValueError):
        replicas_for_static_stability(1.0, 0.0, zones=3)


def test_replicas_after_zone_loss() -> None:
    assert replicas_after_zone_loss(["a", "b", "c", "a", "b", "c"]) == 4
    assert replicas_after_zone_loss(["a", "b", "c", "a"]) == 2
    assert replicas_after_zone_loss(["a", "a"]) == 0
    assert replicas_after_zone_loss([]) == 0


@given(
    st.floats(min_value=0.0, max_value=1e6),
    st.floats(min_value=1.0, max_value=1e4),
    st.integers(min_value=2, max_value=6),
    st.integers(min_value=1, max_value=4),
)
def test_replicas_for_static_stability_is_the_least_that_is_stable(
    demand: float, per: float, zones: int, regions: int
) -> None:
    n = replicas_for_static_stability(demand, per, zones=zones, regions=regions)
    assert n is not None and n >= 1

    need = demand / (per * TARGET_UTILISATION)  # replicas' worth of load at the target

    def stable(count: int) -> bool:
        left = count - math.ceil(count / zones)
        ok = left >= need / regions - 1e-9
        if regions > 1:
            ok = ok and (regions - 1) * count >= need - 1e-9
        return ok

    assert stable(n)
    assert n == 1 or not stable(n - 1)


def test_single_zone_fleet_loses_everything() -> None:
    row = row_of(graph_of(stack(zones="[use1-az4]")))
    assert row.replicas_after_zone_loss == 0
    assert row.after_zone_loss == 0.0
    assert row.utilisation_after_zone_loss is None
    assert row.replicas_needed is None
    assert shift_share(row) == 1.0


def test_zones_unknown() -> None:
    text = stack().replace(
        "placement: {regions: [us-east-1], zones: 3}", "placement: {regions: [us-east-1]}"
    )
    row = row_of(graph_of(text))
    assert row.replicas_after_zone_loss is None and row.utilisation_after_zone_loss is None
    assert any("placement.zones" in m for m in row.missing)
    assert shift_share(row) is None


def test_two_regions_split_demand_and_survive_a_region_loss() -> None:
    row = row_of(graph_of(stack(regions="[us-east-1, us-west-2]", rps=20)))
    assert row.supply == pytest.approx(12 * L40S_FP8_SERVER)
    assert row.after_region_loss == pytest.approx(6 * L40S_FP8_SERVER)
    assert row.utilisation_after_region_loss == pytest.approx(6000 / (6 * L40S_FP8_SERVER))
    # Zone loss is judged per region against that region's half of the demand.
    assert row.utilisation_after_zone_loss == pytest.approx(3000 / (4 * L40S_FP8_SERVER))


# -- demand, supply, quota and failover -----------------------------------------------------


def test_measured_supply_and_output_token_demand() -> None:
    graph = graph_of(stack())
    row = row_of(graph)
    assert row.unit == "output tokens/s"
    assert row.demand == 3000  # 10 rps x 300 output tokens
    assert row.supply == pytest.approx(6 * L40S_FP8_SERVER)
    assert row.throughput_source is not None and row.throughput_source.startswith("measured: ")
    assert row.journeys == ("demo/chat",)
    assert row.p99_wait_ms is not None and not row.queue_saturated


def test_quota_row_counts_input_and_output_tokens_and_failover() -> None:
    graph = graph_of(stack(zones="[use1-az4]"))
    small = row_of(graph, "small")
    assert small.basis == "quota" and small.unit == "tokens/s"
    assert small.supply == pytest.approx(400000 / 60)
    assert small.demand == 0.0 and small.journeys == ()
    # The primary is in one zone: all of its 10 x 2,300 tokens/s fail over.
    assert small.failover_demand == pytest.approx(23000)
    assert not small.demand_complete  # shared with hr-assistant, which is not loaded
    assert any("hr-assistant" in m for m in small.missing)


def test_no_failover_when_the_primary_survives_its_losses() -> None:
    small = row_of(graph_of(stack()), "small")
    assert small.failover_demand == 0.0


def test_saturated_fleet_has_no_finite_wait() -> None:
    row = row_of(graph_of(stack(rps=30)))
    assert row.utilisation is not None and row.utilisation > 1
    assert row.queue_saturated and row.p99_wait_ms is None


def test_rows_are_sorted_and_json_ready() -> None:
    graph = graph_of(stack())
    rows = capacity_rows(graph)
    assert [r.id for r in rows] == ["llm", "small"]
    data = [r.to_json() for r in rows]
    assert json.loads(json.dumps(data)) == data
    assert list(data[0])[:5] == ["stack", "id", "kind", "basis", "unit"]
    assert data[0]["utilisation"] == round(3000 / (6 * L40S_FP8_SERVER), 3)
    assert capacity_rows(graph) == rows  # computed once, same answer


# -- the hardware estimate ------------------------------------------------------------------


def test_estimate_is_labelled_everywhere() -> None:
    row = row_of(graph_of(stack(precision="bf16", concurrency=", max_concurrency: 64")))
    assert row.throughput_source == ESTIMATE
    assert row.to_json()["throughput_source"] == "estimate"
    assert row.throughput_basis["concurrency"] == 64
    assert row.throughput_basis["mfu"] == MFU


def test_without_concurrency_the_engine_default_stands_in() -> None:
    row = row_of(graph_of(stack(precision="bf16")))
    assert row.supply is not None and row.throughput_source == ESTIMATE
    # vLLM's --max-num-seqs on an L40S is 256, but only 96 sequences of 2,150 tokens fit:
    # (0.9 x 48 GB - 16 GB of weights) / (131,072 B/token x 2,150 tokens = 281.8 MB) = 96.5.
    assert row.throughput_basis["concurrency"] == 96
    assumed = str(row.throughput_basis["assumed"])
    assert "vllm default" in assumed and "concurrency=96, not 256" in assumed


def test_no_estimate_without_concurrency_or_engine_default() -> None:
    row = row_of(graph_of(stack(precision="bf16").replace("engine: vllm", "engine: ollama")))
    assert row.supply is None and row.utilisation is None
    assert any("max_concurrency" in m for m in row.missing)


def test_estimate_formula_by_hand() -> None:
    gpu = find_gpu("L40S")
    assert gpu is not None
    # Decode only (no input): c x eta x B / W = 64 x 0.75 x 864e9 / 16e9.
    decode_only = estimate_output_tokens_per_s(
        params_b=8, precision=Precision.BF16, gpu=gpu, gpus=1, concurrency=64, input_per_output=0
    )
    assert decode_only == pytest.approx(64 * BANDWIDTH_EFFICIENCY * 864e9 / 16e9)
    # With prefill: add r x 2P / (F x MFU) per output token.
    r = 2000 / 300
    t = r * 16e9 / (362e12 * MFU) + 16e9 / (864e9 * BANDWIDTH_EFFICIENCY * 64)
    with_prefill = estimate_output_tokens_per_s(
        params_b=8, precision=Precision.BF16, gpu=gpu, gpus=1, concurrency=64, input_per_output=r
    )
    assert with_prefill == pytest.approx(1 / t)


def test_estimate_reads_the_kv_cache_by_hand() -> None:
    # Llama 3.1 8B bf16 on one L40S, 64 concurrent, 2,000 input / 300 output tokens:
    # K = 2 x 32 layers x 8 KV heads x 128 x 2 B x (2,000 + 300 / 2) tokens = 281,804,800 B.
    # prefill: (2,000 / 300) x 16e9 / (362e12 x 0.3)          = 0.9822 ms per output token
    # decode:  (16e9 / 64 + 281.8e6) / (864e9 x 0.75)          = 0.8207 ms per output token
    # 1 / (0.9822 + 0.8207) ms = 554.7 tok/s; weights only (K = 0) it was 731.0.
    gpu = find_gpu("L40S")
    assert gpu is not None
    kv = 2 * 32 * 8 * 128 * 2 * (2000 + 150)
    assert kv == 281_804_800
    r = 2000 / 300
    t = r * 16e9 / (362e12 * MFU) + (16e9 / 64 + kv) / (864e9 * BANDWIDTH_EFFICIENCY)
    estimate = estimate_output_tokens_per_s(
        params_b=8,
        precision=Precision.BF16,
        gpu=gpu,
        gpus=1,
        concurrency=64,
        input_per_output=r,
        kv_bytes_per_sequence=kv,
    )
    assert estimate == pytest.approx(1 / t) and estimate == pytest.approx(554.7, abs=0.1)
    row = row_of(graph_of(stack(precision="bf16", concurrency=", max_concurrency: 64")))
    assert row.per_replica == pytest.approx(554.7, abs=0.1)
    assert row.throughput_basis["kv_cache_mb_per_sequence"] == 281.8
    assert row.throughput_basis["context_tokens"] == 2150
    # a lone sequence's decode step reads the weights and its own KV cache:
    # (16e9 + 281.8e6) / (864e9 x 0.75) = 25.13 ms
    model = fleet(
        graph_of(stack(precision="bf16", concurrency=", max_concurrency: 64")), "demo/llm"
    )
    assert model is not None and model.replica is not None
    step = model.replica.decode_step_seconds()
    assert step == pytest.approx((16e9 + kv) / (864e9 * BANDWIDTH_EFFICIENCY))


def test_without_the_architecture_kv_reads_are_left_out_and_said_so() -> None:
    text = stack(precision="bf16", concurrency=", max_concurrency: 64").replace(
        "meta-llama/Llama-3.1-8B-Instruct", "acme/house-model-8b"
    )
    row = row_of(graph_of(text))
    assert row.per_replica == pytest.approx(731.0, abs=0.1)  # the weights-only bound
    assert "KV-cache reads left out" in str(row.throughput_basis["assumed"])


def test_an_architecture_of_another_size_class_is_not_used() -> None:
    text = stack(precision="bf16", concurrency=", max_concurrency: 64").replace(
        "params_b: 8,", "params_b: 13,"
    )
    row = row_of(graph_of(text))
    assumed = str(row.throughput_basis["assumed"])
    assert "params_b is 13: its architecture is not used" in assumed
    assert "KV-cache reads left out" in assumed


@pytest.mark.parametrize(
    ("gpu", "instances", "gpus", "efficiency", "said"),
    [
        ("L40S", "[g6e.12xlarge]", 4, 0.64, "(g6e.12xlarge: pcie): 0.64 of linear scaling"),
        ("L40S", "[]", 2, 0.8, "(L40S: a PCIe card without NVLink): 0.80"),
        ("H100", "[p5.48xlarge]", 4, 1.0, None),  # NVSwitch: linear
        ("H100", "[]", 2, 1.0, None),  # an SXM part
        ("L40S", "[g6e.12xlarge]", 1, 1.0, None),  # one GPU: nothing to scale
    ],
)
def test_tensor_parallelism_over_pcie_scales_below_linear(
    gpu: str, instances: str, gpus: int, efficiency: float, said: str | None
) -> None:
    text = stack(precision="bf16", concurrency=", max_concurrency: 64").replace(
        "gpu: L40S, gpus_per_replica: 1",
        f"gpu: {gpu}, gpus_per_replica: {gpus}, instance_types: {instances}",
    )
    model = fleet(graph_of(text), "demo/llm")
    assert model is not None and model.replica is not None
    assert model.replica.efficiency == pytest.approx(efficiency)
    assert model.row.throughput_basis["tp_efficiency"] == pytest.approx(efficiency)
    assumed = str(model.row.throughput_basis["assumed"])
    assert (said in assumed) if said else ("tensor parallelism" not in assumed)


def test_pcie_efficiency_scales_flops_and_bandwidth_by_hand() -> None:
    # Two L40S over PCIe: e = 0.8; bf16 8B at 64 concurrent, no prefill and no KV cache:
    # c x e x eta x B / W = 64 x 0.8 x 0.75 x 2 x 864e9 / 16e9 = 4,147.2 tok/s (5,184 linear).
    gpu = find_gpu("L40S")
    assert gpu is not None
    value = estimate_output_tokens_per_s(
        params_b=8,
        precision=Precision.BF16,
        gpu=gpu,
        gpus=2,
        concurrency=64,
        input_per_output=0,
        efficiency=0.8,
    )
    assert value == pytest.approx(4147.2)


def test_estimate_is_calibrated_on_the_a10g_measurement() -> None:
    # ai-on-eks: Llama 3 8B, A10G, 10 concurrent, ~285 tok/s (short prompts).
    gpu = find_gpu("A10G")
    assert gpu is not None
    estimate = estimate_output_tokens_per_s(
        params_b=8, precision=Precision.BF16, gpu=gpu, gpus=1, concurrency=10, input_per_output=0
    )
    assert estimate == pytest.approx(285, rel=0.05)


def test_weights_that_do_not_fit_give_no_estimate() -> None:
    text = stack(precision="bf16", concurrency=", max_concurrency: 64").replace(
        "params_b: 8,", "params_b: 70,"
    )
    row = row_of(graph_of(text))
    assert row.supply is None
    assert any("do not fit" in m for m in row.missing)


# -- properties -----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=24), st.sampled_from(["1", "2", "3"]))
def test_more_replicas_never_lower_capacity_or_raise_utilisation(replicas: int, zones: str) -> None:
    fewer = row_of(graph_of(stack(replicas=replicas, zones=zones)))
    more = row_of(graph_of(stack(replicas=replicas + 1, zones=zones)))
    assert fewer.supply is not None and more.supply is not None
    assert more.supply >= fewer.supply
    assert more.after_zone_loss is not None and fewer.after_zone_loss is not None
    assert more.after_zone_loss >= fewer.after_zone_loss
    assert more.utilisation is not None and fewer.utilisation is not None
    assert more.utilisation <= fewer.utilisation
    if fewer.utilisation_after_zone_loss is not None:
        assert more.utilisation_after_zone_loss is not None
        assert more.utilisation_after_zone_loss <= fewer.utilisation_after_zone_loss
    assert (more.p99_wait_ms or 0.0) <= (fewer.p99_wait_ms or 0.0) or fewer.queue_saturated


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=6))
def test_round_robin_survivors_never_drop_with_more_replicas(replicas: int, zones: int) -> None:
    def left(n: int) -> int:
        return replicas_after_zone_loss([f"z{i % zones}" for i in range(n)])

    assert left(replicas + 1) >= left(replicas)
