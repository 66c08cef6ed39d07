"""field_or_none reads an optional spec field as getattr(obj, name, None) does, without
pydantic's miss path (issue 21 item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, PrivateAttr

from cellguard.assessments import spec_fields
from cellguard.assessments.spec_fields import field_or_none
from cellguard.models.base import SpecModel
from cellguard.models.loader import load
from tests.helpers import REPO

EXAMPLES = [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "org"]


def _models(value: object, seen: set[int]) -> list[BaseModel]:
    """Every model reachable from ``value`` (documents, components, nested settings)."""
    if id(value) in seen:
        return []
    seen.add(id(value))
    found: list[BaseModel] = []
    if isinstance(value, BaseModel):
        found.append(value)
        for name in type(value).model_fields:
            found += _models(getattr(value, name), seen)
    elif isinstance(value, (list, tuple)):
        for item in value:
            found += _models(item, seen)
    elif isinstance(value, dict):
        for item in value.values():
            found += _models(item, seen)
    return found


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: Path(p).name)
def test_every_name_reads_as_getattr_does(path: Path) -> None:
    seen: set[int] = set()
    models = [m for d in load(path).documents for m in _models(d.document, seen)]
    assert len(models) > 20
    names = {n for m in models for n in type(m).model_fields}
    names |= {"engine", "serving", "gpu_sharing", "data", "recreate_hours", "versioning"}
    names |= {"name", "required", "effective_department", "model_dump"}
    names |= {"_private", "__dict__", "no_such_field", "__class__"}
    for model in [*models, None, "text", 3]:
        for name in sorted(names):
            expected = getattr(model, name, None)
            got = field_or_none(model, name)
            if callable(expected) and not isinstance(expected, BaseModel):
                assert callable(got) and got == expected  # a bound method: equal, not the same
            else:
                assert got is expected, (type(model).__name__, name)


class _Loose(BaseModel):
    a: int = 1


class _Strict(SpecModel):
    a: int = 1
    _hidden: int = PrivateAttr(default=7)

    @property
    def b(self) -> int:
        return 2


def test_only_strict_public_fields_are_read_from_the_instance() -> None:
    loose = _Loose.model_validate({"a": 5})
    strict = _Strict(a=3)
    assert field_or_none(loose, "a") == 5 and field_or_none(loose, "x") is None
    assert field_or_none(strict, "a") == 3 and field_or_none(strict, "b") == 2
    assert field_or_none(strict, "_hidden") == 7 and field_or_none(strict, "x") is None
    assert spec_fields._FROM_DICT[(_Strict, "a")] and spec_fields._FROM_DICT[(_Strict, "x")]
    assert not spec_fields._FROM_DICT[(_Strict, "b")]
    assert not spec_fields._FROM_DICT[(_Strict, "_hidden")]
    assert not spec_fields._FROM_DICT[(_Loose, "x")]
