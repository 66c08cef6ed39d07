"""No dead keys (issue 15 item 6): every key the spec or the config file accepts is accounted for.

``key_ledger.yaml`` (beside this file) names, for every field of the spec's pydantic models
(stacks, platforms -- the documents of an organisation --, every component kind, business,
journeys, topology, practices, waivers) and of ``.cellguard.yaml``, either

- ``read_by``: the modules of a rule or an analysis that read it (rules, assessments and the
  planner for spec keys; the command line for config keys), each checked here: a Python
  module must read the attribute (an attribute load, or the key as a string for dict-shaped
  data and ``getattr``, or in a table of names it reads with ``getattr``), a declarative rule
  must name it in an ``attribute:`` path; with
  ``via: <property or method>``, the modules read that member of the model and the member
  reads the key;
- ``informational``: why the key is a fact the tool only shows or passes on (a name, a
  description, an owner), never judged; ``used_by`` lists the modules that show or carry it,
  checked like readers;
- ``deprecated``: accepted with a warning and ignored, named in the loader's deprecations.

A field missing from the ledger, an entry for a field that no longer exists and a reader that
does not read the key all fail, with what to do.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from cellguard.models.config import ConfigFile
from cellguard.models.stack import Platform, Stack

REPO = Path(__file__).resolve().parents[2]
LEDGER = Path(__file__).with_name("key_ledger.yaml")
DEPRECATIONS = REPO / "cellguard" / "models" / "loader" / "deprecations.py"

ROOTS: tuple[tuple[str, type[BaseModel], tuple[str, ...]], ...] = (
    ("stack", Stack, ("cellguard/rules/", "cellguard/assessments/", "cellguard/planner/")),
    ("platform", Platform, ("cellguard/rules/", "cellguard/assessments/", "cellguard/planner/")),
    (".cellguard.yaml", ConfigFile, ("cellguard/cli/",)),
)
"""The documents walked, with the packages whose modules count as readers of their keys."""

KINDS = ("read_by", "informational", "deprecated")


@dataclass
class Key:
    """One field, named ``Model.field`` after the model that declares it."""

    model: type[BaseModel]
    name: str
    alias: str | None
    readers: tuple[str, ...]
    paths: list[str] = field(default_factory=list)


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold, through lists, dicts, unions and Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models(arg)]


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_list(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return any(_is_list(a) for a in typing.get_args(annotation))
    return origin is list


def _declarer(model: type[BaseModel], name: str) -> type[BaseModel]:
    """The class of ``model``'s MRO that declares field ``name``."""
    for cls in model.__mro__:
        if name in inspect.get_annotations(cls):
            return typing.cast(type[BaseModel], cls)
    return model


def _kind(model: type[BaseModel]) -> str | None:
    kind = model.model_fields.get("kind")
    if kind is None:
        return None
    args = typing.get_args(kind.annotation)
    return str(args[0]) if args else None


@functools.cache
def schema_keys() -> dict[str, Key]:
    """Every field reachable from the roots, with the YAML paths it appears at."""
    keys: dict[str, Key] = {}

    def walk(
        model: type[BaseModel],
        path: str,
        seen: frozenset[type[BaseModel]],
        readers: tuple[str, ...],
    ) -> None:
        for name, info in model.model_fields.items():
            owner = _declarer(model, name)
            written = info.alias or name
            key = keys.setdefault(f"{owner.__name__}.{name}", Key(owner, name, info.alias, readers))
            here = f"{path}.{written}"
            key.paths.append(here)
            for sub in _models(info.annotation):
                if sub in seen:
                    continue
                kind = _kind(sub)
                step = (
                    f"{here}[{kind}]"
                    if kind and _is_list(info.annotation)
                    else (f"{here}[]" if _is_list(info.annotation) else here)
                )
                walk(sub, step, seen | {sub}, readers)

    for name, root, readers in ROOTS:
        walk(root, name, frozenset({root}), readers)
    return keys


