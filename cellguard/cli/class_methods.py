"""Dataclasses made with fewer compilations while the console script starts (issue 21 item 5).

For every dataclass, CPython 3.11 and 3.12 write the source of each generated method and
compile it: ``__init__``, ``__repr__``, ``__eq__``, and for a frozen class ``__hash__``,
``__setattr__`` and ``__delattr__``. Some 145 dataclasses are made while ``assess`` imports
and runs, and those compilations took 80-90 ms of a 1.1 s run. :func:`install` makes the
three methods that are never on a hot path -- ``__repr__`` and a frozen class's refusing
``__setattr__`` and ``__delattr__`` -- closures over the class's field names instead:
nothing to compile, and the same behaviour (the same text, the same exceptions and messages,
the same ``...`` for a recursive repr, the same ``__qualname__``). ``__init__``, ``__eq__``
and ``__hash__`` stay compiled: they run millions of times while assessing a large
organisation, and a compiled one reads the fields faster.

A frozen class's ``__init__`` stays compiled but stores each field in the instance's
``__dict__`` (``self.__dict__['x'] = x``) instead of calling ``object.__setattr__(self, 'x',
x)``: the same dictionary entry, in 0.54 instead of 0.91 us for four fields (some 0.25 s of
making the 118,000 findings' targets, edges, spans and domains of 10,001 components). That is
the same only where ``object.__setattr__`` would store the value in that dictionary itself: a
class with a ``__dict__`` of its own kind and no ``__slots__`` declared, none of whose fields
is a data descriptor (a property, a slot) on it or its bases; any other frozen class keeps
``object.__setattr__``.

Only the console script installs it (:func:`cellguard.cli.main.run`), and only on the
Python versions whose ``dataclasses`` builds these methods with the helpers replaced here
(checked by name and parameters); elsewhere nothing changes.
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any

_REPLACED = {
    "_repr_fn": ("fields", "globals"),
    "_frozen_get_del_attr": ("cls", "fields", "globals"),
    "_field_assign": ("frozen", "name", "value", "self_name"),
    "_init_fn": (
        "fields",
        "std_fields",
        "kw_only_fields",
        "frozen",
        "has_post_init",
        "self_name",
        "globals",
        "slots",
    ),
    "_process_class": (
        "cls",
        "init",
        "repr",
        "eq",
        "order",
        "unsafe_hash",
        "frozen",
        "match_args",
        "kw_only",
        "slots",
        "weakref_slot",
    ),
}
"""The helpers of ``dataclasses`` replaced or wrapped, with their parameters (3.11, 3.12)."""

_STDLIB: dict[str, Any] = {name: getattr(dataclasses, name, None) for name in _REPLACED}
"""The helpers as ``dataclasses`` defines them."""


class _Making(threading.local):
    """What this thread is making: the classes whose dataclass methods are being made
    (innermost last), and whether the ``__init__`` being written stores the fields in the
    instance's ``__dict__``."""

    def __init__(self) -> None:
        self.classes: list[type] = []
        self.to_dict = False


_making = _Making()


def _repr_fn(fields: Sequence[dataclasses.Field[Any]], globals: dict[str, Any]) -> Any:
    """``dataclasses._repr_fn`` without compiling: ``Name(a=1, b='x')``."""
    names = tuple(f.name for f in fields)

    def repr_(self: object) -> str:
        return (
            self.__class__.__qualname__
            + "("
            + ", ".join([f"{name}={getattr(self, name)!r}" for name in names])
            + ")"
        )

    repr_.__name__ = "__repr__"  # as compiled (the qualified name is set by the caller)
    return dataclasses._recursive_repr(repr_)  # type: ignore[attr-defined]


def _frozen_get_del_attr(
    cls: type[Any], fields: Sequence[dataclasses.Field[Any]], globals: dict[str, Any]
) -> tuple[Callable[[Any, str, Any], None], Callable[[Any, str], None]]:
    """``dataclasses._frozen_get_del_attr`` without compiling: a frozen class's refusals."""
    names = tuple(f.name for f in fields)
    frozen = dataclasses.FrozenInstanceError

    def setattr_(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise frozen(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)

    def delattr_(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise frozen(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    setattr_.__name__, delattr_.__name__ = "__setattr__", "__delattr__"
    return setattr_, delattr_


def _process_class(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``dataclasses._process_class``, with the class known to :func:`_init_fn` meanwhile."""
    _making.classes.append(cls)
    try:
        return _STDLIB["_process_class"](cls, *args, **kwargs)
    finally:
        _making.classes.pop()


def _init_fn(
    fields: Sequence[dataclasses.Field[Any]],
    std_fields: Any,
    kw_only_fields: Any,
    frozen: bool,
    has_post_init: bool,
    self_name: str,
    globals: dict[str, Any],
    slots: bool,
) -> Any:
    """``dataclasses._init_fn``; a frozen class that allows it stores its fields in its
    instances' ``__dict__`` (see the module)."""
    classes = _making.classes
    _making.to_dict = (
        frozen and not slots and bool(classes) and _dict_is_storage(classes[-1], fields)
    )
    try:
        return _STDLIB["_init_fn"](
            fields, std_fields, kw_only_fields, frozen, has_post_init, self_name, globals, slots
        )
    finally:
        _making.to_dict = False


def _field_assign(frozen: bool, name: str, value: str, self_name: str) -> str:
    """``dataclasses._field_assign``: one line of ``__init__`` setting a field."""
    if frozen and _making.to_dict:
        return f"{self_name}.__dict__[{name!r}]={value}"
    result: str = _STDLIB["_field_assign"](frozen, name, value, self_name)
    return result


def _dict_is_storage(cls: type, fields: Sequence[dataclasses.Field[Any]]) -> bool:
    """Whether ``object.__setattr__`` stores each of ``fields`` of a ``cls`` instance in the
    instance's ordinary ``__dict__`` (no slots, no data descriptor of that name)."""
    if "__slots__" in cls.__dict__ or not cls.__dictoffset__:
        return False
    for klass in cls.__mro__:
        if "__dict__" in klass.__dict__:  # the class that gives instances their __dict__
            if type(klass.__dict__["__dict__"]).__name__ != "getset_descriptor":
                return False
            break
    for field in fields:
        if field.name == "__dict__":
            return False
        for klass in cls.__mro__:
            if field.name in klass.__dict__:
                kind = type(klass.__dict__[field.name])
                if hasattr(kind, "__set__") or hasattr(kind, "__delete__"):
                    return False
                break
    return True


def supported() -> bool:
    """Whether this Python's ``dataclasses`` has the helpers replaced here, as expected."""
    if sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    for name, parameters in _REPLACED.items():
        helper = _STDLIB[name]
        code = getattr(helper, "__code__", None)
        if code is None or code.co_varnames[: code.co_argcount] != parameters:
            return False
    return hasattr(dataclasses, "_recursive_repr")


def install() -> None:
    """Make the dataclasses created from now on in this process as described above."""
    if supported():
        for name in _REPLACED:
            setattr(dataclasses, name, globals()[name])
