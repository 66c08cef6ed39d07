"""A stack that sets every numeric key of the spec, one ``{placeholder}`` per key.

``spec_text(**overrides)`` fills the placeholders with ordinary values (or the overrides);
``MAXIMA`` puts every key at the upper bound of its range, which every command must handle
with finite arithmetic. ``FIELDS`` names each key's family, key path and placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass

TEMPLATE = """\
apiVersion: cellguard/v1
kind: Stack
metadata:
  name: bounds
  owner: team
business:
  journeys:
    - id: chat
      entrypoint: web
      criticality: tier1
      impact:
        revenue_per_hour: {revenue_per_hour}
        penalty_per_incident: {penalty_per_incident}
        users: {users}
      objectives:
        availability: {objective}
        ttft_p99_ms: {ttft_p99_ms}
        latency_p99_ms: {latency_p99_ms}
        rto_minutes: {rto_minutes}
        rpo_minutes: {rpo_minutes}
      demand:
        peak_rps: {peak_rps}
        mean_rps: {mean_rps}
        input_tokens: {input_tokens}
        output_tokens: {output_tokens}
        surge:
          multiplier: {multiplier}
          ramp_seconds: {ramp_seconds}
topology:
  accounts: [prod]
  regions:
    - name: us-east-1
      zones: [use1-az1, use1-az2, use1-az4]
  availability:
    zone: {zone_availability}
  shared_domains:
    - id: pool
      type: gpu_node_pool
      availability: {domain_availability}
components:
  - id: web
    kind: app
    placement: {{zones: {zones}}}
    replicas: {replicas}
    min_healthy_replicas: {min_healthy_replicas}
    availability: {availability}
    autoscaling: {{min: {autoscaling_min}, max: {autoscaling_max}}}
    protections:
      input_validation:
        max_prompt_chars: {max_prompt_chars}
        max_prompt_tokens: {max_prompt_tokens}
    depends_on:
      - to: llm
        timeout_ms: {timeout_ms}
        retries: {retries}
        mode: stream
      - {{to: kb, timeout_ms: 800}}
      - {{to: agent, timeout_ms: 800}}
  - id: agent
    kind: agent
    max_iterations: {max_iterations}
    timeout_seconds: {agent_timeout_seconds}
  - id: llm
    kind: model_endpoint
    hosting: self_hosted
    runtime: eks
    model:
      name: meta-llama/Llama-3.1-8B-Instruct
      params_b: {params_b}
      precision: bf16
      context_tokens: {context_tokens}
    serving:
      engine: vllm
      gpu: L40S
      gpus_per_replica: {gpus_per_replica}
      cold_start_seconds: {cold_start_seconds}
      max_concurrency: {max_concurrency}
    capacity: {{purchase: on_demand, reserved_replicas: {reserved_replicas}}}
    placement: {{zones: 3}}
    replicas: 3
    shared_domains: [pool]
  - id: managed
    kind: model_endpoint
    hosting: bedrock
    model: {{name: anthropic.claude-3-haiku-20240307-v1:0}}
    quota: {{tokens_per_minute: {tokens_per_minute}, requests_per_minute: {requests_per_minute}}}
  - id: kb
    kind: vector_store
    engine: opensearch
    placement: {{zones: 2}}
    replicas: 2
    data:
      recreate_hours: {recreate_hours}
      vectors: {vectors}
      size_gb: {size_gb}
      tenants: {tenants}
    backups:
      - scope: same_region
        every_minutes: {every_minutes}
        retention_days: {retention_days}
    replication: {{cross_region: false, lag_seconds: {lag_seconds}}}
  - id: cache
    kind: cache
    engine: redis
    ttl_seconds: {ttl_seconds}
  - id: ingest
    kind: ingestion_pipeline
    parallelism: {parallelism}
    sources:
      - {{name: wiki, rate_limit_rps: {rate_limit_rps}}}
    depends_on:
      - {{to: kb, timeout_ms: 10000}}
  - id: train
    kind: training_job
    platform: sagemaker
    launch_rate_per_second: {launch_rate_per_second}
