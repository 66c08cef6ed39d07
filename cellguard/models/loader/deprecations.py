"""Keys the spec still accepts under an old name or without effect, each with a warning.

A renamed key is folded into its new name by the model (a contradiction between the two is an
error there); this module only says where the old spelling is, so `validate` can tell the
author what to write instead. Warnings never fail a load.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.models.components.data import PromptStore
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import Diagnostic, KeyPath, Severity


@dataclass(frozen=True)
class Deprecation:
    """One deprecated key: where it is and what to do instead."""

    path: KeyPath
    message: str
    suggestion: str


def _found(loaded: LoadedDocument) -> list[Deprecation]:
    doc = loaded.document
    out: list[Deprecation] = []
    for i, comp in enumerate(doc.components):
        if isinstance(comp, PromptStore) and "versioned" in comp.model_fields_set:
            out.append(
                Deprecation(
                    ("components", i, "versioned"),
                    f"'versioned' on prompt store '{comp.id}' is deprecated",
                    "write 'versioning', the name object stores use for the same thing",
                )
            )
    change = doc.practices.change_management
    if "static_typing" in change.model_fields_set:
        out.append(
            Deprecation(
                ("practices", "change_management", "static_typing"),
                "'static_typing' is deprecated: no check reads it, so it has no effect",
                "remove it; typed tool contracts are judged from tools' interface.typed",
            )
        )
    return out


def deprecated_keys(loaded: LoadedDocument) -> list[Diagnostic]:
    """A warning for each deprecated key ``loaded`` uses."""
    return [
        loaded.source.diagnostic(
            d.path,
            d.message,
            code="deprecated-key",
            prefer_key=True,
            suggestion=d.suggestion,
            severity=Severity.WARNING,
        )
        for d in _found(loaded)
    ]
