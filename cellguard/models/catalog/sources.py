"""Shared pieces of the catalog: a cited source, and loading the packaged YAML files.

Every number in the catalog carries a :class:`Source`: what it is, where it comes from and
when that was checked. Catalog files live next to this module (``*.yaml``) and are parsed
with pydantic models that forbid unknown keys, so a typo in a catalog entry fails the test
suite rather than silently dropping a number.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field

_M = TypeVar("_M", bound=BaseModel)


class CatalogModel(BaseModel):
    """Base of catalog models: strict, immutable, finite numbers only."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Source(CatalogModel):
    """Where a catalog number comes from."""

    title: str = Field(min_length=1, description="The document, page or paper.")
    url: str | None = Field(None, description="Where to read it (plain text, never fetched).")
    checked: dt.date = Field(description="When the number was last checked against the source.")
    note: str | None = Field(None, description="How the number was derived from the source.")

    def cite(self) -> str:
        """A one-line citation: title, and the date it was checked."""
        return f"{self.title} (checked {self.checked.isoformat()})"


@cache
def _raw(name: str) -> Any:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    # libyaml's parser where PyYAML has it (as the spec loader does): same data, much faster
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_catalog_file(name: str, model: type[_M]) -> _M:
    """Parse the packaged catalog file ``name`` (e.g. ``availability.yaml``) as ``model``."""
    return model.model_validate(_raw(name))
