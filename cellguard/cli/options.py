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
    list[Path] | None,
    typer.Argument(
        help="Spec files or organisation directories; several are assessed together "
        "(default: 'paths' of the config file).",
        show_default=False,
        metavar="PATH",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file to read instead of the nearest .cellguard.yaml (searched from the "
        "working directory up to the git root).",
        show_default=False,
        metavar="FILE",
    ),
]
"""The config file (``None``: look for ``.cellguard.yaml``)."""

QuietOption = Annotated[
    bool | None,
    typer.Option(
        "--quiet/--no-quiet",
        "-q",
        help="Print errors and the verdict only (reports named with --output are still written).",
        show_default=False,
    ),
]
"""``--quiet``: nothing on standard output but the verdict (``None``: not given)."""
RulesOption = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="Extra rule pack directory (repeatable).", metavar="DIR"),
]
SelectOption = Annotated[
    list[str] | None,
    typer.Option(
        "--select", help="Run only rules matching this id or glob (repeatable).", metavar="RULE"
    ),
]
IgnoreOption = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore", help="Skip rules matching this id or glob (repeatable).", metavar="RULE"
    ),
]
MinSeverityOption = Annotated[
    Severity | None,
    typer.Option("--min-severity", help="List failing findings at or above this severity only."),
]
TodayOption = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="Assess as of this date (YYYY-MM-DD; waiver expiry). Default: $CELLGUARD_TODAY, "
        "the config file's 'today', or the system date.",
        metavar="DATE",
    ),
]
PluginsOption = Annotated[
    bool,
    typer.Option("--plugins/--no-plugins", help="Load rule packs from installed entry points."),
]
ConfiguredPluginsOption = Annotated[
    bool | None,
    typer.Option(
        "--plugins/--no-plugins",
        help="Load rule packs from installed entry points (default: the config file's "
        "rules.plugins, else --plugins).",
        show_default=False,
    ),
]
"""``--plugins/--no-plugins`` of the commands that read the config file (``None``: not given)."""

DEFAULT_FAIL_ON = Severity.MEDIUM
"""Info and low findings are advice; medium and above block unless ``--fail-on`` says otherwise."""

BaselineOption = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        help=(
            "Fail only on findings new relative to this base: a JSON report "
            "(assess --format json) or git:REF for the same paths at a git revision."
        ),
        show_default=False,
        metavar="FILE|git:REF",
    ),
]
FailOnOption = Annotated[
    Severity | None,
    typer.Option(
        "--fail-on",
        help=f"Block on FAIL findings at or above this severity (default: {DEFAULT_FAIL_ON}).",
        show_default=False,
    ),
]
MinScoreOption = Annotated[
    float | None,
    typer.Option(
        "--min-score",
        help=(
            "Fail when the overall score (what the spec proves: UNKNOWN counts as not "
            "passing; see `cellguard rules explain --scoring`) is below this (0-100)."
        ),
        show_default=False,
    ),
]
MinAssuranceOption = Annotated[
    float | None,
    typer.Option(
        "--min-assurance",
        help="Fail when the overall assurance (weighted share of verdicts known) is below this "
        "percentage (0-100).",
        show_default=False,
    ),
]
