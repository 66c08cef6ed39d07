"""Dependency edges between components and the protections a caller applies."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from cellguard.models.base import (
    MAX_CHARS,
    MAX_MS,
    MAX_TOKENS,
    NonNegativeInt,
    PositiveInt,
    Reference,
    SpecModel,
)
from cellguard.models.enums import DependencyMode

MAX_RETRIES = 20
"""Most retries a dependency may declare."""


def on_required_path(*, optional: bool, mode: DependencyMode) -> bool:
    """Whether a caller fails when this dependency (and its fallback) fails.

    True for required (non-optional) calls that the caller waits for (sync or stream); async
    calls and soft dependencies do not take the caller down. Cycles of such edges are load
    errors, and journey paths follow only them.
    """
    return not optional and mode is not DependencyMode.ASYNC


class Dependency(SpecModel):
    """A call from one component to another."""

    to: Reference = Field(description="The component called (``stack/id`` for another stack).")
    timeout_ms: PositiveInt | None = Field(
        None, le=MAX_MS, description="The caller's timeout per attempt, in milliseconds."
    )
    retries: NonNegativeInt = Field(
        0,
        le=MAX_RETRIES,
        description=(
            "Retries after the first attempt (attempts = retries + 1). Not declared: the "
            "arithmetic counts none, and checks that would pass only with few retries are UNKNOWN."
        ),
    )
    mode: DependencyMode = Field(
        DependencyMode.SYNC, description="How the caller waits: sync, async or stream."
    )
    is_async: bool | None = Field(
        None,
        alias="async",
        description="Shorthand for 'mode: async'; may not contradict 'mode'.",
    )
    optional: bool = Field(
        False,
        description="A soft dependency: the caller degrades gracefully when it is down.",
    )
    fallback: Reference | None = Field(
        None, description="A component called instead when this one fails."
    )
    shed_on_failover: float | None = Field(
        None,
        ge=0,
        lt=1,
        description=(
            "Share of this call's demand (0 to below 1) the design accepts to shed while the "
            "callee is down and its fallback serves: the fallback is sized for the rest. Not "
            "declared: no shedding is accepted. Needs 'fallback'."
        ),
    )

    @model_validator(mode="after")
    def _async_shorthand(self) -> "Dependency":
        """Fold ``async: true`` into ``mode`` and reject contradictions."""
        if self.is_async is True:
            if "mode" in self.model_fields_set and self.mode is not DependencyMode.ASYNC:
                raise ValueError(f"'async: true' contradicts 'mode: {self.mode.value}'")
            object.__setattr__(self, "mode", DependencyMode.ASYNC)
        elif self.is_async is False and self.mode is DependencyMode.ASYNC:
            raise ValueError("'async: false' contradicts 'mode: async'")
        return self

    @model_validator(mode="after")
    def _shed_needs_fallback(self) -> "Dependency":
        """``shed_on_failover`` says how much a fallback may leave unserved: it needs one."""
        if self.shed_on_failover is not None and self.fallback is None:
            raise ValueError(
                "'shed_on_failover' needs 'fallback': it is the share of demand shed while the "
                "fallback serves; name the fallback, or remove 'shed_on_failover'"
            )
        return self

    @property
    def on_required_path(self) -> bool:
        """Required and blocking: see :func:`on_required_path`."""
        return on_required_path(optional=self.optional, mode=self.mode)

    @property
    def attempts(self) -> int:
        """Total attempts the caller makes: first try plus retries."""
        return self.retries + 1

    @property
    def required(self) -> bool:
        """Whether the caller fails when this dependency (and its fallback) fails."""
        return not self.optional


def _dependency_shorthand(value: Any) -> Any:
    """Accept a bare component id as shorthand for ``{to: id}``."""
    if isinstance(value, str):
        return {"to": value}
    return value


DependencyItem = Annotated[
    Dependency,
    BeforeValidator(_dependency_shorthand, json_schema_input_type=Dependency | Reference),
]
"""A dependency, written either as a mapping or as a bare component id."""


class InputValidation(SpecModel):
    """Validation of user input before it reaches a model."""

    max_prompt_chars: PositiveInt | None = Field(
        None, le=MAX_CHARS, description="Longest prompt accepted, in characters."
    )
    max_prompt_tokens: PositiveInt | None = Field(
        None, le=MAX_TOKENS, description="Longest prompt accepted, in tokens."
    )


class Protections(SpecModel):
    """Load and failure protections a service applies; unset means unknown."""

    rate_limiting: bool | None = Field(None, description="Rejects clients above their quota.")
    load_shedding: bool | None = Field(None, description="Drops excess work early when overloaded.")
    circuit_breaker: bool | None = Field(
        None, description="Stops calling a failing dependency for a while."
    )
    backoff_jitter: bool | None = Field(
        None, description="Retries back off exponentially with jitter."
    )
    retry_budget: bool | None = Field(
        None, description="Retries are capped as a share of requests."
    )
    input_validation: InputValidation | None = Field(
        None, description="Validation of prompts before they reach a model."
    )
