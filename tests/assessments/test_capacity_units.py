"""Demand in the workload's own unit (issue 17): images, embeddings, audio, plain requests."""

from __future__ import annotations

from textwrap import dedent

import pytest

from cellguard.assessments.capacity import CapacityRow, fleet
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_rows
from cellguard.assessments.throughput_model import MFU
from cellguard.models.business import DemandUnit
from cellguard.models.catalog.media import find_media_model, media_catalog
from cellguard.models.components import EmbeddingModel
from cellguard.rules.builtin.cap.cg_cap_015_ingestion_embedding import headroom
from tests.helpers import load_errors, load_texts

A10G_BF16 = 70e12
H100_BF16 = 989e12
L4_BF16 = 121e12


def stack(
    demand: str,
    *,
    model: str = "stabilityai/stable-diffusion-xl-base-1.0",
    params: str = "",
    kind: str = "model_endpoint",
    gpu: str = "A10G",
    replicas: int = 2,
    serving: str = "",
) -> str:
    """One journey calling one GPU-served model in two zones."""
    return dedent(
        f"""\
        apiVersion: cellguard/v1
        kind: Stack
        metadata: {{name: pix, owner: team}}
        business:
          journeys:
            - id: generate
              entrypoint: api
              criticality: tier1
              demand: {demand}
        topology:
          accounts: [prod]
          regions:
            - {{name: us-east-1, zones: [use1-az1, use1-az2]}}
        components:
          - id: api
            kind: app
            depends_on:
              - {{to: gen, timeout_ms: 60000}}
          - id: gen
            kind: {kind}
            hosting: sagemaker
            model: {{name: {model}{params}}}
            serving: {{gpu: {gpu}, gpus_per_replica: 1{serving}}}
            placement: {{regions: [us-east-1], zones: 2}}
            replicas: {replicas}
        """
    )


IMAGES_30 = (
    "{peak_rps: 30, input_tokens: 0, output_tokens: 0, unit: images, "
    "images: {count: 1, steps: 30, resolution: 1024x1024}}"
)


def graph_of(text: str) -> StackGraph:
    return build_graph(load_texts(text, org_mode=False))


def row_of(text: str) -> CapacityRow:
    model = fleet(graph_of(text), "pix/gen")
    assert model is not None
    return model.row


def test_a_journey_that_sends_no_tokens_validates() -> None:
    org = load_texts(stack("{peak_rps: 3, input_tokens: 0, output_tokens: 0}"), org_mode=False)
    demand = org.stacks[0].business.journeys[0].demand
    assert (demand.input_tokens, demand.output_tokens, demand.unit) == (0, 0, DemandUnit.TOKENS)


def test_the_unit_follows_the_block_given() -> None:
    org = load_texts(stack("{peak_rps: 3, embeddings: {count: 8}}"), org_mode=False)
    assert org.stacks[0].business.journeys[0].demand.unit is DemandUnit.EMBEDDINGS


def test_a_block_of_another_unit_is_a_located_error() -> None:
    errors = load_errors(stack("{peak_rps: 3, unit: tokens, images: {steps: 30}}"), org_mode=False)
    assert len(errors) == 1
    assert "'images' describes unit images, but the demand's unit is tokens" in errors[0]
    assert "set 'unit: images'" in errors[0]
    assert "doc0.yaml" in errors[0]


def test_thirty_images_per_second_on_two_a10g_is_two_orders_short() -> None:
    row = row_of(stack(IMAGES_30))
    per = 0.10 * A10G_BF16 / 125e12  # the A10 baseline point, scaled by dense FLOP/s
    assert row.unit == "images/s"
    assert row.demand == pytest.approx(30.0)
    assert row.per_replica == pytest.approx(per)
    assert row.supply == pytest.approx(2 * per)
    assert row.utilisation == pytest.approx(30 / (2 * per))  # 268x
    assert row.throughput_source == "estimate"
    assert row.throughput_basis["measurement"] == "hf-sdxl-a10-baseline-30steps"
    assert row.to_json()["supply"] == 0.112
    assert row.queue_saturated


def test_a_fleet_sized_for_it_is_measured_and_statically_stable() -> None:
    row = row_of(stack(IMAGES_30, gpu="H100", replicas=188))
    assert row.throughput_source is not None
    assert row.throughput_source.startswith("measured: Stability AI and NVIDIA")
    assert row.per_replica == pytest.approx(0.40)
    assert row.utilisation == pytest.approx(30 / (188 * 0.40))
    # two zones: 94 survive a zone loss, 37.6 images/s for 30 at 79.8%
    assert row.utilisation_after_zone_loss == pytest.approx(30 / 37.6)
    assert row.replicas_needed == 188


