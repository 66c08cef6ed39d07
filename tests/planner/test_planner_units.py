"""The planner's parts: the registry, the workspace, and the numbers actions choose."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellguard.assessments.stability import replicas_for_static_stability
from cellguard.models.enums import DrStrategy
from cellguard.planner import plan
from cellguard.planner.actions._helpers import zone_ids
from cellguard.planner.actions.redundancy import dr_strategy_for
from cellguard.planner.model import EditOp, dotted
from cellguard.planner.registry import ACTIONS
from cellguard.planner.workspace import PathError, Workspace
from cellguard.rules.packs import load_rules
from tests.helpers import BASE_STACK, REPO, load_texts
from tests.planner.conftest import assess, plan_of


def test_every_builtin_rule_action_is_registered() -> None:
    actions = {r.meta.action for r in load_rules([], plugins=False).select([], [])}
    assert len(actions) >= 55
    assert sorted(actions - ACTIONS.keys()) == []


def test_workspace_edits_copies_and_records_before_and_after() -> None:
    org = load_texts(BASE_STACK)
    original = org.documents[0].document
    ws = Workspace(org.documents)
    edits = ws.set("demo", ("components", "web", "replicas"), 6)
    assert [(e.dotted, e.before, e.after, e.op) for e in edits] == [
        ("components[web].replicas", 3, 6, EditOp.SET)
    ]
    assert original.component("web").replicas == 3  # the input is never mutated
    assert ws.document("demo").component("web").replicas == 6
    assert ws.set("demo", ("components", "web", "replicas"), 6) == []  # no-op edits vanish
    created = ws.set("demo", ("components", "web", "protections", "load_shedding"), True)
    assert created[0].before is None
    assert ws.document("demo").component("web").protections.load_shedding is True  # type: ignore[union-attr]
    with pytest.raises(PathError):
        ws.set("demo", ("components", "web", "no_such_field"), 1)
    ws.organisation(org_mode=False)  # still loads through the real loader


def test_dotted_paths_select_list_elements_by_id() -> None:
    assert dotted(("components", "web", "depends_on", "llm", "timeout_ms")) == (
        "components[web].depends_on[llm].timeout_ms"
    )


def test_zone_ids_follow_the_aws_az_id_convention() -> None:
    assert zone_ids("us-west-2") == ["usw2-az1", "usw2-az2", "usw2-az3"]
    assert zone_ids("ap-southeast-2", 2) == ["apse2-az1", "apse2-az2"]
    assert zone_ids("eu-central-1", 1) == ["euc1-az1"]


@pytest.mark.parametrize(
    ("rto", "strategy"),
    [
        (None, DrStrategy.WARM_STANDBY),
        (2, DrStrategy.ACTIVE_ACTIVE),
        (15, DrStrategy.ACTIVE_ACTIVE),
        (30, DrStrategy.WARM_STANDBY),
        (60, DrStrategy.WARM_STANDBY),
        (240, DrStrategy.PILOT_LIGHT),
        (2000, DrStrategy.BACKUP_RESTORE),
    ],
)
def test_dr_strategy_is_the_cheapest_that_meets_the_rto(
    rto: float | None, strategy: DrStrategy
) -> None:
    assert dr_strategy_for(rto) is strategy


def test_gpu_replicas_come_from_the_capacity_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    planned = plan_of(Path("examples/rag-support-assistant.yaml"))
    changes = {c.action: c for c in planned.plan.changes if c.target == "llm"}
    stable = changes["statically-stable-gpus"]
    row = next(r for r in planned.before.figures.capacity if r.id == "llm")  # type: ignore[union-attr]
    assert row.per_replica is not None and row.demand is not None
    # two regions (the recovery region comes first in the round), three zones each
    expected = replicas_for_static_stability(row.demand, row.per_replica, zones=3, regions=2)
    # after losing a region the other carries all 3,550 output tokens/s at <= 80%: the estimate
    # of 470.5 per replica (KV-cache reads included) needs 3,550 / (0.8 x 470.5) = 9.4 -> 10
    assert row.per_replica == pytest.approx(470.5, abs=0.1)
    assert expected == 10
    assert f"{expected} replicas per region over 3 zones in 2 regions" in stable.description
    reserved = changes["reserve-gpu-capacity"]
    assert reserved.edits[0].after == {"purchase": "odcr", "reserved_replicas": 4}
    flexible = changes["diversify-instance-types"]
    assert flexible.edits[0].after == ["g6e.xlarge", "g6e.2xlarge", "g6e.4xlarge"]
    assert "instance catalog" in flexible.description
    steps = {(s.action, s.target) for s in planned.plan.manual_steps}
    assert ("pin-versions", "llm") in steps
    assert ("reserve-gpu-capacity", "llm") in steps


CRAMMED = """
apiVersion: cellguard/v1
kind: Stack
metadata: {name: shop, owner: team}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier2
      objectives: {availability: 99.999}
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
  - id: api
    kind: app
    runtime: eks
    placement: {zones: [use1-az1]}
    replicas: 2
"""


def test_a_journey_short_of_its_objective_spreads_replicas_crammed_into_one_zone() -> None:
    """The two replicas in use1-az1 are one event, "all 2 replicas of shop/api in use1-az1
    (us-east-1) down" (``replicas:...``), in the journey's cut sets: CG-RED-010's action
    spreads them as it did the per-replica events (``replica:...#1``, ``#2``)."""
    org = load_texts(CRAMMED)
    result = plan(org, assess(org), org_mode=False)
    [unresolved] = [u for u in result.unresolved if u.finding.rule == "CG-RED-010"]
    assert "api: 3 replicas per region over 3 zones" in unresolved.reason
