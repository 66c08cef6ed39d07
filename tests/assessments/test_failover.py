"""Failure-driven failover (issue 16, deliverable 3): a primary down entirely sends all of its
journeys' demand to the fallback, less the shedding the design accepts."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent

import pytest

from cellguard.assessments.capacity import failover_when_down, fleet
from cellguard.assessments.capacity_row import PrimaryDown
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.models.findings import Status
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import load_errors, load_texts

L40S_FP8_SERVER = 1207.0
"""The catalog's measured Llama 3.1 8B FP8 throughput on one L40S (MLPerf v5.1 server)."""


def stack(
    *,
    rps: float = 10,
    shed: str = "",
    quota: str = "{tokens_per_minute: 400000, requests_per_minute: 2000, shared_with: []}",
    extra_caller: str = "",
) -> str:
    """A self-hosted primary in three zones (it survives a zone loss) behind a Bedrock
    fallback; a second caller ``batch`` may call the primary without a fallback."""
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
              demand: {{peak_rps: {rps}, input_tokens: 2000, output_tokens: 300}}
            - id: reports
              entrypoint: batch
              criticality: tier2
              demand: {{peak_rps: 5, input_tokens: 1000, output_tokens: 100}}
        topology:
          accounts: [prod]
          regions:
            - {{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}}
        components:
          - id: web
            kind: app
            depends_on:
              - {{to: llm, timeout_ms: 30000, mode: stream, fallback: small{shed}}}
          - id: batch
            kind: app
            depends_on:
              - {{to: llm, timeout_ms: 30000{extra_caller}}}
          - id: llm
            kind: model_endpoint
            hosting: self_hosted
            model: {{name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: fp8}}
            serving: {{engine: vllm, gpu: L40S, gpus_per_replica: 1}}
            placement: {{regions: [us-east-1], zones: 3}}
            replicas: 9
          - id: small
            kind: model_endpoint
            hosting: bedrock
            model: {{name: anthropic.claude-3-haiku}}
            quota: {quota}
        """
    )


def graph_of(text: str) -> StackGraph:
    return build_graph(load_texts(text, org_mode=False))


def down(graph: StackGraph, primary: str = "demo/llm", back: str = "demo/small") -> PrimaryDown:
    found = failover_when_down(graph, primary, back)
    assert found is not None
    return found


def test_primary_down_sends_all_of_its_callers_journeys_to_the_fallback() -> None:
    graph = graph_of(stack())
    small = fleet(graph, "demo/small")
    assert small is not None
    # The primary survives a zone loss, so no capacity fails over (the old figure) ...
    assert small.row.failover_demand == 0.0
    # ... but with it down, chat's 10 rps x 2,300 tokens go to the fallback: 345% of
    # 400,000 tokens/min. The batch journey calls llm without a fallback: it stays out.
    figures = down(graph)
    assert figures.journeys == ("demo/chat",)
    assert figures.unit == "tokens/s"
    assert figures.demand == pytest.approx(23000)
    assert figures.supply == pytest.approx(400000 / 60)
    assert figures.utilisation == pytest.approx(23000 / (400000 / 60))
    assert figures.complete and figures.shed == 0.0
    assert small.row.primary_down == figures
    assert figures.to_json()["utilisation"] == 3.45
    assert small.row.to_json()["primary_down"] == figures.to_json()


def test_every_caller_naming_the_fallback_moves_its_journeys() -> None:
    graph = graph_of(stack(extra_caller=", fallback: small"))
    figures = down(graph)
    assert figures.journeys == ("demo/chat", "demo/reports")
    assert figures.demand == pytest.approx(10 * 2300 + 5 * 1100)


def test_route_shares_flow_into_the_failover_demand() -> None:
    # chat sends one request in four to the model: a quarter of 23,000 tokens/s fails over.
    text = stack().replace(
        "criticality: tier1\n",
        "criticality: tier1\n      route: [{from: web, to: llm, share: 0.25}]\n",
        1,
    )
    figures = down(graph_of(text))
    assert figures.journeys == ("demo/chat",)
    assert figures.demand == pytest.approx(23000 * 0.25)
    assert figures.utilisation == pytest.approx(5750 / (400000 / 60))


def test_accepted_shedding_reduces_what_the_fallback_must_carry() -> None:
    figures = down(graph_of(stack(shed=", shed_on_failover: 0.75")))
    assert figures.shed == 0.75
    assert figures.carried == pytest.approx(23000 * 0.25)
    assert figures.utilisation == pytest.approx(5750 / (400000 / 60))
    assert figures.utilisation_without_shedding == pytest.approx(3.45)


def test_the_least_shedding_of_the_callers_counts() -> None:
    text = stack(shed=", shed_on_failover: 0.75", extra_caller=", fallback: small")
    assert down(graph_of(text)).shed == 0.0
    text = stack(
        shed=", shed_on_failover: 0.75", extra_caller=", fallback: small, shed_on_failover: 0.5"
    )
    assert down(graph_of(text)).shed == 0.5


def test_the_dimension_closest_to_exhaustion_is_reported() -> None:
    # 10 rps against 300 requests/min (5/s): 200%, above the tokens' 23,000 / 100,000.
    quota = "{tokens_per_minute: 6000000, requests_per_minute: 300, shared_with: []}"
    figures = down(graph_of(stack(quota=quota)))
    assert figures.unit == "requests/s"
    assert figures.utilisation == pytest.approx(2.0)


def test_a_missing_quota_or_demand_leaves_the_failover_incomplete() -> None:
    figures = down(graph_of(stack(quota="{shared_with: []}")))
    assert figures.supply is None and figures.utilisation is None and not figures.complete
    assert any("a quota" in m for m in figures.missing)
    # Tokens unknown: the request dimension alone cannot make it complete.
    text = stack().replace("input_tokens: 2000, output_tokens: 300", "output_tokens: 300")
    figures = down(graph_of(text))
    assert not figures.complete
    assert any("demo/chat" in m and "input_tokens" in m for m in figures.missing)


def test_a_self_hosted_fallback_is_judged_against_its_fleet_throughput() -> None:
    text = dedent(
        """\
        apiVersion: cellguard/v1
        kind: Stack
        metadata: {name: demo, owner: team}
        business:
          journeys:
            - id: chat
              entrypoint: web
              criticality: tier1
              demand: {peak_rps: 30, input_tokens: 2000, output_tokens: 300}
        topology:
          accounts: [prod]
          regions:
            - {name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}
        components:
          - id: web
            kind: app
            depends_on:
              - {to: big, timeout_ms: 30000, mode: stream, fallback: llm}
          - id: big
            kind: model_endpoint
            hosting: bedrock
            model: {name: anthropic.claude-3-5-sonnet}
            quota: {tokens_per_minute: 9000000, requests_per_minute: 4000, shared_with: []}
          - id: llm
            kind: model_endpoint
            hosting: self_hosted
            model: {name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: fp8}
            serving: {engine: vllm, gpu: L40S, gpus_per_replica: 1}
            placement: {regions: [us-east-1], zones: 3}
            replicas: 6
        """
    )
    graph = graph_of(text)
    figures = down(graph, "demo/big", "demo/llm")
    assert figures.unit == "output tokens/s"
    assert figures.demand == pytest.approx(30 * 300)
    assert figures.supply == pytest.approx(6 * L40S_FP8_SERVER)
    assert figures.utilisation == pytest.approx(9000 / (6 * L40S_FP8_SERVER))  # 124%
    found = run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 11, 21)).findings
    by_rule = {f.rule: f for f in found if f.target in ("llm", "web->big")}
    assert by_rule["CG-CAP-010"].status is Status.FAIL
    assert (
        "124% of llm's fleet's throughput of 7,242 output tokens/s" in by_rule["CG-CAP-010"].message
    )
    supply = by_rule["CG-CAP-011"]  # no journey calls llm directly: CAP-010 judges its failover
    assert supply.status is Status.NOT_APPLICABLE
    assert "only carries traffic failed over to it; CG-CAP-010 sizes that" in supply.message


def test_shedding_without_a_fallback_is_refused() -> None:
    text = stack().replace("fallback: small", "shed_on_failover: 0.5")
    (error,) = load_errors(text, org_mode=False)
    assert "'shed_on_failover' needs 'fallback'" in error
    assert "depends_on[0]" in error


def test_shedding_all_of_the_demand_is_refused() -> None:
    errors = load_errors(stack(shed=", shed_on_failover: 1"), org_mode=False)
    assert any("shed_on_failover" in e and "less than 1" in e for e in errors)
