"""The built-in rule pack, registered explicitly.

Rules are grouped in one sub-package per pillar (``fi``, ``cap``, ``tim``, ``cor``, ``red``,
``obs``). Every rule is one file there: a Python module exposing ``RULE`` (listed in the
sub-package's ``PYTHON_RULES``) or a declarative YAML rule (listed in its ``YAML_RULES``).
Its passing, failing and unknown examples live in ``cases/<RULE-ID>.yaml``. A meta-test keeps
these lists, the files on disk and the case files in step.
"""

from __future__ import annotations

import importlib
from functools import cache
from pathlib import Path

from cellguard.rules.base import Rule
from cellguard.rules.rule_files import load_yaml_rule

PACK_DIR = Path(__file__).resolve().parent

PILLAR_PACKAGES: tuple[str, ...] = ("fi", "cap", "tim", "cor", "red", "obs")
"""Sub-packages holding the rules, one per pillar."""


@cache
def builtin_rules() -> tuple[Rule, ...]:
    """Every built-in rule (loaded once per process)."""
    rules: list[Rule] = []
    for pillar in PILLAR_PACKAGES:
        package = importlib.import_module(f"{__name__}.{pillar}")
        for name in package.PYTHON_RULES:
            rules.append(importlib.import_module(f"{package.__name__}.{name}").RULE)
        for file in package.YAML_RULES:
            display = f"cellguard/rules/builtin/{pillar}/{file}"
            rules.append(load_yaml_rule(PACK_DIR / pillar / file, display=display))
    return tuple(rules)
