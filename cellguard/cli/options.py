"""Command-line options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.models.findings import Severity

OutputOption = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write to this file instead of standard output."),
]
"""Where a command writes its result (standard output when omitted or '-')."""

ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")]
"""Permission to overwrite an existing output file."""

PathsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Spec files or organisation directories; several are assessed together.",
        show_default=False,
    ),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="Extra rule pack directory (repeatable)."),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option("--select", help="Run only rules matching this id or glob (repeatable)."),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option("--ignore", help="Skip rules matching this id or glob (repeatable)."),
]
MinSeverityOption = Annotated[
    Severity | None,
    typer.Option("--min-severity", help="List failing findings at or above this severity only."),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Assess as of this date (YYYY-MM-DD; waiver expiry). Default: $CELLGUARD_TODAY or today.",
    ),
]
PluginsOption = Annotated[
    bool,
    typer.Option("--plugins/--no-plugins", help="Load rule packs from installed entry points."),
]
