"""``cellguard assess``: score stacks pillar by pillar and list what will fail."""

from __future__ import annotations

from typing import Annotated

import typer

from cellguard.cli.assessing import collector_paused, exit_if_rules_crashed
from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.options import (
    ConfigOption,
    ConfiguredPluginsOption,
    ForceOption,
    IgnoreOption,
    MinSeverityOption,
    PathsArgument,
    QuietOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.report_options import FormatsOption, OutputsOption, write_reports
from cellguard.cli.settings import assess_configured, read_config, require_paths, resolve_settings
from cellguard.models.findings import Severity, Status
from cellguard.rules.engine import Assessment


def _figure(value: float | None, unit: str = "") -> str:
    return "-" if value is None else f"{value:.1f}{unit}"


def verdict(assessment: Assessment) -> str:
    """One line: the overall score and the findings by status (FAILs by severity)."""
    s = assessment.scores["overall"]
    failing = assessment.by_status(Status.FAIL)
    by_severity = [
        f"{n} {sev.value}"
        for sev in reversed(Severity)
        if (n := sum(1 for f in failing if f.severity is sev))
    ]
    detail = f" ({', '.join(by_severity)})" if by_severity else ""
    parts = [f"{len(failing)} FAIL{detail}"]
    for status in (Status.WAIVED, Status.UNKNOWN, Status.ERROR):
        count = len(assessment.by_status(status))
        if count:
            parts.append(f"{count} {status.value}")
    return (
        f"assess: overall score {_figure(s.score)} (upper {_figure(s.upper)}, assurance "
        f"{_figure(s.assurance, '%')}); {', '.join(parts)}"
    )


@handle_errors
def assess(
    paths: PathsArgument = None,
    output_format: FormatsOption = None,
    output: OutputsOption = None,
    force: ForceOption = False,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    min_severity: MinSeverityOption = None,
    include_passed: Annotated[
        bool, typer.Option("--include-passed", help="JSON: list PASS and NOT_APPLICABLE too.")
    ] = False,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    quiet: QuietOption = None,
    config: ConfigOption = None,
) -> None:
    """Assess stacks on the five resilience pillars and observability.

    Prints scores (0-100, see `cellguard rules explain --scoring`) and every failing, waived
    and unknown finding with its evidence and remediation. Options not given come from the
    config file (.cellguard.yaml; see `cellguard config`). Exit code 0 when the assessment ran
    (use `cellguard check` to gate on findings), 2 on bad input, 3 if a rule crashed.
    """
    from cellguard.reports.formats import ReportContext

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
        formats=output_format,
        outputs=output,
    )
    with collector_paused():  # the report of a large organisation is a heap of its own
        spec_paths = require_paths(settings)
        assessment = assess_configured(spec_paths, settings)
        from cellguard.cli.signoff_report import report_signoff

        formats = settings.formats.value
        ctx = ReportContext(
            min_severity=settings.min_severity.value,
            include_passed=include_passed,
            graph=assessment.graph,
            signoff=report_signoff(spec_paths, formats, assessment),
        )
        write_reports(
            assessment,
            formats,
            settings.outputs.value,
            force=force,
            ctx=ctx,
            quiet=settings.quiet.value,
        )
    if settings.quiet.value:
        typer.echo(verdict(assessment))
    exit_if_rules_crashed(assessment, consequence="their checks did not run")
