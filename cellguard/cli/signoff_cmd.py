"""``cellguard signoff`` and ``cellguard verify``: record review decisions and check them later.

Records are stored under ``.cellguard/signoffs/`` in the *store root*: ``--store`` when given,
else the root of the git repository holding the spec (so the records are committed with it),
else the current directory. See :mod:`cellguard.reports.signoff` for what a record holds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard import __version__
from cellguard.cli.assess_cmd import (
    IgnoreOption,
    PluginsOption,
    RulesOption,
    SelectOption,
    TodayOption,
    exit_if_rules_crashed,
    load_paths,
    parse_today,
    run_assessment,
)
from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.git_revision import repository_root
from cellguard.reports.formats import ReportFormat, SignoffBlock
from cellguard.reports.signoff import (
    Decision,
    SignoffError,
    SignoffStore,
    StoredRecord,
    judge,
    latest_signoff,
    make_record,
    rules_digest,
    spec_digest,
    subject_of,
)

PathArgument = Annotated[
    Path, typer.Argument(help="The spec file or organisation directory.", show_default=False)
]
StoreOption = Annotated[
    Path | None,
    typer.Option(
        "--store",
        help=(
            "Directory holding .cellguard/signoffs "
            "(default: the spec's git repository root, else the current directory)."
        ),
        show_default=False,
    ),
]


def store_root(path: Path, store: Path | None = None) -> Path:
    """Where the records of ``path`` live (see the module docstring)."""
    if store is not None:
        if not store.is_dir():
            raise UserError(f"--store {store} is not a directory", hint="create it first")
        return store
    return repository_root(path.resolve()) or Path.cwd()


def latest_signoff_block(path: Path, store: Path | None = None) -> SignoffBlock | None:
    """The last sign-off of ``path`` for the HTML report (None without one)."""
    try:
        return latest_signoff(path, store_root(path, store))
    except SignoffError as exc:
        raise UserError(str(exc), hint="fix or remove the broken record") from None


def report_signoff(paths: list[Path], formats: list[ReportFormat] | None) -> SignoffBlock | None:
    """The sign-off block of an HTML report of a single PATH (None otherwise)."""
    if ReportFormat.HTML not in (formats or []) or len(paths) != 1:
        return None
    return latest_signoff_block(paths[0])


def _require_exists(path: Path) -> None:
    if not path.exists():
        raise UserError(f"{path}: no such file or directory")


@handle_errors
def signoff(
    path: PathArgument,
    reviewer: Annotated[
        str, typer.Option("--reviewer", help="Who decides (name or handle).", show_default=False)
    ],
    decision: Annotated[
        Decision, typer.Option("--decision", help="approve or reject.", show_default=False)
    ],
    comment: Annotated[
        str | None, typer.Option("--comment", help="Why, conditions, links.", show_default=False)
    ] = None,
    store: StoreOption = None,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    today: TodayOption = None,
    plugins: PluginsOption = True,
) -> None:
    """Record an architecture-review decision on a spec (never overwrites a record).

    The record holds the reviewer, the decision, the date, the sha256 of the normalised spec
    (reformatting or reordering YAML keys does not change it), of the rule pack and of the
    findings, and the waivers in force with their expiry. It is written to
    .cellguard/signoffs/<date>-<spec-hash>-<n>.json under the spec's git repository root
    (or the current directory, or --store). Check it later with `cellguard verify`.
    """
    _require_exists(path)
    if not reviewer.strip():
        raise UserError("--reviewer is empty", hint="give the reviewer's name or handle")
    day = parse_today(today)
    assessment = run_assessment(
        [path], rules=rules, select=select, ignore=ignore, today=day, plugins=plugins
    )
    exit_if_rules_crashed(assessment, consequence="nothing recorded")
    assert assessment.graph is not None  # run_assessment keeps the graph it assessed
    org = assessment.graph.org
    root = store_root(path, store)
    db = SignoffStore(root)
    try:
        record = make_record(
            assessment,
            org,
            subject=subject_of(path, root),
            sequence=db.next_sequence(),
            reviewer=reviewer.strip(),
            decision=decision,
            comment=comment,
            version=__version__,
        )
        written = db.write(record)
    except SignoffError as exc:
        raise UserError(str(exc)) from None
    typer.echo(
        f"recorded {decision.value} of {record.subject} by {record.reviewer} on "
        f"{record.date.isoformat()} (spec {record.spec_sha256[:12]}): {written}"
    )


def _describe(stored: StoredRecord) -> str:
    r = stored.record
    return (
        f"checked {stored.path}: {r.decision.value} of {r.subject} by {r.reviewer} "
        f"on {r.date.isoformat()}"
    )


@handle_errors
def verify(
    path: PathArgument,
    store: StoreOption = None,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    today: TodayOption = None,
    plugins: PluginsOption = True,
) -> None:
    """Check that the last sign-off of a spec approves it as it is now.

    Exit 0 when the last record for PATH is an approval of the current normalised spec and
    none of the waivers recorded with it has expired (as of --today); 1 when there is no
    record, the last decision was a rejection, the spec changed, or a waiver expired; 2 on
    bad input.
    """
    from cellguard.rules.packs import load_rules

    _require_exists(path)
    day = parse_today(today)
    org = load_paths([path])
    root = store_root(path, store)
    subject = subject_of(path, root)
    try:
        stored = SignoffStore(root).latest(subject)
    except SignoffError as exc:
        raise UserError(str(exc), hint="fix or remove the broken record") from None
    registry = load_rules(rules or [], plugins=plugins)
    verdict = judge(
        stored,
        subject=subject,
        spec_sha256=spec_digest(org),
        rules_sha256=rules_digest(r.meta for r in registry.select(select or [], ignore or [])),
        today=day,
    )
    if verdict.checked is not None:
        typer.echo(_describe(verdict.checked))
    for note in verdict.notes:
        typer.echo(f"note: {note}")
    if verdict.ok:
        typer.echo(f"verified: {subject} is approved as it is")
        return
    for problem, reason in verdict.problems:
        typer.echo(f"not verified ({problem.value}): {reason}")
    raise typer.Exit(ExitCode.FINDINGS)
