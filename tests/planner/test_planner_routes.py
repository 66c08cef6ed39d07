"""The planner on journeys that declare a route (issue 16): what it adds to a journey's path is
added to the route too, so that the change counts."""

from __future__ import annotations

import yaml

from cellguard.models.dependencies import Dependency
from cellguard.models.findings import Status
from cellguard.models.stack import Stack
from cellguard.planner import plan
from cellguard.planner.actions._helpers import onto_route, reroute
from cellguard.planner.workspace import Workspace
from tests.helpers import REPO, load_texts
from tests.planner.conftest import assess


def test_a_guardrail_added_to_a_routed_journey_joins_its_route() -> None:
    text = (REPO / "examples" / "queue-answered-chatbot.yaml").read_text(encoding="utf-8")
    org = load_texts(text, org_mode=False)
    before = assess(org)
    failing = before.by_status(Status.FAIL)
    assert any(f.rule == "CG-COR-001" and f.target == "chat" for f in failing)
    result = plan(org, before, org_mode=False)
    target = yaml.safe_load(result.targets["queue-chatbot"])
    chat = next(j for j in target["business"]["journeys"] if j["id"] == "chat")
    history = next(j for j in target["business"]["journeys"] if j["id"] == "history")
    assert {"to": "guardrail"} in chat["route"]
    assert all(call.get("to") != "guardrail" for call in history["route"])  # not its finding
    resolved = {(f.rule, f.target) for f in result.resolved}
    assert ("CG-COR-001", "chat") in resolved


ROUTED = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: demo, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: web
      criticality: tier1
      route: [{from: web, to: llm, share: 0.5}]
    - id: plain
      entrypoint: web
      criticality: tier3
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - {id: web, kind: app, depends_on: [{to: llm, timeout_ms: 30000}]}
  - {id: llm, kind: model_endpoint, hosting: bedrock}
  - {id: web-orchestrator, kind: app, depends_on: [{to: llm, timeout_ms: 30000}]}
"""


def test_moving_calls_to_a_new_caller_moves_the_route_with_them() -> None:
    org = load_texts(ROUTED, org_mode=False)
    ws = Workspace(org.documents)
    edits = ws.set("demo", ("components", "web", "depends_on"), [Dependency(to="web-orchestrator")])
    edits += reroute(ws, "demo", "web", "web-orchestrator")
    doc = ws.document("demo")
    assert isinstance(doc, Stack)
    chat, plain = doc.business.journeys
    assert [(c.caller, c.to, c.share) for c in chat.route or ()] == [
        ("web-orchestrator", "llm", 0.5),
        (None, "web-orchestrator", 1.0),
    ]
    assert plain.route is None  # a journey without a route makes every call already
    assert [e.dotted for e in edits][-1] == "business.journeys[chat].route"
    ws.organisation(org_mode=False)  # the target still validates (the route is reached)
    assert onto_route(ws, "demo", "chat", "web-orchestrator") == []  # listed already
    assert onto_route(ws, "demo", "plain", "llm") == []
