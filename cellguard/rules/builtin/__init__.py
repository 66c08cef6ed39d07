"""The built-in rule pack, registered explicitly.

Every rule is one file in this folder: a Python module exposing ``RULE`` (listed in
:data:`PYTHON_RULES`) or a declarative YAML rule (listed in :data:`YAML_RULES`). Its
passing, failing and unknown examples live in ``cases/<RULE-ID>.yaml``. A meta-test keeps
these lists, the files on disk and the case files in step.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from cellguard.rules.base import Rule

PACK_DIR = Path(__file__).resolve().parent

PYTHON_RULES: tuple[str, ...] = ("cg_cor_010_gpu_health",)
"""Modules of the Python rules, in this package."""

YAML_RULES: tuple[str, ...] = ("cg_obs_001_component_metrics.yaml",)
"""File names of the declarative rules, in this folder."""


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """Every built-in rule (loaded once per process)."""
    from cellguard.rules.packs import load_yaml_rule

    rules: list[Rule] = []
    for name in PYTHON_RULES:
        module = importlib.import_module(f"{__name__}.{name}")
        rules.append(module.RULE)
    for file in YAML_RULES:
        rules.append(load_yaml_rule(PACK_DIR / file, display=f"cellguard/rules/builtin/{file}"))
    return tuple(rules)
