"""Issue 15's reproductions through the real CLI: impossible settings are errors or FAILs, and
saying less does not score better (the typo, the weights that do not fit, g5 + H100, the
starter against a detailed spec of the same system)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
OPTS = ["--today", "2026-11-21", "--no-plugins"]
VLLM = REPO / "examples" / "vllm-single-zone.yaml"
SERVING = """\
    serving:
      engine: vllm
      gpu: L40S
      gpus_per_replica: 1
      instance_types: [g6e.2xlarge]
"""
"""coder-llm's serving block in the vLLM example (line 150 onwards)."""


def vllm_with(tmp_path: Path, old: str, new: str) -> Path:
    text = VLLM.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    spec = tmp_path / "vllm.yaml"
    spec.write_text(text.replace(old, new), encoding="utf-8")
    return spec


def assess_json(spec: Path) -> dict[str, Any]:
    result = runner.invoke(app, ["assess", str(spec), "-f", "json", "--include-passed", *OPTS])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def finding(data: dict[str, Any], rule: str, target: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        f for f in data["findings"] if f["rule"] == rule and f["target"] == target
    )
    return found


def test_a_typo_in_the_gpu_name_is_an_input_error_with_a_suggestion(tmp_path: Path) -> None:
    spec = vllm_with(tmp_path, "      gpu: L40S\n", "      gpu: l40s-48gb\n")
    for command in (["validate"], ["assess", *OPTS]):
        result = runner.invoke(app, [command[0], str(spec), *command[1:]])
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[:3] == [
            f"{spec}:151:12: error[not-in-catalog] components[3].serving.gpu: GPU 'l40s-48gb' "
            "is not in cellguard's GPU catalog",
            "    expected: a catalogued GPU: one of: A100-40GB, A100-80GB, A10G, H100, H200, "
            "L4, L40S",
            "    hint: did you mean 'L40S'?",
        ]


def test_a_gpu_name_with_its_memory_suggests_the_catalogued_gpu(tmp_path: Path) -> None:
    spec = vllm_with(tmp_path, "      gpu: L40S\n", "      gpu: h100-80gb\n")
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    assert "    hint: did you mean 'H100'?" in result.stderr.splitlines()


def test_an_h100_fleet_on_g5_instances_is_an_input_error(tmp_path: Path) -> None:
    spec = vllm_with(
        tmp_path,
        SERVING,
        SERVING.replace("gpu: L40S", "gpu: H100").replace("[g6e.2xlarge]", "[g5.xlarge]"),
    )
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[:3] == [
        f"{spec}:153:24: error[contradiction] components[3].serving.instance_types[0]: "
        "g5.xlarge carries 1 x A10G, not the declared H100 (serving.gpu)",
        "    expected: an instance type with H100 GPUs: one of: p5",
        "    hint: fix serving.gpu or the instance type",
    ]


def test_a_replica_spanning_whole_eight_gpu_instances_is_accepted(tmp_path: Path) -> None:
    spec = vllm_with(
        tmp_path,
        SERVING,
        SERVING.replace("gpu: L40S", "gpu: H100")
        .replace("gpus_per_replica: 1", "gpus_per_replica: 16")
        .replace("[g6e.2xlarge]", "[p5.48xlarge]"),
    )
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output


def test_weights_that_do_not_fit_are_a_capacity_fail_not_unknown(tmp_path: Path) -> None:
    # 70B at bf16 (140 GB) on one 80 GB H100: the endpoint cannot start.
    big = SERVING.replace("gpu: L40S", "gpu: H100").replace("[g6e.2xlarge]", "[p5.48xlarge]")
    spec = vllm_with(tmp_path, SERVING, big)
    text = spec.read_text(encoding="utf-8").replace("params_b: 7.6", "params_b: 70")
    spec.write_text(text, encoding="utf-8")
    data = assess_json(spec)
    fit = finding(data, "CG-CAP-011", "coder-llm")
    assert (fit["status"], fit["base_severity"]) == ("FAIL", "high")
    assert fit["message"] == (
        "coder-llm cannot start: 140 GB of weights (70B parameters at bf16) plus a minimum KV "
        "cache of 8 GB do not fit in 1 x 80 GB of H100."
    )
    assert fit["evidence"] == {
        "params_b": 70.0,
        "precision": "bf16",
        "weights_gb": 140.0,
        "gpu": "H100",
        "gpu_memory_gb": 80.0,
        "gpus_per_replica": 1,
        "replica_memory_gb": 80.0,
        "min_kv_cache_gb": 8.0,
    }
    # Two GPUs hold it: the replica starts, and the capacity rule judges its throughput.
    spec.write_text(text.replace("gpus_per_replica: 1", "gpus_per_replica: 2"), encoding="utf-8")
    fits = finding(assess_json(spec), "CG-CAP-011", "coder-llm")
    assert "cannot start" not in fits["message"]


