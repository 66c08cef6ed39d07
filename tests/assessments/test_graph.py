"""The organisation graph: nodes, dependency edges, failure domains, placement and journeys."""

from __future__ import annotations

import textwrap

import networkx as nx
import pytest

from cellguard.assessments.edges import (
    DEPENDS_ON,
    FALLBACK,
    MEMBER_OF,
    PART_OF,
    DependencyEdge,
    FallbackEdge,
)
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.placement import DomainKind, DomainRef
from cellguard.models.enums import ComponentKind, DependencyMode
from cellguard.models.loader import build_organisation, parse_document

SUPPORT = """
apiVersion: cellguard/v1
kind: Stack
metadata: {name: support, owner: support-team}
business:
  journeys:
    - {id: chat, entrypoint: web-api, criticality: tier1}
    - {id: ingest, entrypoint: ingest, criticality: tier3}
topology:
  accounts: [prod-shared, prod-support]
  regions:
    - {name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}
    - {name: us-west-2, zones: [usw2-az1, usw2-az2]}
  cells:
    - {id: cell-a, region: us-east-1}
    - {id: cell-b, region: us-east-1}
  shared_domains:
    - {id: gpu-pool, type: gpu_node_pool}
components:
  - id: web-api
    kind: app
    placement: {zones: 3, cells: [cell-a, cell-b]}
    replicas: 4
    depends_on:
      - {to: guardrail, timeout_ms: 1000}
      - {to: retriever, timeout_ms: 3000, retries: 1}
      - {to: llm, timeout_ms: 30000, retries: 2, mode: stream, fallback: small-llm}
      - {to: cache, optional: true}
      - {to: audit, async: true}
  - id: retriever
    kind: app
    placement: {regions: [us-east-1, us-west-2], zones: 2, account: prod-support}
    replicas: 3
    depends_on: [{to: platform/kb, timeout_ms: 800}, platform/embedder]
  - id: llm
    kind: model_endpoint
    hosting: self_hosted
    placement: {zones: [use1-az2]}
    replicas: 2
    shared_domains: [gpu-pool, platform/quota]
  - {id: small-llm, kind: model_endpoint, hosting: bedrock}
  - {id: guardrail, kind: guardrail}
  - {id: cache, kind: cache}
  - {id: audit, kind: queue, depends_on: [{to: platform/kb, optional: true}]}
  - id: ingest
    kind: ingestion_pipeline
    depends_on: [{to: platform/embedder, async: true}, platform/kb]
"""

PLATFORM = """
apiVersion: cellguard/v1
kind: Platform
metadata: {name: platform}
topology:
  accounts: [prod-shared]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2]}]
  shared_domains:
    - {id: quota, type: account_quota}
components:
  - {id: kb, kind: vector_store, placement: {zones: 2}, replicas: 2}
  - {id: embedder, kind: embedding_model, hosting: bedrock}
"""


def graph_of(*texts: str) -> StackGraph:
    """Load YAML documents as one organisation and build its graph."""
    docs = [parse_document(textwrap.dedent(t), f"doc{i}.yaml") for i, t in enumerate(texts)]
    return build_graph(build_organisation(docs, org_mode=True))


@pytest.fixture(scope="module")
def graph() -> StackGraph:
    return graph_of(SUPPORT, PLATFORM)


def test_component_nodes_are_qualified_with_attributes(graph: StackGraph) -> None:
    assert graph.components("platform") == ["platform/embedder", "platform/kb"]
    assert len(graph.components()) == 10
    node = graph.nx.nodes["support/llm"]
    assert node["stack"] == "support"
    assert node["kind"] is ComponentKind.MODEL_ENDPOINT
    assert node["component"].id == "llm"
    assert graph.component("support/llm") is node["component"]
    assert graph.stack_of("platform/kb") == "platform"
    assert graph.stacks() == ["platform", "support"]
    with pytest.raises(KeyError):
        graph.component("support/nope")
    with pytest.raises(KeyError):
        graph.component("region:us-east-1")


def test_cross_stack_edges_resolve(graph: StackGraph) -> None:
    deps = graph.dependencies("support/retriever")
    assert [e.target for e in deps] == ["platform/embedder", "platform/kb"]
    assert deps[1] == DependencyEdge(
        source="support/retriever",
        target="platform/kb",
        timeout_ms=800,
        retries=0,
        attempts=1,
        mode=DependencyMode.SYNC,
        optional=False,
        fallback=None,
        retries_declared=False,  # the spec leaves retries out: 0 for the arithmetic
    )
    assert graph.nx.has_edge("support/retriever", "platform/kb", key=DEPENDS_ON)
    callers = [e.source for e in graph.dependents("platform/kb")]
    assert callers == ["support/audit", "support/ingest", "support/retriever"]
    assert graph.unresolved == []


