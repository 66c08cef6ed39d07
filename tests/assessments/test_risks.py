"""The risk register is read (issue 16 deliverable 6, issue 15 item 6: business.risks was a dead
key): scores, controls the spec proves, journeys touched, and findings ranked by risk."""

from __future__ import annotations

import datetime as dt
from textwrap import dedent

import pytest

from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.risks import controls, risk_by_component, risk_rows
from cellguard.models.business import Risk
from cellguard.models.findings import Status
from cellguard.reports.context import ReportContext
from cellguard.reports.html import render_html
from cellguard.reports.json_report import to_json_data
from cellguard.reports.markdown import render_markdown
from cellguard.reports.sections import ordered
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import load_texts

SPEC = dedent(
    """\
    apiVersion: cellguard/v1
    kind: Stack
    metadata: {name: demo, owner: team}
    business:
      journeys:
        - {id: chat, entrypoint: web, criticality: tier1}
        - {id: admin, entrypoint: console, criticality: tier3}
      risks:
        - {id: gpu-fault, description: GPU driver fault, likelihood: likely, severity: severe,
           components: [llm], mitigation: We restart the nodes}
        - {id: slow-web, description: Web slows down, likelihood: possible, severity: minor,
           components: [web]}
        - {id: kb-corrupt, description: Index corrupted, likelihood: almost_certain,
           severity: major, components: [kb]}
    topology:
      accounts: [prod]
      regions:
        - {name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}
    components:
      - id: web
        kind: app
        placement: {zones: 3}
        replicas: 3
        protections: {rate_limiting: true}
        depends_on:
          - {to: llm, timeout_ms: 30000}
          - {to: kb, timeout_ms: 500, optional: true}
      - id: console
        kind: app
        depends_on: [{to: kb, timeout_ms: 500}]
      - id: llm
        kind: model_endpoint
        hosting: self_hosted
        model: {name: meta-llama/Llama-3.1-8B-Instruct, params_b: 8, precision: fp8}
        serving: {engine: vllm, gpu: L40S, gpus_per_replica: 1}
        placement: {zones: [use1-az1]}
        replicas: 2
      - id: kb
        kind: vector_store
        engine: opensearch
        backups: [{scope: same_region, every_minutes: 60, restore_tested: true}]
    """
)


def graph() -> StackGraph:
    return build_graph(load_texts(SPEC, org_mode=False))


@pytest.mark.parametrize(
    ("likelihood", "severity", "score", "high"),
    [
        ("rare", "minor", 1, False),
        ("likely", "major", 12, True),
        ("possible", "severe", 12, False),  # possible is not likely
        ("almost_certain", "moderate", 10, False),  # moderate is not major
        ("almost_certain", "severe", 20, True),
    ],
)
def test_score_is_likelihood_times_severity(
    likelihood: str, severity: str, score: int, high: bool
) -> None:
    risk = Risk.model_validate(
        {"id": "r", "description": "d", "likelihood": likelihood, "severity": severity}
    )
    assert risk.score == score
    assert risk.severe_and_likely is high


def test_controls_the_spec_proves() -> None:
    g = graph()
    assert controls(g, "demo/web") == (
        "redundancy: replicas in 3 zones",
        "protections: rate_limiting",
    )
    # Two replicas in one zone, a required call without fallback: no control.
    assert controls(g, "demo/llm") == ()
    # Called optionally by web but required by console; its restore is tested.
    assert controls(g, "demo/kb") == ("tested backups: restore_tested",)


def test_rows_are_ranked_with_the_journeys_they_touch() -> None:
    rows = risk_rows(graph())
    assert [r.id for r in rows] == ["gpu-fault", "kb-corrupt", "slow-web"]  # 16, 15, 3
    gpu, kb, web = rows
    assert gpu.journeys == ("demo/chat",)
    assert gpu.uncontrolled == ("demo/llm",)
    assert kb.journeys == ("demo/admin", "demo/chat")  # web calls kb optionally: still reached
    assert kb.uncontrolled == ()
    assert web.to_json()["score"] == 3
    assert risk_by_component(graph()) == {"demo/llm": 16, "demo/kb": 15, "demo/web": 3}


def test_an_uncontrolled_severe_likely_risk_fails_and_findings_rank_by_risk() -> None:
    g = graph()
    assessment = run_rules(g, load_rules(plugins=False), today=dt.date(2026, 11, 21))
    (risk,) = [f for f in assessment.findings if f.rule == "CG-RED-013"]
    assert risk.status is Status.FAIL
    assert "gpu-fault (likely x severe, 16/20) on llm" in risk.message
    assert "mitigation text of gpu-fault is not a control" in risk.message
    assert risk.evidence["uncontrolled"] == ["gpu-fault: llm"]
    # Among failing findings of one severity, those on the riskiest component come first.
    listed = ordered(assessment, ReportContext(graph=g))
    for severity in {f.severity for f in listed if f.status is Status.FAIL}:
        same = [f for f in listed if f.status is Status.FAIL and f.severity is severity]
        targets = [f.target.split("->")[-1] for f in same]
        on_llm = [i for i, t in enumerate(targets) if t == "llm"]
        others = [i for i, t in enumerate(targets) if t not in ("llm", "kb")]
        if on_llm and others:
            assert max(on_llm) < min(others), targets
    data = to_json_data(assessment)
    assert [r["id"] for r in data["risks"]] == ["gpu-fault", "kb-corrupt", "slow-web"]
    text = render_markdown(assessment, ReportContext(graph=g))
    assert "### Risk register" in text
    assert "| <code>gpu-fault</code> | likely x severe = 16 (severe, likely) | llm |" in text
    page = render_html(assessment, ReportContext(graph=g))
    assert '<section id="risks">' in page
    assert '<td><code>gpu-fault</code></td><td class="nw">likely x severe = 16' in page
