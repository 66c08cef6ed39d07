"""``cellguard signoff`` and ``cellguard verify``: record review decisions and check them later.

Records are stored under ``.cellguard/signoffs/`` in the *store root*: ``--store`` when given,
else the root of the git repository holding the spec (so the records are committed with it),
else the current directory. See :mod:`cellguard.reports.signoff` for what a record holds.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from cellguard import __version__
from cellguard.cli.assessing import exit_if_rules_crashed
from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.git_revision import repository_root
from cellguard.cli.options import (
    ConfigOption,
    ConfiguredPluginsOption,
    IgnoreOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.settings import assess_configured, read_config, resolve_settings
from cellguard.models.text import inert
from cellguard.reports.signoff import Decision, SignoffRecord, StoredRecord, make_record
from cellguard.reports.signoff_ssh import AllowedSigners, sign_digest
from cellguard.reports.signoff_store import BrokenStoreError, SignoffError, SignoffStore, subject_of
from cellguard.reports.signoff_verify import Verdict, current_state, judge
from cellguard.rules.engine import Assessment

ALLOWED_SIGNERS_ENV = "CELLGUARD_ALLOWED_SIGNERS"
"""Where ``verify`` and the HTML report find the allowed-signers file when no option names it."""

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


SignKeyOption = Annotated[
    Path | None,
    typer.Option(
        "--sign-key",
        envvar="CELLGUARD_SIGNOFF_KEY",
        help=(
            "Also sign the record with this SSH key (ssh-keygen -Y sign; a private key, or a "
            "public key whose private key is in ssh-agent)."
        ),
        show_default=False,
    ),
]
AllowedSignersOption = Annotated[
    Path | None,
    typer.Option(
        "--allowed-signers",
        envvar=ALLOWED_SIGNERS_ENV,
        help=(
            "Require the record to be signed by a key this ssh allowed-signers file lists for "
            "its reviewer (ssh-keygen -Y verify)."
        ),
        show_default=False,
    ),
]


def _signature_check(allowed: Path | None) -> Callable[[SignoffRecord], str | None] | None:
    """The signature check of an allowed-signers file (None: signatures are not required)."""
    if allowed is None:
        return None
    if not allowed.is_file():
        raise UserError(
            f"allowed signers {allowed}: no such file",
            hint=f"give --allowed-signers FILE or set {ALLOWED_SIGNERS_ENV} to an existing file",
        )

    def check(record: SignoffRecord) -> str | None:
        try:
            return AllowedSigners(allowed).check(record)
        except SignoffError as exc:
            raise UserError(str(exc)) from None

    return check


def store_root(path: Path, store: Path | None = None) -> Path:
    """Where the records of ``path`` live (see the module docstring)."""
    if store is not None:
        if not store.is_dir():
            raise UserError(f"--store {store} is not a directory", hint="create it first")
        return store
    return repository_root(path.resolve()) or Path.cwd()


def check_signoff(
    path: Path,
    assessment: Assessment,
    store: Path | None = None,
    allowed_signers: Path | None = None,
) -> Verdict:
    """The verdict on the last sign-off of ``path``, against ``assessment`` of it.

    The whole store is read and its chain audited; the findings and waivers are judged as of
    the record's date, waiver expiry as of the assessment's date. With ``allowed_signers`` the
    record must also carry a good SSH signature by its reviewer.
    """
    root = store_root(path, store)
    try:
        records = SignoffStore(root).records()
    except SignoffError as exc:
        raise UserError(
            str(exc), hint="restore the record from version control, or move it away"
        ) from None
    return judge(
        records,
        subject=subject_of(path, root),
        current=lambda day: current_state(assessment, day),
        today=assessment.as_of,
        signature=_signature_check(allowed_signers),
    )


def _assess(
    path: Path,
    *,
    config: Path | None,
    rules: list[Path] | None,
    select: list[str] | None,
    ignore: list[str] | None,
    today: str | None,
    plugins: bool | None,
    consequence: str,
) -> Assessment:
    """Assess ``path`` as ``assess`` would: options not given come from the config file
    (``.cellguard.yaml``: rules, today, catalogs), so a sign-off and its verification judge the
    findings the team's assessments show."""
    settings = resolve_settings(
        read_config(config), select=select, ignore=ignore, packs=rules, plugins=plugins, today=today
    )
    assessment = assess_configured([path], settings)
    exit_if_rules_crashed(assessment, consequence=consequence)
    return assessment


def _require_exists(path: Path) -> None:
    # a dangling or looping link goes on to the loader, which says why it cannot be read
    if not path.exists() and not path.is_symlink():
        raise UserError(f"{path}: no such file or directory")


