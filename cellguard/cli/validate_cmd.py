"""``cellguard validate``: load spec files and directories and report every problem."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, BinaryIO

import typer

from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.options import ConfigOption
from cellguard.cli.settings import read_config, require_paths, resolve_settings
from cellguard.models.json_text import dumps
from cellguard.models.loader import (
    MAX_FILE_BYTES,
    Organisation,
    SpecLoadError,
    build_organisation,
    load,
    parse_document,
)
from cellguard.models.loader.source import decode
from cellguard.models.stack import Stack
from cellguard.models.text import inert
from cellguard.models.wording import plural

STDIN = "-"
"""The PATH that stands for standard input."""

STDIN_NAME = "<stdin>"
"""Standard input as messages name it (``<stdin>:3:5: error[...]``)."""


class ValidateFormat(StrEnum):
    """Output formats of ``validate``."""

    TEXT = "text"
    JSON = "json"


def _summary(org: Organisation) -> str:
    parts = []
    for loaded in org.documents:
        doc = loaded.document
        what = (
            f"stack '{doc.name}' ({plural(len(doc.components), 'component')}, "
            f"{plural(len(doc.business.journeys), 'journey')})"
            if isinstance(doc, Stack)
            else f"platform '{doc.name}' ({plural(len(doc.components), 'component')})"
        )
        parts.append(inert(f"ok {loaded.file}: {what}", single_line=True))
    return "\n".join(parts)


def load_stdin(stream: BinaryIO) -> Organisation:
    """One spec document read from ``stream`` (at most :data:`MAX_FILE_BYTES`), checked alone."""
    raw = stream.read(MAX_FILE_BYTES + 1)  # decode() refuses more than the limit
    document = parse_document(decode(raw, STDIN_NAME), STDIN_NAME)
    return build_organisation([document], org_mode=False)


def _load(path: Path) -> Organisation:
    return load_stdin(sys.stdin.buffer) if str(path) == STDIN else load(path)


@handle_errors
def validate(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Spec files, or directories loaded as one organisation each; '-' reads one "
            "spec from standard input (default: 'paths' of the config file).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    output_format: Annotated[
        ValidateFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ValidateFormat.TEXT,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
    config: ConfigOption = None,
) -> None:
    """Validate spec files: syntax, schema, references, placement and dependency cycles.

    Each PATH is checked on its own: a file as one stack, a directory as an organisation
    whose stacks may reference each other as 'stack/component'. Exit code 0 when every
    PATH is valid, 2 otherwise.
    """
    paths = require_paths(resolve_settings(read_config(config), paths=paths))
    if sum(1 for p in paths if str(p) == STDIN) > 1:
        raise UserError("'-' (standard input) is given more than once", hint="give it once")
    results: list[dict[str, object]] = []
    invalid = 0
    for path in paths:
        try:
            org = _load(path)
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
        typer.echo(f"cellguard: {invalid} of {plural(len(paths), 'path')} invalid", err=True)
    if invalid:
        raise typer.Exit(ExitCode.INPUT_ERROR)
