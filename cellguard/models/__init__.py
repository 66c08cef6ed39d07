"""Pydantic models of the cellguard spec (input) and, later, of findings and reports (output).

The names below are imported on first use (PEP 562), so that importing a light module of this
package (``cellguard.models.text``, ``cellguard.models.findings``) does not import pydantic and
every spec model: the command line starts faster (issue 19).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cellguard.models.base import API_VERSION, SpecModel
    from cellguard.models.business import Business, Demand, Impact, Journey, Objectives, Risk
    from cellguard.models.components import COMPONENT_TYPES, Component, ComponentBase, Placement
    from cellguard.models.dependencies import Dependency, Protections
    from cellguard.models.practices import Practices
    from cellguard.models.stack import DOCUMENT_ADAPTER, Document, Metadata, Platform, Stack
    from cellguard.models.topology import Cell, Region, SharedDomain, Topology
    from cellguard.models.waivers import Waiver

_MODULE_OF = {
    "API_VERSION": "base",
    "SpecModel": "base",
    "Business": "business",
    "Demand": "business",
    "Impact": "business",
    "Journey": "business",
    "Objectives": "business",
    "Risk": "business",
    "COMPONENT_TYPES": "components",
    "Component": "components",
    "ComponentBase": "components",
    "Placement": "components",
    "Dependency": "dependencies",
    "Protections": "dependencies",
    "Practices": "practices",
    "DOCUMENT_ADAPTER": "stack",
    "Document": "stack",
    "Metadata": "stack",
    "Platform": "stack",
    "Stack": "stack",
    "Cell": "topology",
    "Region": "topology",
    "SharedDomain": "topology",
    "Topology": "topology",
    "Waiver": "waivers",
}

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


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
