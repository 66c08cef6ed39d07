"""Running an assessment for a command: the date, the paths, the rules chosen, and exit 3 on a crash.

Shared by ``assess``, ``check``, ``diff``, ``signoff``/``verify``, ``plan`` and ``blueprint``; kept apart
from any one command so that commands import it, never each other.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cellguard.cli.exit_codes import ExitCode, UserError
from cellguard.models.collector import paused
from cellguard.models.dates import parse_iso_date
from cellguard.models.quoting import quoted
from cellguard.models.text import inert

if TYPE_CHECKING:  # imported where used: commands that only need the date start fast
    from cellguard.models.loader import LoadedDocument, Organisation
    from cellguard.rules.engine import Assessment

TODAY_ENV = "CELLGUARD_TODAY"
"""Environment variable holding the assessment date (below --today, above the config file)."""

PROGRESS_MIN_STACKS = 5
"""Show a progress bar (on a terminal) from this many documents up."""


def parse_today(value: str | None) -> dt.date:
    """The assessment date from the option, the environment, or the clock."""
    if value is not None and not value.strip():
        raise UserError("--today is empty", hint="use YYYY-MM-DD, or leave it out for today")
    text = value or os.environ.get(TODAY_ENV)
    if not text:
        return dt.date.today()
    try:
        return parse_iso_date(text)
    except ValueError as exc:
        origin = "--today" if value else f"${TODAY_ENV}"
        raise UserError(
            f"invalid date {quoted(text, escape=True)} ({origin}: {exc})",
            hint="use YYYY-MM-DD, e.g. 2026-11-21",
        ) from None


def collector_paused() -> AbstractContextManager[None]:
    """Run the block with Python's cyclic garbage collector off, as it was before afterwards.

    Reference counting still frees what an assessment throws away; what the collector would
    walk, again and again, is the heap of long-lived objects an assessment builds (documents,
    source positions, the graph, lookups, findings, report data): at 10,001 components its 22
    full collections took 4.7 s of 23 s of CPU; without them peak memory grew 3%.
    """
    return paused()


def load_paths(paths: list[Path]) -> Organisation:
    """Load each path; several paths are checked together as one organisation."""
    from cellguard.models.loader import build_organisation, load
    from cellguard.rules.parallel import MIN_COMPONENTS, can_split

    split = can_split(MIN_COMPONENTS)  # whether this machine has a core for a child now
    orgs = [load(p, split=split) for p in paths]
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
    patterns_from: str | None = None,
) -> Assessment:
    """Load, build the graph, pick the rules and run them (with a progress bar if useful).

    ``patterns_from`` says where ``select``/``ignore`` came from when it was not the command line
    (``rules.select at .cellguard.yaml:4``): a pattern that matches no rule is named with it.
    """
    from cellguard.models.spare import mark

    mark(keep_recent=True)  # a second core's use is judged from here, or the start (spare.py)
    with collector_paused():
        return _run_assessment(
            paths,
            rules=rules,
            select=select,
            ignore=ignore,
            today=today,
            plugins=plugins,
            patterns_from=patterns_from,
        )


def _run_assessment(
    paths: list[Path],
    *,
    rules: list[Path] | None,
    select: list[str] | None,
    ignore: list[str] | None,
    today: dt.date,
    plugins: bool,
    patterns_from: str | None,
) -> Assessment:
    from cellguard.assessments.graph import build_graph
    from cellguard.rules.engine import run_rules
    from cellguard.rules.packs import load_rules

    org = load_paths(paths)
    registry = load_rules(rules or [], plugins=plugins)
    patterns = [*(select or []), *(ignore or [])]
    typos = registry.unmatched(patterns)
    if typos:
        raise UserError(
            f"no rule matches {', '.join(quoted(t, escape=True) for t in typos)}"
            + (f" ({patterns_from})" if patterns_from else ""),
            hint="see `cellguard rules list` for rule ids; globs like CG-RED-* work",
        )
    chosen = registry.select(select or [], ignore or [])
    graph = build_graph(org)
    if len(org.documents) >= PROGRESS_MIN_STACKS and sys.stderr.isatty():
        from rich.console import Console
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
        rules = "rule" if len(ids) == 1 else "rules"
        typer.echo(f"cellguard: {rules} crashed: {', '.join(ids)}; {consequence}", err=True)
        raise typer.Exit(ExitCode.INTERNAL_ERROR)
