"""Property: any valid spec dumped to YAML loads back, through the real loader, to an equal model.

The dump escapes non-ASCII characters (``allow_unicode=False``): PyYAML's emitter writes U+0085
(NEL) unescaped inside single quotes, where YAML folds it to a space; that is a dumper bug, not a
loader one, and the escaped form exercises the same loader paths.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellguard.models import Stack
from cellguard.models.loader import parse_document

REGIONS = {"us-east-1": "use1", "us-west-2": "usw2", "eu-west-1": "euw1"}
KINDS_PLAIN = [
    "app", "gateway", "router", "vector_store", "guardrail", "prompt_store", "agent", "tool",
    "cache", "queue", "object_store", "database", "training_job", "observability",
    "ingestion_pipeline",
]  # fmt: skip
KINDS_HOSTED = ["model_endpoint", "embedding_model"]

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
percent = st.floats(min_value=0.001, max_value=100, allow_nan=False)
money = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@st.composite
def stacks(draw: st.DrawFn) -> dict[str, Any]:
    region_names = draw(
        st.lists(st.sampled_from(sorted(REGIONS)), min_size=1, max_size=3, unique=True)
    )
    regions = [
        {"name": r, "zones": [f"{REGIONS[r]}-az{i}" for i in range(1, draw(st.integers(1, 4)) + 1)]}
        for r in region_names
    ]
    accounts = draw(
        st.lists(
            st.sampled_from(["prod", "shared", "dr-vault"]), min_size=1, max_size=3, unique=True
        )
    )
    min_zones = min(len(r["zones"]) for r in regions)
    components: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(KINDS_PLAIN + KINDS_HOSTED))
        comp: dict[str, Any] = {"id": f"c{i}", "kind": kind}
        if kind in KINDS_HOSTED:
            comp["hosting"] = draw(st.sampled_from(["bedrock", "sagemaker", "self_hosted"]))
        if draw(st.booleans()):
            comp["description"] = draw(text)
        if draw(st.booleans()):
            comp["placement"] = {
                "regions": draw(st.lists(st.sampled_from(region_names), min_size=1, unique=True)),
                "zones": draw(st.integers(1, min_zones)),
                "account": draw(st.sampled_from(accounts)),
            }
        if draw(st.booleans()):
            replicas = draw(st.integers(0, 50))
            comp["replicas"] = replicas
            comp["min_healthy_replicas"] = draw(st.integers(0, replicas))
        if draw(st.booleans()):
            comp["availability"] = draw(percent)
        if draw(st.booleans()):
            comp["labels"] = draw(
                st.dictionaries(st.from_regex(r"[a-z]{1,8}", fullmatch=True), text, max_size=2)
            )
        targets = draw(st.lists(st.integers(0, i - 1), unique=True, max_size=3)) if i else []
        deps = []
        for t in targets:
            dep: dict[str, Any] = {"to": f"c{t}"}
            if draw(st.booleans()):
                dep["timeout_ms"] = draw(st.integers(1, 600_000))
            if draw(st.booleans()):
                dep["retries"] = draw(st.integers(0, 20))
            if draw(st.booleans()):
                dep["mode"] = draw(st.sampled_from(["sync", "async", "stream"]))
            if draw(st.booleans()):
                dep["optional"] = draw(st.booleans())
            deps.append(dep)
        if deps:
            comp["depends_on"] = deps
        components.append(comp)
    journeys = []
    for j in range(draw(st.integers(1, 2))):
        journeys.append(
            {
                "id": f"j{j}",
                "entrypoint": f"c{draw(st.integers(0, len(components) - 1))}",
                "criticality": draw(st.sampled_from(["tier0", "tier1", "tier2", "tier3"])),
                "description": draw(text),
                "impact": {
                    "revenue_per_hour": draw(money),
                    "reputation": draw(st.sampled_from(["low", "high"])),
                },
                "objectives": {
                    "availability": draw(percent),
                    "rto_minutes": draw(st.integers(0, 10_000)),
                },
                "demand": {
                    "peak_rps": draw(st.floats(0, 1e5, allow_nan=False)),
                    "output_tokens": draw(st.integers(1, 10_000)),
                },
            }
        )
    spec: dict[str, Any] = {
        "apiVersion": "cellguard/v1",
        "kind": "Stack",
        "metadata": {"name": "generated", "description": draw(text)},
        "business": {"journeys": journeys},
        "topology": {"accounts": accounts, "regions": regions},
        "components": components,
    }
    if draw(st.booleans()):
        spec["waivers"] = [
            {
                "rule": "CG-RED-004",
                "target": "c0",
                "reason": draw(text.filter(str.strip)),
                "owner": "someone",
                "expires": draw(st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31))).isoformat(),
            }
        ]
    return spec


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stacks())
def test_valid_specs_round_trip_through_yaml(spec: dict[str, Any]) -> None:
    model = Stack.model_validate(spec)
    dumped = yaml.safe_dump(
        model.model_dump(mode="json", by_alias=True), sort_keys=False, allow_unicode=False
    )
    loaded = parse_document(dumped, "generated.yaml").document
    assert loaded == model
    # and the dump of the reloaded model is byte-identical: the format is stable
    assert (
        yaml.safe_dump(
            loaded.model_dump(mode="json", by_alias=True), sort_keys=False, allow_unicode=False
        )
        == dumped
    )
