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

Only the console script installs it (:func:`cellguard.cli.main.run`), and only on the
Python versions whose ``dataclasses`` builds these methods with the two helpers replaced
here (checked by name and signature); elsewhere nothing changes.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Sequence
from typing import Any

_REPLACED = {
    "_repr_fn": ("fields", "globals"),
    "_frozen_get_del_attr": ("cls", "fields", "globals"),
}
"""The helpers of ``dataclasses`` replaced, with their parameters (3.11 and 3.12)."""


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


def supported() -> bool:
    """Whether this Python's ``dataclasses`` has the helpers replaced here, as expected."""
    if sys.version_info[:2] not in ((3, 11), (3, 12)):
        return False
    for name, parameters in _REPLACED.items():
        helper = getattr(dataclasses, name, None)
        code = getattr(helper, "__code__", None)
        if code is None or code.co_varnames[: code.co_argcount] != parameters:
            return False
    return hasattr(dataclasses, "_recursive_repr")


def install() -> None:
    """Make the dataclasses created from now on in this process as described above."""
    if supported():
        dataclasses._repr_fn = _repr_fn  # type: ignore[attr-defined]
        dataclasses._frozen_get_del_attr = _frozen_get_del_attr  # type: ignore[attr-defined]
