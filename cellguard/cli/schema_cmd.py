"""``cellguard schema``: print or write the JSON Schema of the spec."""

from __future__ import annotations

from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption, OutputOption
from cellguard.models.schema import spec_json_schema_text


@handle_errors
def schema(
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Print the JSON Schema of cellguard/v1 spec files.

    Editors validate and complete spec files with it; add this first line to a spec:
    '# yaml-language-server: $schema=<path or URL of the schema>'.
    """
    emit(spec_json_schema_text(), output, force=force)
