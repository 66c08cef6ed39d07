"""GPU sharing (issue 17 item 5): endpoints on the same MIG-partitioned, MPS or time-sliced GPUs
are one failure domain and one capacity domain, and a MIG instance's memory and throughput are
its profile's slice."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent

import pytest

from cellguard.assessments.availability.journeys import journey_result
from cellguard.assessments.availability.priors import Priors
from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.placement import DomainRef
from cellguard.models.catalog.hardware import find_gpu
from cellguard.models.catalog.mig import mig_slice
from cellguard.models.findings import Finding, Status
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import load_errors, load_texts

MEASURED = (
    "{output_tokens_per_s: 1000, at_concurrency: 32, measured_on: 2026-11-01, "
    "method: 'vllm bench serve, 500 in / 100 out'}"
)
SHARED = DomainRef.shared("~gpu", "chat@h100-pool@prod@us-east-1")


def endpoint(name: str, sharing: str, *, params: float = 8, measured: bool = True) -> str:
    figures = f"\n      measured: {MEASURED}" if measured else ""
    return f"""\
  - id: {name}
    kind: model_endpoint
    hosting: self_hosted
    model: {{name: meta-llama/Llama-3.1-8B-Instruct, params_b: {params}, precision: bf16}}
    serving:
      engine: vllm
      gpu: H100{figures}
      gpu_sharing: {sharing}
    placement: {{regions: [us-east-1], zones: 2}}
    replicas: 2
