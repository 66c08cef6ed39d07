"""Start-up dependencies in the replacement time of replicas (issue 16 item 4)."""

from __future__ import annotations

import pytest

from cellguard.assessments.availability.compile import compile_journey
from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.availability.startup_repair import replacement_of
from cellguard.assessments.graph import build_graph
from cellguard.assessments.startup import scale_out
from tests.helpers import load_texts

SPEC = """
apiVersion: cellguard/v1
kind: Stack
metadata: {name: shop}
business:
  journeys:
    - id: chat
      entrypoint: llm
      criticality: tier1
      impact: {revenue_per_hour: 10000, penalty_per_incident: 500}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2]}]
  availability: {zone: 99.9, region: 99.99, account: 99.999}
components:
  - id: weights
    kind: object_store
    engine: s3
  - id: llm
    kind: model_endpoint
    hosting: self_hosted
    placement: {zones: 2}
    replicas: 2
    serving: {engine: vllm, gpu: H100, instance_types: [p5.48xlarge], cold_start_seconds: 300}
    capacity: {purchase: odcr}
"""

STARTUP = """    startup:
      weights: {component: weights, size_gb: 140, gb_per_s: 0.5}
      load_seconds: 120
"""

Q_ZONE, Q_REGION, Q_ACCOUNT = 0.001, 0.0001, 0.00001
Q0, R0 = 0.005, 0.5  # the self-hosted replica prior: 99.5%, 0.5 h
Q_S3, R_S3 = 0.0001, 1.0  # S3 Standard's prior (design 99.99%, 1 h)


def _closed_form(q: float) -> float:
    """Journey unavailability: account, region, or both zone-replica pairs down."""
    pair = 1 - (1 - q) * (1 - Q_ZONE)
    return 1 - (1 - Q_ACCOUNT) * (1 - Q_REGION) * (1 - pair**2)


def test_without_startup_the_prior_is_kept_exactly() -> None:
    [result] = journey_availability(build_graph(load_texts(SPEC)))
    assert result.unavailability == pytest.approx(_closed_form(Q0), rel=1e-9)


def test_weights_pulled_from_s3_lengthen_the_repair_and_move_downtime() -> None:
    before = journey_availability(build_graph(load_texts(SPEC)))[0]
    graph = build_graph(load_texts(SPEC + STARTUP))
    [after] = journey_availability(graph)
    # repair = prior 0.5 h + (300 s ODCR provision + 140 GB / 0.5 GB/s + 120 s load) / 3600
    #          + S3's outage wait q_s3 x r_s3
    start = (300 + 280 + 120) / 3600
    repair = R0 + start + Q_S3 * R_S3
    rate = Q0 / ((1 - Q0) * R0)
    q = rate * repair / (1 + rate * repair)
    assert after.unavailability == pytest.approx(_closed_form(q), rel=1e-9)
    assert after.unavailability > before.unavailability
    assert after.downtime_hours > before.downtime_hours  # type: ignore[operator]
    assert after.frequency_per_year > before.frequency_per_year  # type: ignore[operator]
    tree = compile_journey(graph, "shop", "chat")
    event = tree.tree.events["replica:shop/llm@us-east-1#1"]
    assert event.repair_hours == pytest.approx(repair, rel=1e-12)
    assert event.probability == pytest.approx(q, rel=1e-12)
    # the replica's failure rate is unchanged: w = q / r = rate x (1 - q)
    assert event.probability / event.repair_hours == pytest.approx(rate * (1 - q), rel=1e-12)
    source = tree.events["replica:shop/llm@us-east-1#1"].source
    assert "weights 140 GB / 0.5 GB/s = 280 s" in source
    assert "provision 300 s (catalog estimate: odcr p5)" in source
    assert "wait for start-up sources 0.0001 h (weights 0.0001 x 1 h)" in source
    # the start-up source is not a per-request dependency: no event of its own
    assert not any("weights" in name for name in tree.tree.events)


def test_an_external_source_waits_its_declared_outages() -> None:
    text = SPEC + STARTUP.replace(
        "{component: weights, size_gb: 140, gb_per_s: 0.5}",
        "{external: huggingface-hub, availability: 99.0, outage_hours: 2, size_gb: 140, "
        "gb_per_s: 0.5}",
    )
    tree = compile_journey(build_graph(load_texts(text)), "shop", "chat")
    repair = R0 + 700 / 3600 + 0.01 * 2
    assert tree.tree.events["replica:shop/llm@us-east-1#1"].repair_hours == pytest.approx(repair)


def test_a_source_without_figures_is_named_and_left_out() -> None:
    text = SPEC + STARTUP.replace("component: weights", "external: huggingface-hub")
    tree = compile_journey(build_graph(load_texts(text)), "shop", "chat")
    info = tree.events["replica:shop/llm@us-east-1#1"]
    assert "outages of huggingface-hub unknown: left out" in info.source
    assert tree.tree.events[info.name].repair_hours == pytest.approx(R0 + 700 / 3600)


def test_scale_out_is_the_longer_of_cold_start_and_start_up() -> None:
    graph = build_graph(load_texts(SPEC + STARTUP))
    found = scale_out(graph.component("shop/llm"))
    assert found.declared == 300
    assert found.seconds == pytest.approx(700)
    assert found.from_startup
    assert found.startup is not None
    assert found.startup.arithmetic() == (
        "provision 300 s (catalog estimate: odcr p5) + weights 140 GB / 0.5 GB/s = 280 s "
        "+ load 120 s = 700 s"
    )
    on_demand = build_graph(
        load_texts((SPEC + STARTUP).replace("purchase: odcr", "purchase: on_demand"))
    )
    slow = scale_out(on_demand.component("shop/llm"))
    assert slow.seconds == pytest.approx(
        1440 * 60 + 400
    )  # a day to find on-demand H100s (estimate)


def test_a_managed_endpoint_reports_no_replacement_the_fault_tree_does_not_use() -> None:
    # a SageMaker endpoint's event is the provider's regional figure (scope service): its
    # instance replacements are inside it, so CG-CAP-004's evidence shows no replacement time
    text = (SPEC + STARTUP).replace("hosting: self_hosted", "hosting: sagemaker")
    text = text.replace("instance_types: [p5.48xlarge]", "instance_types: [ml.p5.48xlarge]")
    graph = build_graph(load_texts(text))
    assert replacement_of(graph, "shop/llm") is None
    assert replacement_of(build_graph(load_texts(SPEC + STARTUP)), "shop/llm") is not None