"""


@dataclass(frozen=True)
class NumericField:
    """One numeric key of the template."""

    family: str
    placeholder: str
    key_path: str
    integer: bool
    ordinary: str
    maximum: str


FIELDS = (
    NumericField(
        "money",
        "revenue_per_hour",
        "business.journeys[0].impact.revenue_per_hour",
        False,
        "12000",
        "1000000000000",
    ),
    NumericField(
        "money",
        "penalty_per_incident",
        "business.journeys[0].impact.penalty_per_incident",
        False,
        "5000",
        "1000000000000",
    ),
    NumericField(
        "count", "users", "business.journeys[0].impact.users", True, "1000", "10000000000"
    ),
    NumericField(
        "percent", "objective", "business.journeys[0].objectives.availability", False, "99.9", "100"
    ),
    NumericField(
        "duration",
        "ttft_p99_ms",
        "business.journeys[0].objectives.ttft_p99_ms",
        True,
        "2000",
        "1000000000",
    ),
    NumericField(
        "duration",
        "latency_p99_ms",
        "business.journeys[0].objectives.latency_p99_ms",
        True,
        "15000",
        "1000000000",
    ),
    NumericField(
        "duration",
        "rto_minutes",
        "business.journeys[0].objectives.rto_minutes",
        False,
        "15",
        "10000000",
    ),
    NumericField(
        "duration",
        "rpo_minutes",
        "business.journeys[0].objectives.rpo_minutes",
        False,
        "5",
        "10000000",
    ),
    NumericField(
        "rate", "peak_rps", "business.journeys[0].demand.peak_rps", False, "9", "1000000000"
    ),
    NumericField(
        "rate", "mean_rps", "business.journeys[0].demand.mean_rps", False, "3.5", "1000000000"
    ),
    NumericField(
        "tokens",
        "input_tokens",
        "business.journeys[0].demand.input_tokens",
        True,
        "2500",
        "100000000",
    ),
    NumericField(
        "tokens",
        "output_tokens",
        "business.journeys[0].demand.output_tokens",
        True,
        "350",
        "100000000",
    ),
    NumericField(
        "ratio",
        "multiplier",
        "business.journeys[0].demand.surge.multiplier",
        False,
        "3",
        "1000",
    ),
    NumericField(
        "duration",
        "ramp_seconds",
        "business.journeys[0].demand.surge.ramp_seconds",
        True,
        "300",
        "1000000000",
    ),
    NumericField(
        "percent", "zone_availability", "topology.availability.zone", False, "99.99", "100"
    ),
    NumericField(
        "percent",
        "domain_availability",
        "topology.shared_domains[0].availability",
        False,
        "99.95",
        "100",
    ),
    NumericField("count", "zones", "components[0].placement.zones", True, "3", "3"),
    NumericField("count", "replicas", "components[0].replicas", True, "3", "3"),
    NumericField(
        "count", "min_healthy_replicas", "components[0].min_healthy_replicas", True, "1", "3"
    ),
    NumericField("percent", "availability", "components[0].availability", False, "99.9", "100"),
    NumericField("count", "autoscaling_min", "components[0].autoscaling.min", True, "3", "1000000"),
    NumericField("count", "autoscaling_max", "components[0].autoscaling.max", True, "9", "1000000"),
    NumericField(
        "count",
        "max_prompt_chars",
        "components[0].protections.input_validation.max_prompt_chars",
        True,
        "20000",
        "1000000000",
    ),
    NumericField(
        "tokens",
        "max_prompt_tokens",
        "components[0].protections.input_validation.max_prompt_tokens",
        True,
        "4000",
        "100000000",
    ),
    NumericField(
        "duration",
        "timeout_ms",
        "components[0].depends_on[0].timeout_ms",
        True,
        "30000",
        "1000000000",
    ),
    NumericField("count", "retries", "components[0].depends_on[0].retries", True, "1", "20"),
    NumericField("count", "max_iterations", "components[1].max_iterations", True, "10", "1000000"),
    NumericField(
        "duration",
        "agent_timeout_seconds",
        "components[1].timeout_seconds",
        True,
        "120",
        "1000000000",
    ),
    NumericField("count", "params_b", "components[2].model.params_b", False, "8", "10000"),
    NumericField(
        "tokens",
        "context_tokens",
        "components[2].model.context_tokens",
        True,
        "128000",
        "100000000",
    ),
    NumericField(
        "count", "gpus_per_replica", "components[2].serving.gpus_per_replica", True, "1", "1000000"
    ),
    NumericField(
        "duration",
        "cold_start_seconds",
        "components[2].serving.cold_start_seconds",
        True,
        "420",
        "1000000000",
    ),
    NumericField(
        "count", "max_concurrency", "components[2].serving.max_concurrency", True, "64", "1000000"
    ),
    NumericField(
        "count",
        "reserved_replicas",
        "components[2].capacity.reserved_replicas",
        True,
        "3",
        "1000000",
    ),
    NumericField(
        "tokens",
        "tokens_per_minute",
        "components[3].quota.tokens_per_minute",
        True,
        "400000",
        "1000000000000",
    ),
    NumericField(
        "rate",
        "requests_per_minute",
        "components[3].quota.requests_per_minute",
        True,
        "1000",
        "1000000000000",
    ),
    NumericField(
        "duration", "recreate_hours", "components[4].data.recreate_hours", False, "36", "1000000"
    ),
    NumericField(
        "count", "vectors", "components[4].data.vectors", True, "40000000", "10000000000000"
    ),
    NumericField("size", "size_gb", "components[4].data.size_gb", False, "310", "1000000000"),
    NumericField("count", "tenants", "components[4].data.tenants", True, "40", "10000000000"),
    NumericField(
        "duration",
        "every_minutes",
        "components[4].backups[0].every_minutes",
        True,
        "60",
        "10000000",
    ),
    NumericField(
        "duration",
        "retention_days",
        "components[4].backups[0].retention_days",
        True,
        "14",
        "100000",
    ),
    NumericField(
        "duration",
        "lag_seconds",
        "components[4].replication.lag_seconds",
        True,
        "5",
        "1000000000",
    ),
    NumericField(
        "duration", "ttl_seconds", "components[5].ttl_seconds", True, "3600", "1000000000"
    ),
    NumericField("count", "parallelism", "components[6].parallelism", True, "32", "1000000"),
    NumericField(
        "rate",
        "rate_limit_rps",
        "components[6].sources[0].rate_limit_rps",
        False,
        "10",
        "1000000000",
    ),
    NumericField(
        "rate",
        "launch_rate_per_second",
        "components[7].launch_rate_per_second",
        False,
        "3",
        "1000000000",
    ),
)

ORDINARY = {f.placeholder: f.ordinary for f in FIELDS}
MAXIMA = {f.placeholder: f.maximum for f in FIELDS}
"""Every key at its upper bound, except where the spec's own consistency caps it lower:
``zones`` (the region has three), ``replicas`` and ``min_healthy_replicas`` (the fault tree
has one event per replica; large counts are the replica-aggregation work's subject)."""


def spec_text(**overrides: str) -> str:
    """The template with ordinary values, ``overrides`` replacing some."""
    return TEMPLATE.format(**{**ORDINARY, **overrides})


def position(text: str, placeholder_value: str, placeholder: str) -> tuple[int, int]:
    """Line and column (1-based) where ``placeholder``'s value starts in ``text``."""
    marker = "{" + placeholder + "}"
    for number, line in enumerate(TEMPLATE.splitlines(), start=1):
        if marker in line:
            column = line.format(**{**ORDINARY, placeholder: "\0"}).index("\0") + 1
            assert text.splitlines()[number - 1][column - 1 :].startswith(placeholder_value)
            return number, column
    raise KeyError(placeholder)
