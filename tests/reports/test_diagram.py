"""Mermaid and DOT diagrams: exact output for a small stack, escaping, ids and determinism."""

from __future__ import annotations

import re
import textwrap

import pytest

from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.models.loader import build_organisation, parse_document
from cellguard.reports.diagram import dot_escape, mermaid_escape, to_dot, to_mermaid

SMALL = r"""
apiVersion: cellguard/v1
kind: Stack
metadata: {name: rag, owner: 'ml "platform" <team>'}
business:
  journeys: [{id: chat, entrypoint: api, criticality: tier1}]
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2]}]
components:
  - id: api
    kind: app
    description: 'Says "hi" \ back'
    placement: {zones: 2}
    replicas: 3
    depends_on:
      - {to: llm, timeout_ms: 30000, retries: 1, mode: stream, fallback: small-llm}
      - {to: cache, optional: true}
  - {id: llm, kind: model_endpoint, hosting: self_hosted, placement: {zones: 1}, replicas: 1}
  - {id: small-llm, kind: model_endpoint, hosting: bedrock}
  - {id: cache, kind: cache}
"""

MERMAID = """\
flowchart LR
  subgraph s_rag["rag · ml #quot;platform#quot; #lt;team#gt;"]
    c_rag_api["api<br/>app<br/>us-east-1 · 2 AZ · 3 replicas"]
    c_rag_cache["cache<br/>cache<br/>us-east-1 · regional"]
    c_rag_llm["llm<br/>model_endpoint<br/>us-east-1 · 1 AZ · 1 replica"]
    c_rag_small_llm["small-llm<br/>model_endpoint<br/>us-east-1 · regional"]
  end
  c_rag_api -.->|"optional · sync · no timeout"| c_rag_cache
  c_rag_api -->|"stream · 30000 ms · 1 retry"| c_rag_llm
  c_rag_api -.->|"fallback"| c_rag_small_llm
  linkStyle 2 stroke-dasharray:2 4
"""

DOT = r"""digraph cellguard {
  graph [rankdir="LR", fontname="Helvetica", fontsize="11"];
  node [shape="box", style="rounded", fontname="Helvetica", fontsize="10"];
  edge [fontname="Helvetica", fontsize="9"];
  subgraph "cluster_rag" {
    label="rag · ml \"platform\" <team>";
    "rag/api" [label="api\napp\nus-east-1 · 2 AZ · 3 replicas", tooltip="Says \"hi\" \\ back"];
    "rag/cache" [label="cache\ncache\nus-east-1 · regional"];
    "rag/llm" [label="llm\nmodel_endpoint\nus-east-1 · 1 AZ · 1 replica"];
    "rag/small-llm" [label="small-llm\nmodel_endpoint\nus-east-1 · regional"];
  }
  "rag/api" -> "rag/cache" [label="optional · sync · no timeout", style="dashed"];
  "rag/api" -> "rag/llm" [label="stream · 30000 ms · 1 retry"];
  "rag/api" -> "rag/small-llm" [label="fallback", style="dotted"];
}
"""


def graph_of(*texts: str, org_mode: bool = True) -> StackGraph:
    """Load YAML documents as one organisation and build its graph."""
    docs = [parse_document(textwrap.dedent(t), f"doc{i}.yaml") for i, t in enumerate(texts)]
    return build_graph(build_organisation(docs, org_mode=org_mode))


@pytest.fixture(scope="module")
def small() -> StackGraph:
    return graph_of(SMALL)


def test_mermaid_snapshot(small: StackGraph) -> None:
    assert to_mermaid(small) == MERMAID


def test_dot_snapshot(small: StackGraph) -> None:
    assert to_dot(small) == DOT


