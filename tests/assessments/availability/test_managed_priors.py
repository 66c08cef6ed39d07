"""Managed services are regional services with their provider's SLA, never a self-run replica;
a component without a prior is unknown, and the journey tables say what the figures rest on."""

from __future__ import annotations

import pytest

from cellguard.assessments.availability.journeys import journey_availability
from cellguard.assessments.availability.priors import Priors
from cellguard.assessments.availability.provenance import journey_provenance
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.placement import DomainRef
from cellguard.models.catalog.availability import PriorScope, availability_catalog
from cellguard.models.enums import MANAGED_SERVICE_RUNTIMES, Runtime
from cellguard.models.loader.organisation import load
from cellguard.rules.predicates import MANAGED_ENGINES, provider_runs
from tests.helpers import REPO, load_texts

HEAD = """
apiVersion: cellguard/v1
kind: Stack
metadata: {name: shop}
business:
  journeys:
    - id: chat
      entrypoint: api
      criticality: tier1
topology:
  accounts: [prod]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2, use1-az4]}]
components:
"""

# (service, component declaration, availability %, basis): the services issue 16 names
MANAGED = [
    ("AppSync", "kind: gateway, runtime: appsync", 99.95, "sla"),
    ("AppSync (imported)", "kind: gateway, runtime: managed, product: appsync", 99.95, "sla"),
    ("API Gateway", "kind: gateway, runtime: api_gateway", 99.95, "sla"),
    (
        "API Gateway (product)",
        "kind: gateway, runtime: managed, product: api_gateway",
        99.95,
        "sla",
    ),
    ("Lambda", "kind: app, runtime: lambda", 99.95, "sla"),
    ("SQS", "kind: queue, engine: sqs", 99.9, "sla"),
    ("SNS", "kind: queue, engine: sns", 99.9, "sla"),
    ("EventBridge", "kind: queue, engine: eventbridge", 99.99, "sla"),
    ("Step Functions", "kind: app, runtime: step_functions", 99.9, "sla"),
    ("Batch", "kind: app, runtime: batch", 99.9, "estimate"),
    ("ECR", "kind: object_store, engine: ecr", 99.9, "sla"),
    ("Cognito", "kind: tool, runtime: cognito", 99.9, "sla"),
    ("CloudFront", "kind: router, runtime: cloudfront", 99.9, "sla"),
    ("Route 53", "kind: router, runtime: route53", 99.99, "estimate"),
    ("ElastiCache", "kind: cache, engine: elasticache", 99.9, "sla"),
    ("Aurora", "kind: database, engine: aurora", 99.99, "sla"),
    ("RDS Multi-AZ", "kind: database, engine: rds, multi_az: true", 99.95, "sla"),
    ("DynamoDB", "kind: database, engine: dynamodb", 99.99, "sla"),
    ("S3", "kind: object_store, engine: s3", 99.99, "design"),
    ("OpenSearch", "kind: vector_store, engine: opensearch", 99.9, "sla"),
    (
        "OpenSearch Serverless",
        "kind: vector_store, engine: opensearch_serverless",
        99.9,
        "estimate",
    ),
    ("Kendra", "kind: vector_store, engine: kendra", 99.9, "sla"),
    ("Bedrock model", "kind: model_endpoint, hosting: bedrock", 99.9, "sla"),
    ("Bedrock Agents", "kind: agent, runtime: bedrock_agents", 99.9, "sla"),
    (
        "Bedrock Agents (imported)",
        "kind: agent, runtime: managed, framework: bedrock-agents",
        99.9,
        "sla",
    ),
    ("Bedrock Knowledge Bases", "kind: app, runtime: bedrock_knowledge_bases", 99.9, "sla"),
    ("Bedrock Guardrails", "kind: guardrail, provider: bedrock_guardrails", 99.9, "sla"),
    ("SageMaker endpoint", "kind: model_endpoint, hosting: sagemaker", 99.95, "sla"),
]


def _graph(*components: str) -> StackGraph:
    return build_graph(load_texts(HEAD + "".join(f"  - {{{c}}}\n" for c in components)))