def test_steps_and_pixels_scale_a_measurement() -> None:
    demand = IMAGES_30.replace("steps: 30", "steps: 60").replace("1024x1024", "512x512")
    row = row_of(stack(demand, gpu="H100", replicas=188))
    # twice the steps, a quarter of the pixels: 0.40 x 30/60 x 4 = 0.8 images/s, an estimate
    assert row.per_replica == pytest.approx(0.8)
    assert row.throughput_source == "estimate"


def test_the_tensorrt_point_serves_a_compiled_engine() -> None:
    row = row_of(stack(IMAGES_30, gpu="H100", serving=", engine: tensorrt_llm"))
    assert row.per_replica == pytest.approx(0.68)
    assert row.throughput_basis["measured_engine"] == "tensorrt"


def test_an_engine_without_a_point_of_its_own_gets_the_slower_point() -> None:
    # issue 17 item 6 review: Triton (a TensorRT engine or the PyTorch pipeline) is not
    # credited with the TensorRT figure; the H100's baseline point is 41% below it
    row = row_of(stack(IMAGES_30, gpu="H100", serving=", engine: triton"))
    assert row.per_replica == pytest.approx(0.40)
    assert row.throughput_basis["measurement"] == "hf-sdxl-h100-baseline-30steps"
    assert row.throughput_basis["assumed"] == [
        "the most conservative of the 2 points on H100: triton has no point of its own"
    ]


def test_a_media_point_from_another_engine_carries_a_caveat() -> None:
    # issue 17 item 6: Triton may run a Python backend, nearer the card's baseline pipeline
    row = row_of(stack(IMAGES_30, serving=", engine: triton"))
    assert row.throughput_basis["measurement"] == "hf-sdxl-a10-baseline-30steps"
    assert row.per_replica == pytest.approx(0.10 * A10G_BF16 / 125e12)  # 0.056, not 0.0672
    assert row.throughput_basis["caveats"] == [
        "measured with baseline, served with triton: the figure holds for the measured engine "
        "and backend only (Triton runs whatever backend its model repository holds: a TensorRT "
        "engine, or a Python backend running the PyTorch pipeline); the tensorrt pipeline on "
        "the same A10 makes 0.12 images/s against 0.1 (20% more)"
    ]
    undeclared = row_of(stack(IMAGES_30)).throughput_basis["caveats"]
    assert undeclared == [
        "measured with baseline, served with an undeclared engine: the figure holds for the "
        "measured engine and backend only; the tensorrt pipeline on the same A10 makes 0.12 "
        "images/s against 0.1 (20% more)"
    ]
    compiled = row_of(stack(IMAGES_30, serving=", engine: tensorrt_llm"))
    assert "caveats" not in compiled.throughput_basis


def test_a_diffusion_transformer_without_a_point_gets_a_flops_estimate() -> None:
    demand = IMAGES_30.replace("steps: 30", "steps: 28")
    row = row_of(stack(demand, model="black-forest-labs/FLUX.1-dev", gpu="H100"))
    # 1024x1024 over 8x downsampling and 2x2 patches: 4,096 latent tokens; one pass per step
    flops = 2 * 12e9 * 4096 * 28
    assert row.per_replica == pytest.approx(H100_BF16 * MFU / flops)  # 0.108 images/s
    assert row.throughput_source == "estimate"
    assumed = row.throughput_basis["assumed"]
    assert isinstance(assumed, list) and "FLOPS estimate" in str(assumed[0])


def test_an_image_model_without_steps_is_unknown_not_failed() -> None:
    row = row_of(stack("{peak_rps: 30, unit: images}"))
    assert row.supply is None and row.utilisation is None
    assert any("steps and resolution of pix/generate" in m for m in row.missing)


def test_embeddings_are_estimated_from_flops() -> None:
    demand = "{peak_rps: 20, embeddings: {count: 8, tokens_per_item: 256}}"
    row = row_of(
        stack(
            demand,
            model="BAAI/bge-large-en-v1.5",
            params=", params_b: 0.335",
            kind="embedding_model",
            gpu="L4",
        )
    )
    per = L4_BF16 * MFU / (2 * 0.335e9 * 256)  # 211.6 items/s
    assert row.unit == "embeddings/s"
    assert row.demand == pytest.approx(160.0)
    assert row.per_replica == pytest.approx(per)
    assert row.utilisation == pytest.approx(160 / (2 * per))


def test_plain_requests_use_the_declared_service_time() -> None:
    row = row_of(
        stack(
            "{peak_rps: 50, unit: requests, service_ms: 200}",
            model="acme/reranker",
            serving=", max_concurrency: 4",
        )
    )
    assert row.unit == "requests/s"
    assert row.per_replica == pytest.approx(20.0)  # 4 slots / 0.2 s
    assert row.utilisation == pytest.approx(50 / 40)
    assert row.throughput_source == "declared: demand.service_ms"


