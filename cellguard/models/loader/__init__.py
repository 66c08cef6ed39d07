"""The spec loader: YAML files to validated models, with every key's source position kept.

The names below are imported on first use (PEP 562): ``cellguard.models.loader.errors`` (what
every command needs to report a bad spec) does not import pydantic, networkx or the models.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cellguard.models.loader.document import LoadedDocument, parse_document, read_document
    from cellguard.models.loader.errors import (
        Diagnostic,
        Severity,
        SpecLoadError,
        format_key_path,
    )
    from cellguard.models.loader.organisation import (
        Organisation,
        build_organisation,
        load,
        spec_files,
    )
    from cellguard.models.loader.positions import Position, SourceMap
    from cellguard.models.loader.source import MAX_EXPANDED_NODES, MAX_FILE_BYTES

_MODULE_OF = {
    "LoadedDocument": "document",
    "parse_document": "document",
    "read_document": "document",
    "Diagnostic": "errors",
    "Severity": "errors",
    "SpecLoadError": "errors",
    "format_key_path": "errors",
    "Organisation": "organisation",
    "build_organisation": "organisation",
    "load": "organisation",
    "spec_files": "organisation",
    "MAX_EXPANDED_NODES": "source",
    "MAX_FILE_BYTES": "source",
    "Position": "positions",
    "SourceMap": "positions",
}

__all__ = [
    "MAX_EXPANDED_NODES",
    "MAX_FILE_BYTES",
    "Diagnostic",
    "LoadedDocument",
    "Organisation",
    "Position",
    "Severity",
    "SourceMap",
    "SpecLoadError",
    "build_organisation",
    "format_key_path",
    "load",
    "parse_document",
    "read_document",
    "spec_files",
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
