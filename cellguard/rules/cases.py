"""Rule case files: passing, failing and unknown examples of a rule, run through the real engine.

A case file (``cases/<RULE-ID>.yaml`` next to the rules) looks like::

    rule: CG-COR-010
    cases:
      - name: GPU health checks and node auto-repair on
        patch:                              # merged over cases/_base.yaml
          components:
            llm: {health: {gpu_health_checks: true, node_auto_repair: true}}
        expect: {llm: PASS}                 # target -> status; or a list, see Expectation

Patches merge mappings key by key; ``null`` deletes a key. Under ``components`` and
``business.journeys`` the keys are ids: an existing item is patched, a new id is appended
(give its ``kind``), ``null`` removes it. Any other list is replaced. ``documents`` adds
more documents to the organisation: each is a patch over the base (give it a new
``metadata.name``), or with ``skeleton: true`` a document built from scratch over a skeleton
holding only ``apiVersion`` and the base's topology.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from cellguard.models.findings import Finding, Status
from cellguard.models.loader import build_organisation, parse_document

CASES_DIR = Path(__file__).resolve().parent / "builtin" / "cases"
BASE_FILE = CASES_DIR / "_base.yaml"
CASE_TODAY = dt.date(2026, 11, 21)
"""The date cases run on (waiver expiry is relative to it)."""

_KEYED_LISTS = {("components",), ("business", "journeys")}


class Expectation(BaseModel):
    """One expected finding of the rule under test."""

    model_config = ConfigDict(extra="forbid")

    target: str
    status: Status
    stack: str = "base"
    severity: str | None = None
    message_contains: str | None = None
    evidence: dict[str, Any] = Field(default_factory=dict)


class DocumentPatch(BaseModel):
    """An extra document of a case."""

    model_config = ConfigDict(extra="forbid")

    skeleton: bool = False
    patch: dict[str, Any]


class Case(BaseModel):
    """One example."""

    model_config = ConfigDict(extra="forbid")

    name: str
    patch: dict[str, Any] = Field(default_factory=dict)
    documents: list[DocumentPatch] = Field(default_factory=list)
    expect: list[Expectation]

    @field_validator("expect", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return [{"target": t, "status": s} for t, s in value.items()]
        return value


class CaseFile(BaseModel):
    """A rule's case file."""

    model_config = ConfigDict(extra="forbid")

    rule: str
    cases: list[Case] = Field(min_length=2)


def _keyed(items: list[Any], patch: dict[str, Any]) -> list[Any]:
    result = [copy.deepcopy(item) for item in items]
    for key, change in patch.items():
        index = next((i for i, item in enumerate(result) if item.get("id") == key), None)
        if change is None:
            if index is not None:
                del result[index]
        elif index is None:
            result.append({"id": key, **copy.deepcopy(change)})
        else:
            result[index] = merge(result[index], change)
    return result


def merge(base: Any, patch: Any, path: tuple[str, ...] = ()) -> Any:
    """``patch`` merged over ``base`` (see the module docstring)."""
    if not isinstance(patch, dict) or not isinstance(base, dict):
        return copy.deepcopy(patch)
    result = dict(base)
    for key, value in patch.items():
        sub = (*path, key)
        if value is None:
            result.pop(key, None)
        elif sub in _KEYED_LISTS and isinstance(value, dict):
            result[key] = _keyed(list(result.get(key) or []), value)
        elif key in result:
            result[key] = merge(result[key], value, sub)
        else:
            result[key] = merge({}, value, sub) if isinstance(value, dict) else copy.deepcopy(value)
    return result


@cache
def base_document() -> dict[str, Any]:
    """The base stack as plain data."""
    data: dict[str, Any] = yaml.safe_load(BASE_FILE.read_text(encoding="utf-8"))
    return data


def case_texts(case: Case) -> list[str]:
    """The YAML texts of the case's documents, base stack first."""
    base = base_document()
    docs = [merge(base, case.patch)]
    skeleton = {"apiVersion": base["apiVersion"], "topology": base["topology"]}
    for extra in case.documents:
        docs.append(merge(skeleton if extra.skeleton else base, extra.patch))
    return [yaml.safe_dump(d, sort_keys=False) for d in docs]


def load_case_file(path: Path) -> CaseFile:
    """Read and validate one case file."""
    return CaseFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))


def run_case(rule_id: str, case: Case, registry: Any) -> list[Finding]:
    """The findings of ``rule_id`` on the case's documents, through the whole engine."""
    from cellguard.assessments.graph import build_graph
    from cellguard.rules.engine import run_rules

    texts = case_texts(case)
    docs = [parse_document(t, f"case{i}.yaml") for i, t in enumerate(texts)]
    org = build_organisation(docs, org_mode=True)
    rule = registry.get(rule_id)
    if rule is None:
        raise KeyError(f"no rule {rule_id}")
    return run_rules(build_graph(org), [rule], today=CASE_TODAY).findings


def example_yaml(case: Case) -> str:
    """The case's patch as YAML, for ``rules explain``."""
    body: dict[str, Any] = dict(case.patch)
    if case.documents:
        body["documents"] = [d.model_dump(exclude_defaults=True) for d in case.documents]
    return yaml.safe_dump(body, sort_keys=False).rstrip() if body else "(the base stack)"
