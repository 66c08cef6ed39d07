"""``cellguard assess``: score stacks pillar by pillar and list what will fail."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.options import ForceOption
from cellguard.cli.report_options import FormatsOption, OutputsOption, write_reports
from cellguard.models.dates import parse_iso_date
from cellguard.models.findings import Severity
from cellguard.models.loader import LoadedDocument, Organisation, build_organisation, load
from cellguard.models.quoting import quoted
from cellguard.models.text import inert
from cellguard.rules.engine import Assessment

PROGRESS_MIN_STACKS = 5
"""Show a progress bar (on a terminal) from this many documents up."""


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


def parse_today(value: str | None) -> dt.date:
    """The assessment date from the option, the environment, or the clock."""
    if value is not None and not value.strip():
        raise UserError("--today is empty", hint="use YYYY-MM-DD, or leave it out for today")
    text = value or os.environ.get("CELLGUARD_TODAY")
    if not text:
        return dt.date.today()
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        origin = "--today" if value else "$CELLGUARD_TODAY"
        raise UserError(
            f"invalid date {quoted(text, escape=True)} ({origin}: {exc})",
            hint="use YYYY-MM-DD, e.g. 2026-11-21",
        ) from None


def load_paths(paths: list[Path]) -> Organisation:
    """Load each path; several paths are checked together as one organisation."""
    orgs = [load(p) for p in paths]
    if len(orgs) == 1:
        return orgs[0]
    documents: list[LoadedDocument] = [d for org in orgs for d in org.documents]
    return build_organisation(documents, org_mode=True)


def run_assessment(
    paths: list[Path],
    *,
    rules: list[Path] | None,
    select: list[str] | None,
    ignore: list[str] | None,
    today: dt.date,
    plugins: bool,
) -> Assessment:
    """Load, build the graph, pick the rules and run them (with a progress bar if useful)."""
    from cellguard.assessments.graph import build_graph
    from cellguard.rules.engine import run_rules
    from cellguard.rules.packs import load_rules

    org = load_paths(paths)
    registry = load_rules(rules or [], plugins=plugins)
    patterns = [*(select or []), *(ignore or [])]
    typos = registry.unmatched(patterns)
    if typos:
        raise UserError(
            f"no rule matches {', '.join(quoted(t, escape=True) for t in typos)}",
            hint="see `cellguard rules list` for rule ids; globs like CG-RED-* work",
        )
    chosen = registry.select(select or [], ignore or [])
    graph = build_graph(org)
    if len(org.documents) >= PROGRESS_MIN_STACKS and sys.stderr.isatty():
        from rich.markup import escape
        from rich.progress import Progress

        with Progress(console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task(f"assessing {len(org.documents)} documents", total=len(chosen))

            def advance(done: int, total: int, rule_id: str) -> None:
                # a rich markup string: a rule id from a pack is shown, never interpreted
                shown = escape(inert(rule_id, single_line=True))
                bar.update(task, completed=done, description=f"assessing {shown}")

            return run_rules(graph, chosen, today=today, progress=advance)
    return run_rules(graph, chosen, today=today)


def exit_if_rules_crashed(*assessments: Assessment, consequence: str) -> None:
    """Exit 3 naming the rules that crashed in any of ``assessments`` (a bug in those rules)."""
    ids = sorted({f.rule for a in assessments for f in a.errors})
    if ids:
        typer.echo(f"cellguard: rule(s) crashed: {', '.join(ids)}; {consequence}", err=True)
        raise typer.Exit(ExitCode.INTERNAL_ERROR)


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
