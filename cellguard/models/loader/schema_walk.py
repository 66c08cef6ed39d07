"""Find the model and field a pydantic error location points at, to explain what was expected."""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


def _unwrap(tp: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the interesting type."""
    while True:
        if get_origin(tp) is Annotated:
            tp = get_args(tp)[0]
            continue
        if get_origin(tp) in (Union, types.UnionType):
            members = [a for a in get_args(tp) if a is not type(None)]
            if len(members) == 1:
                tp = members[0]
                continue
        return tp


def _kind_tag(model: type[BaseModel]) -> str | None:
    field = model.model_fields.get("kind")
    if field is None:
        return None
    args = get_args(field.annotation)
    if get_origin(field.annotation) is Literal and args:
        return str(args[0])
    return None


def field_named(model: type[BaseModel], key: str) -> tuple[str, FieldInfo] | None:
    """The field of ``model`` called ``key`` (by name or alias)."""
    for name, info in model.model_fields.items():
        if key in (name, info.alias):
            return name, info
    return None


def accepted_keys(model: type[BaseModel]) -> list[str]:
    """The keys a mapping of type ``model`` accepts, as written in YAML."""
    return [info.alias or name for name, info in model.model_fields.items()]


def type_at(root: Any, loc: Sequence[str | int]) -> Any:
    """Follow a raw pydantic ``loc`` from ``root``; ``None`` where the walk loses track."""
    tp: Any = root
    for part in loc:
        tp = _unwrap(tp)
        origin = get_origin(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if not isinstance(part, str):
                return None
            found = field_named(tp, part)
            if found is None:
                return None
            tp = found[1].annotation
        elif origin in (list, tuple, set, frozenset, Sequence, typing.Sequence):
            if isinstance(part, int):
                tp = get_args(tp)[0]
            # a non-int part inside a list is a validator tag: ignore it
        elif origin is dict:
            tp = get_args(tp)[1]
        elif origin in (Union, types.UnionType):
            chosen = None
            for member in get_args(tp):
                inner = _unwrap(member)
                if (
                    isinstance(inner, type)
                    and issubclass(inner, BaseModel)
                    and part in (_kind_tag(inner), inner.__name__)
                ):
                    chosen = inner
                    break
            if chosen is None:
                return None
            tp = chosen
        else:
            return None
    return _unwrap(tp)


def model_at(root: Any, loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The model class a raw ``loc`` points into, if it is a model."""
    tp = type_at(root, loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    return None


def union_tags(root: Any, loc: Sequence[str | int]) -> list[str]:
    """Kind tags of the discriminated union at ``loc`` (empty if there is none)."""
    tp = type_at(root, loc)
    tags: list[str] = []
    for member in get_args(tp):
        inner = _unwrap(member)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            tag = _kind_tag(inner)
            if tag:
                tags.append(tag)
    return tags
