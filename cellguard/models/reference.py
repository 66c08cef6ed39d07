"""A markdown reference of every key of the spec, generated from the models (like the schema)."""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from cellguard.models.bounds import field_bounds
from cellguard.models.stack import Platform, Stack


def _anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def _type_name(tp: Any, found: list[type[BaseModel]], bounds: str = "") -> str:
    """Render a field type for humans, collecting the models it mentions.

    ``bounds`` (the field's range in words) is shown after the number type it limits.
    """
    origin = get_origin(tp)
    if origin is Annotated:
        return _type_name(get_args(tp)[0], found, bounds)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        return " or ".join(_type_name(m, found, bounds) for m in members)
    if origin is list:
        item = _type_name(get_args(tp)[0], found)
        return f"list of {item}"
    if origin is dict:
        return f"mapping of {_type_name(get_args(tp)[1], found)}"
    if origin is Literal:
        return " | ".join(f"`{a}`" for a in get_args(tp))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        if tp not in found:
            found.append(tp)
        return f"[{tp.__name__}](#{_anchor(tp)})"
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return " | ".join(f"`{m.value}`" for m in tp)
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if tp in (int, float) and bounds:
        return f"{names[tp]} ({bounds})"
    if isinstance(tp, type):
        return names.get(tp, tp.__name__)
    return str(tp)


def _default(info: Any) -> str:
    if info.is_required():
        return "**required**"
    if info.default_factory is not None:
        return "(empty)"
    value = info.default
    if value is None or value is PydanticUndefined:
        return "unset"
    if isinstance(value, enum.Enum):
        return f"`{value.value}`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    return f"`{value}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def spec_reference_markdown(
    notes: Mapping[tuple[str, str], str] | None = None, preamble: str = ""
) -> str:
    """Every model of a cellguard/v1 document as a markdown table of its keys.

    ``notes`` are appended to the description of a key, by (model name, key): the command line
    passes where the importers read each key from (the models do not know the importers);
    ``preamble`` is a paragraph after the introduction.
    """
    notes = notes or {}
    lines = [
        "# cellguard/v1 spec reference",
        "",
        "Generated from the models by `cellguard schema --format markdown`; do not edit by hand.",
        "Unset flags mean *unknown*: rules report UNKNOWN, never FAIL, for data the spec lacks.",
        "Numbers must be finite (`.inf`, `-.inf` and `.nan` are errors) and within the range",
        "shown with their type: the upper bounds are beyond any real system and keep every",
        "product of spec numbers (revenue x hours, requests x tokens, ...) finite.",
    ]
    if preamble:
        lines += ["", preamble]
    queue: list[type[BaseModel]] = [Stack, Platform]
    done: set[type[BaseModel]] = set()
    while queue:
        model = queue.pop(0)
        if model in done:
            continue
        done.add(model)
        doc = (model.__doc__ or "").strip().splitlines()[0]
        lines += ["", f"## {model.__name__}", "", doc, "", "| key | type | default | description |"]
        lines.append("|---|---|---|---|")
        found: list[type[BaseModel]] = []
        for name, info in model.model_fields.items():
            key = info.alias or name
            kind = _type_name(info.annotation, found, field_bounds(info).text())
            text = " ".join(t for t in (info.description, notes.get((model.__name__, key))) if t)
            lines.append(f"| `{key}` | {_cell(kind)} | {_default(info)} | {_cell(text)} |")
        queue.extend(m for m in found if m not in done)
    return "\n".join(lines) + "\n"
