"""``cellguard schema``: print or write the JSON Schema of the spec."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.files import emit
from cellguard.models.schema import spec_json_schema_text


@handle_errors
def schema(
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Print the JSON Schema of cellguard/v1 spec files.

    Editors validate and complete spec files with it; add this first line to a spec:
    '# yaml-language-server: $schema=<path or URL of the schema>'.
    """
    emit(spec_json_schema_text(), output, force=force)
