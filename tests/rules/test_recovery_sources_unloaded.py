"""A start-up source in a document that is not loaded leaves the recovery region's check
unknown instead of crashing CG-RED-008 (issue 16 item 4, review: KeyError "no component
'other-stack/bucket' in the graph"), nor CG-RED-006, whose artefact stores include the start-up
weights source."""

from __future__ import annotations

import datetime as dt

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Status
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO, load_texts

HUB = "weights: {external: huggingface-hub, size_gb: 15.2, gb_per_s: 0.1, availability: 99.91, outage_hours: 2}"


def _text() -> str:
    text = (REPO / "examples" / "vllm-single-zone.yaml").read_text(encoding="utf-8")
    edits = {
        HUB: "weights: {component: other-stack/bucket, size_gb: 15.2, gb_per_s: 0.1}",
        "disaster_recovery: {strategy: none}": (
            "disaster_recovery: {strategy: pilot_light, recovery_region: us-west-2}"
        ),
        "capacity: {purchase: on_demand}": "capacity: {purchase: on_demand, recovery_purchase: odcr}",
    }
    for old, new in edits.items():
        assert old in text
        text = text.replace(old, new)
    return text


def _findings(text: str) -> list[Finding]:
    graph = build_graph(load_texts(text, org_mode=False))
    return run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 12, 3)).findings


def test_a_source_in_an_unloaded_document_is_unknown_not_a_crash() -> None:
    text = _text()
    findings = _findings(text)
    red = [f for f in findings if f.rule == "CG-RED-008"]
    assert red and not [f for f in red if f.status is Status.ERROR], [f.message for f in red]
    unknown = (
        "coder-llm pulls its weights from other-stack/bucket, a document not loaded: whether it "
        "is reachable in us-west-2 is unknown"
    )
    assert any(unknown in f.message for f in red if f.status is Status.UNKNOWN), [
        (f.rule, f.status, f.message) for f in red
    ]


def test_cg_red_006_leaves_an_unloaded_artefact_store_unknown() -> None:
    red = [f for f in _findings(_text()) if f.rule == "CG-RED-006"]
    assert red and not [f for f in red if f.status is Status.ERROR], [f.message for f in red]
    assert any(
        "whether its artefacts in other-stack/bucket have a copy in us-west-2 is unknown"
        in f.message
        for f in red
        if f.status is Status.UNKNOWN
    ), [(f.status, f.message) for f in red]
