"""Rule packs: the built-in pack, directories (``--rules DIR``) and the ``cellguard.rules`` entry points.

A pack directory holds declarative rules (``*.yaml``) and Python rule modules (``*.py``, each
defining ``RULE`` or ``RULES``); its ``cases/`` folder holds case files and is not loaded as
rules. An installed package publishes rules with an entry point::

    [project.entry-points."cellguard.rules"]
    acme = "acme_rules:RULES"      # a rule, a list of rules, or a function returning them

Anything malformed -- bad YAML, bad metadata, an import error, a duplicate id -- fails the
load with a located error (exit code 2), never a half-loaded pack.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import ValidationError

from cellguard.models.loader.errors import SpecLoadError
from cellguard.models.loader.source import decode, read_yaml
from cellguard.models.loader.validation_errors import diagnostics_from
from cellguard.rules.base import PACK_MODULE_PREFIX, Rule
from cellguard.rules.declarative import DeclarativeRule, DeclarativeSpec
from cellguard.rules.paths import attribute_errors
from cellguard.rules.registry import Registry, RuleRegistryError

ENTRY_POINT_GROUP = "cellguard.rules"


def load_yaml_rule(path: Path, display: str | None = None) -> DeclarativeRule:
    """Read one declarative rule file."""
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecLoadError.at(
            name, 1, 1, f"cannot read rule: {exc.strerror}", code="rule-io"
        ) from None
    data, source = read_yaml(decode(raw, name), name)
    if not isinstance(data, dict):
        raise SpecLoadError.at(name, 1, 1, "a rule file must be a mapping", code="rule-shape")
    try:
        spec = DeclarativeSpec.model_validate(data)
    except ValidationError as exc:
        raise SpecLoadError(diagnostics_from(exc, DeclarativeSpec, data, source)) from None
    problems = attribute_errors(spec)
    if problems:
        raise SpecLoadError(
            [source.diagnostic(("require",), p, code="rule-attribute") for p in problems]
        )
    return DeclarativeRule(spec, name)


def _as_rules(value: Any, origin: str) -> list[Rule]:
    """Accept a rule, an iterable of rules, or a callable returning either."""
    if callable(value) and not isinstance(value, Rule):
        try:
            value = value()
        except Exception as exc:  # the pack author's factory: report, don't crash
            raise SpecLoadError.at(
                origin,
                1,
                1,
                f"calling the rule factory failed: {type(exc).__name__}: {exc}",
                code="rule-import",
            ) from None
    items = (
        [value]
        if isinstance(value, Rule)
        else list(value)
        if isinstance(value, Iterable)
        else [value]
    )
    bad = [item for item in items if not isinstance(item, Rule)]
    if bad:
        raise SpecLoadError.at(
            origin,
            1,
            1,
            f"{bad[0]!r} is not a rule (it needs 'meta', 'origin' and 'evaluate')",
            code="rule-type",
        )
    return items


def _import_file(path: Path, display: str) -> ModuleType:
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"{PACK_MODULE_PREFIX}{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecLoadError.at(display, 1, 1, "cannot import rule module", code="rule-import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the user's code: report, don't crash
        del sys.modules[name]
        raise SpecLoadError.at(
            display,
            1,
            1,
            f"importing the rule module failed: {type(exc).__name__}: {exc}",
            code="rule-import",
        ) from None
    return module


def load_directory(directory: Path) -> list[Rule]:
    """Every rule of a pack directory, YAML files then Python modules, each sorted by name."""
    if not directory.is_dir():
        raise SpecLoadError.at(str(directory), 1, 1, "rule pack is not a directory", code="rule-io")
    rules: list[Rule] = []
    for path in sorted(directory.glob("*.y*ml")):
        rules.append(load_yaml_rule(path))
    for path in sorted(directory.glob("*.py")):
        if path.name.startswith("_"):
            continue
        module = _import_file(path, str(path))
        value = getattr(module, "RULES", getattr(module, "RULE", None))
        if value is None:
            raise SpecLoadError.at(
                str(path), 1, 1, "a rule module must define RULE or RULES", code="rule-shape"
            )
        rules.extend(_as_rules(value, str(path)))
    return rules


def load_entry_points(group: str = ENTRY_POINT_GROUP) -> list[Rule]:
    """Rules published by installed packages under the entry point ``group``, by name."""
    rules: list[Rule] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        origin = f"entry point {ep.name} = {ep.value}"
        try:
            value = ep.load()
        except Exception as exc:  # a third party's package: report, don't crash
            raise SpecLoadError.at(
                origin, 1, 1, f"loading failed: {type(exc).__name__}: {exc}", code="rule-import"
            ) from None
        rules.extend(_as_rules(value, origin))
    return rules


def load_rules(directories: Sequence[Path] = (), *, plugins: bool = True) -> Registry:
    """The built-in pack plus every pack directory and (unless disabled) entry-point pack."""
    from cellguard.rules.builtin import builtin_rules

    rules = [*builtin_rules()]
    for directory in directories:
        rules.extend(load_directory(directory))
    if plugins:
        rules.extend(load_entry_points())
    try:
        return Registry(rules)
    except RuleRegistryError as exc:
        raise SpecLoadError.at(
            exc.origin,
            1,
            1,
            str(exc),
            code="rule-duplicate",
            suggestion="give one of them a new id",
        ) from None
