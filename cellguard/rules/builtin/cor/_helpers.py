"""Lookups the correct-output rules share: which journeys reach a model, which documents serve one."""

from __future__ import annotations

from cellguard.models.enums import ComponentKind
from cellguard.models.stack import Platform, Stack
from cellguard.rules.context import CRITICAL_TIERS, RuleContext


def journey_models(ctx: RuleContext, stack: str, journey_id: str) -> list[str]:
    """Qualified ids of the generative model endpoints a journey reaches (fallbacks included)."""
    graph = ctx.graph
    return [
        q
        for q in graph.journey_components(stack, journey_id)
        if graph.kind(q) is ComponentKind.MODEL_ENDPOINT
    ]


def document_models(ctx: RuleContext, doc: Stack | Platform) -> list[str]:
    """Model endpoints a document is answerable for, sorted.

    For a stack: the models its journeys reach (its own or another document's). For any
    document: its own model endpoints that some journey reaches.
    """
    found: set[str] = set()
    for _, journey in ctx.graph.journeys(doc.name):
        found.update(journey_models(ctx, doc.name, journey.id))
    for qid in ctx.graph.components(doc.name):
        if ctx.graph.kind(qid) is ComponentKind.MODEL_ENDPOINT and ctx.journeys_of(qid):
            found.add(qid)
    return sorted(found)


def serves_critical_journey(ctx: RuleContext, doc: Stack | Platform) -> list[str]:
    """Tier0/tier1 journeys (``stack/journey``) the document declares or its components serve."""
    found: set[str] = set()
    if isinstance(doc, Stack):
        found.update(
            f"{doc.name}/{j.id}" for j in doc.business.journeys if j.criticality in CRITICAL_TIERS
        )
    for qid in ctx.graph.components(doc.name):
        found.update(
            f"{s}/{j.id}" for s, j in ctx.journeys_of(qid) if j.criticality in CRITICAL_TIERS
        )
    return sorted(found)
