"""Latency budgets, timeout inversion and retry amplification: worked examples and properties."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellguard.assessments.demand import JourneyLoad
from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import Span, journey_time, latency_row
from cellguard.assessments.timeouts import (
    CallBudget,
    amplification,
    is_inverted,
    journey_amplification,
    timeout_check,
    worst_amplification,
    worst_case_ms,
)
from cellguard.models.findings import Status
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import load_texts

CHAIN = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: a
      criticality: tier1
      objectives: {ttft_p99_ms: 2000, latency_p99_ms: 20000}
      demand: {peak_rps: 2, input_tokens: 2000, output_tokens: 300}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - {id: a, kind: app, depends_on: [{to: b, timeout_ms: 1000}]}
  - {id: b, kind: app, depends_on: [{to: c, timeout_ms: 2000}]}
  - {id: c, kind: database, engine: dynamodb}
"""


def graph_of(*texts: str, org_mode: bool = True) -> StackGraph:
    return build_graph(load_texts(*texts, org_mode=org_mode))


def edge(graph: StackGraph, source: str, target: str) -> DependencyEdge:
    return next(e for e in graph.dependencies(source) if e.target == target)


# -- timeout inversion ----------------------------------------------------------------------


def test_caller_of_one_second_over_a_callee_of_two_is_inverted() -> None:
    graph = graph_of(CHAIN)
    check = timeout_check(graph, edge(graph, "demo/a", "demo/b"))
    assert check.callee_worst_ms == 2000
    assert check.inverted is True
    # b -> c: c makes no calls, nothing to invert.
    assert timeout_check(graph, edge(graph, "demo/b", "demo/c")).inverted is None


def test_worst_case_counts_attempts_and_fallbacks() -> None:
    calls = [
        CallBudget("x", 1000, 1),
        CallBudget("y", 2000, 3),
        CallBudget("z", 20000, 2, fallback="small"),
    ]
    assert worst_case_ms(calls) == 1000 + 6000 + 60000
    assert worst_case_ms(calls, parallel=True) == 60000
    assert worst_case_ms([CallBudget("x", None, 1)]) is None
    assert worst_case_ms([]) == 0.0
    assert is_inverted(1000, 2000) and not is_inverted(2000, 2000) and is_inverted(10**9, None)


def test_unloaded_callee_is_unknown_to_the_rule() -> None:
    text = CHAIN.replace("{to: b, timeout_ms: 1000}", "{to: other/b, timeout_ms: 1000}")
    graph = graph_of(text, org_mode=False)
    pending = next(e for e in graph.unresolved if e.source == "demo/a")
    assert isinstance(pending, DependencyEdge)
    assert timeout_check(graph, pending).inverted is None
    rule = load_rules(plugins=False).get("CG-TIM-006")
    assert rule is not None
    findings = run_rules(graph, [rule], today=dt.date(2026, 11, 21)).findings
    assert [(f.target, f.status) for f in findings if f.target.startswith("a->")] == [
        ("a->other/b", Status.UNKNOWN)
    ]


@given(
    st.integers(min_value=1, max_value=60_000),
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=60_000), st.integers(min_value=1, max_value=5)
        ),
        min_size=1,
        max_size=5,
    ),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=60_000),
)
def test_a_longer_callee_timeout_never_removes_an_inversion(
    caller: int, calls: list[tuple[int, int]], which: int, longer_by: int
) -> None:
    before = [CallBudget(f"t{i}", t, n) for i, (t, n) in enumerate(calls)]
    index = which % len(before)
    after = list(before)
    old = after[index]
    after[index] = CallBudget(old.target, (old.timeout_ms or 0) + longer_by, old.attempts)
    if is_inverted(caller, worst_case_ms(before)):
        assert is_inverted(caller, worst_case_ms(after))
        assert is_inverted(caller, worst_case_ms(after, parallel=True)) or not is_inverted(
            caller, worst_case_ms(before, parallel=True)
        )


# -- retry amplification --------------------------------------------------------------------


def test_three_layers_of_three_attempts_amplify_27_fold() -> None:
    text = (
        CHAIN.replace("{to: b, timeout_ms: 1000}", "{to: b, timeout_ms: 9000, retries: 2}")
        .replace("{to: c, timeout_ms: 2000}", "{to: c, timeout_ms: 2000, retries: 2}")
        .replace(
            "{id: c, kind: database, engine: dynamodb}",
            "{id: c, kind: app, depends_on: [{to: d, timeout_ms: 500, retries: 2}]}\n  - {id: d, kind: database, engine: dynamodb}",
        )
    )
    graph = graph_of(text)
    worst = journey_amplification(graph, "demo", "chat")
    assert worst.factor == 27
    assert worst.path == ("demo/a", "demo/b", "demo/c", "demo/d")
    assert worst.attempts == (3, 3, 3)
    assert worst.complete
    assert amplification([3, 3, 3]) == 27


def test_amplification_follows_the_worst_branch() -> None:
    calls = {
        "api": [("guard", 1, True), ("ret", 2, True), ("llm", 3, True)],
        "ret": [("kb", 2, True)],
        "guard": [],
        "llm": [],
        "kb": [],
    }
    worst = worst_amplification("api", lambda q: calls[q])
    assert (worst.factor, worst.path, worst.attempts) == (4, ("api", "ret", "kb"), (2, 2))


def test_unloaded_calls_make_the_amplification_a_lower_bound() -> None:
    calls = {"api": [("other/x", 3, False)]}
    worst = worst_amplification("api", lambda q: calls.get(q, []))
    assert worst.factor == 3 and not worst.complete


