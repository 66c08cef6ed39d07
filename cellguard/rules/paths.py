"""Check a declarative rule's attribute paths against the spec models at load time."""

from __future__ import annotations

import types
import typing
from typing import Any

from pydantic import BaseModel

from cellguard.models.business import Journey
from cellguard.models.components import KIND_MODELS
from cellguard.models.loader.errors import KeyPath
from cellguard.models.stack import Stack
from cellguard.rules.declarative import Condition, DeclarativeSpec
from cellguard.rules.value_types import GRAPH_TYPES, leaf_operator, operator_problems, value_types

_KIND_MODELS: dict[str, type[BaseModel]] = {kind.value: m for kind, m in KIND_MODELS.items()}


def _models(annotation: Any) -> list[type[BaseModel]]:
    """The models an annotation can hold (through Optional, unions and Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(annotation) for m in _models(arg)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _leaf_annotations(model: type[BaseModel], path: str) -> list[Any]:
    """The annotations of the field(s) ``path`` (dotted field names) names from ``model``."""
    current = [model]
    parts = path.split(".")
    annotations: list[Any] = []
    for i, part in enumerate(parts):
        fields = [m.model_fields[part] for m in current if part in m.model_fields]
        if not fields:
            return []
        if i < len(parts) - 1:
            current = [m for f in fields for m in _models(f.annotation)]
        else:
            annotations = [f.annotation for f in fields]
    return annotations


def path_exists(model: type[BaseModel], path: str) -> bool:
    """Whether ``path`` (dotted field names) names a field reachable from ``model``."""
    return bool(_leaf_annotations(model, path))


def _is_number(annotation: Any) -> bool:
    """Whether every non-None member of ``annotation`` is an int or a float (not a bool)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _is_number(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return bool(members) and all(_is_number(a) for a in members)
    return annotation in (int, float)


NUMERIC_GRAPH_VALUES = frozenset({"stacks_using", "departments", "gpu_models"})
"""Graph values that are counts, comparable with at_least / at_most."""


def subject_models(applies_to: tuple[str, ...]) -> list[type[BaseModel]]:
    """The models a rule with this ``applies_to`` reads."""
    models: list[type[BaseModel]] = []
    for scope in applies_to:
        if scope == "stack":
            models.append(Stack)
        elif scope == "journey":
            models.append(Journey)
        elif scope in _KIND_MODELS:
            models.append(_KIND_MODELS[scope])
    return models


def attribute_errors(spec: DeclarativeSpec) -> list[tuple[KeyPath, str]]:
    """One (key path, message) per leaf whose path some subject model of the rule lacks, or
    whose operator or operand does not suit the value the path yields."""
    models = subject_models(spec.applies_to)
    if "dependency" in spec.applies_to:
        return [
            (
                ("applies_to",),
                "declarative rules apply to stacks, journeys or component kinds, not dependencies",
            )
        ]
    problems: list[tuple[KeyPath, str]] = []
    conditions = [("require", spec.require), *([("when", spec.when)] if spec.when else [])]
    for key, cond in conditions:
        for path, leaf in cond.located_leaves((key,)):
            where = (*path, leaf_operator(leaf))
            problems.extend((where, p) for p in _leaf_problems(leaf, models))
    return problems


def _leaf_problems(leaf: Condition, models: list[type[BaseModel]]) -> list[str]:
    if leaf.attribute is None:
        assert leaf.graph is not None
        numeric = leaf.graph in NUMERIC_GRAPH_VALUES
        if not numeric and (leaf.at_least is not None or leaf.at_most is not None):
            return [
                f"graph value '{leaf.graph}' is not a count; at_least and at_most "
                f"compare numbers ({', '.join(sorted(NUMERIC_GRAPH_VALUES))})"
            ]
        return operator_problems(leaf, f"graph value '{leaf.graph}'", [GRAPH_TYPES[leaf.graph]])
    missing = [m.__name__ for m in models if not path_exists(m, leaf.attribute)]
    if missing:
        return [f"attribute '{leaf.attribute}' does not exist on {', '.join(missing)}"]
    found = [a for m in models for a in _leaf_annotations(m, leaf.attribute)]
    if leaf.at_least is not None or leaf.at_most is not None:
        if not all(_is_number(a) for a in found):
            return [
                f"attribute '{leaf.attribute}' is not a number; at_least and at_most "
                "compare numbers (use equals, in or non_empty)"
            ]
        return []
    types = [t for a in found for t in value_types(a)]
    return operator_problems(leaf, f"attribute '{leaf.attribute}'", types)
