"""Property (issue 15): deleting optional keys from an example never raises a score.

Every example (each ``examples/*.yaml`` and the ``examples/org`` organisation) loses one to
four random optional keys -- keys its schema does not require, at any depth -- and is assessed
again: no pillar's score and not the overall score may rise. A key whose absence means "not
declared" must leave the verdicts it feeds UNKNOWN, which the headline counts as not passing.

The keys in :data:`FACTS` are left in place: their absence is a statement about the system
(the README's "Absent keys" lists them with the reason), so deleting one describes another
system rather than saying less about this one.
"""

from __future__ import annotations

import copy
import datetime as dt
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from cellguard.assessments.graph import build_graph
from cellguard.models.loader import SpecLoadError, build_organisation, parse_document
from cellguard.models.loader.schema_walk import field_named, model_at
from cellguard.models.stack import Document
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO

TODAY = dt.date(2026, 11, 21)
RULES = load_rules(plugins=False)
EXAMPLES = REPO / "examples"
CORPUS = [*sorted(p.name for p in EXAMPLES.glob("*.yaml")), "org"]

FACTS: dict[str, str] = {
    "depends_on": "a component without it calls nothing",
    "tools": "an agent without it calls no tools",
    "fallback": "a call without it has no fallback",
    "optional": "a call is required unless it says otherwise (the conservative reading)",
    "mode": "a call is synchronous unless it says otherwise (the caller waits: conservative)",
    "async": "the shorthand of mode",
    "waivers": "accepted risks are decisions, not facts about the system; a waiver without a "
    "target covers every target of its rule",
    "route": "a journey without it makes every call its entrypoint reaches",
    "answer": "a journey without it is answered synchronously: its async calls are fire-and-forget",
    "shared_domains": "like depends_on, a relation the spec lists: a component that names none is "
    "in no declared shared domain (the pools AWS imposes follow from runtime and model, and are "
    "UNKNOWN when those are left out)",
    "gpu_sharing": "an endpoint without it has GPUs of its own: Kubernetes' device plugin and "
    "SageMaker allocate whole GPUs to one pod or endpoint unless MIG, MPS or time slicing is set up",
}
"""Keys whose absence is a fact about the system, and why (README, "Absent keys")."""

Path_ = tuple[str | int, ...]


def _loc(data: dict[str, Any], path: Path_) -> list[str | int]:
    """A pydantic location for ``path``: the kind tag after the root and after each index
    into a list of components (the discriminated unions)."""
    loc: list[str | int] = [str(data.get("kind"))]
    node: Any = data
    for part in path:
        node = node[part]
        loc.append(part)
        if isinstance(part, int) and isinstance(node, dict) and "kind" in node:
            loc.append(str(node["kind"]))
    return loc


def _optional(model: type[BaseModel] | None, key: str) -> bool:
    """Whether ``key`` may be left out of a mapping of ``model`` (free-form maps: always)."""
    if model is None:
        return True
    found = field_named(model, key)
    return found is not None and not found[1].is_required()