def test_mermaid_with_domains(small: StackGraph) -> None:
    text = to_mermaid(small, domains=True)
    lines = text.splitlines()
    assert '  subgraph failure_domains["failure domains"]' in lines
    for node in (
        '    d_account_prod(["account prod"])',
        '    d_region_us_east_1(["region us-east-1"])',
        '    d_zone_use1_az1(["zone use1-az1"])',
        '    d_zone_use1_az2(["zone use1-az2"])',
    ):
        assert node in lines
    assert "  d_zone_use1_az1 -.- d_region_us_east_1" in lines
    assert "  c_rag_api -.- d_zone_use1_az2" in lines
    assert "  c_rag_cache -.- d_region_us_east_1" in lines
    # a zone member's region membership is implied by zone -> region and not drawn twice
    assert "  c_rag_api -.- d_region_us_east_1" not in lines
    # the fallback is still the third link, so its dotted style points at it
    assert lines[-1] == "  linkStyle 2 stroke-dasharray:2 4"
    # every line of the plain diagram is still there
    assert set(MERMAID.splitlines()) <= set(lines)
    assert text.endswith("\n")


def test_dot_with_domains(small: StackGraph) -> None:
    text = to_dot(small, domains=True)
    assert '  subgraph "cluster_failure_domains" {' in text
    assert '    "zone:use1-az1" [label="zone\\nuse1-az1", shape="ellipse", style="dashed"];' in text
    membership = '[style="dashed", arrowhead="none", color="gray50"];'
    assert f'  "rag/llm" -> "zone:use1-az1" {membership}' in text
    assert f'  "zone:use1-az2" -> "region:us-east-1" {membership}' in text
    assert text.endswith("}\n")


def test_escaping() -> None:
    assert mermaid_escape('say "hi" <b> & #1 `x`') == (
        "say #quot;hi#quot; #lt;b#gt; #amp; #35;1 #96;x#96;"
    )
    assert mermaid_escape("two\nlines") == "two lines"
    assert dot_escape('a "quoted" \\ path') == 'a \\"quoted\\" \\\\ path'
    assert dot_escape("two\nlines") == "two\\nlines"


def test_rendering_is_deterministic(small: StackGraph) -> None:
    again = graph_of(SMALL)
    for domains in (False, True):
        assert to_mermaid(small, domains=domains) == to_mermaid(again, domains=domains)
        assert to_dot(small, domains=domains) == to_dot(again, domains=domains)


def test_mermaid_ids_are_safe_and_distinct() -> None:
    text = SMALL.replace("name: rag", "name: r-a.g").replace(
        "- {id: cache", "- {id: small_llm, kind: cache}\n  - {id: cache"
    )
    graph = graph_of(text)
    out = to_mermaid(graph, domains=True)
    node_ids = re.findall(r"^\s+(\w+)[\[(]", out, flags=re.MULTILINE)
    assert all(re.fullmatch(r"[A-Za-z0-9_]+", i) for i in node_ids)
    assert len(node_ids) == len(set(node_ids))
    assert '    c_r_a_g_small_llm["small-llm<br/>' in out
    assert '    c_r_a_g_small_llm_2["small_llm<br/>' in out


def test_multi_stack_and_unloaded_targets() -> None:
    other = """
    apiVersion: cellguard/v1
    kind: Stack
    metadata: {name: hr}
    business:
      journeys: [{id: ask, entrypoint: bot, criticality: tier2}]
    topology:
      accounts: [prod]
      regions: [{name: us-east-1, zones: [use1-az1]}]
    components:
      - id: bot
        kind: app
        depends_on: [{to: rag/llm, timeout_ms: 5000}, {to: missing/kb, timeout_ms: 100}]
    """
    graph = graph_of(textwrap.dedent(other), SMALL, org_mode=False)
    mermaid = to_mermaid(graph)
    assert '  subgraph s_hr["hr"]' in mermaid
    assert '  c_hr_bot -->|"sync · 5000 ms"| c_rag_llm' in mermaid
    assert '  x_missing_kb["missing/kb<br/>not loaded"]:::external' in mermaid
    assert '  c_hr_bot -->|"sync · 100 ms"| x_missing_kb' in mermaid
    dot = to_dot(graph)
    assert '  "hr/bot" -> "missing/kb" [label="sync · 100 ms"];' in dot
    assert '  "missing/kb" [label="missing/kb\\nnot loaded", style="dashed"];' in dot
