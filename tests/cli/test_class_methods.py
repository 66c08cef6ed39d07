"""The console script's dataclass methods (cli/class_methods.py): the stdlib's behaviour exactly,
without compiling ``__repr__``, ``__setattr__`` and ``__delattr__``."""

from __future__ import annotations

import dataclasses
import threading
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

    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Made:
        items: list[int] = dataclasses.field(default_factory=lambda: [1])
        later: list[int] = dataclasses.field(default_factory=list, init=False)
        fixed: int = dataclasses.field(default=7, init=False)
        scale: dataclasses.InitVar[int] = 2
        self: str = "named self"

        def __post_init__(self, scale: int) -> None:
            object.__setattr__(self, "scaled", [i * scale for i in self.items])

    class Guarded:
        @property
        def x(self) -> int:
            return 1

    @dataclasses.dataclass(frozen=True)
    class OverProperty(Guarded):  # x is a read-only property of the base: __init__ fails
        x: int  # type: ignore[assignment]

    @dataclasses.dataclass(frozen=True)
    class OwnSlots:
        __slots__ = ("a",)
        a: int

    return {
        c.__name__: c
        for c in (Point, Slotted, Empty, Mutable, Plain, Child, Made, OverProperty, OwnSlots)
    }


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
    made = classes["Made"](items=[3, 4], scale=10)
    seen = [repr(o) for o in (point, slotted, empty, mutable, plain, child, made)]
    seen += [str(sorted(vars(o).items())) for o in (point, plain, child, made)]
    seen += [str(list(vars(o))) for o in (point, child, made)]  # the order of the entries
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
        lambda: classes["OverProperty"](5),
        lambda: classes["OwnSlots"](5).a,
        lambda: vars(classes["OwnSlots"](5)),
        lambda: (made == classes["Made"](items=[3, 4], scale=1), hash(made) == hash(made)),
        lambda: classes["Point"](1) == classes["Point"](1, hidden=9),
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


def _install(monkeypatch: pytest.MonkeyPatch) -> None:
    """:func:`class_methods.install` for one test: every helper it replaces is restored after
    (restoring fewer would leave the rest of the session on the replaced ones)."""
    for name in class_methods._REPLACED:
        monkeypatch.setattr(dataclasses, name, getattr(dataclasses, name))
    class_methods.install()


def test_the_classes_behave_as_the_stdlibs(monkeypatch: pytest.MonkeyPatch) -> None:
    stdlib = behaviour(make_classes())
    compiled = dataclasses._repr_fn, dataclasses._frozen_get_del_attr  # type: ignore[attr-defined]
    _install(monkeypatch)
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


def test_plain_frozen_classes_store_their_fields_in_the_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _install(monkeypatch)
    classes = make_classes()

    def writes_dict(name: str) -> bool:
        return "__dict__" in classes[name].__init__.__code__.co_names

    # Plain inherits Point's; Empty sets nothing; Slotted, OverProperty, OwnSlots keep object.__setattr__
    assert [n for n in classes if writes_dict(n)] == ["Point", "Plain", "Child", "Made"]
    assert dataclasses._process_class is class_methods._process_class  # type: ignore[attr-defined]
    assert class_methods._making.classes == [] and not class_methods._making.to_dict


def test_a_class_made_in_another_thread_meanwhile_is_made_as_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _install(monkeypatch)
    made: list[Any] = []

    def other_thread() -> None:
        @dataclasses.dataclass(frozen=True, slots=True)
        class Slotted:
            a: int

        made.append(Slotted(1).a)

    # this thread is halfway through writing a plain frozen class's __init__
    class_methods._making.classes.append(object)
    class_methods._making.to_dict = True
    try:
        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
    finally:
        class_methods._making.classes.pop()
        class_methods._making.to_dict = False
    assert made == [1]


def test_a_tests_install_is_undone_after_it() -> None:
    # the first test of this file once restored two of the five helpers it replaced: the rest of
    # the session then made its dataclasses with cellguard's __init__ and _process_class
    originals = {name: getattr(dataclasses, name) for name in class_methods._REPLACED}
    with pytest.MonkeyPatch.context() as monkeypatch:
        _install(monkeypatch)
        assert all(getattr(dataclasses, n) is not f for n, f in originals.items())
    assert {name: getattr(dataclasses, name) for name in class_methods._REPLACED} == originals
