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


def spec_reference() -> str:
    """The markdown spec reference, each key the importers write saying what it is imported from.

    The models make the tables; the importers say where they read each key
    (:mod:`cellguard.importers.provenance`): the models do not import the importers.
    """
    from cellguard.importers.provenance import reference_notes, reference_preamble
    from cellguard.models.reference import spec_reference_markdown

    return spec_reference_markdown(reference_notes(), reference_preamble())


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
    from cellguard.models.schema import spec_json_schema_text  # the spec models: imported here

    if output_format is SchemaFormat.MARKDOWN:
        emit(spec_reference(), output, force=force)
    else:
        emit(spec_json_schema_text(), output, force=force)
