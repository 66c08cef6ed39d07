"""Pydantic models of the cellguard spec (input) and, later, of findings and reports (output)."""

from cellguard.models.base import API_VERSION, SpecModel
from cellguard.models.business import Business, Demand, Impact, Journey, Objectives, Risk
from cellguard.models.components import COMPONENT_TYPES, Component, ComponentBase, Placement
from cellguard.models.dependencies import Dependency, Protections
from cellguard.models.practices import Practices
from cellguard.models.stack import DOCUMENT_ADAPTER, Document, Metadata, Platform, Stack
from cellguard.models.topology import Cell, Region, SharedDomain, Topology
from cellguard.models.waivers import Waiver

__all__ = [
    "API_VERSION",
    "COMPONENT_TYPES",
    "DOCUMENT_ADAPTER",
    "Business",
    "Cell",
    "Component",
    "ComponentBase",
    "Demand",
    "Dependency",
    "Document",
    "Impact",
    "Journey",
    "Metadata",
    "Objectives",
    "Placement",
    "Platform",
    "Practices",
    "Protections",
    "Region",
    "Risk",
    "SharedDomain",
    "SpecModel",
    "Stack",
    "Topology",
    "Waiver",
]
