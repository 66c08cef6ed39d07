"""``cellguard init``: scaffold a commented starter stack file that validates."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import fail, handle_errors
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption

_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$")


def starter_text(name: str) -> str:
    """The starter stack, with ``name`` as its ``metadata.name``."""
    template = files("cellguard.cli").joinpath("starter.yaml").read_text(encoding="utf-8")
    return template.replace("__NAME__", name)


@handle_errors
def init(
    output: Annotated[
        Path,
        typer.Argument(help="File to create ('-' for standard output)."),
    ] = Path("cellguard.yaml"),
    name: Annotated[
        str, typer.Option("--name", "-n", help="Stack name (lowercase, digits, '-', '_', '.').")
    ] = "my-genai-stack",
    force: ForceOption = False,
) -> None:
    """Write a commented starter stack: one chat journey, an API, a guardrail and a model.

    Edit it to describe your stack, then run 'cellguard validate' on it.
    """
    if not _NAME.match(name):
        fail(
            f"invalid stack name {name!r}",
            hint="use lowercase letters, digits, '.', '_' and '-', e.g. support-assistant",
        )
    emit(starter_text(name), output, force=force)
