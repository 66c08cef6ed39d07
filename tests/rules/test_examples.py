"""The verdicts on the DESIGN §9 examples that a senior SRE would insist on."""

from __future__ import annotations

import datetime as dt
from functools import cache

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Severity, Status
from cellguard.models.loader import load
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO


@cache
def assess(example: str) -> Assessment:
    graph = build_graph(load(REPO / "examples" / example))
    return run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 11, 21))


def find(example: str, rule: str, target: str) -> Finding:
    return next(f for f in assess(example).findings if f.rule == rule and f.target == target)


def test_org_shared_vector_store_names_the_four_departments() -> None:
    finding = find("org", "CG-FI-001", "shared-kb")
    assert finding.status is Status.FAIL and finding.stack == "genai-platform"
    assert finding.evidence["departments"] == ["hr", "legal", "product", "support"]
    assert finding.severity.rank >= Severity.HIGH.rank
    assert finding.location is not None and finding.location.file == "examples/org/platform.yaml"


def test_single_zone_vllm_is_flagged_for_zone_health_and_reservations() -> None:
    for rule in ("CG-RED-001", "CG-COR-010", "CG-CAP-001"):
        assert find("vllm-single-zone.yaml", rule, "coder-llm").status is Status.FAIL, rule
    assert "use1-az4" in find("vllm-single-zone.yaml", "CG-RED-001", "coder-llm").message


def test_cell_based_target_has_no_high_or_critical_findings() -> None:
    result = assess("cell-multi-region.yaml")
    serious = [
        f
        for f in result.findings
        if f.status in (Status.FAIL, Status.ERROR) and f.severity.rank >= Severity.HIGH.rank
    ]
    assert serious == []
    assert result.scores["overall"].score is not None and result.scores["overall"].score >= 95


def test_the_rag_waiver_applies_to_the_knowledge_base_only() -> None:
    waived = find("rag-support-assistant.yaml", "CG-RED-004", "kb")
    assert waived.status is Status.WAIVED and waived.waiver is not None
    assert waived.waiver.owner == "jane.doe"
    others = [
        f
        for f in assess("rag-support-assistant.yaml").findings
        if f.rule == "CG-RED-004" and f.target != "kb"
    ]
    assert all(f.status is not Status.WAIVED for f in others)


def test_every_example_is_assessed_without_errors() -> None:
    for example in (
        "rag-support-assistant.yaml",
        "org",
        "saas-finetune.yaml",
        "vllm-single-zone.yaml",
        "cell-multi-region.yaml",
        "personalised-image-saas.yaml",
    ):
        result = assess(example)
        assert result.errors == [], example
        assert result.by_status(Status.FAIL) or example == "cell-multi-region.yaml"