def optional_paths(data: dict[str, Any]) -> list[Path_]:
    """Every optional key of ``data`` (not in :data:`FACTS`, not inside waivers), depth first."""
    found: list[Path_] = []

    def walk(node: Any, path: Path_) -> Iterator[None]:
        if isinstance(node, dict):
            model = model_at(Document, _loc(data, path))
            for key, value in node.items():
                if key == "waivers":
                    continue
                if key not in FACTS and _optional(model, str(key)):
                    found.append((*path, key))
                yield from walk(value, (*path, key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                yield from walk(value, (*path, i))

    for _ in walk(data, ()):
        pass
    return found


@cache
def corpus(name: str) -> tuple[tuple[str, dict[str, Any]], ...]:
    """(file name, parsed YAML) of each document of a corpus entry."""
    path = EXAMPLES / name
    files = sorted(path.glob("*.yaml")) if path.is_dir() else [path]
    return tuple((f.name, yaml.safe_load(f.read_text(encoding="utf-8"))) for f in files)


@cache
def candidates(name: str) -> tuple[tuple[int, Path_], ...]:
    """(document index, key path) of every key the property may delete."""
    return tuple(
        (i, path) for i, (_, data) in enumerate(corpus(name)) for path in optional_paths(data)
    )


def scores_of(documents: list[dict[str, Any]]) -> dict[str, float | None]:
    """The headline scores of ``documents`` assessed together (as an organisation if several)."""
    docs = [
        parse_document(yaml.safe_dump(d, sort_keys=False), f"doc{i}.yaml")
        for i, d in enumerate(documents)
    ]
    org = build_organisation(docs, org_mode=len(docs) > 1)
    assessment = run_rules(build_graph(org), RULES, today=TODAY)
    return {key: s.score for key, s in assessment.scores.items()}


@cache
def baseline(name: str) -> dict[str, float | None]:
    return scores_of([data for _, data in corpus(name)])


def delete(documents: list[dict[str, Any]], index: int, path: Path_) -> bool:
    """Delete ``path`` from document ``index`` in place; False when an earlier deletion took
    it already."""
    node: Any = documents[index]
    for part in path[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    if not isinstance(node, dict) or path[-1] not in node:
        return False
    del node[path[-1]]
    return True


def test_the_walk_finds_optional_keys_and_skips_required_and_fact_keys() -> None:
    data = corpus("rag-support-assistant.yaml")[0][1]
    paths = set(optional_paths(data))
    assert ("business", "journeys", 0, "objectives", "rto_minutes") in paths
    assert ("components", 0, "depends_on", 0, "timeout_ms") in paths
    assert ("metadata", "labels", "department") in paths
    for required in (("apiVersion",), ("metadata", "name"), ("components", 0, "id")):
        assert required not in paths
    assert ("components", 0, "kind") not in paths
    assert ("components", 0, "depends_on") not in paths
    assert not [p for p in paths if p[0] == "waivers"]


EXAMPLES_PER_ENTRY = int(os.environ.get("CELLGUARD_MONOTONE_EXAMPLES", "50"))


@pytest.mark.parametrize("name", CORPUS)
def test_deleting_optional_keys_never_raises_a_score(name: str) -> None:
    keys = candidates(name)
    assert keys, name

    @settings(
        max_examples=EXAMPLES_PER_ENTRY,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
    )
    @given(st.lists(st.sampled_from(keys), min_size=1, max_size=4, unique=True))
    def deleting(chosen: list[tuple[int, Path_]]) -> None:
        documents = [copy.deepcopy(data) for _, data in corpus(name)]
        deleted = [(i, p) for i, p in chosen if delete(documents, i, p)]
        try:
            after = scores_of(documents)
        except SpecLoadError:
            reject()  # a key other keys refer to (a zone, a journey's only path)
        before = baseline(name)
        risen = {
            key: (before[key], value)
            for key, value in after.items()
            if value is not None and (before[key] is None or value > before[key] + 1e-9)
        }
        assert not risen, f"deleting {deleted} from {name} raised {risen}"

    deleting()


RAISED_ONCE: list[tuple[str, int, Path_]] = [
    # CG-COR-015: leave-balance (permissions: read, idempotent: true) went NOT_APPLICABLE -> PASS
    ("org", 0, ("components", 2, "permissions")),
    ("org", 1, ("components", 4, "permissions")),
    # CG-TIM-008: shared-llm with requests_per_minute only is no longer over its quota, and
    # hr-assistant's policy-qa went FAIL -> PASS
    ("org", 2, ("components", 1, "quota", "tokens_per_minute")),
]
"""Single deletions that raised a score (found by ``benchmarks/monotone_sweep.py``)."""


@pytest.mark.parametrize(("name", "index", "path"), RAISED_ONCE)
def test_deletions_that_raised_a_score_no_longer_do(name: str, index: int, path: Path_) -> None:
    documents = [copy.deepcopy(data) for _, data in corpus(name)]
    assert delete(documents, index, path), path
    before, after = baseline(name), scores_of(documents)
    for key, value in after.items():
        if value is not None and before[key] is not None:
            assert value <= before[key] + 1e-9, (key, before[key], value)