def test_audio_has_no_figure_and_says_so() -> None:
    row = row_of(stack("{peak_rps: 5, audio_seconds: 30}", model="openai/whisper-large-v3"))
    assert row.unit == "audio seconds/s"
    assert row.demand == pytest.approx(150.0)
    assert row.supply is None
    assert any("openai/whisper-large-v3 in audio seconds/s" in m for m in row.missing)


def test_the_latency_budget_adds_an_image_s_service_time() -> None:
    graph = graph_of(stack(IMAGES_30, gpu="H100", replicas=188))
    (row,) = [r for r in latency_rows(graph) if r.journey == "generate"]
    model = fleet(graph, "pix/gen")
    assert model is not None and model.service_seconds == pytest.approx(2.5)
    assert row.e2e_budget_ms is not None
    assert row.e2e_budget_ms >= 2500


def test_the_catalog_cites_every_point() -> None:
    catalog = media_catalog()
    assert all(m.source.url for m in catalog.measurements)
    sdxl = find_media_model("stabilityai/stable-diffusion-xl-base-1.0")
    assert sdxl is not None and sdxl.unit == "images"
    assert find_media_model("meta-llama/Llama-3.1-8B-Instruct") is None


def test_ingestion_headroom_counts_an_embedding_fleet_s_requests_not_its_items() -> None:
    demand = "{peak_rps: 20, embeddings: {count: 8, tokens_per_item: 256}}"
    text = stack(
        demand,
        model="BAAI/bge-large-en-v1.5",
        params=", params_b: 0.335",
        kind="embedding_model",
        gpu="L4",
        serving=", max_concurrency: 16",
    )
    graph = graph_of(text)
    model = fleet(graph, "pix/gen")
    comp = graph.component("pix/gen")
    assert model is not None and isinstance(comp, EmbeddingModel)
    room = headroom(model, comp, "pix/gen")
    assert model.row.demand == pytest.approx(160.0)  # items/s
    assert room.live_rps == pytest.approx(20.0)  # requests/s


def test_an_image_fallback_takes_the_primary_s_images() -> None:
    text = stack(IMAGES_30, gpu="H100", replicas=100).replace(
        "{to: gen, timeout_ms: 60000}", "{to: gen, timeout_ms: 60000, fallback: spare}"
    ) + (
        "  - id: spare\n"
        "    kind: model_endpoint\n"
        "    hosting: sagemaker\n"
        "    model: {name: stabilityai/stable-diffusion-xl-base-1.0}\n"
        "    serving: {gpu: H100, gpus_per_replica: 1}\n"
        "    placement: {regions: [us-east-1], zones: 2}\n"
        "    replicas: 50\n"
    )
    graph = graph_of(text)
    spare = fleet(graph, "pix/spare")
    assert spare is not None
    down = spare.row.primary_down
    assert down is not None and down.complete
    # gen down: its 30 images/s on 50 H100 replicas at 0.40 images/s = 20 images/s, 150%
    assert down.unit == "images/s"
    assert down.demand == pytest.approx(30.0)
    assert down.supply == pytest.approx(20.0)
    assert down.utilisation == pytest.approx(1.5)
    # a zone loss leaves gen 50 x 0.40 = 20 images/s for 30: a third moves to the spare
    assert spare.row.failover_demand == pytest.approx(10.0)


def test_a_managed_model_s_text_prior_does_not_time_an_image_call() -> None:
    text = stack(IMAGES_30, model="stability.stable-diffusion-xl-v1").replace(
        "hosting: sagemaker", "hosting: bedrock"
    )
    (row,) = latency_rows(graph_of(text))
    # Bedrock's prior is a text model's (TTFT, tokens/s): with no tokens it says nothing
    assert row.e2e_budget_ms is None
    assert row.ttft_budget_ms is None


def test_an_image_journey_does_not_load_a_token_quota_with_zero() -> None:
    text = stack(IMAGES_30, model="stability.stable-diffusion-xl-v1").replace(
        "hosting: sagemaker", "hosting: bedrock\n    quota: {tokens_per_minute: 100000}"
    )
    row = row_of(text)
    assert row.unit == "tokens/s" and row.demand == 0.0
    assert not row.demand_complete
    assert any("pix/generate" in m for m in row.missing)
    with_requests = text.replace("tokens_per_minute: 100000", "requests_per_minute: 600")
    row = row_of(with_requests)
    # 30 requests/s against 10 a second: the request quota binds
    assert (row.unit, row.demand, row.supply) == ("requests/s", 30.0, 10.0)
    assert row.demand_complete
