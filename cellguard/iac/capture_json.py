"""``cellguard blueprint --verify --capture FILE.json``: every captured resource as JSON.

The document (``schema_version`` 1) lists each resource the program registered under the mocks
with its ``type``, logical ``name``, ``urn``, ``parent`` URN, ``provider`` reference
(``URN::id``, null for the default provider), ``custom`` (false for component resources) and
``inputs`` (what the program asked the cloud for; values the mocks answered with appear as the
mocks gave them: ``NAME-id`` ids, ``arn:aws:mock:::`` ARNs). Resources are sorted by URN and
keys within objects by name, so the same program gives the same bytes, for review and for other
tools.
"""

from __future__ import annotations

from typing import Any

from cellguard.iac.mockrun import Capture
from cellguard.models.json_text import dumps

SCHEMA_VERSION = 1


def capture_document(cap: Capture) -> dict[str, Any]:
    """The capture as a JSON-ready mapping, resources sorted by URN."""
    resources = [
        {
            "type": r.type,
            "name": r.name,
            "urn": r.urn,
            "parent": r.parent,
            "provider": r.provider,
            "custom": r.custom,
            "inputs": r.inputs,
        }
        for r in sorted(cap.resources, key=lambda r: (r.urn, r.type, r.name))
    ]
    return {"schema_version": SCHEMA_VERSION, "resources": resources}


def capture_json(cap: Capture) -> str:
    """The capture document as deterministic JSON text (sorted keys, two-space indent)."""
    return dumps(capture_document(cap), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
