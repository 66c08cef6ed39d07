"""Shared building blocks of the spec models: the strict base model and constrained scalar types.

Every number of a spec is finite (``.inf``, ``-.inf`` and ``.nan`` are input errors) and lies
within a documented range, so that no product of spec numbers (revenue x hours, rps x tokens,
replicas x throughput, ...) can overflow to infinity. The upper bounds below are beyond any
real system; the spec reference and the JSON Schema show each field's range.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

API_VERSION = "cellguard/v1"
"""The only spec version this release reads."""


class SpecModel(BaseModel):
    """Base of every spec model: unknown keys are errors, values are checked on assignment.

    An empty default is written ``default_factory=lambda: []`` (``{}``, ``set()``), not
    ``default_factory=list``: pydantic reads each factory's signature when it builds a model,
    and a builtin's is parsed from its text with ``tokenize`` (0.3-0.4 ms each, 25-30 ms of
    every ``assess`` in all, against 2 ms for the lambdas; issue 21 item 5).
    """

    model_config = ConfigDict(
        extra="forbid",
        validate_assignment=True,
        populate_by_name=True,
        use_enum_values=False,
        str_strip_whitespace=False,
        protected_namespaces=(),
        allow_inf_nan=False,
        # Built when first used, not when the class is defined: the documents' validator
        # (stack.DOCUMENT_ADAPTER) builds every model it holds within itself, and each class's
        # own validator was built once more at import for nothing (issue 21 item 5).
        defer_build=True,
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

MAX_MONEY = 10**12
"""Money per hour of outage or per incident: a trillion in the stack's currency."""
MAX_RATE = 10**9
"""Requests, reads or launches per second."""
MAX_PER_MINUTE = 10**12
"""Tokens or requests per minute of a managed-service quota."""
MAX_TOKENS = 10**8
"""Tokens of one request, prompt or context window."""
MAX_CHARS = 10**9
"""Characters of one prompt."""
MAX_REPLICAS = 10**6
"""Replicas of one component per region (also autoscaling bounds and reservations)."""
MAX_POPULATION = 10**10
"""Users or tenants: more than there are people."""
MAX_VECTORS = 10**13
"""Vectors in one store."""
MAX_SIZE_GB = 10**9
"""Size of one store in GB: an exabyte."""
MAX_PER_REPLICA = 10**6
"""GPUs, concurrent sequences or parallel requests of one replica or pipeline; agent iterations."""
MAX_ZONES = 100
"""Zones per region given as a count."""
MAX_MS = 10**9
"""Durations in milliseconds (about 11.6 days)."""
MAX_SECONDS = 10**9
"""Durations in seconds (about 31.7 years)."""
MAX_MINUTES = 10**7
"""Durations in minutes (about 19 years)."""
MAX_HOURS = 10**6
"""Durations in hours (about 114 years)."""
MAX_DAYS = 10**5
"""Durations in days (about 274 years)."""

Money = Annotated[
    float,
    Field(ge=0, le=MAX_MONEY, description="An amount of money, in the stack's currency."),
]
PositiveInt = Annotated[int, Field(ge=1)]
NonNegativeInt = Annotated[int, Field(ge=0)]
NonNegativeFloat = Annotated[float, Field(ge=0)]