"""


def stack(first: str, second: str, *, rps: tuple[float, float] = (7, 7)) -> str:
    """Two journeys, each calling its own endpoint; both endpoints share the GPUs given."""
    head = dedent(
        f"""\
        apiVersion: cellguard/v1
        kind: Stack
        metadata: {{name: chat, owner: team}}
        business:
          journeys:
            - id: answer
              entrypoint: answer-api
              criticality: tier1
              demand: {{peak_rps: {rps[0]}, input_tokens: 500, output_tokens: 100}}
            - id: summarise
              entrypoint: summary-api
              criticality: tier1
              demand: {{peak_rps: {rps[1]}, input_tokens: 500, output_tokens: 100}}
        topology:
          accounts: [prod]
          regions:
            - {{name: us-east-1, zones: [use1-az1, use1-az2]}}
        components:
          - {{id: answer-api, kind: app, depends_on: [answer-llm]}}
          - {{id: summary-api, kind: app, depends_on: [summary-llm]}}
        """
    )
    return head + endpoint("answer-llm", first) + endpoint("summary-llm", second)


def mig(profile: str) -> str:
    return f"{{mode: mig, profile: {profile}, group: h100-pool}}"


SLICED = "{mode: time_slicing, group: h100-pool}"


def graph_of(text: str) -> StackGraph:
    return build_graph(load_texts(text, org_mode=False))


def cap011(graph: StackGraph) -> dict[str, Finding]:
    found = run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 11, 21)).findings
    return {f.target: f for f in found if f.rule == "CG-CAP-011"}


def test_endpoints_on_the_same_mig_gpus_share_one_failure_domain() -> None:
    graph = graph_of(stack(mig("3g.40gb"), mig("4g.40gb")))
    assert SHARED in graph.domains_of("chat/answer-llm")
    assert graph.members(SHARED) == ["chat/answer-llm", "chat/summary-llm"]
    prior = Priors(graph).domain(SHARED)
    assert (prior.availability, prior.basis) == (99.9, "assumption")
    cut_sets = []
    for journey in ("answer", "summarise"):
        _, result = journey_result(graph, "chat", journey)
        cut_sets.append({cut for cut in result.cut_sets if len(cut) == 1})
    # the shared GPUs alone take down both journeys: the same order-1 cut set in each
    assert (SHARED.node_id,) in cut_sets[0] & cut_sets[1]


def test_a_lone_endpoint_on_its_group_shares_no_domain() -> None:
    text = stack(mig("3g.40gb"), mig("4g.40gb")).replace(
        "gpu_sharing: " + mig("4g.40gb"), "gpu_sharing: {mode: mig, profile: 4g.40gb, group: other}"
    )
    graph = graph_of(text)
    assert not [d for d in graph.domains_of("chat/answer-llm") if d.stack == "~gpu"]


def test_time_sliced_endpoints_fail_together_when_their_demand_adds_up_past_the_target() -> None:
    # each serves 10 x 100 = 1,000 tokens/s on 2 x 1,000: 50% alone, 100% of the shared GPUs
    found = cap011(graph_of(stack(SLICED, SLICED, rps=(10, 10))))
    for target in ("answer-llm", "summary-llm"):
        assert found[target].status is Status.FAIL
        assert "their peak demand adds up to 100% of the shared GPUs, above the 80% target" in (
            found[target].message
        )
        assert found[target].evidence["shared_utilisation"] == 1.0
    # the old analysis judged each alone: 50% is within the target
    alone = fleet(graph_of(stack(SLICED, SLICED, rps=(10, 10))), "chat/answer-llm")
    assert alone is not None and alone.row.utilisation == 0.5


def test_time_sliced_endpoints_pass_when_their_summed_demand_fits() -> None:
    found = cap011(graph_of(stack(SLICED, SLICED, rps=(7, 7))))
    for target in ("answer-llm", "summary-llm"):
        assert found[target].status is Status.PASS
        assert "their peak demand adds up to 70% of the GPUs" in found[target].message
        assert found[target].evidence["shared_utilisation"] == 0.7


def test_time_sliced_weights_share_the_gpus_memory() -> None:
    # two 30B bf16 models: 60 GB of weights each fit one H100 alone, not together (> 72 GB)
    text = stack(SLICED, SLICED).replace("params_b: 8", "params_b: 30")
    found = cap011(graph_of(text))
    assert found["answer-llm"].status is Status.FAIL
    assert "their weights take 120.0 GB of each GPU together, more than the 72.0 GB" in (
        found["answer-llm"].message
    )


def test_mig_profiles_that_do_not_fit_one_gpu_together_fail() -> None:
    found = cap011(graph_of(stack(mig("4g.40gb"), mig("4g.40gb"))))
    assert found["answer-llm"].status is Status.FAIL
    assert "need 8 of 7 compute slices and 8 of 8 memory slices" in found["answer-llm"].message
    fits = cap011(graph_of(stack(mig("3g.40gb"), mig("4g.40gb"))))
    assert fits["answer-llm"].status is Status.PASS
    assert fits["answer-llm"].evidence["compute_slices"] == 7
    assert fits["answer-llm"].evidence["memory_slices"] == 8


def test_a_70b_model_on_a_1g_10gb_slice_cannot_start() -> None:
    text = stack(mig("1g.10gb"), mig("3g.40gb"))
    text = text.replace("params_b: 8", "params_b: 70", 1)
    found = cap011(graph_of(text))
    assert found["answer-llm"].status is Status.FAIL
    assert (
        "answer-llm cannot start: 140 GB of weights (70B parameters at bf16) plus a minimum KV "
        "cache of 1 GB do not fit in 1 x 10 GB of H100 MIG 1g.10gb"
    ) in found["answer-llm"].message
    # the same model on the whole H100 would still not fit, but 8B on the slice does
    assert found["summary-llm"].status is Status.PASS


def test_a_mig_slice_estimates_its_share_of_the_gpu() -> None:
    h100 = find_gpu("H100")
    assert h100 is not None
    part = mig_slice(h100, "3g.40gb")
    assert part is not None
    assert part.memory_gb == 40.0
    assert part.memory_bandwidth_gb_s == pytest.approx(3350 / 2)
    assert part.dense_tflops["bf16"] == pytest.approx(989 * 3 / 7)
    whole = stack(SLICED, SLICED).replace(f"\n      measured: {MEASURED}", "")
    sliced = stack(mig("3g.40gb"), mig("3g.40gb")).replace(f"\n      measured: {MEASURED}", "")
    full = fleet(graph_of(whole), "chat/answer-llm")
    half = fleet(graph_of(sliced), "chat/answer-llm")
    assert full is not None and half is not None
    assert full.row.per_replica and half.row.per_replica
    assert half.row.per_replica < 0.6 * full.row.per_replica  # half the bandwidth, 3/7 of SMs
    assert half.replica is not None and half.replica.gpu is not None
    assert half.replica.gpu.name == "H100 MIG 3g.40gb"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("profile: 3g.40gb", "profile: 3g.45gb", "'3g.45gb' is not a MIG profile of H100"),
        ("gpu: H100", "gpu: A10G", "A10G does not support MIG"),
        ("gpu: H100", "gpu: H100\n      gpus_per_replica: 2", "runs on one slice of one GPU"),
        ("mode: mig, profile: 3g.40gb", "mode: mig", "gpu_sharing mode mig needs 'profile'"),
        ("mode: mig, profile: 3g.40gb", "mode: mps, profile: 3g.40gb", "but mode is mps"),
        ("hosting: self_hosted", "hosting: bedrock", "but hosting is bedrock"),
    ],
)
def test_an_impossible_gpu_sharing_is_a_located_error(old: str, new: str, expected: str) -> None:
    text = stack(mig("3g.40gb"), SLICED.replace("time_slicing", "mps"))
    errors = load_errors(text.replace(old, new, 1), org_mode=False)
    assert len(errors) == 1
    assert expected in errors[0]
    assert "doc0.yaml" in errors[0] and "components[2]" in errors[0]


def test_two_stacks_on_one_gpu_group_share_a_blast_radius() -> None:
    """Stack beta names alpha's group (alpha/h100-pool): one domain across both stacks, which
    CG-FI-009 lists with the journeys of both."""
    alpha = stack(mig("3g.40gb"), mig("3g.40gb")).replace("name: chat, owner", "name: alpha, owner")
    beta = (
        stack(mig("3g.40gb"), mig("3g.40gb"))
        .replace("name: chat, owner", "name: beta, owner")
        .replace("group: h100-pool", "group: alpha/h100-pool")
    )
    graph = build_graph(load_texts(alpha, beta, org_mode=False))
    domain = DomainRef.shared("~gpu", "alpha@h100-pool@prod@us-east-1")
    assert graph.members(domain) == [
        "alpha/answer-llm",
        "alpha/summary-llm",
        "beta/answer-llm",
        "beta/summary-llm",
    ]
    found = run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 11, 21)).findings
    fi009 = next(f for f in found if f.rule == "CG-FI-009" and f.stack == "alpha")
    radius = {b["domain"]: b for b in fi009.evidence["blast_radius"]}  # type: ignore[union-attr,index]
    assert radius[domain.node_id]["stacks"] == ["alpha", "beta"]
    # four 3g.40gb instances cannot share a GPU: 12 of 7 compute slices
    cap = next(f for f in found if f.rule == "CG-CAP-011" and f.stack == "beta")
    assert cap.status is Status.FAIL
    assert "need 12 of 7 compute slices and 16 of 8 memory slices" in cap.message
