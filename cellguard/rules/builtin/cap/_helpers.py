"""Helpers the sufficient-capacity rules share."""

from __future__ import annotations

from cellguard.models.business import Journey
from cellguard.models.components import ComponentBase, EmbeddingModel, Guardrail, ModelEndpoint
from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import ComponentKind, GuardrailProvider, Runtime
from cellguard.models.references import localise
from cellguard.rules.predicates import SERVICE_KINDS, hosting, runs_gpus

SERVICES = tuple(k for k in SERVICE_KINDS if k is not ComponentKind.INGESTION_PIPELINE)
"""Services whose scaling and overload protection CAP rules judge; ingestion pipelines are
bounded by their parallelism instead (CG-CAP-008)."""

MANAGED_GUARDRAILS = (GuardrailProvider.BEDROCK_GUARDRAILS,)
"""Guardrail providers that are a managed API, not a service the team runs."""


def provider_runs(comp: ComponentBase) -> str | None:
    """Why the provider, not the team, runs and scales ``comp``; ``None`` when the team does.

    GPU models (self-hosted or SageMaker) are always the team's fleet, whatever their runtime:
    a SageMaker endpoint needs its own scaling policy and protections. Other models are served
    by their provider. Services on Lambda or a managed runtime (API Gateway, Bedrock
    Guardrails) are scaled by the platform.
    """
    if isinstance(comp, ModelEndpoint | EmbeddingModel):
        if runs_gpus(comp):
            return None
        served_by = hosting(comp)
        name = served_by.value if served_by is not None else "its provider"
        return f"is served by {name}, which runs its capacity"
    if isinstance(comp, Guardrail) and comp.provider in MANAGED_GUARDRAILS:
        return f"is {comp.provider.value}, a managed service"
    if isinstance(comp, ServiceFields):
        if comp.runtime is Runtime.MANAGED:
            return "runs on a managed service that scales and protects itself"
        if comp.runtime is Runtime.LAMBDA:
            return "runs on Lambda, which adds an instance per concurrent request"
    return None


def journey_names(journeys: list[tuple[str, Journey]], within: str) -> str:
    """``chat (tier1), other-stack/search (tier0)``: journeys named as seen from ``within``."""
    return ", ".join(
        f"{localise(f'{stack}/{j.id}', within)} ({j.criticality.value})" for stack, j in journeys
    )