def test_dependency_edge_fields(graph: StackGraph) -> None:
    edges = {e.target: e for e in graph.dependencies("support/web-api")}
    assert sorted(edges) == [
        "support/audit",
        "support/cache",
        "support/guardrail",
        "support/llm",
        "support/retriever",
    ]
    llm = edges["support/llm"]
    assert (llm.mode, llm.retries, llm.attempts, llm.timeout_ms) == (
        DependencyMode.STREAM,
        2,
        3,
        30000,
    )
    assert llm.fallback == "support/small-llm"
    assert llm.required and llm.on_required_path
    assert edges["support/cache"].optional and not edges["support/cache"].required
    audit = edges["support/audit"]
    assert audit.mode is DependencyMode.ASYNC and audit.required and not audit.blocking
    assert graph.fallbacks("support/web-api") == [
        FallbackEdge("support/web-api", "support/small-llm", ("support/llm",))
    ]
    assert graph.fallback_edges() == graph.fallbacks("support/web-api")


def test_zone_count_placement_gives_zone_memberships(graph: StackGraph) -> None:
    zones = [d for d in graph.domains_of("support/web-api") if d.kind is DomainKind.ZONE]
    assert zones == [
        DomainRef.zone("use1-az1"),
        DomainRef.zone("use1-az2"),
        DomainRef.zone("use1-az4"),
    ]
    assert graph.nx.has_edge("support/web-api", "zone:use1-az4", key=MEMBER_OF)


def test_omitted_placement_is_region_and_account_only(graph: StackGraph) -> None:
    assert graph.domains_of("support/guardrail") == [
        DomainRef.account("prod-shared"),
        DomainRef.region("us-east-1"),
    ]
    placement = graph.placement("support/guardrail")
    assert not placement.declared and not placement.zones_known
    assert graph.replica_zones("support/guardrail") == {"us-east-1": []}


def test_multi_region_account_cells_and_shared_domains(graph: StackGraph) -> None:
    assert graph.domains_of("support/retriever") == [
        DomainRef.account("prod-support"),
        DomainRef.region("us-east-1"),
        DomainRef.region("us-west-2"),
        DomainRef.zone("use1-az1"),
        DomainRef.zone("use1-az2"),
        DomainRef.zone("usw2-az1"),
        DomainRef.zone("usw2-az2"),
    ]
    cells = [d for d in graph.domains_of("support/web-api") if d.kind is DomainKind.CELL]
    assert [c.node_id for c in cells] == ["cell:support/cell-a", "cell:support/cell-b"]
    assert graph.parents(cells[0]) == [DomainRef.region("us-east-1")]
    assert graph.nx.has_edge("cell:support/cell-a", "region:us-east-1", key=PART_OF)
    assert graph.nx.has_edge("zone:usw2-az1", "region:us-west-2", key=PART_OF)
    shared = [d for d in graph.domains_of("support/llm") if d.kind is DomainKind.SHARED]
    assert shared == [
        DomainRef.shared("platform", "quota"),
        DomainRef.shared("support", "gpu-pool"),
    ]
    assert graph.members(DomainRef.shared("platform", "quota")) == ["support/llm"]
    assert DomainRef.parse("shared:platform/quota") == DomainRef.shared("platform", "quota")
    assert DomainRef.shared("platform", "quota").stack == "platform"


def test_replicas_round_robin_over_zones(graph: StackGraph) -> None:
    assert graph.replica_zones("support/web-api") == {
        "us-east-1": ["use1-az1", "use1-az2", "use1-az4", "use1-az1"]
    }
    assert graph.replica_zones("support/retriever") == {
        "us-east-1": ["use1-az1", "use1-az2", "use1-az1"],
        "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az1"],
    }
    assert graph.replica_zones("support/llm") == {"us-east-1": ["use1-az2", "use1-az2"]}
    # replicas omitted -> one replica
    assert graph.placement("platform/embedder").replicas == 1


def test_journey_components_include_optional_async_and_fallbacks(graph: StackGraph) -> None:
    assert graph.journey_components("support", "chat") == [
        "platform/embedder",
        "platform/kb",
        "support/audit",
        "support/cache",
        "support/guardrail",
        "support/llm",
        "support/retriever",
        "support/small-llm",
        "support/web-api",
    ]
    assert graph.journey_components("support", "ingest") == [
        "platform/embedder",
        "platform/kb",
        "support/ingest",
    ]
    with pytest.raises(KeyError):
        graph.journey_components("support", "nope")


def test_required_paths_exclude_optional_async_and_fallbacks(graph: StackGraph) -> None:
    assert graph.required_paths("support", "chat") == [
        ["support/web-api", "support/guardrail"],
        ["support/web-api", "support/llm"],
        ["support/web-api", "support/retriever", "platform/embedder"],
        ["support/web-api", "support/retriever", "platform/kb"],
    ]
    assert graph.required_paths("support", "ingest") == [["support/ingest", "platform/kb"]]


