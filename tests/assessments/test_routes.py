"""Journey routes, call shares and awaited asynchronous answers (issue 16, items 1, 2 and 7)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from cellguard.assessments.availability.journeys import journey_availability, journey_result
from cellguard.assessments.demand import load_on
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_row
from cellguard.assessments.queueing import wait_quantile
from cellguard.models.loader import build_organisation, parse_document
from tests.helpers import REPO, load_errors, load_texts

CHATBOT = REPO / "examples" / "queue-answered-chatbot.yaml"
SHARED = REPO / "examples" / "shared-entry-routes.yaml"


def _data(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def _graph(data: dict[str, Any]) -> StackGraph:
    doc = parse_document(yaml.safe_dump(data, sort_keys=False), "spec.yaml")
    return build_graph(build_organisation([doc], org_mode=False))


def _journey(data: dict[str, Any], journey_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(j for j in data["business"]["journeys"] if j["id"] == journey_id)
    return found


def _in_cuts(cut_sets: tuple[tuple[str, ...], ...], component: str) -> bool:
    return any(component in event for cut in cut_sets for event in cut)


# -- the queue-answered chatbot ----------------------------------------------------------------


def test_the_awaited_answer_puts_the_model_and_stores_into_the_chat_journey() -> None:
    graph = _graph(_data(CHATBOT))
    _, chat = journey_result(graph, "queue-chatbot", "chat")
    for part in ("answer-fn", "llm", "kb", "sessions", "questions"):
        assert _in_cuts(chat.cut_sets, f"queue-chatbot/{part}@"), part
    assert not _in_cuts(chat.cut_sets, "queue-chatbot/usage-stream@")  # fire-and-forget
    assert not _in_cuts(chat.cut_sets, "queue-chatbot/history-fn@")  # off the route
    top = {i.event for i in chat.importances}
    assert {"service:queue-chatbot/llm@eu-west-1", "service:queue-chatbot/kb@eu-west-1"} <= top


def test_fire_and_forget_edges_leave_the_journey_again() -> None:
    data = _data(CHATBOT)
    del _journey(data, "chat")["answer"]
    graph = _graph(data)
    _, chat = journey_result(graph, "queue-chatbot", "chat")
    for part in ("answer-fn", "llm", "kb", "questions"):
        assert not _in_cuts(chat.cut_sets, f"queue-chatbot/{part}@"), part
    assert _in_cuts(chat.cut_sets, "queue-chatbot/request-fn@")
    assert _in_cuts(chat.cut_sets, "queue-chatbot/sessions@")  # the resolver writes the turn
    with_answer = journey_result(_graph(_data(CHATBOT)), "queue-chatbot", "chat")[1]
    assert chat.unavailability < with_answer.unavailability
    row = latency_row(graph, "queue-chatbot", "chat")
    assert "queue-chatbot/questions" not in row.critical_path
    assert row.queueing_p99_ms == 0.0


def test_the_chat_latency_path_includes_the_queue_wait() -> None:
    graph = _graph(_data(CHATBOT))
    row = latency_row(graph, "queue-chatbot", "chat")
    assert row.critical_path == (
        "queue-chatbot/appsync",
        "queue-chatbot/request-fn",
        "queue-chatbot/sessions",
        "queue-chatbot/questions",
        "queue-chatbot/answer-fn",
        "queue-chatbot/kb",
        "queue-chatbot/llm",
        "queue-chatbot/appsync",  # the answer comes back over the subscription
    )
    # the p99 wait is Erlang C's: 60 consumers, 4 messages/s, each held for the handler's time
    assert row.queueing_p99_ms is not None and row.queueing_p99_ms > 0
    load = load_on(graph, "queue-chatbot/questions")
    assert load.rps == pytest.approx(4.0)
    consumer_ms = _consumer_ms(graph)
    expected = wait_quantile(60, 4.0, 1000.0 / consumer_ms, 0.99)
    assert expected is not None
    assert row.queueing_p99_ms == pytest.approx(expected * 1000.0)
    assert row.e2e_budget_ms is not None and row.e2e_budget_ms > consumer_ms + expected * 1000


def _consumer_ms(graph: StackGraph) -> float:
    """The handler's end-to-end time, its calls included (the queue's service time)."""
    from cellguard.assessments.demand import JourneyLoad
    from cellguard.assessments.latency import journey_time

    demand = graph.journey("queue-chatbot", "chat").demand
    load = JourneyLoad("queue-chatbot", "chat", demand.peak_rps, 3000, 400)
    assert demand.input_tokens == 3000 and demand.output_tokens == 400
    time, _ = journey_time(graph, "queue-chatbot/answer-fn", load)
    assert time.e2e.complete
    return time.e2e.total_ms


def test_a_saturated_queue_has_no_finite_budget() -> None:
    data = _data(CHATBOT)
    questions = next(c for c in data["components"] if c["id"] == "questions")
    questions["consumer_concurrency"] = 2
    row = latency_row(_graph(data), "queue-chatbot", "chat")
    assert row.saturated == ("queue-chatbot/questions",)
    assert row.e2e_budget_ms is None


def test_a_queue_without_consumer_concurrency_leaves_the_budget_unknown() -> None:
    data = _data(CHATBOT)
    questions = next(c for c in data["components"] if c["id"] == "questions")
    del questions["consumer_concurrency"]
    row = latency_row(_graph(data), "queue-chatbot", "chat")
    assert "queue-chatbot/questions" in row.unknown
    assert row.e2e_budget_ms is None


# -- two journeys, one entrypoint ----------------------------------------------------------------


def test_journeys_sharing_an_entrypoint_get_their_own_availability() -> None:
    graph = _graph(_data(SHARED))
    found = {j.journey: j for j in journey_availability(graph)}
    onboarding, images = found["onboarding"], found["image-gen"]
    assert onboarding.unavailability != images.unavailability
    assert not _in_cuts(onboarding.cut_sets, "design-saas/image-model@")
    assert _in_cuts(images.cut_sets, "design-saas/image-model@")
    assert onboarding.route is not None
    assert [(s.source, s.target, s.share) for s in onboarding.route] == [
        ("design-saas/web", "design-saas/accounts", 1.0),
        ("design-saas/web", "design-saas/text-llm", 0.3),
    ]
    assert onboarding.to_json()["route"] == [
        {
            "from": "design-saas/web",
            "to": "design-saas/accounts",
            "share": 1.0,
            "reach": 1.0,
            "decides_availability": True,
            "on_answer_path": False,
        },
        {
            "from": "design-saas/web",
            "to": "design-saas/text-llm",
            "share": 0.3,
            "reach": 0.3,
            "decides_availability": True,
            "on_answer_path": False,
        },
    ]
    assert onboarding.route_text() == "web → accounts, web → text-llm (30%)"


def test_without_routes_both_journeys_reach_everything() -> None:
    data = _data(SHARED)
    for journey in data["business"]["journeys"]:
        del journey["route"]
    found = {j.journey: j for j in journey_availability(_graph(data))}
    assert found["onboarding"].unavailability == found["image-gen"].unavailability
    assert found["onboarding"].route is None and "route" not in found["onboarding"].to_json()


def test_demand_on_the_models_follows_the_shares() -> None:
    graph = _graph(_data(SHARED))
    # image generation: 20 rps x (200 + 150) tokens; onboarding: 30% of 2 rps x (600 + 500)
    text = load_on(graph, "design-saas/text-llm")
    assert text.rps == pytest.approx(20 + 0.3 * 2)
    assert text.total_tps == pytest.approx(20 * 350 + 0.3 * 2 * 1100)
    image = load_on(graph, "design-saas/image-model")
    assert image.names == ("design-saas/image-gen",)  # onboarding does not draw images
    assert image.total_tps == pytest.approx(20 * 350)
    # the optional upscaler, called by one request in ten, carries a tenth of the demand
    upscaler = load_on(graph, "design-saas/upscaler")
    assert upscaler.rps == pytest.approx(0.1 * 20)
    assert upscaler.output_tps == pytest.approx(0.1 * image.output_tps)


def test_calls_below_one_percent_leave_the_p99_budget() -> None:
    data = _data(SHARED)
    route = _journey(data, "onboarding")["route"]
    assert latency_row(_graph(data), "design-saas", "onboarding").e2e_budget_ms is not None
    before = latency_row(_graph(data), "design-saas", "onboarding")
    assert "design-saas/text-llm" in before.critical_path
    route[1]["share"] = 0.005
    after = latency_row(_graph(data), "design-saas", "onboarding")
    assert "design-saas/text-llm" not in after.critical_path
    assert after.e2e_budget_ms is not None and before.e2e_budget_ms is not None
    assert after.e2e_budget_ms < before.e2e_budget_ms


def test_a_route_listing_every_call_changes_nothing() -> None:
    data = _data(SHARED)
    bare = copy.deepcopy(data)
    for journey in bare["business"]["journeys"]:
        del journey["route"]
    everything = ["accounts", "text-llm", "orchestrator", "image-model", "upscaler", "assets"]
    for journey in data["business"]["journeys"]:
        journey["route"] = everything
    routed, plain = _graph(data), _graph(bare)
    for a, b in zip(journey_availability(routed), journey_availability(plain), strict=True):
        assert a.unavailability == b.unavailability
        assert a.cut_sets == b.cut_sets
    for qid in plain.components():
        assert load_on(routed, qid).rps == load_on(plain, qid).rps


# -- the loader's checks ---------------------------------------------------------------------


def _with(journey: dict[str, Any]) -> str:
    data = _data(SHARED)
    data["business"]["journeys"][0].update(journey)
    return yaml.safe_dump(data, sort_keys=False)


def test_a_route_naming_an_unknown_component_is_an_error_with_a_suggestion() -> None:
    [error] = load_errors(_with({"route": ["acounts"]}), org_mode=False)
    assert "business.journeys[0].route[0].to: unknown component 'acounts'" in error
    assert "did you mean 'accounts'?" in error


def test_a_route_edge_the_caller_does_not_make_is_an_error() -> None:
    [error] = load_errors(_with({"route": [{"from": "web", "to": "assets"}]}), org_mode=False)
    assert "route[0].from: 'web' does not call 'assets'" in error
    assert "expected: a component that calls 'assets': one of: orchestrator" in error


def test_a_route_call_off_the_route_is_an_error() -> None:
    [error] = load_errors(_with({"route": ["image-model"]}), org_mode=False)
    assert "route[0].to: route call 'image-model' is not reached from the entrypoint 'web'" in error
    assert "hint: add its caller to the route: 'orchestrator'" in error


def test_an_answer_whose_producer_is_not_reached_is_an_error() -> None:
    answer = {"producer": "upscaler", "channel": "web", "delivery": "websocket"}
    [error] = load_errors(_with({"route": ["accounts"], "answer": answer}), org_mode=False)
    assert "answer.producer: the answer's producer 'upscaler' is not reached" in error


def test_an_answer_channel_must_exist() -> None:
    answer = {"producer": "orchestrator", "channel": "wbe", "delivery": "websocket"}
    route = ["accounts", "orchestrator"]
    [error] = load_errors(_with({"route": route, "answer": answer}), org_mode=False)
    assert "answer.channel: unknown component 'wbe'" in error
    assert "did you mean 'web'?" in error


def test_a_share_outside_zero_to_one_is_refused() -> None:
    errors = load_errors(_with({"route": [{"to": "accounts", "share": 1.5}]}), org_mode=False)
    assert any("route[0].share" in e for e in errors)


PLATFORM = """\
apiVersion: cellguard/v1
kind: Platform
metadata: {name: shared, owner: platform}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - {id: gateway, kind: gateway, depends_on: [{to: llm, timeout_ms: 30000}]}
  - {id: llm, kind: model_endpoint, hosting: bedrock}
  - {id: kb, kind: vector_store, engine: opensearch_serverless}
"""

TEAM = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: team, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
      route: ROUTE
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    depends_on: [{to: shared/gateway, timeout_ms: 30000}, {to: shared/kb, timeout_ms: 800}]
"""


def test_routes_across_documents_are_checked_once_every_document_is_loaded() -> None:
    good = TEAM.replace("ROUTE", "[shared/gateway, {from: shared/gateway, to: shared/llm}]")
    graph = build_graph(load_texts(PLATFORM, good))
    assert graph.journey_components("team", "chat") == [
        "shared/gateway",
        "shared/llm",
        "team/api",
    ]
    [error] = load_errors(PLATFORM, TEAM.replace("ROUTE", "[shared/llm]"))
    assert "route[0].to: route call 'shared/llm' is not reached from the entrypoint 'api'" in error
    [error] = load_errors(
        PLATFORM, TEAM.replace("ROUTE", "[shared/kb, {from: shared/kb, to: shared/llm}]")
    )
    assert "route[1].from: 'shared/kb' does not call 'shared/llm'" in error
    assert "expected: a component that calls it: one of: shared/gateway" in error
