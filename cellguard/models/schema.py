"""JSON Schema of the spec, generated from the pydantic models (the single source of truth)."""

from __future__ import annotations

from typing import Any

from cellguard.models.json_text import dumps
from cellguard.models.stack import DOCUMENT_ADAPTER


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a cellguard/v1 document (Stack or Platform).

    It has no ``$id``: cellguard publishes the schema nowhere on the web, so it is identified
    by where it is read from (``schema/cellguard-v1.schema.json``, or the file ``cellguard
    schema -o`` writes).
    """
    schema = DOCUMENT_ADAPTER.json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "cellguard/v1 document",
        "description": (
            "A cellguard spec file: a Stack (a team's GenAI stack and the business impact of "
            "its outages) or a Platform (components shared by several stacks)."
        ),
        **schema,
    }


def spec_json_schema_text() -> str:
    """The schema as deterministic, pretty JSON text ending in a newline."""
    return dumps(spec_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
