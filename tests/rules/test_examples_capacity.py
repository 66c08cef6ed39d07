"""Capacity and timely-output verdicts on the DESIGN §9 examples that a senior SRE expects."""

from __future__ import annotations

import datetime as dt
from functools import cache

from cellguard.assessments.capacity import capacity_rows
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_rows
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO


@cache
def graph(example: str) -> StackGraph:
    return build_graph(load(REPO / "examples" / example))


@cache
def assess(example: str) -> Assessment:
    return run_rules(graph(example), load_rules(plugins=False), today=dt.date(2026, 11, 21))


def find(example: str, rule: str, target: str) -> Finding:
    return next(f for f in assess(example).findings if f.rule == rule and f.target == target)


def test_single_zone_vllm_is_not_statically_stable() -> None:
    finding = find("vllm-single-zone.yaml", "CG-CAP-012", "coder-llm")
    assert finding.status is Status.FAIL
    assert finding.evidence["replicas_after_zone_loss"] == 0
    assert "only zone" in finding.message
    supply = find("vllm-single-zone.yaml", "CG-CAP-011", "coder-llm")
    assert supply.status is Status.FAIL and supply.evidence["throughput_source"] == "estimate"


def test_saas_launches_training_jobs_faster_than_the_api_allows() -> None:
    finding = find("saas-finetune.yaml", "CG-CAP-009", "finetune-jobs")
    assert finding.status is Status.FAIL
    assert finding.evidence["api_rate_per_second"] == 1.0
    assert finding.evidence["launch_rate_per_second"] == 3.0


def test_saas_api_gateway_timeout_is_inverted() -> None:
    finding = find("saas-finetune.yaml", "CG-TIM-006", "inference-api->generate-svc")
    assert finding.status is Status.FAIL
    assert finding.evidence["caller_timeout_ms"] == 29000
    assert finding.evidence["callee_worst_case_ms"] == 52500.0  # 1,000 + 3 x 500 + 2 x 25,000


def test_org_quota_is_below_the_departments_combined_peak() -> None:
    finding = find("org", "CG-CAP-013", "shared-llm")
    assert finding.status is Status.FAIL
    utilisation, journeys = finding.evidence["utilisation"], finding.evidence["journeys"]
    assert isinstance(utilisation, float) and utilisation > 1  # ~2.4M TPM against 2M
    assert isinstance(journeys, list) and len(journeys) == 7
    for stack in ("support-assistant", "product-assistant"):
        inverted = [
            f
            for f in assess("org").findings
            if f.rule == "CG-TIM-006" and f.stack == stack and f.status is Status.FAIL
        ]
        assert inverted, stack


def test_rag_fallback_quota_cannot_absorb_the_single_zone_fleet() -> None:
    finding = find("rag-support-assistant.yaml", "CG-CAP-013", "small-llm")
    assert finding.status is Status.FAIL
    assert finding.evidence["failover_demand"] == 32050.0  # 9 x 2,850 + 2 x 3,200 tokens/s


def test_cell_target_is_statically_stable_and_within_its_objectives() -> None:
    for rule, target in (
        ("CG-CAP-011", "llm"),
        ("CG-CAP-012", "llm"),
        ("CG-CAP-014", "llm"),
        ("CG-TIM-006", "edge-router->cell-api"),
        ("CG-TIM-007", "chat"),
        ("CG-TIM-008", "chat"),
    ):
        assert find("cell-multi-region.yaml", rule, target).status is Status.PASS, rule
    (llm,) = [r for r in capacity_rows(graph("cell-multi-region.yaml")) if r.id == "llm"]
    assert llm.utilisation_after_region_loss is not None
    assert round(llm.utilisation_after_region_loss, 2) == 0.51  # 21,000 / (8 x 5,103)


def test_tables_cover_every_model_and_journey() -> None:
    rows = capacity_rows(graph("org"))
    assert [(r.stack, r.id) for r in rows] == sorted((r.stack, r.id) for r in rows)
    assert {r.id for r in rows} == {"shared-llm", "shared-embedder"}
    journeys = latency_rows(graph("org"))
    assert len(journeys) == 7
    assert [(r.stack, r.journey) for r in journeys] == sorted(
        (r.stack, r.journey) for r in journeys
    )