def test_journey_subgraph_has_components_and_their_edges_only(graph: StackGraph) -> None:
    sub = graph.journey_subgraph("support", "ingest")
    assert isinstance(sub, nx.MultiDiGraph)
    assert sorted(sub.nodes) == ["platform/embedder", "platform/kb", "support/ingest"]
    assert sorted(sub.edges(keys=True)) == [
        ("support/ingest", "platform/embedder", DEPENDS_ON),
        ("support/ingest", "platform/kb", DEPENDS_ON),
    ]
    chat = graph.journey_subgraph("support", "chat")
    assert chat.has_edge("support/web-api", "support/small-llm", key=FALLBACK)
    assert not any(k == MEMBER_OF for _, _, k in chat.edges(keys=True))


def test_shared_account_across_stacks_is_one_node(graph: StackGraph) -> None:
    account = DomainRef.account("prod-shared")
    assert graph.domains(DomainKind.ACCOUNT) == [
        account,
        DomainRef.account("prod-support"),
    ]
    assert sum(1 for n in graph.nx.nodes if n == "account:prod-shared") == 1
    members = graph.members(account)
    assert "platform/kb" in members and "support/web-api" in members
    assert "support/retriever" not in members
    assert graph.stacks_sharing(account) == ["platform", "support"]
    assert graph.stacks_sharing(DomainRef.account("prod-support")) == ["support"]
    assert graph.stacks_sharing(DomainRef.zone("use1-az1")) == ["platform", "support"]


def test_domains_are_sorted_by_kind_then_id(graph: StackGraph) -> None:
    kinds = [d.kind for d in graph.domains()]
    order = list(DomainKind)
    assert kinds == sorted(kinds, key=order.index)
    assert [d.node_id for d in graph.domains(DomainKind.REGION)] == [
        "region:us-east-1",
        "region:us-west-2",
    ]


def test_unloaded_cross_stack_reference_is_kept_as_unresolved() -> None:
    text = SUPPORT.replace("platform/", "elsewhere/")
    doc = parse_document(textwrap.dedent(text), "support.yaml")
    graph = build_graph(build_organisation([doc], org_mode=False))
    assert {e.target for e in graph.unresolved} == {"elsewhere/embedder", "elsewhere/kb"}
    assert [e.target for e in graph.dependencies("support/retriever")] == []
    assert "elsewhere/kb" not in graph.nx


def test_build_is_deterministic() -> None:
    first, second = graph_of(SUPPORT, PLATFORM), graph_of(PLATFORM, SUPPORT)
    assert list(first.nx.nodes) == list(second.nx.nodes)
    assert list(first.nx.edges(keys=True)) == list(second.nx.edges(keys=True))


def test_edge_lists_and_component_lookups_are_made_once() -> None:
    """Rules ask for every edge and for components' kinds again and again (issue 21 item 5):
    the graph lists its edges and indexes its components once, and every caller still gets a
    list of its own."""
    fresh = graph_of(SUPPORT, PLATFORM)
    expected = sorted((u, v) for u, v, k in fresh.nx.edges(keys=True) if k == DEPENDS_ON)
    view = fresh.nx.edges
    calls: list[dict[str, bool]] = []

    class Counting:
        def __call__(self, **kw: bool) -> object:
            calls.append(kw)
            return view(**kw)

    fresh.nx.edges = Counting()  # type: ignore[assignment]
    first = fresh.dependency_edges()
    assert [(e.source, e.target) for e in first] == expected
    first.clear()
    assert [(e.source, e.target) for e in fresh.dependency_edges()] == expected
    assert fresh.fallback_edges() == fresh.fallback_edges() != []
    assert len(calls) == 2  # once for the dependencies, once for the fallbacks

    assert fresh.kind("support/llm") is ComponentKind.MODEL_ENDPOINT
    fresh.nx.nodes = None  # type: ignore[assignment]  # indexed already: not read again
    assert fresh.kind("support/llm") is ComponentKind.MODEL_ENDPOINT
    assert fresh.stack_of("platform/kb") == "platform"
    assert fresh.component("support/llm").id == "llm"
    with pytest.raises(KeyError, match="no component 'region:us-east-1' in the graph"):
        fresh.kind("region:us-east-1")


@pytest.mark.parametrize("method", ["component", "kind", "stack_of", "placement"])
def test_component_lookups_name_what_is_missing_before_and_after_indexing(method: str) -> None:
    fresh = graph_of(SUPPORT, PLATFORM)  # nothing looked up yet: no index
    lookup = getattr(fresh, method)
    with pytest.raises(KeyError, match="no component 'support/nope' in the graph"):
        lookup("support/nope")
    assert lookup("support/llm") == fresh.nx.nodes["support/llm"][method.removesuffix("_of")]
    with pytest.raises(KeyError, match="no component 'region:us-east-1' in the graph"):
        lookup("region:us-east-1")


def test_edge_lists_of_a_domain_raise_even_after_components_were_listed() -> None:
    fresh = graph_of(SUPPORT, PLATFORM)
    assert fresh.dependencies("support/retriever") == fresh.dependencies("support/retriever")
    assert fresh.dependents("platform/kb") == fresh.dependents("platform/kb") != []
    for method in (fresh.dependencies, fresh.dependents, fresh.fallbacks):
        with pytest.raises(KeyError, match="no component 'region:us-east-1' in the graph"):
            method("region:us-east-1")