STARTER_SYSTEM_IN_DETAIL = """\
apiVersion: cellguard/v1
kind: Stack
metadata:
  name: shop
  owner: my-team
  description: RAG chat assistant
  labels: {department: support}
business:
  journeys:
    - id: chat
      description: Users ask questions in the chat widget
      entrypoint: api
      criticality: tier1
      interaction: chat
      impact: {revenue_per_hour: 5000, penalty_per_incident: 0, reputation: medium}
      objectives:
        availability: 99.9
        ttft_p99_ms: 2000
        latency_p99_ms: 15000
        rto_minutes: 60
        rpo_minutes: 15
      demand:
        peak_rps: 10
        input_tokens: 2000
        output_tokens: 300
        surge: {multiplier: 2, ramp_seconds: 300}
topology:
  accounts: [prod]
  regions:
    - name: us-east-1
      zones: [use1-az1, use1-az2, use1-az4]
components:
  - id: api
    kind: app
    runtime: eks
    framework: fastapi
    image: {reference: "registry.example/shop-api:1.42.0"}
    placement: {regions: [us-east-1], zones: 3, account: prod}
    replicas: 3
    autoscaling: {min: 3, max: 12, metric: cpu}
    rollout: {strategy: rolling, automatic_rollback: false}
    protections:
      rate_limiting: true
      load_shedding: false
      circuit_breaker: false
      backoff_jitter: true
      retry_budget: false
    depends_on:
      - {to: guardrail, timeout_ms: 1000, retries: 0}
      - {to: llm, timeout_ms: 30000, retries: 1, mode: stream}
  - id: guardrail
    kind: guardrail
    provider: bedrock_guardrails
    checks: [input_toxicity, prompt_injection, output_toxicity, pii]
    fail_open: true
    placement: {regions: [us-east-1], account: prod}
  - id: llm
    kind: model_endpoint
    hosting: bedrock
    model: {name: anthropic.claude-3-haiku-20240307-v1:0, pinned_version: "20240307-v1:0"}
    placement: {regions: [us-east-1], account: prod}
    quota: {tokens_per_minute: 400000, requests_per_minute: 1000, shared_with: []}
    cross_region_inference: false
practices:
  change_management: {ci_cd: true, manual_prod_changes: false, rollback: true}
  evaluation: {offline: true, online_feedback: false, golden_set: true}
  observability:
    metrics: true
    gpu_metrics: false
    tracing: false
    user_feedback: true
    drift_baselines: false
  disaster_recovery: {strategy: none}
waivers: []
"""
"""The system of the ``cellguard init`` starter, described in full, weaknesses included (no DR,
a fail-open guardrail, no tracing, an image by tag). Before issue 15 it scored 65.5 and the
near-empty starter 67.7."""


def test_the_starter_scores_below_a_detailed_spec_of_the_same_system(tmp_path: Path) -> None:
    starter = tmp_path / "starter.yaml"
    result = runner.invoke(app, ["init", str(starter), "--name", "shop"])
    assert result.exit_code == 0, result.output
    detailed = tmp_path / "detailed.yaml"
    detailed.write_text(STARTER_SYSTEM_IN_DETAIL, encoding="utf-8")
    said_little = assess_json(starter)
    said_all = assess_json(detailed)
    assert said_little["scores"]["overall"] < said_all["scores"]["overall"]
    assert (said_little["scores"]["overall"], said_all["scores"]["overall"]) == (38.5, 56.1)
    little, full = said_little["score_details"]["overall"], said_all["score_details"]["overall"]
    assert little["assurance"] < full["assurance"]
    assert little["upper"] > full["upper"]  # the starter could still be anything
