"""The graph engine: spec -> networkx graph -> analyses -> findings -> scores."""

from cellguard.assessments.edges import DependencyEdge, FallbackEdge
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.placement import (
    DomainKind,
    DomainRef,
    EffectivePlacement,
    effective_placement,
)
from cellguard.models.references import qualify

__all__ = [
    "DependencyEdge",
    "DomainKind",
    "DomainRef",
    "EffectivePlacement",
    "FallbackEdge",
    "StackGraph",
    "build_graph",
    "effective_placement",
    "qualify",
]
