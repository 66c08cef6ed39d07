"""Meta-tests of the spec models: strictness and documentation of every field."""

from __future__ import annotations

import types
from typing import Any, get_args, get_origin

from pydantic import BaseModel

from cellguard.models import COMPONENT_TYPES, Platform, Stack
from cellguard.models.enums import ComponentKind


def _models(root: type[BaseModel]) -> set[type[BaseModel]]:
    seen: set[type[BaseModel]] = set()
    todo: list[Any] = [root]
    while todo:
        tp = todo.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if tp in seen:
                continue
            seen.add(tp)
            todo.extend(f.annotation for f in tp.model_fields.values())
        elif get_origin(tp) is not None or isinstance(tp, types.UnionType):
            todo.extend(get_args(tp))
    return seen


ALL_MODELS = _models(Stack) | _models(Platform)


def test_every_model_forbids_unknown_keys() -> None:
    assert len(ALL_MODELS) > 40
    loose = [m.__name__ for m in ALL_MODELS if m.model_config.get("extra") != "forbid"]
    assert loose == []


def test_every_field_is_described() -> None:
    missing = [
        f"{m.__name__}.{name}"
        for m in ALL_MODELS
        for name, info in m.model_fields.items()
        if not (info.description or "").strip()
    ]
    assert missing == []


def test_every_component_kind_has_a_model() -> None:
    tags = sorted(str(get_args(t.model_fields["kind"].annotation)[0]) for t in COMPONENT_TYPES)
    assert tags == sorted(k.value for k in ComponentKind)


def _every_cellguard_model() -> list[type[BaseModel]]:
    import importlib
    import pkgutil

    import cellguard.models.catalog as catalog

    for info in pkgutil.iter_modules(catalog.__path__):
        importlib.import_module(f"{catalog.__name__}.{info.name}")
    found, todo = [], list(BaseModel.__subclasses__())
    while todo:
        model = todo.pop()
        todo.extend(model.__subclasses__())
        if model.__module__.startswith("cellguard.models."):
            found.append(model)
    return found


def test_no_model_has_a_builtin_as_default_factory() -> None:
    """Empty defaults are lambdas: pydantic parses a builtin's signature with tokenize (see
    SpecModel), 25-30 ms of every assess for these models."""
    models = _every_cellguard_model()
    assert set(models) >= ALL_MODELS
    builtin = [
        f"{m.__name__}.{name}"
        for m in models
        for name, info in m.model_fields.items()
        if info.default_factory in (list, dict, set, tuple, frozenset)
    ]
    assert builtin == []
