"""Components that keep output correct and observable: guardrails and observability."""

from typing import Literal

from pydantic import Field

from cellguard.models.components.common import ComponentBase, ServiceFields
from cellguard.models.enums import GuardrailCheck, GuardrailProvider, ObservabilityProvider


class Guardrail(ComponentBase, ServiceFields):
    """Input and output safety checks around model calls."""

    kind: Literal["guardrail"] = Field(description="Component kind.")
    provider: GuardrailProvider | None = Field(None, description="Guardrail implementation.")
    checks: list[GuardrailCheck] = Field(
        default_factory=lambda: [], description="Checks performed."
    )
    fail_open: bool | None = Field(
        None, description="Requests pass unchecked when the guardrail is down."
    )


class Observability(ComponentBase):
    """A telemetry back end (metrics, traces, evaluations)."""

    kind: Literal["observability"] = Field(description="Component kind.")
    provider: ObservabilityProvider | None = Field(None, description="Back end.")
    signals: list[Literal["metrics", "gpu_metrics", "traces", "logs", "feedback", "drift"]] = Field(
        default_factory=lambda: [],
        description=(
            "Deprecated: read by no check (accepted with a warning); declare "
            "practices.observability, which the CG-OBS rules judge."
        ),
    )
