"""Shared building blocks of the spec models: the strict base model and constrained scalar types."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

API_VERSION = "cellguard/v1"
"""The only spec version this release reads."""


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, values are checked on assignment."""

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        use_enum_values=False,
        str_strip_whitespace=False,
        protected_namespaces=(),
    )


Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$"),
    Field(
        description=(
            "A lowercase identifier: letters, digits, '.', '_' and '-', starting and ending "
            "with a letter or digit, at most 63 characters."
        )
    ),
]
"""Ids of components, journeys, cells, stacks and domains."""

Reference = Annotated[
    str,
    StringConstraints(
        pattern=r"^([a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?/)?[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$"
    ),
    Field(
        description=(
            "A component id in this stack, or 'other-stack/component-id' for a component of "
            "another stack or platform file of the same organisation."
        )
    ),
]
"""A reference to a component, possibly qualified with another stack's name."""

Percent = Annotated[
    float,
    Field(gt=0, le=100, description="A percentage greater than 0 and at most 100."),
]
"""Availability figures and objectives, in percent."""

Money = Annotated[float, Field(ge=0, description="An amount of money, in the stack's currency.")]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