@functools.cache
def ledger() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(LEDGER.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{LEDGER} must be a mapping of Model.field to an entry"
    return data


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


_GETATTR = ("getattr", "hasattr", "field_or_none")
"""Calls reading the attribute named by their second argument (``field_or_none`` is
:func:`cellguard.assessments.spec_fields.field_or_none`, ``getattr(x, name, None)``)."""


def _keys_read(node: ast.AST) -> list[str | None]:
    """Keys a node reads as strings: ``x["key"]``, ``x.get("key")``, ``getattr(x, "key")``,
    ``"key" in x``."""
    if isinstance(node, ast.Subscript) and isinstance(node.ctx, ast.Load):
        return [_string(node.slice)]
    if isinstance(node, ast.Call) and node.args:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "get":
            return [_string(node.args[0])]
        if isinstance(func, ast.Name) and func.id in _GETATTR and len(node.args) > 1:
            return [_string(node.args[1])]
    if isinstance(node, ast.Compare) and any(isinstance(o, ast.In | ast.NotIn) for o in node.ops):
        return [_string(node.left)]
    return []


def _name_tables(tree: ast.Module) -> list[str | None]:
    """Names a module reads with ``getattr(x, name)`` from a table: the keys of its
    module-level dicts and the strings a ``for`` loop walks (only when it calls getattr with a
    computed name)."""
    dynamic = any(
        isinstance(n, ast.Call)
        and isinstance(n.func, ast.Name)
        and n.func.id in ("getattr", "field_or_none")
        and len(n.args) > 1
        and _string(n.args[1]) is None
        for n in ast.walk(tree)
    )
    if not dynamic:
        return []
    found: list[str | None] = []
    for stmt in tree.body:
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if isinstance(value, ast.Dict):
            found += [_string(k) for k in value.keys]
    for node in ast.walk(tree):
        if isinstance(node, ast.For) and isinstance(node.iter, ast.Tuple | ast.List):
            found += [_string(e) for e in node.iter.elts]
    return found


@functools.cache
def _python_names(path: Path) -> frozenset[str]:
    """Attribute names a Python module loads, and the string keys it reads."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str | None] = set(_name_tables(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            names.add(node.attr)
        names.update(_keys_read(node))
    return frozenset(n for n in names if n is not None)


@functools.cache
def _constants(path: Path) -> frozenset[str]:
    """Every string constant of a Python module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(s for n in ast.walk(tree) if (s := _string(n)) is not None)


def _attribute_paths(data: Any) -> list[str]:
    if isinstance(data, dict):
        found = [v for k, v in data.items() if k == "attribute" and isinstance(v, str)]
        return found + [p for v in data.values() for p in _attribute_paths(v)]
    if isinstance(data, list):
        return [p for v in data for p in _attribute_paths(v)]
    return []


@functools.cache
def _yaml_names(path: Path) -> frozenset[str]:
    """Field names in a declarative rule's ``attribute:`` paths."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return frozenset(part for p in _attribute_paths(data) for part in p.split("."))


def _reads(module: str, names: set[str]) -> bool:
    path = REPO / module
    found = _yaml_names(path) if path.suffix == ".yaml" else _python_names(path)
    return bool(found & names)


def _property_reads(model: type[BaseModel], prop: str, name: str) -> bool:
    member = inspect.getattr_static(model, prop, None)
    if isinstance(member, property):
        func = member.fget
    elif isinstance(member, functools.cached_property):
        func = member.func
    elif inspect.isfunction(member):
        func = member
    else:
        return False
    tree = ast.parse(textwrap.dedent(inspect.getsource(typing.cast(Any, func))))
    return any(
        (isinstance(n, ast.Attribute) and n.attr == name)
        or (isinstance(n, ast.Constant) and n.value == name)
        for n in ast.walk(tree)
    )


def _entry_problems(name: str, key: Key, entry: Any) -> list[str]:
    if not isinstance(entry, dict) or len([k for k in KINDS if k in entry]) != 1:
        return [f"{name}: give exactly one of {', '.join(KINDS)}"]
    unknown = set(entry) - {*KINDS, "via", "used_by"}
    if unknown or ("used_by" in entry and "informational" not in entry):
        return [f"{name}: unknown ledger fields {sorted(unknown or {'used_by'})}"]
    if "informational" in entry or "deprecated" in entry:
        why = entry.get("informational") or entry.get("deprecated")
        if not isinstance(why, str) or len(why.split()) < 4:
            return [f"{name}: say in a sentence why the key is only shown or is deprecated"]
        if "deprecated" in entry and key.name not in _constants(DEPRECATIONS):
            return [
                f"{name}: listed as deprecated, but {DEPRECATIONS.relative_to(REPO)} does not "
                f"warn about '{key.name}'"
            ]
        users = entry.get("used_by", [])
        return [
            f"{name}: {module} (used_by) does not read '{key.name}'"
            for module in users
            if not module.startswith("cellguard/")
            or not (REPO / module).is_file()
            or not _reads(module, {key.name})
        ]
    readers = entry["read_by"]
    if not isinstance(readers, list) or not readers:
        return [f"{name}: read_by must list at least one module"]
    via = entry.get("via")
    wanted = {via} if via else {key.name, *([key.alias] if key.alias else [])}
    problems = []
    if via and not _property_reads(key.model, via, key.name):
        problems.append(
            f"{name}: {key.model.__name__}.{via} is not a property or method reading '{key.name}'"
        )
    for module in readers:
        if not (REPO / module).is_file():
            problems.append(f"{name}: reader {module} does not exist")
        elif not module.startswith(key.readers):
            problems.append(
                f"{name}: reader {module} is not a rule or an analysis (one of "
                f"{', '.join(key.readers)}); a key only shown is 'informational'"
            )
        elif not _reads(module, wanted):
            problems.append(f"{name}: {module} does not read '{'/'.join(sorted(wanted))}'")
    return problems


def test_every_key_is_in_the_ledger() -> None:
    missing = sorted(set(schema_keys()) - set(ledger()))
    assert not missing, (
        f"{len(missing)} key(s) the schema accepts are not in {LEDGER.relative_to(REPO)}:\n"
        + "\n".join(f"  {m}  (at {', '.join(schema_keys()[m].paths[:3])})" for m in missing)
        + "\nAdd each with read_by: [the rule or analysis modules reading it], or "
        "informational: <why it is only shown>. A key nothing reads is a dead key (issue 15 "
        "item 6): give it a reader, or deprecate it in cellguard/models/loader/deprecations.py."
    )


def test_the_ledger_names_only_existing_keys() -> None:
    stale = sorted(set(ledger()) - set(schema_keys()))
    assert not stale, (
        f"{LEDGER.relative_to(REPO)} lists keys the schema no longer has: {', '.join(stale)}; "
        "remove their entries"
    )


@pytest.mark.parametrize("name", sorted(schema_keys()))
def test_each_reader_reads_its_key(name: str) -> None:
    if name not in ledger():
        pytest.skip("reported by test_every_key_is_in_the_ledger")
    problems = _entry_problems(name, schema_keys()[name], ledger()[name])
    assert not problems, "\n".join(problems)


def test_the_walk_reaches_every_component_kind_and_the_config_file() -> None:
    keys = schema_keys()
    for expected in (
        "Cache.ttl_seconds",
        "Demand.mean_rps",
        "Region.role",
        "HostedModels.size_gb",
        "TrainingJob.checkpoint_interval_minutes",
        "Waiver.expires",
        "CheckConfig.min_assurance",
        "ReportConfig.output",
    ):
        assert expected in keys
    assert "stack.business.journeys[].demand.mean_rps" in keys["Demand.mean_rps"].paths
    assert "stack.components[cache].ttl_seconds" in keys["Cache.ttl_seconds"].paths
    assert keys["CheckConfig.min_score"].readers == ("cellguard/cli/",)


def test_a_reader_that_does_not_read_the_key_fails() -> None:
    key = schema_keys()["Cache.ttl_seconds"]
    problems = _entry_problems(
        "Cache.ttl_seconds", key, {"read_by": ["cellguard/assessments/demand.py"]}
    )
    assert problems == [
        "Cache.ttl_seconds: cellguard/assessments/demand.py does not read 'ttl_seconds'"
    ]
    shown = _entry_problems("Cache.ttl_seconds", key, {"read_by": ["cellguard/reports/html.py"]})
    assert "is not a rule or an analysis" in shown[0]
    assert _entry_problems("Cache.ttl_seconds", key, {"deprecated": "no check reads it at all"})
