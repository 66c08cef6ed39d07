"""Round trip: the topology derived from captured resources scores what the target promised."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.blueprints.from_spec import PLACEHOLDER
from cellguard.blueprints.manifests import PLACEHOLDER_ANNOTATION
from cellguard.blueprints.program import deploy_file
from cellguard.blueprints.router_config import ROUTER_IMAGE
from cellguard.cli.main import app
from cellguard.iac.mockrun import Capture, CapturedResource, run_program
from cellguard.iac.roundtrip import EXPRESSED, RuleComparison, round_trip
from cellguard.models.loader import load
from cellguard.models.stack import Stack

REPO = Path(__file__).resolve().parents[2]
CELLS = REPO / "examples" / "cell-multi-region.yaml"
TODAY = dt.date(2026, 11, 21)


def _target(path: Path) -> Stack:
    return load(path).stacks[0]


@pytest.fixture(scope="module")
def cells_capture() -> Capture:
    return run_program(lambda: deploy_file(CELLS))


PLANNED = ("rag-support-assistant", "saas-finetune", "vllm-single-zone")


def _plan(example: str, out: Path) -> Path:
    result = CliRunner().invoke(
        app,
        [
            "plan",
            str(REPO / "examples" / f"{example}.yaml"),
            "-o",
            str(out),
            "--plan-output",
            str(out.with_suffix(".md")),
            "--today",
            "2026-11-21",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="module")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Capture]]:
    """Each example planned into a target, and the target's blueprint run under mocks."""
    out: dict[str, tuple[Path, Capture]] = {}
    for example in PLANNED:
        target = _plan(example, tmp_path_factory.mktemp("plan") / f"{example}.target.yaml")
        out[example] = (target, run_program(lambda t=target: deploy_file(t)))
    return out


def test_cell_multi_region_every_expressed_rule_agrees(cells_capture: Capture) -> None:
    trip = round_trip(cells_capture, _target(CELLS), today=TODAY)
    assert [r.rule for r in trip.differ] == [], trip.lines()
    assert len(trip.agree) == len(EXPRESSED) == 20
    assert trip.summary() == "round trip: 20 rules agree, 0 differ"
    derived = trip.derivation.stack
    assert [c.id for c in derived.topology.cells] == [
        "cell-use1-a",
        "cell-use1-b",
        "cell-usw2-a",
        "cell-usw2-b",
    ]
    llm = next(c for c in derived.components if c.id == "llm")
    assert llm.replicas == 8  # 2 cells x 4 replicas per region
    assert llm.placement is not None and llm.placement.zones == 3
    assert trip.derivation.copied == ["small-llm", "ingest", "telemetry"]
    assert trip.derivation.missing == []
    # the target's statuses are real results, not empty: every expressed rule reports something
    assert all(r.target for r in trip.rules)


@pytest.mark.parametrize("example", PLANNED)
def test_planner_targets_round_trip(example: str, planned: dict[str, tuple[Path, Capture]]) -> None:
    target, cap = planned[example]
    trip = round_trip(cap, _target(target), today=TODAY)
    assert trip.differ == [], trip.lines()
    assert trip.summary() == "round trip: 20 rules agree, 0 differ"
    assert trip.derivation.missing == []
    statuses = {s for r in trip.rules for s in r.target.values()}
    assert "PASS" in statuses


