"""Helpers the sufficient-capacity rules share."""

from __future__ import annotations

from cellguard.models.business import Journey
from cellguard.models.components import ComponentBase
from cellguard.models.enums import ComponentKind
from cellguard.models.references import localise
from cellguard.rules.outcome import Outcome, Target, not_applicable
from cellguard.rules.predicates import SERVICE_KINDS, provider_runs

SERVICES = tuple(k for k in SERVICE_KINDS if k is not ComponentKind.INGESTION_PIPELINE)
"""Services whose scaling and overload protection CAP rules judge; ingestion pipelines are
bounded by their parallelism instead (CG-CAP-008)."""


def journey_names(journeys: list[tuple[str, Journey]], within: str) -> str:
    """``chat (tier1), other-stack/search (tier0)``: journeys named as seen from ``within``."""
    return ", ".join(
        f"{localise(f'{stack}/{j.id}', within)} ({j.criticality.value})" for stack, j in journeys
    )


def run_by_provider(target: Target, comp: ComponentBase) -> Outcome | None:
    """NOT_APPLICABLE when the provider runs, scales and protects ``comp``, else ``None``."""
    reason = provider_runs(comp)
    if reason is None:
        return None
    return not_applicable(
        target, f"{target.id} is run, scaled and protected by its provider ({reason})."
    )
