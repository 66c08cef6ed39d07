"""The console script's dataclass methods (cli/class_methods.py): the stdlib's behaviour exactly,
without compiling ``__repr__``, ``__setattr__`` and ``__delattr__``."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from cellguard.cli import class_methods


def make_classes() -> dict[str, Any]:
    """The same dataclasses, made by whatever ``dataclasses`` helpers are in place."""

    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        label: str = "a 'quoted' \"label\"\n"
        hidden: int = dataclasses.field(default=0, repr=False)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        name: str
        values: tuple[float, ...] = ()

    @dataclasses.dataclass(frozen=True)
    class Empty:
        pass

    @dataclasses.dataclass
    class Mutable:
        items: list[Any]
        point: Point | None = None

    class Plain(Point):  # not a dataclass: may set attributes that are not fields
        pass

    @dataclasses.dataclass(frozen=True)
    class Child(Point):
        extra: float = float("nan")

    return {c.__name__: c for c in (Point, Slotted, Empty, Mutable, Plain, Child)}


def outcome(action: Callable[[], Any]) -> tuple[str, str]:
    """What an action returns, or the exception it raises, as text."""
    try:
        return "ok", repr(action())
    except Exception as exc:  # the type and message are compared
        return type(exc).__name__, str(exc)


def behaviour(classes: dict[str, Any]) -> list[tuple[str, str]]:
    point, slotted, empty = classes["Point"](1), classes["Slotted"]("s", (1.5,)), classes["Empty"]()
    mutable = classes["Mutable"]([1, "two"], point)
    mutable.items.append(mutable)  # a recursive repr
    plain, child = classes["Plain"](2, "p"), classes["Child"](3)
    seen = [repr(o) for o in (point, slotted, empty, mutable, plain, child)]
    actions: list[Callable[[], Any]] = [
        lambda: setattr(point, "x", 5),
        lambda: setattr(point, "other", 5),
        lambda: delattr(point, "label"),
        lambda: delattr(point, "other"),
        lambda: setattr(slotted, "name", "t"),
        lambda: setattr(empty, "anything", 1),
        lambda: delattr(empty, "anything"),
        lambda: setattr(plain, "x", 1),
        lambda: setattr(plain, "free", 1),
        lambda: (delattr(plain, "free"), vars(plain)),
        lambda: delattr(plain, "label"),
        lambda: setattr(child, "extra", 1.0),
        lambda: setattr(child, "x", 1),
        lambda: (setattr(mutable, "items", []), mutable),
    ]
    methods = [
        (getattr(cls, name).__name__, getattr(cls, name).__qualname__)
        for cls in classes.values()
        for name in ("__repr__", "__setattr__", "__delattr__")
        if name in vars(cls)
    ]
    return [("repr", text) for text in seen] + [outcome(a) for a in actions] + methods


point_label = repr("a 'quoted' \"label\"\n")


def test_the_helpers_are_replaced_on_this_python() -> None:
    assert class_methods.supported()


def test_the_classes_behave_as_the_stdlibs(monkeypatch: pytest.MonkeyPatch) -> None:
    stdlib = behaviour(make_classes())
    compiled = dataclasses._repr_fn, dataclasses._frozen_get_del_attr  # type: ignore[attr-defined]
    for name in ("_repr_fn", "_frozen_get_del_attr"):
        monkeypatch.setattr(dataclasses, name, getattr(dataclasses, name))  # restored after
    class_methods.install()
    installed = dataclasses._repr_fn, dataclasses._frozen_get_del_attr  # type: ignore[attr-defined]
    assert installed == (class_methods._repr_fn, class_methods._frozen_get_del_attr)
    assert installed != compiled
    assert behaviour(make_classes()) == stdlib
    assert ("FrozenInstanceError", "cannot assign to field 'x'") in stdlib
    assert ("ok", "(None, {'x': 2, 'label': 'p', 'hidden': 0})") in stdlib  # Plain sets its own
    local = "make_classes.<locals>."
    assert (
        "repr",
        f"{local}Mutable(items=[1, 'two', ...], point={local}Point(x=1, label={point_label}))",
    ) in stdlib