@pytest.mark.parametrize(("service", "declaration", "availability", "basis"), MANAGED)
def test_each_managed_service_is_a_regional_service_with_its_prior(
    service: str, declaration: str, availability: float, basis: str
) -> None:
    graph = _graph(f"id: api, {declaration}")
    resolved = Priors(graph).component("shop/api")
    assert resolved.known, service
    assert resolved.scope is PriorScope.SERVICE, service
    assert (resolved.availability, resolved.basis) == (availability, basis), service
    [tree_events] = [journey_availability(graph)[0].labels]
    assert "service:shop/api@us-east-1" in tree_events  # one regional event, no replica


def test_every_catalog_prior_cites_a_source_and_says_what_kind_of_figure_it_is() -> None:
    catalog = availability_catalog()
    for prior in catalog.components:
        assert prior.source.title and prior.source.checked, prior
        if prior.basis.value in ("sla", "design"):
            assert prior.source.url and prior.source.url.startswith("https://aws.amazon.com/"), (
                prior
            )
    assert not [p for p in catalog.components if not p.match.model_dump(exclude_none=True)], (
        "no default entry: a component without a prior is unknown"
    )


@pytest.mark.parametrize("runtime", sorted(MANAGED_SERVICE_RUNTIMES - {Runtime.MANAGED}))
def test_every_managed_runtime_of_the_spec_reference_has_a_service_prior(runtime: Runtime) -> None:
    resolved = Priors(_graph(f"id: api, kind: app, runtime: {runtime.value}")).component("shop/api")
    assert resolved.known and resolved.scope is PriorScope.SERVICE


def _example_graphs() -> list[tuple[str, StackGraph]]:
    paths = [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "org"]
    return [(p.name, build_graph(load(p))) for p in paths]


def test_no_managed_service_in_the_examples_is_modelled_as_a_replica() -> None:
    checked = 0
    for name, graph in _example_graphs():
        priors = Priors(graph)
        for qid in graph.components():
            comp = graph.component(qid)
            engine = getattr(comp, "engine", None)
            runtime = getattr(comp, "runtime", None)
            managed = (
                provider_runs(comp) is not None
                or runtime in MANAGED_SERVICE_RUNTIMES
                or (engine is not None and str(engine) in MANAGED_ENGINES)
            )
            if not managed or comp.availability is not None:
                continue
            resolved = priors.component(qid)
            assert resolved.scope is PriorScope.SERVICE or not resolved.known, (
                f"{name}: {qid} is a managed service modelled as a replica ({resolved.source})"
            )
            assert resolved.known, f"{name}: {qid} is a managed service without a prior"
            checked += 1
    assert checked >= 20  # the examples do use managed services


def test_a_component_without_a_prior_is_unknown_and_its_journey_unproven() -> None:
    graph = _graph(
        "id: api, kind: app, runtime: managed, depends_on: [llm]",
        "id: llm, kind: model_endpoint, hosting: bedrock",
    )
    resolved = Priors(graph).component("shop/api")
    assert not resolved.known
    assert resolved.source == "no prior: set shop/api: availability"
    [result] = journey_availability(graph)
    prov = journey_provenance(graph)[("shop", "chat")]
    assert prov.unknown == ("shop/api",) and not prov.proven
    # the figure leaves the unknown component out: an upper bound, not an invented 99.5%
    q_region, q_account, q_model = 0.0001, 0.00001, 0.001
    expected = 1 - (1 - q_region) * (1 - q_account) * (1 - q_model)
    assert result.unavailability == pytest.approx(expected, rel=1e-9)
    assert "no prior: shop/api" in prov.summary()


