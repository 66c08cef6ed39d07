"""Command-line options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file instead of standard output."),
]
"""Where a command writes its result (standard output when omitted or '-')."""

ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
"""Permission to overwrite an existing output file."""
