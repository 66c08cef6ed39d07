"""The numeric range of a spec field, read from its constraints, in words for humans.

Used by the spec reference (the type column) and by load diagnostics (the 'expected' line of a
number that is not finite), so both say the same thing as the JSON Schema's ``minimum`` and
``maximum``.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic.fields import FieldInfo

Number = int | float


LONGEST_SHOWN = 30
"""Integers with more digits are described by their length, not written out."""


def digits(value: int) -> int:
    """The number of decimal digits of ``value``, without converting it to a string (Python
    refuses to convert integers above 4,300 digits)."""
    magnitude = abs(value)
    count = max(1, int((magnitude.bit_length() - 1) * 0.30102999566398120) + 1)
    while count > 1 and magnitude < 10 ** (count - 1):
        count -= 1
    while magnitude >= 10**count:
        count += 1
    return count


def number_text(value: Number) -> str:
    """``value`` for humans: whole numbers with thousands separators (``1,000,000``); an
    integer of more than :data:`LONGEST_SHOWN` digits as ``an integer of 5,000 digits``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) and digits(value) > LONGEST_SHOWN:
        sign = "a negative" if value < 0 else "an"
        return f"{sign} integer of {digits(value):,} digits"
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        if value.is_integer() and abs(value) < 1e16:
            return f"{int(value):,}"
        return repr(value)
    return f"{value:,}"


@dataclass(frozen=True)
class Bounds:
    """Lower and upper limits of a number; ``None`` where there is none."""

    ge: Number | None = None
    gt: Number | None = None
    le: Number | None = None
    lt: Number | None = None

    def merged(self, other: Bounds) -> Bounds:
        """These limits, with ``other``'s where this has none."""
        return Bounds(
            ge=self.ge if self.ge is not None else other.ge,
            gt=self.gt if self.gt is not None else other.gt,
            le=self.le if self.le is not None else other.le,
            lt=self.lt if self.lt is not None else other.lt,
        )

    def text(self) -> str:
        """``at least 0, at most 1,000,000`` (empty when unbounded)."""
        parts: list[str] = []
        if self.ge is not None:
            parts.append(f"at least {number_text(self.ge)}")
        if self.gt is not None:
            parts.append(f"more than {number_text(self.gt)}")
        if self.le is not None:
            parts.append(f"at most {number_text(self.le)}")
        if self.lt is not None:
            parts.append(f"less than {number_text(self.lt)}")
        return ", ".join(parts)


def _from_metadata(metadata: list[Any] | tuple[Any, ...]) -> Bounds:
    found = Bounds()
    for item in metadata:
        if isinstance(item, FieldInfo):
            found = found.merged(_from_metadata(item.metadata))
        elif isinstance(item, annotated_types.Ge):
            found = found.merged(Bounds(ge=item.ge))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            found = found.merged(Bounds(gt=item.gt))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            found = found.merged(Bounds(le=item.le))  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            found = found.merged(Bounds(lt=item.lt))  # type: ignore[arg-type]
    return found


def type_bounds(tp: Any) -> Bounds:
    """The limits an ``Annotated`` number type carries (or one number member of a union)."""
    origin = get_origin(tp)
    if origin is Annotated:
        base, *metadata = get_args(tp)
        return _from_metadata(metadata).merged(type_bounds(base))
    if origin in (Union, types.UnionType):
        found = Bounds()
        for member in get_args(tp):
            found = found.merged(type_bounds(member))
        return found
    return Bounds()


def field_bounds(info: FieldInfo) -> Bounds:
    """The limits of a model field: its own constraints, then those of its (number) type."""
    return _from_metadata(info.metadata).merged(type_bounds(info.annotation))


def is_number_type(tp: Any) -> bool:
    """Whether ``tp`` is ``int`` or ``float``, possibly ``Annotated`` (not ``bool``)."""
    if get_origin(tp) is Annotated:
        return is_number_type(get_args(tp)[0])
    return tp in (int, float)