def test_the_sla_share_matches_its_closed_form() -> None:
    """api: 3 self-run replicas over 3 zones (EC2 instance SLA 99.5%), llm on Bedrock (SLA
    99.9%), region (SLA 99.99%), zones (design 99.9%), account (assumption 99.999%)."""
    graph = _graph(
        "id: api, kind: app, runtime: eks, placement: {zones: 3}, replicas: 3, depends_on: [llm]",
        "id: llm, kind: model_endpoint, hosting: bedrock",
    )
    [result] = journey_availability(graph)
    q_rep, q_zone, q_model, q_region, q_account = 0.005, 0.001, 0.001, 0.0001, 0.00001
    replica_down = 1 - (1 - q_rep) * (1 - q_zone)
    u = 1 - (1 - q_account) * (1 - q_region) * (1 - q_model) * (1 - replica_down**3)
    assert result.unavailability == pytest.approx(u, rel=1e-9)
    prov = journey_provenance(graph)[("shop", "chat")]
    without_sla = 1 - (1 - q_account) * (1 - q_zone**3)  # replicas, model, region never fail
    without_design = 1 - (1 - q_account) * (1 - q_region) * (1 - q_model) * (1 - q_rep**3)
    without_assumption = 1 - (1 - q_region) * (1 - q_model) * (1 - replica_down**3)
    assert prov.shares["sla"] == pytest.approx(1 - without_sla / u, rel=1e-9)
    assert prov.shares["design"] == pytest.approx(1 - without_design / u, rel=1e-9)
    assert prov.shares["assumption"] == pytest.approx(1 - without_assumption / u, rel=1e-9)
    assert prov.mostly_sla and prov.summary().startswith("mostly SLA: SLA 99%")


LAMBDAS = """
  - {id: api, kind: app, runtime: lambda, depends_on: [worker]}
  - {id: worker, kind: app, runtime: lambda, depends_on: [llm]}
  - {id: llm, kind: model_endpoint, hosting: bedrock, model: {name: anthropic.claude-3-haiku}}
"""


def test_lambda_concurrency_is_a_shared_domain_without_being_declared() -> None:
    graph = build_graph(load_texts(HEAD + LAMBDAS))
    pool = DomainRef.shared("~aws", "lambda-concurrency@prod@us-east-1")
    assert pool in graph.placement("shop/api").shared
    assert graph.members(pool) == ["shop/api", "shop/worker"]
    resolved = Priors(graph).domain(pool)
    assert (resolved.availability, resolved.basis) == (99.95, "assumption")
    [result] = journey_availability(graph)
    assert pool.node_id in result.single_points
    # one function alone shares its pool with nobody: no domain
    alone = build_graph(
        load_texts(
            HEAD
            + LAMBDAS.replace(
                "runtime: lambda, depends_on: [llm]", "runtime: eks, depends_on: [llm]"
            )
        )
    )
    assert not alone.placement("shop/api").shared


def test_bedrock_quota_per_model_is_a_shared_domain_of_its_callers() -> None:
    two = (
        LAMBDAS
        + "  - {id: llm2, kind: model_endpoint, hosting: bedrock, model: {name: anthropic.claude-3-haiku}}\n"
    )
    graph = build_graph(load_texts(HEAD + two))
    pool = DomainRef.shared("~aws", "bedrock-quota@prod@us-east-1@anthropic.claude-3-haiku")
    assert graph.members(pool) == ["shop/llm", "shop/llm2"]
    assert Priors(graph).domain(pool).source.startswith("cellguard assumption (Bedrock")
    other = two.replace(
        "llm2, kind: model_endpoint, hosting: bedrock, model: {name: anthropic.claude-3-haiku}",
        "llm2, kind: model_endpoint, hosting: bedrock, model: {name: amazon.nova-lite}",
    )
    assert not build_graph(load_texts(HEAD + other)).placement("shop/llm").shared


def test_terminal_journey_table_marks_unproven_and_mostly_sla_journeys() -> None:
    from rich.console import Console

    from cellguard.assessments.figures import figures
    from cellguard.reports.tables import journey_table

    graph = _graph(
        "id: api, kind: app, runtime: managed, depends_on: [llm]",
        "id: llm, kind: model_endpoint, hosting: bedrock",
    )
    table = journey_table(figures(graph), plain=True)
    assert table is not None
    console = Console(width=200, record=True, color_system=None)
    console.print(table)
    text = " ".join(console.export_text().split())  # the caption wraps at the table's width
    assert "<=99.8890%" in text  # an upper bound: api has no prior
    assert (
        "unproven (upper bounds; no availability prior, set availability): shop/chat: shop/api"
        in text
    )
    assert "mostly on SLA credit thresholds" in text and "shop/chat 99%" in text
