"""``cellguard schema``: print or write the JSON Schema of the spec."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption, OutputOption


class SchemaFormat(StrEnum):
    """Formats of ``schema``."""

    JSON = "json"
    MARKDOWN = "markdown"


@handle_errors
def schema(
    output_format: Annotated[
        SchemaFormat,
        typer.Option("--format", "-f", help="json: JSON Schema; markdown: a key reference."),
    ] = SchemaFormat.JSON,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Print the JSON Schema of cellguard/v1 spec files.

    Editors validate and complete spec files with it; add this first line to a spec:
    '# yaml-language-server: $schema=<path or URL of the schema>'.
    """
    from cellguard.models.reference import spec_reference_markdown  # the spec models: imported here
    from cellguard.models.schema import spec_json_schema_text

    if output_format is SchemaFormat.MARKDOWN:
        emit(spec_reference_markdown(), output, force=force)
    else:
        emit(spec_json_schema_text(), output, force=force)
