"""What a declarative condition's path yields, and whether its operator and operand suit it.

Checked when a rule loads, so that ``contains: 3`` on a string, ``equals: 1`` on a boolean,
``non_empty`` on a number or ``equals: selfhosted`` on an enum (never true) are load errors
instead of a TypeError or a silent FAIL at run time. Where the type cannot be known (a field
typed ``Any``) nothing is checked; evaluation is total regardless (a mismatch is UNKNOWN).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel

from cellguard.models.enums import ComponentKind, Criticality
from cellguard.models.loader.errors import one_of, suggest
from cellguard.rules.declarative import OPERATORS, Condition


@dataclass(frozen=True)
class ValueType:
    """One shape a value can have: ``bool``, ``number``, ``text`` (with its allowed values for an
    enum or literal), ``list`` (of ``item``), ``mapping``, ``model`` or ``date``."""

    kind: str
    values: frozenset[str] | None = None
    item: ValueType | None = None

    def describe(self) -> str:
        """``a number``, ``a list of text``, ..."""
        names = {
            "bool": "true/false",
            "number": "a number",
            "text": "text",
            "mapping": "a mapping",
            "model": "a section with keys of its own",
            "date": "a date",
        }
        if self.kind == "list":
            return f"a list of {self.item.describe() if self.item else 'values'}"
        if self.kind == "text" and self.values is not None:
            return one_of(self.values, limit=8)
        return names[self.kind]


_NUMBER = ValueType("number")


def value_types(annotation: Any) -> list[ValueType]:
    """The shapes a field of type ``annotation`` can hold (``None`` left out); empty when
    unknowable (``Any``, a type variable)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return value_types(args[0])
    if origin in (typing.Union, types.UnionType):
        found = [t for a in args if a is not type(None) for t in value_types(a)]
        return found if all(value_types(a) for a in args if a is not type(None)) else []
    if origin is typing.Literal:
        return [ValueType("text", frozenset(str(a) for a in args))]
    if origin in (list, tuple, set, frozenset):
        items = [t for a in args if a is not Ellipsis for t in value_types(a)]
        return [ValueType("list", item=items[0] if len(items) == 1 else None)]
    if origin is dict:
        return [ValueType("mapping")]
    if not isinstance(annotation, type):
        return []
    if annotation is bool:
        return [ValueType("bool")]
    if issubclass(annotation, Enum):
        return [ValueType("text", frozenset(str(m.value) for m in annotation))]
    if annotation in (int, float):
        return [_NUMBER]
    if issubclass(annotation, str):
        return [ValueType("text")]
    if issubclass(annotation, BaseModel):
        return [ValueType("model")]
    if issubclass(annotation, dt.date):
        return [ValueType("date")]
    return []


GRAPH_TYPES: dict[str, ValueType] = {
    "stacks_using": _NUMBER,
    "departments": _NUMBER,
    "gpu_models": _NUMBER,
    "top_tier": ValueType("text", frozenset(c.value for c in Criticality)),
    "kinds": ValueType("list", item=ValueType("text", frozenset(k.value for k in ComponentKind))),
}
"""What each graph value (:data:`cellguard.rules.declarative.GRAPH_VALUES`) yields."""


def leaf_operator(leaf: Condition) -> str:
    """The operator key a leaf condition uses (``in`` for the ``in_`` field)."""
    for name in OPERATORS:
        if getattr(leaf, "in_" if name == "in" else name) is not None:
            return name
    return "attribute"


def _fits(value: Any, vt: ValueType) -> bool:
    if vt.kind == "bool":
        return isinstance(value, bool)
    if vt.kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if vt.kind == "text":
        return isinstance(value, str) and (vt.values is None or value in vt.values)
    if vt.kind == "list":
        return isinstance(value, list) and (
            vt.item is None or all(_fits(v, vt.item) for v in value)
        )
    return vt.kind == "date" and isinstance(value, dt.date | str)


def _mismatch(subject: str, value: Any, found: list[ValueType], *, verb: str = "is") -> str:
    """Why ``value`` never matches what ``subject`` holds (``found``)."""
    names = sorted({n for t in found if t.values for n in t.values})
    if isinstance(value, str) and names:
        near = suggest(value, names)
        hint = f"; did you mean '{near}'?" if near else ""
        shown = value if len(value) <= 60 else value[:60] + "..."
        return f"{subject} {verb} never '{shown}'; expected {one_of(names)}{hint}"
    kinds = " or ".join(sorted({t.describe() for t in found}))
    return f"{subject} {verb} {kinds}, never {_describe(value)}"


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "a list"
    return "a number" if isinstance(value, int | float) else "text"


def operator_problems(leaf: Condition, subject: str, found: list[ValueType]) -> list[str]:
    """What is wrong with ``leaf``'s operator and operand for a value of the types ``found``."""
    if not found:
        return []  # unknowable: evaluation is total, a mismatch is UNKNOWN
    op = leaf_operator(leaf)
    if op == "non_empty":
        if not any(t.kind in ("text", "list", "mapping") for t in found):
            kinds = " or ".join(sorted({t.describe() for t in found}))
            return [f"{subject} holds {kinds}; non_empty applies to text and lists (use present)"]
        return []
    if op == "contains":
        return _contains_problems(leaf.contains, subject, found)
    operands = {
        "equals": [leaf.equals],
        "not_equals": [leaf.not_equals],
        "in": leaf.in_ or [],
        "not_in": leaf.not_in or [],
    }.get(op, [])
    if any(t.kind in ("model", "mapping") for t in found) and operands:
        return [f"{subject} is a section, not a value; compare one of its keys ({op})"]
    return [_mismatch(subject, v, found) for v in operands if not any(_fits(v, t) for t in found)]


def _contains_problems(value: Any, subject: str, found: list[ValueType]) -> list[str]:
    if isinstance(value, str) and any(t.kind in ("text", "mapping") for t in found):
        return []  # a substring of text, or a key of a mapping
    items = [t.item for t in found if t.kind == "list"]
    if items:
        if None in items or any(_fits(value, t) for t in items if t is not None):
            return []
        known = [t for t in items if t is not None]
        return [_mismatch(f"the items of {subject}", value, known, verb="are")]
    kinds = " or ".join(sorted({t.describe() for t in found}))
    return [
        f"{subject} holds {kinds}; contains needs text (a substring, given as text), a list "
        f"or a mapping, and {_describe(value)} is not a substring"
        if any(t.kind == "text" for t in found)
        else f"{subject} holds {kinds}; contains applies to text, lists and mappings"
    ]