BROKEN_HINT = (
    "run `cellguard verify PATH` for every problem; restore .cellguard/signoffs from version "
    "control (e.g. git restore), or keep new records elsewhere with --store DIR"
)


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
    sign_key: SignKeyOption = None,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    config: ConfigOption = None,
) -> None:
    """Record an architecture-review decision on a spec (appends; never overwrites a record).

    The record holds the reviewer, the decision, the comment, the date, the time, the sha256
    of the normalised spec (reformatting or reordering YAML keys does not change it), of the
    rule pack and of the findings, and the waivers in force with their expiry, sealed by a
    digest over all of them and chained to the previous record by its digest. It is written to
    .cellguard/signoffs/<date>-<spec-hash>-<n>.json under the spec's git repository root (or
    the current directory, or --store). A store whose chain is broken is not appended to.
    With --sign-key the digest is also signed with an SSH key (ssh-keygen -Y sign). Check it
    later with `cellguard verify`. Rule and date options not given come from the config file
    (.cellguard.yaml; see `cellguard config`), as for `assess`.
    """
    _require_exists(path)
    if not reviewer.strip():
        raise UserError("--reviewer is empty", hint="give the reviewer's name or handle")
    if sign_key is not None and not sign_key.is_file():
        raise UserError(f"--sign-key {sign_key}: no such key file")
    assessment = _assess(
        path,
        config=config,
        rules=rules,
        select=select,
        ignore=ignore,
        today=today,
        plugins=plugins,
        consequence="nothing recorded",
    )
    assert assessment.graph is not None  # run_assessment keeps the graph it assessed
    root = store_root(path, store)
    draft = make_record(
        assessment,
        assessment.graph.org,
        subject=subject_of(path, root),
        reviewer=reviewer.strip(),
        decision=decision,
        comment=comment,
        version=__version__,
        signed_at=dt.datetime.now(dt.UTC),
    )
    sign = None if sign_key is None else functools.partial(sign_digest, key=sign_key)
    try:
        written = SignoffStore(root).append(draft, sign=sign)
    except BrokenStoreError as exc:
        raise UserError(f"{exc}; nothing recorded", hint=BROKEN_HINT) from None
    except SignoffError as exc:
        raise UserError(str(exc)) from None
    record = written.record
    typer.echo(
        inert(
            f"recorded {decision.value} of {record.subject} by {record.reviewer} on "
            f"{record.date.isoformat()} (spec {record.spec_sha256[:12]}): {written.path}",
            single_line=True,
        )
    )


def _describe(stored: StoredRecord) -> str:
    r = stored.record
    return inert(
        f"checked {stored.path}: {r.decision.value} of {r.subject} by {r.reviewer} "
        f"on {r.date.isoformat()}",
        single_line=True,
    )


@handle_errors
def verify(
    path: PathArgument,
    store: StoreOption = None,
    allowed_signers: AllowedSignersOption = None,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    config: ConfigOption = None,
) -> None:
    """Check that the last sign-off of a spec approves it as it is now.

    Walks the whole chain of the store (every record sealed and linked to the one before),
    then recomputes what it can: the spec's hash, the findings and the waivers in force as of
    the record's date. Exit 0 when the chain is intact and the last record for PATH approves
    the current spec with the same findings and none of its waivers has expired (as of
    --today); 1 when there is no record, the last decision was a rejection, the spec or the
    findings changed, a waiver expired, a record was edited, the chain is broken, or (with
    --allowed-signers) the record is not signed by a key allowed for its reviewer; 2 on bad
    input (an unreadable record included). Rule and date options not given come from the
    config file (.cellguard.yaml), as for the sign-off.
    """
    _require_exists(path)
    assessment = _assess(
        path,
        config=config,
        rules=rules,
        select=select,
        ignore=ignore,
        today=today,
        plugins=plugins,
        consequence="nothing verified",
    )
    verdict = check_signoff(path, assessment, store, allowed_signers)
    if verdict.checked is not None:
        typer.echo(_describe(verdict.checked))
    for note in verdict.notes:
        typer.echo(inert(f"note: {note}", single_line=True))
    if verdict.ok:
        assert verdict.checked is not None
        subject = inert(verdict.checked.record.subject, single_line=True)
        typer.echo(f"verified: {subject} is approved as it is")
        return
    for issue in verdict.issues:
        typer.echo(inert(f"not verified ({issue.problem.value}): {issue.text}", single_line=True))
    raise typer.Exit(ExitCode.FINDINGS)
