"""``cellguard validate``: load spec files and directories and report every problem."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import ExitCode, handle_errors
from cellguard.models.json_text import dumps
from cellguard.models.loader import Organisation, SpecLoadError, load
from cellguard.models.stack import Stack
from cellguard.models.text import inert


class ValidateFormat(StrEnum):
    """Output formats of ``validate``."""

    TEXT = "text"
    JSON = "json"


def _summary(org: Organisation) -> str:
    parts = []
    for loaded in org.documents:
        doc = loaded.document
        what = (
            f"stack '{doc.name}' ({len(doc.components)} components, "
            f"{len(doc.business.journeys)} journey{'' if len(doc.business.journeys) == 1 else 's'})"
            if isinstance(doc, Stack)
            else f"platform '{doc.name}' ({len(doc.components)} components)"
        )
        parts.append(inert(f"ok {loaded.file}: {what}", single_line=True))
    return "\n".join(parts)


@handle_errors
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Spec files, or directories loaded as one organisation each.",
            show_default=False,
        ),
    ],
    output_format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ValidateFormat.TEXT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Validate spec files: syntax, schema, references, placement and dependency cycles.

    Each PATH is checked on its own: a file as one stack, a directory as an organisation
    whose stacks may reference each other as 'stack/component'. Exit code 0 when every
    PATH is valid, 2 otherwise.
    """
    results: list[dict[str, object]] = []
    invalid = 0
    for path in paths:
        try:
            org = load(path)
        except SpecLoadError as exc:
            invalid += 1
            if output_format is ValidateFormat.TEXT:
                typer.echo(exc.render(), err=True)
            results.append(
                {
                    "path": str(path),
                    "valid": False,
                    "diagnostics": [d.to_dict() for d in exc.diagnostics],
                }
            )
            continue
        if output_format is ValidateFormat.TEXT:
            if org.warnings:
                typer.echo("\n".join(w.render() for w in org.warnings), err=True)
            if not quiet:
                typer.echo(_summary(org))
        results.append(
            {
                "path": str(path),
                "valid": True,
                "documents": [{"name": d.name, "file": d.file} for d in org.documents],
                "diagnostics": [w.to_dict() for w in org.warnings],
            }
        )
    if output_format is ValidateFormat.JSON:
        typer.echo(dumps({"results": results}, indent=2, sort_keys=True))
    elif invalid:
        typer.echo(f"cellguard: {invalid} of {len(paths)} path(s) invalid", err=True)
    if invalid:
        raise typer.Exit(ExitCode.INPUT_ERROR)
