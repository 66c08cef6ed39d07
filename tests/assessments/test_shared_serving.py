"""Shared serving (issue 17 item 3): models hosted on one endpoint share its GPU pool for
capacity and failure, and a cold load enters the latency budget at the stated hit ratio."""

from __future__ import annotations

from textwrap import dedent

import pytest

from cellguard.assessments.availability.journeys import journey_result
from cellguard.assessments.capacity import fleet
from cellguard.assessments.cold_load import cold_load_p99_ms, cold_loads, hot_set
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_row
from tests.helpers import load_errors, load_texts

SDXL = "stabilityai/stable-diffusion-xl-base-1.0"


def images(rps: float) -> str:
    return (
        f"{{peak_rps: {rps}, input_tokens: 0, output_tokens: 0, unit: images, "
        "images: {count: 1, steps: 30, resolution: 1024x1024}}"
    )


def stack(hosted: str, *, replicas: int = 2) -> str:
    """Two journeys (each using its own model) reaching one multi-model endpoint."""
    return dedent(
        f"""\
        apiVersion: cellguard/v1
        kind: Stack
        metadata: {{name: pix, owner: team}}
        business:
          journeys:
            - id: portrait
              entrypoint: api
              criticality: tier1
              demand: {images(0.1)}
            - id: landscape
              entrypoint: api
              criticality: tier1
              demand: {images(0.2)}
        topology:
          accounts: [prod]
          regions:
            - {{name: us-east-1, zones: [use1-az1, use1-az2]}}
        components:
          - id: api
            kind: app
            depends_on:
              - {{to: gen, timeout_ms: 60000}}
          - id: gen
            kind: model_endpoint
            hosting: sagemaker
            model: {{name: {SDXL}}}
            serving:
              gpu: H100
              gpus_per_replica: 1
              hosted_models: {hosted}
            placement: {{regions: [us-east-1], zones: 2}}
            replicas: {replicas}
        """
    )


USERS = (
    "[{name: user-models, count: 5000, size_gb: 6.5, access: {hit_ratio: 0.5}, load_gb_per_s: 0.5}]"
)
NAMED = "[{name: portrait-xl, size_gb: 6.5}, {name: landscape-xl, size_gb: 6.5}]"


def graph_of(text: str) -> StackGraph:
    return build_graph(load_texts(text, org_mode=False))


def test_the_demand_of_every_hosted_models_journeys_adds_up_on_the_pool() -> None:
    model = fleet(graph_of(stack(NAMED)), "pix/gen")
    assert model is not None
    row = model.row
    assert row.journeys == ("pix/landscape", "pix/portrait")
    assert row.unit == "images/s"
    assert row.demand == pytest.approx(0.3)
    assert row.supply == pytest.approx(2 * 0.40)  # one H100 pool, measured 0.40 images/s each
    assert row.utilisation == pytest.approx(0.3 / 0.8)


def test_one_failure_takes_every_hosted_model() -> None:
    graph = graph_of(stack(NAMED, replicas=1))
    trees = [journey_result(graph, "pix", j) for j in ("portrait", "landscape")]
    events = [
        {name for name, info in jt.events.items() if info.component == "pix/gen"} for jt, _ in trees
    ]
    assert events[0] and events[0] == events[1]  # the same basic events, not copies
    for (_, result), gen in zip(trees, events, strict=True):
        singles = {cut[0] for cut in result.cut_sets if len(cut) == 1}
        assert gen <= singles  # the one replica failing takes down both models' journeys


def test_a_cold_load_enters_the_budget_at_a_fifty_percent_hit_ratio() -> None:
    graph = graph_of(stack(USERS))
    gen = graph.component("pix/gen")
    (cold,) = cold_loads(gen)
    assert (cold.name, cold.miss_ratio, cold.load_seconds) == ("user-models", 0.5, 13.0)
    assert cold.expected_ms == pytest.approx(6500.0)
    assert cold_load_p99_ms(gen) == pytest.approx(13_000.0)  # 6.5 GB at 0.5 GB/s
    warm = graph_of(stack(USERS.replace("hit_ratio: 0.5", "hit_ratio: 0.995")))
    assert cold_load_p99_ms(warm.component("pix/gen")) == 0.0  # 0.5% misses: not in the p99
    for journey in ("portrait", "landscape"):
        cold_row = latency_row(graph, "pix", journey)
        warm_row = latency_row(warm, "pix", journey)
        assert cold_row.e2e_budget_ms is not None and warm_row.e2e_budget_ms is not None
        assert cold_row.e2e_budget_ms - warm_row.e2e_budget_ms == pytest.approx(13_000.0)
        assert cold_row.e2e_derived_ms - warm_row.e2e_derived_ms == pytest.approx(13_000.0)


def test_one_percent_of_misses_stays_out_of_the_p99() -> None:
    graph = graph_of(stack(USERS.replace("hit_ratio: 0.5", "hit_ratio: 0.99")))
    (cold,) = cold_loads(graph.component("pix/gen"))
    assert not cold.in_p99
    assert cold_load_p99_ms(graph.component("pix/gen")) == 0.0


def test_a_cold_load_without_its_bandwidth_is_unknown() -> None:
    graph = graph_of(stack(USERS.replace(", load_gb_per_s: 0.5", "")))
    assert cold_load_p99_ms(graph.component("pix/gen")) is None
    row = latency_row(graph, "pix", "portrait")
    assert row.e2e_budget_ms is None
    assert "pix/gen" in row.unknown


def test_the_hot_set_is_the_uniform_access_estimate_unless_declared() -> None:
    graph = graph_of(stack(USERS))
    hot = hot_set(graph.component("pix/gen"))
    assert hot is not None
    assert (hot.models, hot.gb, hot.estimated) == (2500, 2500 * 6.5, ("user-models",))
    declared = USERS.replace("hit_ratio: 0.5", "hit_ratio: 0.5, hot_models: 8")
    hot = hot_set(graph_of(stack(declared)).component("pix/gen"))
    assert hot is not None
    assert (hot.models, hot.gb, hot.estimated) == (8, 52.0, ())


def test_hosted_models_on_a_managed_endpoint_is_a_located_error() -> None:
    errors = load_errors(
        stack(NAMED).replace("hosting: sagemaker", "hosting: bedrock"), org_mode=False
    )
    assert len(errors) == 1
    assert (
        "'serving.hosted_models' describes a GPU pool the stack runs, but hosting is bedrock"
        in errors[0]
    )
    assert "use hosting sagemaker or self_hosted" in errors[0]
    assert "doc0.yaml" in errors[0]


@pytest.mark.parametrize(
    ("hosted", "expected"),
    [
        (
            "[{name: user-models, count: 5000, size_gb: 6.5}]",
            "'user-models' groups 5000 models but has no 'access'",
        ),
        (
            "[{name: a, size_gb: 1}, {name: a, size_gb: 2}]",
            "hosted_models names must be unique: a given twice",
        ),
        (
            "[{name: u, count: 4, size_gb: 1, access: {hit_ratio: 0.5, hot_models: 5}}]",
            "'access.hot_models' (5) exceeds 'count' (4): a replica cannot keep more models resident than the group holds; set it to at most 4",
        ),
        (
            "[{name: u, count: 4, size_gb: 1, access: {hit_ratio: 1.5}}]",
            "hit_ratio",
        ),
    ],
)
def test_a_bad_hosted_models_entry_is_a_located_error(hosted: str, expected: str) -> None:
    errors = load_errors(stack(hosted), org_mode=False)
    assert len(errors) == 1
    assert expected in errors[0]
    assert "doc0.yaml" in errors[0]
    assert "hosted_models" in errors[0]
