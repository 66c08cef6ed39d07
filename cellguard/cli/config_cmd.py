"""``cellguard config``: the effective settings of ``assess`` and ``check``, and where each came from."""

from __future__ import annotations

import datetime as dt
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.options import (
    BaselineOption,
    ConfigOption,
    ConfiguredPluginsOption,
    FailOnOption,
    IgnoreOption,
    MinAssuranceOption,
    MinScoreOption,
    MinSeverityOption,
    PathsArgument,
    QuietOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.settings import Settings, read_config, resolve_settings
from cellguard.models.config import CONFIG_NAME
from cellguard.models.json_text import dumps
from cellguard.models.text import inert
from cellguard.reports.formats import ReportFormat


class ConfigFormat(StrEnum):
    """Output formats of ``config``."""

    TEXT = "text"
    JSON = "json"


def _plain(value: Any) -> Any:
    """A setting's value as JSON-ready data."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path | dt.date):
        return str(value)
    return value


def _shown(value: Any) -> str:
    """A setting's value on one line of the text table."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        if not value:
            return "(none)"
        if all(isinstance(v, dict) for v in value):
            return ", ".join(f"{v['format']} -> {v['output']}" for v in value)
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def settings_data(settings: Settings) -> dict[str, Any]:
    """The JSON form: the config file read and each setting's value and origin."""
    return {
        "config": str(settings.config.path) if settings.config else None,
        "settings": {
            key: {"value": _plain(s.value), "from": s.origin} for key, s in settings.rows()
        },
    }


def settings_text(settings: Settings) -> str:
    """The text form: the config file read, then one line per setting: key, value, origin."""
    head = (
        f"config file: {settings.config.path}"
        if settings.config
        else f"config file: none ({CONFIG_NAME} not found from here up to the git root)"
    )
    rows = [(key, _shown(s.value), s.origin) for key, s in settings.rows()]
    width = max(len(key) for key, _, _ in rows)
    value_width = min(48, max(len(value) for _, value, _ in rows))
    lines = [head, ""]
    lines += [f"{key:<{width}}  {value:<{value_width}}  {origin}" for key, value, origin in rows]
    return "".join(f"{inert(line, single_line=True).rstrip()}\n" for line in lines)


@handle_errors
def config(
    paths: PathsArgument = None,
    config: ConfigOption = None,
    output_format: Annotated[
        ConfigFormat, typer.Option("--format", "-f", help="Output format.")
    ] = ConfigFormat.TEXT,
    report_format: Annotated[
        list[ReportFormat] | None,
        typer.Option(
            "--report-format",
            help="A --format of assess or check (repeatable).",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        list[Path] | None,
        typer.Option(
            "--report-output",
            help="An --output of assess or check (repeatable).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    plugins: ConfiguredPluginsOption = None,
    today: TodayOption = None,
    min_severity: MinSeverityOption = None,
    quiet: QuietOption = None,
    baseline: BaselineOption = None,
    fail_on: FailOnOption = None,
    min_score: MinScoreOption = None,
    min_assurance: MinAssuranceOption = None,
) -> None:
    """Print the settings assess and check would use, and where each comes from.

    Each setting comes from the command line (the flag is named), from the config file
    (file:line), or is the default. The config file is the one given with --config, else the
    nearest .cellguard.yaml in the working directory or a parent, up to the root of the git
    repository. Give the flags you would give assess or check to see how they combine
    (--report-format and --report-output stand for their --format and --output). Exit code 0,
    or 2 when the config file or a flag is invalid.
    """
    settings = resolve_settings(
        read_config(config),
        paths=paths,
        select=select,
        ignore=ignore,
        packs=rules,
        plugins=plugins,
        today=today,
        min_severity=min_severity,
        quiet=quiet,
        formats=report_format,
        outputs=output,
        baseline=baseline,
        fail_on=fail_on,
        min_score=min_score,
        min_assurance=min_assurance,
    )
    if output_format is ConfigFormat.JSON:
        typer.echo(dumps(settings_data(settings), indent=2, sort_keys=True))
    else:
        typer.echo(settings_text(settings), nl=False)
