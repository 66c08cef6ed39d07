"""JSON Schema of the spec, generated from the pydantic models (the single source of truth)."""

from __future__ import annotations

from typing import Any

from cellguard.models.json_text import dumps
from cellguard.models.stack import DOCUMENT_ADAPTER

SCHEMA_ID = "https://cellguard.dev/schema/cellguard-v1.schema.json"


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a cellguard/v1 document (Stack or Platform)."""
    schema = DOCUMENT_ADAPTER.json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
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
