"""The spec loader: YAML files to validated models, with every key's source position kept."""

from cellguard.models.loader.document import LoadedDocument, parse_document, read_document
from cellguard.models.loader.errors import Diagnostic, Severity, SpecLoadError, format_key_path
from cellguard.models.loader.organisation import Organisation, build_organisation, load, spec_files
from cellguard.models.loader.source import MAX_EXPANDED_NODES, MAX_FILE_BYTES, Position, SourceMap

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
