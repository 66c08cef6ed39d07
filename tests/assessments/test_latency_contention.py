"""Contention near saturation is counted once (issue 15 item 5): the wait for a batch slot
and the slowed decode step, not the wait for a whole replica on top of the slowed step."""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_row, tpot_seconds
from cellguard.assessments.queueing import erlang_c, mmc
from tests.helpers import load_texts

NEAR = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      objectives: {ttft_p99_ms: 3000, latency_p99_ms: 20000}
      demand: {peak_rps: RPS, input_tokens: 1500, output_tokens: 300}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    depends_on:
      - {to: llm, timeout_ms: 30000, mode: stream}
  - id: llm
    kind: model_endpoint
    hosting: self_hosted
    model: {name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: bf16}
    serving:
      engine: vllm
      gpu: H100
      gpus_per_replica: 1
      measured:
        output_tokens_per_s: 2000
        at_concurrency: 64
        ttft_p50_ms: 100
        ttft_p99_ms: 200
        measured_on: 2026-11-28
        method: vllm bench serve, 1500 in / 300 out, 64 concurrent users
    placement: {zones: 3}
    replicas: 3
"""


def graph_at(rps: float) -> StackGraph:
    return build_graph(load_texts(NEAR.replace("RPS", str(rps)), org_mode=True))


def test_near_saturation_the_wait_is_for_a_batch_slot_only() -> None:
    # 3 replicas x 2,000 output tokens/s = 6,000; 19 rps x 300 tokens = 5,700: 95%.
    graph = graph_at(19)
    model = fleet(graph, "demo/llm")
    assert model is not None and model.row.utilisation == pytest.approx(0.95)
    # 3 x 64 = 192 slots, each held 300 x 64 / 2,000 = 9.6 s (the pace of a full batch):
    # they drain 192 / 9.6 = 20 requests/s, 1 more than the 19 arriving. Erlang C of 192
    # servers at 182.4 Erlangs is 0.3739, so the p99 wait is ln(0.3739 / 0.01) / 1 = 3.621 s.
    c = erlang_c(192, 19 * 9.6)
    assert c == pytest.approx(0.3739, abs=1e-4)
    assert model.row.p99_wait_ms == pytest.approx(math.log(c / 0.01) * 1000)
    assert model.row.p99_wait_ms == pytest.approx(3621.4, abs=0.1)
    # The old count: each replica one server at its whole 2,000 tokens/s (6.67 requests/s),
    # Erlang C 0.907 of 3 servers at 2.85 Erlangs, p99 ln(90.7) / (20 - 19) = 4.508 s, then
    # the decode slowed by contention on top.
    assert mmc(19, 2000 / 300, 3).p99_wait == pytest.approx(4.5076, abs=1e-4)
    assert model.row.p99_wait_ms < 4507
    # Inside the batch the step is the loaded one: 0.95 x 64 / 2,000 = 30.4 ms a token.
    assert tpot_seconds(model) == pytest.approx(0.0304)
    row = latency_row(graph, "demo", "chat")
    # api 20 ms (prior) + slot wait 3,621.4 + measured TTFT p99 200 ms = 3,841.4 ms;
    # end to end + 300 x 30.4 ms = 9,120 ms: 12,961.4 ms.
    assert row.queueing_p99_ms == pytest.approx(3621.4, abs=0.1)
    assert row.ttft_budget_ms == pytest.approx(20 + 3621.4 + 200, abs=0.1)
    assert row.e2e_budget_ms == pytest.approx(20 + 3621.4 + 200 + 9120, abs=0.1)


def test_below_saturation_a_free_slot_means_no_wait() -> None:
    # 15 rps x 300 = 4,500 of 6,000 tokens/s: 75%. 192 slots at 144 Erlangs: Erlang C is
    # below 1%, so the p99 request finds a free slot (the old count: 3 servers at 2.25
    # Erlangs, C = 0.57, p99 ln(57) / (20 - 15) = 0.81 s of wait).
    graph = graph_at(15)
    model = fleet(graph, "demo/llm")
    assert model is not None
    assert erlang_c(192, 15 * 9.6) < 0.01
    assert model.row.p99_wait_ms == 0.0
    assert mmc(15, 2000 / 300, 3).p99_wait == pytest.approx(0.8085, abs=1e-3)
    row = latency_row(graph, "demo", "chat")
    # 20 + 0 + 200 ms; end to end + 300 x (0.75 x 64 / 2,000 = 24 ms) = 7,200 ms.
    assert row.ttft_budget_ms == pytest.approx(220.0)
    assert row.e2e_budget_ms == pytest.approx(220.0 + 7200.0)


def test_at_the_fleet_throughput_the_queue_is_saturated() -> None:
    # 20 rps x 300 = 6,000 tokens/s: the slots drain exactly as fast as requests arrive.
    graph = graph_at(20)
    model = fleet(graph, "demo/llm")
    assert model is not None and model.row.queue_saturated
    assert latency_row(graph, "demo", "chat").saturated == ("demo/llm",)