def test_services_without_an_image_get_the_placeholder(
    planned: dict[str, tuple[Path, Capture]],
) -> None:
    _, cap = planned["rag-support-assistant"]
    deployments = cap.of_type("kubernetes:apps/v1:Deployment")
    named = {
        name: [d for d in deployments if d.inputs["metadata"]["name"] == name]
        for name in ("web-api-orchestrator", "cell-router", "web-api")
    }
    orchestrators, routers = named["web-api-orchestrator"], named["cell-router"]
    assert len(orchestrators) == 4  # one per cell
    assert len(routers) == 2  # one per region
    for dep in orchestrators:
        container = dep.inputs["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == PLACEHOLDER.image
        assert container["args"] == PLACEHOLDER.args
        assert PLACEHOLDER_ANNOTATION in dep.inputs["metadata"]["annotations"]
    for dep in routers:  # a router without an image runs the NGINX data plane of the cell map
        container = dep.inputs["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == ROUTER_IMAGE
        assert "args" not in container
        assert "annotations" not in dep.inputs["metadata"]
    assert all("annotations" not in d.inputs["metadata"] for d in named["web-api"])


def test_dynamodb_cross_region_backups_are_copy_jobs(
    planned: dict[str, tuple[Path, Capture]],
) -> None:
    _, cap = planned["rag-support-assistant"]
    tables = sorted(str(t.inputs["name"]) for t in cap.of_type("aws:dynamodb/table:Table"))
    # prompts and conversations: one table per cell (no cross-region replication in the spec)
    assert len(tables) == 8
    plans = cap.of_type("aws:backup/plan:Plan")
    assert len(plans) == 8
    copy_regions = {
        p.inputs["tags"]["cellguard:table"]: p.inputs["tags"]["cellguard:copy-region"]
        for p in plans
    }
    assert sorted(copy_regions) == tables
    assert copy_regions["rag-support-assistant-prompts-cell-use1-a"] == "us-west-2"
    assert copy_regions["rag-support-assistant-prompts-cell-usw2-a"] == "us-east-1"
    assert len(cap.of_type("aws:backup/selection:Selection")) == 8
    assert len(cap.of_type("aws:backup/vault:Vault")) == 2


def test_removing_the_copy_jobs_is_reported(planned: dict[str, tuple[Path, Capture]]) -> None:
    target, cap = planned["rag-support-assistant"]
    without = Capture(resources=[r for r in cap.resources if r.type != "aws:backup/plan:Plan"])
    trip = round_trip(without, _target(target), today=TODAY)
    differ = {r.rule: r for r in trip.differ}
    assert "rag-support-assistant/prompts: PASS -> FAIL" in differ["CG-RED-004"].differences()


def _without_region(cap: Capture, region: str) -> Capture:
    """The capture minus every resource created through ``region``'s providers."""
    providers = {
        r.urn for r in cap.resources if r.type.startswith("pulumi:providers:") and region in r.name
    }
    kept = [
        r
        for r in cap.resources
        if r.urn not in providers and (r.provider or "").rsplit("::", 1)[0] not in providers
    ]
    return Capture(resources=kept)


def test_dropping_the_second_region_is_reported(cells_capture: Capture) -> None:
    trip = round_trip(_without_region(cells_capture, "us-west-2"), _target(CELLS), today=TODAY)
    differ = {r.rule: r for r in trip.differ}
    assert "CG-RED-002" in differ
    assert any("PASS -> FAIL" in d for d in differ["CG-RED-002"].differences())
    assert [c.region for c in trip.derivation.stack.topology.cells] == ["us-east-1"] * 2
    assert trip.summary().endswith(f"{len(differ)} differ") and len(differ) >= 1


def _one_zone(cap: Capture, component: str) -> Capture:
    """Pin every Deployment of ``component`` to its first zone."""
    out: list[CapturedResource] = []
    for r in cap.resources:
        labels = r.inputs.get("metadata", {}).get("labels", {})
        if (
            r.type == "kubernetes:apps/v1:Deployment"
            and labels.get("app.kubernetes.io/name") == component
        ):
            inputs = copy.deepcopy(r.inputs)
            terms = inputs["spec"]["template"]["spec"]["affinity"]["nodeAffinity"][
                "requiredDuringSchedulingIgnoredDuringExecution"
            ]["nodeSelectorTerms"]
            for expr in terms[0]["matchExpressions"]:
                expr["values"] = expr["values"][:1]
            r = CapturedResource(r.type, r.name, inputs, r.urn, r.parent, r.provider, r.custom)
        out.append(r)
    return Capture(resources=out)


def test_a_single_zone_deployment_is_reported(cells_capture: Capture) -> None:
    trip = round_trip(_one_zone(cells_capture, "retriever"), _target(CELLS), today=TODAY)
    differ = {r.rule: r for r in trip.differ}
    assert "CG-RED-001" in differ
    assert "assistant-cells/retriever: PASS -> FAIL" in differ["CG-RED-001"].differences()
    retriever = next(c for c in trip.derivation.stack.components if c.id == "retriever")
    assert retriever.placement is not None and retriever.placement.zones == 1


def test_dropping_gpu_reservations_is_reported(cells_capture: Capture) -> None:
    cap = Capture(
        resources=[
            r
            for r in cells_capture.resources
            if r.type != "aws:ec2/capacityReservation:CapacityReservation"
        ]
    )
    trip = round_trip(cap, _target(CELLS), today=TODAY)
    assert "CG-CAP-001" in {r.rule for r in trip.differ}


def test_blueprint_verify_prints_the_round_trip(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["blueprint", str(CELLS), "-o", str(tmp_path / "p"), "--verify", "--today", "2026-11-21"],
    )
    assert result.exit_code == 0, result.output
    assert "round trip: 20 rules agree, 0 differ" in result.stdout


def test_passing_where_the_target_did_not_is_better_not_a_difference() -> None:
    better = RuleComparison("CG-RED-002", "r", {"s/j": "NOT_APPLICABLE"}, {"s/j": "PASS"})
    assert better.agrees and better.improvements() == ["s/j: NOT_APPLICABLE -> PASS"]
    weaker = RuleComparison("CG-RED-002", "r", {"s/j": "PASS"}, {"s/j": "FAIL"})
    assert not weaker.agrees and weaker.differences() == ["s/j: PASS -> FAIL"]
    unsure = RuleComparison("CG-RED-003", "r", {"s/kb": "FAIL"}, {"s/kb": "UNKNOWN"})
    assert not unsure.agrees
    extra = RuleComparison("CG-RED-001", "r", {}, {"s/x": "PASS"})
    assert extra.differences() == ["s/x: absent -> PASS"]


@pytest.mark.parametrize("example", PLANNED)
def test_the_derived_spec_does_not_depend_on_registration_order(
    example: str, planned: dict[str, tuple[Path, Capture]]
) -> None:
    from cellguard.iac.derive import derive
    from cellguard.models.spec_writer import dump_document

    target, cap = planned[example]
    stack = _target(target)
    shuffled = Capture(resources=list(reversed(cap.resources)))
    first = derive(cap, stack)
    second = derive(shuffled, stack)
    assert dump_document(first.stack) == dump_document(second.stack)
    assert (first.derived, first.copied, first.missing) == (
        second.derived,
        second.copied,
        second.missing,
    )


@pytest.mark.parametrize("example", PLANNED)
def test_planner_targets_have_unique_urns(
    example: str, planned: dict[str, tuple[Path, Capture]]
) -> None:
    """Two regions without cells each get an implicit unit of the same id (its namespace);
    its resources must still be named apart, or `pulumi up` refuses the duplicate URNs."""
    from cellguard.blueprints.from_spec import blueprint_of
    from cellguard.iac.verify import check_unique_urns

    target, cap = planned[example]
    result = check_unique_urns(cap, blueprint_of(_target(target)))
    assert result.passed, result.message