@st.composite
def call_dags(draw: st.DrawFn) -> dict[str, list[tuple[str, int, bool]]]:
    """Random acyclic call graphs: node i calls only nodes j > i."""
    size = draw(st.integers(min_value=1, max_value=7))
    graph: dict[str, list[tuple[str, int, bool]]] = {}
    for i in range(size):
        targets = draw(st.sets(st.integers(min_value=i + 1, max_value=size), max_size=3))
        graph[f"n{i}"] = [
            (f"n{j}", draw(st.integers(min_value=1, max_value=4)), True)
            for j in sorted(targets)
            if j < size
        ]
    return graph


@given(call_dags(), st.integers(min_value=0, max_value=20), st.integers(min_value=1, max_value=5))
def test_more_retries_never_lower_amplification(
    dag: dict[str, list[tuple[str, int, bool]]], pick: int, more: int
) -> None:
    edges = [(src, i) for src, calls in dag.items() for i in range(len(calls))]
    before = worst_amplification("n0", lambda q: dag.get(q, [])).factor
    if not edges:
        assert before == 1
        return
    src, i = edges[pick % len(edges)]
    target, attempts, loaded = dag[src][i]
    bumped = {k: list(v) for k, v in dag.items()}
    bumped[src][i] = (target, attempts + more, loaded)
    after = worst_amplification("n0", lambda q: bumped.get(q, [])).factor
    assert after >= before


# -- latency budget -------------------------------------------------------------------------

RAG = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      objectives: {ttft_p99_ms: 2000, latency_p99_ms: 20000}
      demand: {peak_rps: 2, input_tokens: 2000, output_tokens: 300}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    depends_on:
      - {to: guard, timeout_ms: 1000}
      - {to: kb, timeout_ms: 1000}
      - {to: llm, timeout_ms: 30000, mode: MODE}
      - {to: cache, timeout_ms: 50, optional: true}
  - {id: guard, kind: guardrail, provider: bedrock_guardrails}
  - {id: kb, kind: vector_store, engine: opensearch}
  - {id: cache, kind: cache}
  - id: llm
    kind: model_endpoint
    hosting: self_hosted
    model: {name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: fp8}
    serving: {engine: vllm, gpu: H100, gpus_per_replica: 1, max_concurrency: 128}
    placement: {zones: 3}
    replicas: 3
"""


def test_budget_adds_calls_in_sequence_and_streams_the_first_token() -> None:
    graph = graph_of(RAG.replace("MODE", "stream"))
    row = latency_row(graph, "demo", "chat")
    # api 20 + guardrail 500 + vector store 150 (assumed priors) + the model's derived TTFT.
    prefill_ms = 2000 * 2 * 8e9 / (1979e12 * 0.3) * 1000
    assert row.ttft_derived_ms == pytest.approx(prefill_ms + (row.queueing_p99_ms or 0.0))
    budget = row.ttft_budget_ms
    assert budget is not None and budget == pytest.approx(20 + 500 + 150 + row.ttft_derived_ms)
    assert row.e2e_budget_ms is not None and row.e2e_budget_ms > budget
    assert row.critical_path == ("demo/api", "demo/guard", "demo/kb", "demo/llm")
    assert row.assumed == ("demo/api", "demo/guard", "demo/kb")
    assert "demo/cache" not in row.critical_path  # optional calls are off the critical path
    assert row.ttft_slack_ms == pytest.approx(2000 - budget)
    assert json.loads(json.dumps(row.to_json())) == row.to_json()


def test_without_streaming_the_first_token_waits_for_the_whole_answer() -> None:
    graph = graph_of(RAG.replace("MODE", "sync"))
    row = latency_row(graph, "demo", "chat")
    assert row.ttft_budget_ms == pytest.approx(row.e2e_budget_ms)


def test_parallel_calls_take_the_slowest() -> None:
    graph = graph_of(RAG.replace("MODE", "sync"))
    load = JourneyLoad("demo", "chat", 2, 2000, 300)
    sequential, order = journey_time(graph, "demo/api", load)
    parallel, _ = journey_time(graph, "demo/api", load, parallel=True)
    assert order == ["demo/api", "demo/guard", "demo/kb", "demo/llm"]
    assert parallel.e2e.total_ms < sequential.e2e.total_ms
    # In parallel the model's time dominates: api's own 20 ms plus the llm's answer.
    model_only = sequential.e2e.total_ms - 20 - 500 - 150
    assert parallel.e2e.total_ms == pytest.approx(20 + model_only)


def test_span_arithmetic() -> None:
    a = Span(derived_ms=10, assumed_ms=5, assumed=frozenset({"x"}))
    b = Span(derived_ms=1, unknown=frozenset({"y"}))
    both = a.then(b)
    assert both.total_ms == 16 and both.unknown == {"y"} and not both.complete
    assert a.alongside(b).total_ms == 15 and a.alongside(b).unknown == {"y"}


def test_unknown_components_leave_the_budget_open() -> None:
    text = RAG.replace("MODE", "stream").replace(
        "{id: kb, kind: vector_store, engine: opensearch}",
        "{id: kb, kind: tool, permissions: read}",
    )
    row = latency_row(graph_of(text), "demo", "chat")
    assert row.ttft_budget_ms is None and row.unknown == ("demo/kb",)


def test_amplification_through_an_unloaded_document_is_unknown_to_the_rule() -> None:
    text = CHAIN.replace("{to: b, timeout_ms: 1000}", "{to: other/b, timeout_ms: 1000, retries: 2}")
    graph = graph_of(text, org_mode=False)
    worst = journey_amplification(graph, "demo", "chat")
    assert (worst.factor, worst.complete) == (3, False)
    rule = load_rules(plugins=False).get("CG-TIM-007")
    assert rule is not None
    (finding,) = run_rules(graph, [rule], today=dt.date(2026, 11, 21)).findings
    assert finding.status is Status.UNKNOWN and "at least 3x" in finding.message
