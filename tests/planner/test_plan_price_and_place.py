"""Plans with a price and a place (issue 19 item 6).

Each change and the whole plan carry a monthly cost from the price catalog (estimates said so)
beside the loss the plan avoids; ``plan --budget`` stops at a ceiling; the recovery region stays
in the stack's geography and within ``topology.allowed_regions`` (``--recovery-region`` picks
one); a change to a component another team owns says it needs that team.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.catalog.prices import price_catalog, token_price
from cellguard.planner.actions._helpers import geography, recovery_region
from cellguard.planner.costing import difference, replay
from cellguard.planner.model import Edit, EditOp
from cellguard.planner.workspace import Workspace
from tests.helpers import REPO, load_texts

runner = CliRunner()
VLLM = REPO / "examples" / "vllm-single-zone.yaml"
TODAY = "2026-11-21"


def _eu_text(allowed: str = "") -> str:
    """The vLLM example moved to eu-west-1, its code index owned by another team."""
    text = VLLM.read_text(encoding="utf-8").replace("us-east-1", "eu-west-1")
    text = text.replace("use1-az", "euw1-az")
    text = text.replace(
        "  - id: code-index\n    kind: vector_store\n",
        "  - id: code-index\n    kind: vector_store\n    owner: search-platform\n",
    )
    if allowed:
        text = text.replace("  regions:\n", f"  allowed_regions: [{allowed}]\n  regions:\n", 1)
    return text


def _plan(tmp_path: Path, text: str, *args: str) -> tuple[Any, str, Any]:
    spec = tmp_path / "forge.yaml"
    spec.write_text(text, encoding="utf-8")
    target = tmp_path / "target.yaml"
    result = runner.invoke(
        app,
        ["plan", str(spec), "-o", str(target), "-f", "json", "--today", TODAY, *args],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), result.stdout, yaml.safe_load(target.read_text())


@pytest.fixture(scope="module")
def eu(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, str, Any]:
    return _plan(tmp_path_factory.mktemp("eu"), _eu_text())


def _change(data: Any, action: str) -> Any:
    return next(c for c in data["changes"] if c["action"] == action)


def test_an_eu_west_1_stack_recovers_to_an_eu_region(eu: tuple[Any, str, Any]) -> None:
    data, _, target = eu
    assert [r["name"] for r in target["topology"]["regions"]] == ["eu-west-1", "eu-central-1"]
    assert target["practices"]["disaster_recovery"]["recovery_region"] == "eu-central-1"
    added = _change(data, "add-recovery-region")
    # eu-central-1 is not in the instance catalog's g6e regions: chosen in the geography anyway
    # and said so (it was us-east-1, 'the first other region in the instance catalog')
    assert (
        "from eu-central-1 too (the preferred partner of eu-west-1 in its geography; the instance "
        "catalog does not list g6e.2xlarge there: check with `aws ec2 "
        "describe-instance-type-offerings --region eu-central-1`)" in added["description"]
    )


def test_each_change_and_the_plan_have_a_monthly_cost_beside_the_loss_avoided(
    eu: tuple[Any, str, Any],
) -> None:
    data, _, _ = eu
    added = _change(data, "add-recovery-region")["cost"]
    # the coder fleet (2 x g6e.2xlarge) now also runs in eu-central-1: 2 x $2.24208 x 1.2 x 730 h
    assert added["usd_per_month"] == round(2 * 2.24208 * 1.2 * 730, 2) == 3928.12
    assert added["estimate"] is True
    assert added["basis"] == [
        "forge-code-assistant/coder-llm: +$3,928/month: 2 x g6e.2xlarge in eu-west-1 at "
        "$2.5111/h (On-Demand rate x 1.12 for eu-west-1) x 730 h; 2 x g6e.2xlarge in "
        "eu-central-1 at $2.6905/h (On-Demand rate x 1.2 for eu-central-1) x 730 h "
        "(was $3,666/month)"
    ]
    # what has no price is reported as unknown, never as free
    assert (
        "forge-code-assistant/ide-gateway: no price in the catalog for what it runs on"
        in (added["unknown"])
    )
    fallback = _change(data, "add-model-fallback")["cost"]
    assert fallback["usd_per_month"] == 0
    assert fallback["usage_priced"][0].startswith(
        "forge-code-assistant/coder-llm-fallback: usage-priced: $0.80 in / $4.00 out per 1M tokens"
    )
    summary = data["summary"]
    total = summary["monthly_cost"]["usd_per_month"]
    assert total == pytest.approx(sum(c["cost"]["usd_per_month"] for c in data["changes"]), 0.05)
    assert total > 20_000
    avoided = sum(j["loss_per_year_before"] - j["loss_per_year_after"] for j in data["journeys"])
    assert summary["loss_avoided_per_month"] == pytest.approx(avoided / 12, abs=0.01)
    assert summary["currency"] == "USD" and summary["budget_usd_per_month"] is None
    # each change's share of the loss avoided, in plan order, adds up to the plan's
    shares = [c["loss_avoided_per_month"] for c in data["changes"]]
    assert None not in shares and sum(shares) == pytest.approx(avoided / 12, abs=0.05)
    assert _change(data, "add-recovery-region")["loss_avoided_per_month"] > 10_000


def test_a_change_to_another_teams_component_needs_that_team(eu: tuple[Any, str, Any]) -> None:
    data, _, _ = eu
    index = [c for c in data["changes"] if c["target"] == "code-index"]
    assert index and all(c["needs_teams"] == ["search-platform"] for c in index)
    others = [c for c in data["changes"] if not any("code-index" in e["path"] for e in c["edits"])]
    assert all(c["needs_teams"] == [] for c in others)


def test_the_markdown_plan_shows_costs_and_teams(tmp_path: Path) -> None:
    spec = tmp_path / "forge.yaml"
    spec.write_text(_eu_text(), encoding="utf-8")
    result = runner.invoke(
        app, ["plan", str(spec), "-o", str(tmp_path / "t.yaml"), "--today", TODAY]
    )
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Monthly cost of the plan: **+$26,711/month (estimate), plus 6 unpriced**" in text
    assert "against an expected loss avoided of **" in text
    assert "  - monthly cost: +$3,928/month (estimate), plus 3 unpriced" in text
    assert "  - **needs `search-platform`**: it changes what that team owns" in text


def test_allowed_regions_choose_the_partner_and_bound_the_option(tmp_path: Path) -> None:
    data, _, target = _plan(tmp_path, _eu_text("eu-west-1, eu-west-3"))
    assert target["practices"]["disaster_recovery"]["recovery_region"] == "eu-west-3"
    assert (
        "the first other region topology.allowed_regions lists"
        in (_change(data, "add-recovery-region")["description"])
    )
    spec = tmp_path / "forge.yaml"
    for region, message in (
        ("us-east-1", "--recovery-region us-east-1 is not in topology.allowed_regions of "),
        ("eu-west-1", "--recovery-region eu-west-1 is the primary region of "),
        ("eu_west", "--recovery-region 'eu_west' is not a region name"),
    ):
        refused = runner.invoke(
            app,
            ["plan", str(spec), "-o", str(tmp_path / "x.yaml"), "--recovery-region", region],
        )
        assert refused.exit_code == 2, refused.output
        assert f"cellguard: error: {message}" in refused.stderr
    outside = tmp_path / "outside.yaml"
    outside.write_text(_eu_text("eu-central-1"), encoding="utf-8")
    invalid = runner.invoke(app, ["validate", str(outside)])
    assert invalid.exit_code == 2
    assert "region(s) eu-west-1 not in allowed_regions (eu-central-1)" in invalid.stderr


def _workspace(text: str) -> Workspace:
    return Workspace(load_texts(text, org_mode=False).documents)


def test_recovery_region_stays_in_the_geography() -> None:
    ws = _workspace(_eu_text())
    assert recovery_region(ws, "forge-code-assistant")[0] == "eu-central-1"  # was us-east-1
    assert recovery_region(ws, "forge-code-assistant", "eu-north-1") == (
        "eu-north-1",
        "the recovery region given with --recovery-region",
    )
    us = _workspace(VLLM.read_text(encoding="utf-8"))
    assert recovery_region(us, "forge-code-assistant")[0] == "us-west-2"  # in the catalog
    declared = _eu_text("eu-west-1, eu-west-3").replace(
        "disaster_recovery: {strategy: none}",
        "disaster_recovery: {strategy: none, recovery_region: eu-central-1}",
    )
    # a declared recovery region outside the allowed regions is not used
    assert recovery_region(_workspace(declared), "forge-code-assistant")[0] == "eu-west-3"
    bounded = _workspace(_eu_text("eu-west-1"))
    with pytest.raises(ValueError, match="no recovery region known in the geography of"):
        recovery_region(bounded, "forge-code-assistant")
    assert [geography(r) for r in ("eu-west-1", "us-gov-west-1", "ap-south-2")] == [
        "eu",
        "us-gov",
        "ap",
    ]


def _fleet(replicas: int, **extra: Any) -> dict[str, Any]:
    comp = {
        "id": "llm",
        "kind": "model_endpoint",
        "hosting": "self_hosted",
        "serving": {"instance_types": ["g6e.12xlarge"], "gpus_per_replica": 8},
        "replicas": replicas,
        **extra,
    }
    return {"s": {"topology": {"regions": [{"name": "us-east-1"}]}, "components": [comp]}}


def test_fleet_costs_replicas_spanning_instances_and_idle_reservations() -> None:
    before = _fleet(2)
    # 8 GPUs per replica on 4-GPU g6e.12xlarge: 2 instances a replica
    grown = replay(before, [Edit("s", ("components", "llm", "replicas"), EditOp.SET, 2, 3)])
    cost = difference(before, grown)
    assert cost.usd == pytest.approx(2 * 10.49264 * 730)
    # reserved replicas beyond the running ones are billed (an ODCR is paid whether used or not)
    path = ("components", "llm", "capacity")
    reserved = replay(
        before, [Edit("s", path, EditOp.SET, None, {"purchase": "odcr", "reserved_replicas": 4})]
    )
    assert difference(before, reserved).usd == pytest.approx(2 * 2 * 10.49264 * 730)
    assert price_catalog().reservations.odcr_factor == 1.0
    elsewhere = _fleet(2, placement={"regions": ["ap-south-2"]})
    unknown = difference(before, elsewhere)
    assert unknown.usd == 0 and unknown.unknown == (
        "s/llm: no rate for g6e.12xlarge in ap-south-2",
    )


def test_sagemaker_rates_and_token_prices() -> None:
    fleet = _fleet(1)
    comp = fleet["s"]["components"][0]
    comp.update(hosting="sagemaker", serving={"instance_types": ["ml.g5.2xlarge"]})
    assert difference({"s": {"components": []}}, fleet).usd == pytest.approx(1.515 * 730)
    comp["serving"] = {"instance_types": ["ml.g6.xlarge"]}  # no SageMaker rate: EC2 x factor
    assert difference({"s": {"components": []}}, fleet).usd == pytest.approx(0.8048 * 1.25 * 730)
    haiku = token_price("us.anthropic.claude-3-5-haiku-20241022-v1:0")  # an inference profile
    assert haiku is not None and (haiku.input_per_million, haiku.output_per_million) == (0.8, 4.0)
    assert token_price("unknown-model") is None


def test_budget_keeps_the_plan_under_the_ceiling(tmp_path: Path) -> None:
    data, _, target = _plan(tmp_path, VLLM.read_text(encoding="utf-8"), "--budget", "5000")
    summary = data["summary"]
    assert summary["budget_usd_per_month"] == 5000
    kept = [c["cost"]["usd_per_month"] for c in data["changes"]]
    assert summary["monthly_cost"]["usd_per_month"] == pytest.approx(sum(kept))
    assert sum(kept) <= 5000
    # the recovery region (+$3,273) fits; the fleet growth after it does not
    assert _change(data, "add-recovery-region")["cost"]["usd_per_month"] == round(
        2 * 2.24208 * 730, 2
    )
    left = {c["action"]: c["cost"]["usd_per_month"] for c in data["over_budget"]}
    assert left["statically-stable-gpus"] > 5000
    assert all(v > 5000 - sum(kept) for v in left.values())
    # zero-cost changes after a left-out one still fit; the target has none of the left out
    assert "add-load-shedding" in {c["action"] for c in data["changes"]}
    llm = next(c for c in target["components"] if c["id"] == "coder-llm")
    assert llm["replicas"] == 2
    reasons = [u["reason"] for u in data["unresolved"]]
    assert (
        "left out over the budget: statically-stable-gpus (+$19,641/month would take the plan "
        "to $22,914/month, past the ceiling of $5,000/month (plan --budget))" in reasons
    )


def test_the_markdown_budget_line_counts_what_it_left_out(tmp_path: Path) -> None:
    spec = tmp_path / "forge.yaml"
    spec.write_text(VLLM.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(
        app,
        ["plan", str(spec), "-o", str(tmp_path / "t.yaml"), "--today", TODAY, "--budget", "5000"],
    )
    assert result.exit_code == 0, result.output
    assert "Budget: $5,000/month; 4 changes over it left out (below)." in result.stdout
