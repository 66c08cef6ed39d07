"""``cellguard assess``: score stacks pillar by pillar and list what will fail."""

from __future__ import annotations

from typing import Annotated

import typer

from cellguard.cli.assessing import exit_if_rules_crashed, parse_today, run_assessment
from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.options import (
    ForceOption,
    IgnoreOption,
    MinSeverityOption,
    PathsArgument,
    PluginsOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.report_options import FormatsOption, OutputsOption, write_reports


@handle_errors
def assess(
    paths: PathsArgument,
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
    plugins: PluginsOption = True,
) -> None:
    """Assess stacks on the five resilience pillars and observability.

    Prints scores (0-100, see `cellguard rules explain --scoring`) and every failing, waived
    and unknown finding with its evidence and remediation. Exit code 0 when the assessment ran
    (use `cellguard check` to gate on findings), 2 on bad input, 3 if a rule crashed.
    """
    from cellguard.reports.formats import ReportContext

    assessment = run_assessment(
        paths,
        rules=rules,
        select=select,
        ignore=ignore,
        today=parse_today(today),
        plugins=plugins,
    )
    from cellguard.cli.signoff_cmd import report_signoff

    ctx = ReportContext(
        min_severity=min_severity,
        include_passed=include_passed,
        graph=assessment.graph,
        signoff=report_signoff(paths, output_format, assessment),
    )
    write_reports(assessment, output_format, output, force=force, ctx=ctx)
    exit_if_rules_crashed(assessment, consequence="their checks did not run")
