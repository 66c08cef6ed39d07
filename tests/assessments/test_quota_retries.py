"""A managed model over its quota: the callers' retries of throttled calls, and no finite
latency (issue 15 item 5)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import build_graph
from cellguard.assessments.latency import latency_row
from cellguard.assessments.quota_retries import with_retries
from cellguard.models.loader import load
from tests.helpers import REPO, load_texts

QUOTA = 400_000 / 60  # 6,666.7 tokens/s

SPEC = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      objectives: {ttft_p99_ms: 5000, latency_p99_ms: 30000}
      demand: {peak_rps: 10, input_tokens: 3100, output_tokens: 300}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    depends_on: [{to: llm, timeout_ms: 30000, RETRIES mode: stream}]
  - id: llm
    kind: model_endpoint
    hosting: bedrock
    model: {name: anthropic.claude-3-haiku-20240307-v1:0}
    quota: {tokens_per_minute: TPM, requests_per_minute: 2000, shared_with: [hr-assistant]}
"""


def spec(tpm: int = 400_000, retries: str = "retries: 2,") -> str:
    return SPEC.replace("TPM", str(tpm)).replace("RETRIES", retries)


def test_without_retries_the_offered_load_is_the_demand() -> None:
    found = with_retries([(34_000.0, 1)], QUOTA)
    assert found is not None
    # p = 1 - Q/D = 1 - 6,666.7 / 34,000 = 0.8039; Q / (1 - p) = D.
    assert found.rejected_share == pytest.approx(1 - QUOTA / 34_000)
    assert found.offered == pytest.approx(34_000.0)


def test_two_retries_at_510_percent_by_hand() -> None:
    # 34,000 x (1 - p^3) = 6,666.7: p^3 = 1 - 0.19608 = 0.80392, p = 0.92983;
    # offered 6,666.7 / 0.070168 = 95,010 tokens/s (1425% of the quota).
    found = with_retries([(34_000.0, 3)], QUOTA)
    assert found is not None and found.most_attempts == 3
    assert found.rejected_share == pytest.approx(0.80392 ** (1 / 3), abs=1e-5)
    assert found.offered == pytest.approx(95_010.3, abs=0.1)


def test_within_the_quota_nothing_is_rejected() -> None:
    assert with_retries([(6_000.0, 5)], QUOTA) is None


@given(
    st.lists(
        st.tuples(st.floats(1.0, 1e5), st.integers(1, 6)),
        min_size=1,
        max_size=4,
    ),
    st.integers(0, 3),
)
def test_more_retries_never_lower_the_offered_load(
    parts: list[tuple[float, int]], more: int
) -> None:
    quota = 1_000.0
    fewer = with_retries(parts, quota)
    bumped = with_retries([(d, a + more) for d, a in parts], quota)
    if fewer is None:
        assert bumped is None
        return
    assert bumped is not None
    assert fewer.offered >= sum(d for d, _ in parts) * (1 - 1e-9)
    assert bumped.offered >= fewer.offered * (1 - 1e-9)


def test_the_capacity_row_counts_declared_retries_only() -> None:
    graph = build_graph(load_texts(spec()))
    row = fleet(graph, "demo/llm")
    assert row is not None
    assert row.row.demand == pytest.approx(34_000.0)
    assert row.row.utilisation == pytest.approx(5.1)
    assert row.row.retried_demand == pytest.approx(95_010.3, abs=0.1)
    assert row.row.throughput_basis["most_attempts"] == 3
    undeclared = fleet(build_graph(load_texts(spec(retries=""))), "demo/llm")
    assert undeclared is not None and undeclared.row.retried_demand is None


def test_a_model_over_its_quota_has_no_finite_latency() -> None:
    row = latency_row(build_graph(load_texts(spec())), "demo", "chat")
    assert row.saturated == ("demo/llm",)
    assert row.ttft_budget_ms is None and row.e2e_budget_ms is None
    # 10 rps x 3,400 tokens = 34,000 of 2,000,000 / 60 = 33,333 tokens/s: 102%, over too.
    assert latency_row(build_graph(load_texts(spec(2_000_000))), "demo", "chat").saturated
    # 2,400,000 / 60 = 40,000 tokens/s: 85%, the prior stands (Bedrock TTFT and stream).
    within = latency_row(build_graph(load_texts(spec(2_400_000))), "demo", "chat")
    assert within.saturated == () and within.ttft_budget_ms is not None


def test_the_organisation_shared_quota_fails_the_ttft_budget() -> None:
    graph = build_graph(load(REPO / "examples" / "org"))
    model = fleet(graph, "genai-platform/shared-llm")
    assert model is not None
    # 40,010 tokens/s of first calls against 2,000,000 / 60 = 33,333: 120%.
    assert model.row.demand == pytest.approx(40_010.0)
    assert model.row.utilisation == pytest.approx(1.2003, abs=1e-4)
    assert model.row.retried_demand is not None and model.row.retried_demand > 40_010.0
    chat = latency_row(graph, "support-assistant", "chat")
    assert chat.saturated == ("genai-platform/shared-llm",)
    assert chat.ttft_budget_ms is None
