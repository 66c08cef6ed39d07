"""Plans of the examples, computed once per test session (planning re-assesses several times)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.loader import Organisation, load
from cellguard.planner import Plan, plan
from cellguard.rules.base import Rule
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO

TODAY = dt.date(2026, 11, 21)
EXAMPLES = (
    "examples/rag-support-assistant.yaml",
    "examples/saas-finetune.yaml",
    "examples/vllm-single-zone.yaml",
    "examples/org",
    "examples/cell-multi-region.yaml",
)


@dataclass(frozen=True)
class Planned:
    """An example, its assessment and its plan."""

    path: Path
    org: Organisation
    before: Assessment
    plan: Plan


def builtin_rules() -> list[Rule]:
    """The built-in rule pack (no plug-ins)."""
    return load_rules([], plugins=False).select([], [])


def assess(org: Organisation) -> Assessment:
    """Assess ``org`` with the built-in rules as of :data:`TODAY`."""
    return run_rules(build_graph(org), builtin_rules(), today=TODAY)


def plan_of(path: Path) -> Planned:
    """Load, assess and plan ``path``."""
    org = load(path)
    before = assess(org)
    return Planned(path, org, before, plan(org, before, org_mode=path.is_dir()))


def write_targets(result: Plan, directory: Path) -> Path:
    """Write the plan's targets into ``directory``; return what to load (file or directory)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in result.targets.items():
        (directory / f"{name}.yaml").write_text(text, encoding="utf-8")
    if len(result.targets) == 1:
        return directory / f"{next(iter(result.targets))}.yaml"
    return directory


_CACHE: dict[str, Planned] = {}


@pytest.fixture(params=EXAMPLES, ids=[Path(e).stem for e in EXAMPLES])
def planned(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Planned:
    """Each example's plan (cached across tests)."""
    monkeypatch.chdir(REPO)
    key = str(request.param)
    if key not in _CACHE:
        _CACHE[key] = plan_of(REPO / key)
    return _CACHE[key]
