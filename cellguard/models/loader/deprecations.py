"""Keys the spec still accepts under an old name or without effect, each with a warning.

A renamed key is folded into its new name by the model (a contradiction between the two is an
error there); this module only says where the old spelling is, so `validate` can tell the
author what to write instead. Warnings never fail a load.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.models.components.compute import Agent
from cellguard.models.components.data import DataVolume, PromptStore
from cellguard.models.components.safety import Observability
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import Diagnostic, KeyPath, Severity
from cellguard.models.stack import Stack


@dataclass(frozen=True)
class Deprecation:
    """One deprecated key: where it is and what to do instead."""

    path: KeyPath
    message: str
    suggestion: str


IGNORED_DATA = {
    "size_gb": "recreate_hours, which the RPO and RTO checks (CG-RED-007/008) read",
    "vectors": "recreate_hours, which the RPO and RTO checks (CG-RED-007/008) read",
}
"""Keys of a store's ``data`` that no check reads, and what to declare instead (issue 15 item 6)."""


def _ignored(what: str, instead: str) -> tuple[str, str]:
    return f"{what} is deprecated: no check reads it, so it has no effect", f"remove it; {instead}"


def _component(i: int, comp: object) -> list[Deprecation]:
    out: list[Deprecation] = []
    ident = getattr(comp, "id", "")
    if isinstance(comp, PromptStore) and "versioned" in comp.model_fields_set:
        out.append(
            Deprecation(
                ("components", i, "versioned"),
                f"'versioned' on prompt store '{ident}' is deprecated",
                "write 'versioning', the name object stores use for the same thing",
            )
        )
    data = vars(comp).get("data")  # a field of some kinds: no AttributeError raised for others
    if isinstance(data, DataVolume):
        for key in sorted(IGNORED_DATA.keys() & data.model_fields_set):
            message, suggestion = _ignored(f"'data.{key}' of '{ident}'", IGNORED_DATA[key])
            out.append(Deprecation(("components", i, "data", key), message, suggestion))
    if isinstance(comp, Observability) and "signals" in comp.model_fields_set:
        message, suggestion = _ignored(
            f"'signals' of observability component '{ident}'",
            "declare practices.observability (metrics, gpu_metrics, tracing, user_feedback, "
            "drift_baselines), which CG-OBS-001..005 judge",
        )
        out.append(Deprecation(("components", i, "signals"), message, suggestion))
    if isinstance(comp, Agent) and "tools" in comp.model_fields_set:
        message, suggestion = _ignored(
            f"'tools' of agent '{ident}'",
            "list each tool the agent calls in depends_on, with its timeout and retries: every "
            "check follows depends_on",
        )
        out.append(Deprecation(("components", i, "tools"), message, suggestion))
    return out


def _found(loaded: LoadedDocument) -> list[Deprecation]:
    doc = loaded.document
    out: list[Deprecation] = []
    for i, comp in enumerate(doc.components):
        out += _component(i, comp)
    if isinstance(doc, Stack):
        for j, journey in enumerate(doc.business.journeys):
            if "mean_rps" in journey.demand.model_fields_set:
                message, suggestion = _ignored(
                    f"'demand.mean_rps' of journey '{journey.id}'",
                    "capacity, latency, quotas and surges are judged at demand.peak_rps",
                )
                path = ("business", "journeys", j, "demand", "mean_rps")
                out.append(Deprecation(path, message, suggestion))
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
