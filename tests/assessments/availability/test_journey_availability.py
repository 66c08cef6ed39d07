"""Exact journey availability: the hand-checkable case, shared fate, fallbacks and k-of-n."""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.availability.blast import blast_radius
from cellguard.assessments.availability.compile import compile_journey
from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.graph import build_graph
from tests.helpers import load_texts

HEAD = """
apiVersion: cellguard/v1
kind: Stack
metadata: {name: shop}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      impact: {revenue_per_hour: 10000, penalty_per_incident: 500}
      objectives: {availability: 99.95}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
  availability: {zone: 99.9, region: 99.99, account: 99.999}
"""


def _graph(components: str):  # type: ignore[no-untyped-def]
    return build_graph(load_texts(HEAD + components))


HAND = """
components:
  - id: api
    kind: app
    runtime: eks
    placement: {zones: 3}
    replicas: 3
    min_healthy_replicas: 1
    availability: 99.5
    depends_on: [{to: llm, timeout_ms: 30000}]
  - id: llm
    kind: model_endpoint
    hosting: bedrock
    availability: 99.9
"""


def test_hand_checkable_case_matches_the_closed_form() -> None:
    [result] = journey_availability(_graph(HAND))
    q_replica, q_zone, q_model, q_region, q_account = 0.005, 0.001, 0.001, 0.0001, 0.00001
    replica_down = 1 - (1 - q_replica) * (1 - q_zone)
    up = (1 - q_account) * (1 - q_region) * (1 - q_model) * (1 - replica_down**3)
    expected = 1 - up
    assert result.unavailability == pytest.approx(expected, rel=1e-9)
    assert result.exact
    # The regional events are single points of failure; one replica or one zone is not.
    assert result.single_points == [
        "account:prod",
        "region:us-east-1",
        "service:shop/llm@us-east-1",
    ]
    assert result.meets_objective is False  # 99.889% < 99.95%
    assert result.downtime_hours == pytest.approx(expected * 8766)
    assert result.loss_per_year == pytest.approx(
        expected * 8766 * 10000 + result.frequency_per_year * 500  # type: ignore[operator]
    )


def test_ignoring_shared_zones_would_understate_unavailability() -> None:
    """Two replicas in the SAME zone: the zone is a single point of failure."""
    text = HAND.replace("placement: {zones: 3}", "placement: {zones: [use1-az1]}")
    [result] = journey_availability(_graph(text))
    assert "zone:use1-az1" in result.single_points
    assert result.unavailability > 0.001  # the zone alone contributes 1e-3


def test_k_of_n_needs_more_replicas_healthy() -> None:
    one = journey_availability(_graph(HAND))[0].unavailability
    two = journey_availability(
        _graph(HAND.replace("min_healthy_replicas: 1", "min_healthy_replicas: 2"))
    )[0].unavailability
    assert two > one


def test_fallback_is_an_or_of_ups_and_optional_dependencies_drop_out() -> None:
    base = (
        HAND
        + """  - id: small
    kind: model_endpoint
    hosting: sagemaker
    availability: 99.95
"""
    )
    with_fallback = base.replace(
        "depends_on: [{to: llm, timeout_ms: 30000}]",
        "depends_on: [{to: llm, timeout_ms: 30000, fallback: small}]",
    )
    plain = journey_availability(_graph(base))[0]
    fallback = journey_availability(_graph(with_fallback))[0]
    assert "service:shop/llm@us-east-1" not in fallback.single_points
    assert fallback.unavailability < plain.unavailability
    optional = base.replace(
        "depends_on: [{to: llm, timeout_ms: 30000}]",
        "depends_on: [{to: llm, timeout_ms: 30000, optional: true}]",
    )
    tree = compile_journey(_graph(optional), "shop", "chat").tree
    assert not any(name.startswith("service:shop/llm") for name in tree.events)


def test_blast_radius_names_the_money_at_stake() -> None:
    radius = {b.domain.node_id: b for b in blast_radius(_graph(HAND))}
    assert set(radius) == {"account:prod", "region:us-east-1"}
    assert radius["region:us-east-1"].money_per_hour == 10000
    assert radius["region:us-east-1"].share == 1.0
    assert math.isclose(radius["account:prod"].share, 1.0)


def test_mef_export_round_trips_to_the_same_probability() -> None:
    from cellguard.assessments.availability.export import journey_mef
    from cellguard.assessments.faulttree.mef import read_mef
    from cellguard.assessments.faulttree.quantify import quantify

    graph = _graph(HAND)
    [result] = journey_availability(graph)
    text = journey_mef(graph, "shop", "chat")
    assert ":" not in text.split("<define-fault-tree")[1].split(">")[0]  # safe identifiers
    assert "<label>zone:use1-az1: zone use1-az1 down" in text
    assert quantify(read_mef(text)).probability == pytest.approx(result.unavailability, rel=1e-12)
