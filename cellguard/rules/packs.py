"""Rule packs: the built-in pack, directories (``--rules DIR``) and the ``cellguard.rules`` entry points.

A pack directory holds declarative rules (``*.yaml``) and Python rule modules (``*.py``, each
defining ``RULE`` or ``RULES``); its ``cases/`` folder holds case files and is not loaded as
rules. An installed package publishes rules with an entry point::

    [project.entry-points."cellguard.rules"]
    acme = "acme_rules:RULES"      # a rule, a list of rules, or a function returning them

Anything malformed -- bad YAML, bad metadata, an import error, a duplicate id, a message
template that would not render, an operand that does not suit its attribute -- fails the load
with a located error (exit code 2), never a half-loaded pack. Pack code that raises anything
while loading (``SystemExit`` and other ``BaseException`` too; ``KeyboardInterrupt`` is an
interrupt) is such an error, at the line that raised. Every size is bounded: rule files
(:data:`~.rule_files.MAX_RULE_FILE_BYTES`, regular files only), rules per source, ids, texts, templates,
operands and the errors that echo them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from importlib.metadata import entry_points
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import Any

from cellguard.models.loader.errors import SpecLoadError
from cellguard.rules.base import PACK_MODULE_PREFIX, Rule
from cellguard.rules.builtin import builtin_rules
from cellguard.rules.declarative import DeclarativeRule
from cellguard.rules.registry import Registry, RuleRegistryError
from cellguard.rules.rule_files import (
    check_rule_file,
    load_yaml_rule,
)
from cellguard.rules.untrusted import checked_rule, describe_exception, raised_at

ENTRY_POINT_GROUP = "cellguard.rules"


MAX_FILES_PER_PACK = 10_000
"""Most rule files (``*.y*ml`` and ``*.py``) in one pack directory."""

MAX_RULES_PER_SOURCE = 10_000
"""Most rules one Python module or entry point may publish."""


def _failure(origin: str, what: str, exc: BaseException, file: str | None = None) -> SpecLoadError:
    """A load error for pack code that raised ``exc``, at its line in ``file`` when known."""
    return SpecLoadError.at(
        origin,
        raised_at(exc, file) if file else 1,
        1,
        f"{what}: {describe_exception(exc)}",
        code="rule-import",
        suggestion="fix the rule pack, or leave it out (--rules, --no-plugins)",
    )


def _as_rules(value: Any, origin: str, file: str | None = None) -> list[Rule]:
    """Accept a rule, an iterable of rules, or a callable returning either; each rule's
    metadata is validated again and frozen (see :func:`checked_rule`)."""
    try:
        if callable(value) and not isinstance(value, Rule):
            try:
                value = value()
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # the pack author's factory: report, don't crash
                raise _failure(origin, "calling the rule factory failed", exc, file) from None
        if isinstance(value, Rule):
            items: list[Any] = [value]
        elif isinstance(value, Iterable) and not isinstance(value, str | bytes):
            items = list(islice(iter(value), MAX_RULES_PER_SOURCE + 1))
        else:
            items = [value]
        if len(items) > MAX_RULES_PER_SOURCE:
            raise SpecLoadError.at(
                origin,
                1,
                1,
                f"more than {MAX_RULES_PER_SOURCE:,} rules from one source",
                code="rule-shape",
            )
        return [checked_rule(item, origin) for item in items]
    except (SpecLoadError, KeyboardInterrupt):
        raise
    except BaseException as exc:  # a hostile iterable, property or repr
        raise _failure(origin, "reading the rules failed", exc, file) from None


def _import_file(path: Path, display: str) -> ModuleType:
    check_rule_file(path, display)
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"{PACK_MODULE_PREFIX}{digest}_{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise SpecLoadError.at(display, 1, 1, "cannot import rule module", code="rule-import")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        del sys.modules[name]
        raise
    except BaseException as exc:  # the user's code, SystemExit included: report, don't crash
        del sys.modules[name]
        raise _failure(display, "importing the rule module failed", exc, str(path)) from None
    return module


def load_directory(directory: Path) -> list[Rule]:
    """Every rule of a pack directory, YAML files then Python modules, each sorted by name."""
    if not directory.is_dir():
        raise SpecLoadError.at(str(directory), 1, 1, "rule pack is not a directory", code="rule-io")
    rules: list[Rule] = []
    yaml_files = list(islice(directory.glob("*.y*ml"), MAX_FILES_PER_PACK + 1))
    py_files = list(islice(directory.glob("*.py"), MAX_FILES_PER_PACK + 1))
    if len(yaml_files) + len(py_files) > MAX_FILES_PER_PACK:
        raise SpecLoadError.at(
            str(directory),
            1,
            1,
            f"a rule pack holds at most {MAX_FILES_PER_PACK:,} rule files",
            code="rule-io",
            suggestion="is --rules pointing at the right directory?",
        )
    for path in sorted(yaml_files):
        rules.append(load_yaml_rule(path))
    for path in sorted(py_files):
        if path.name.startswith("_"):
            continue
        module = _import_file(path, str(path))
        value = vars(module).get("RULES", vars(module).get("RULE"))
        if value is None:
            raise SpecLoadError.at(
                str(path), 1, 1, "a rule module must define RULE or RULES", code="rule-shape"
            )
        rules.extend(_as_rules(value, str(path), str(path)))
    return rules


def load_entry_points(group: str = ENTRY_POINT_GROUP) -> list[Rule]:
    """Rules published by installed packages under the entry point ``group``, by name."""
    rules: list[Rule] = []
    for ep in sorted(entry_points(group=group), key=lambda e: e.name):
        origin = f"entry point {ep.name} = {ep.value}"
        try:
            value = ep.load()
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a third party's package, SystemExit included
            raise _failure(origin, "loading failed", exc) from None
        rules.extend(_as_rules(value, origin))
    return rules


def load_rules(directories: Sequence[Path] = (), *, plugins: bool = True) -> Registry:
    """The built-in pack plus every pack directory and (unless disabled) entry-point pack."""
    rules = [*builtin_rules()]
    for directory in directories:
        rules.extend(load_directory(directory))
    if plugins:
        rules.extend(load_entry_points())
    try:
        return Registry(rules)
    except RuleRegistryError as exc:
        line = next(
            (
                r.line
                for r in reversed(rules)
                if isinstance(r, DeclarativeRule) and r.origin == exc.origin
            ),
            1,
        )
        raise SpecLoadError.at(
            exc.origin,
            line,
            1,
            str(exc),
            code="rule-duplicate",
            suggestion="give one of them a new id",
        ) from None
