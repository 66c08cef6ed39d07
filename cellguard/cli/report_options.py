"""The ``--format``/``--output`` pair of report commands, and writing every requested report.

``--format`` and ``--output`` are both repeatable; typer collects them separately, so they
pair by position: the k-th ``--output`` receives the k-th ``--format``. Formats beyond the
outputs go to standard output (at most one of them), ``-o FILE`` without ``-f`` writes the
command's default format, and ``-o -`` names standard output explicitly. The ``github``
format also appends its step-summary markdown to ``$GITHUB_STEP_SUMMARY`` when that is set
(as it is inside a GitHub Actions job).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import UserError
from cellguard.cli.files import check_writable, emit
from cellguard.reports.formats import ReportContext, ReportFormat, render_chunks, step_summary
from cellguard.rules.engine import Assessment

FormatsOption = Annotated[
    list[ReportFormat] | None,
    typer.Option(
        "--format",
        "-f",
        help=(
            "Output format (repeatable: -f sarif -o out.sarif -f github). "
            "Pairs with --output by position."
        ),
        show_default=False,
    ),
]
"""Requested formats, in order (None when the option is not given)."""

OutputsOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--output",
        "-o",
        help="File for the format at the same position ('-' or omitted: standard output).",
        show_default=False,
    ),
]
"""Output files, in order, each paired with the --format at the same position."""

STEP_SUMMARY_ENV = "GITHUB_STEP_SUMMARY"
"""Environment variable naming the file GitHub Actions renders as the job's summary."""


@dataclass(frozen=True)
class ReportTarget:
    """One report to write: its format and its file (None for standard output)."""

    fmt: ReportFormat
    path: Path | None


def _is_stdout(path: Path | None) -> bool:
    return path is None or str(path) == "-"


def pair_targets(
    formats: list[ReportFormat] | None,
    outputs: list[Path] | None,
    *,
    default: ReportFormat = ReportFormat.TABLE,
) -> list[ReportTarget]:
    """Pair formats with outputs by position; raise :class:`UserError` on an impossible pairing."""
    fmts = list(formats or []) or [default]
    outs = list(outputs or [])
    if len(outs) > len(fmts):
        extra = ", ".join(str(p) for p in outs[len(fmts) :])
        raise UserError(
            f"{len(outs)} --output given for {len(fmts)} --format: nothing to write to {extra}",
            hint="give one --format per --output, in the same order: -f sarif -o a.sarif -f html -o a.html",
        )
    targets = [
        ReportTarget(fmt, None if i >= len(outs) or _is_stdout(outs[i]) else outs[i])
        for i, fmt in enumerate(fmts)
    ]
    to_stdout = [t.fmt.value for t in targets if t.path is None]
    if len(to_stdout) > 1:
        raise UserError(
            f"{len(to_stdout)} formats would go to standard output: {', '.join(to_stdout)}",
            hint="give each format but one its own --output file, paired by position",
        )
    files = [t.path for t in targets if t.path is not None]
    dupes = sorted({str(p) for p in files if files.count(p) > 1})
    if dupes:
        raise UserError(
            f"the same --output is given twice: {', '.join(dupes)}",
            hint="give each format its own file",
        )
    return targets


def _append_step_summary(assessment: Assessment, ctx: ReportContext) -> None:
    name = os.environ.get(STEP_SUMMARY_ENV)
    if not name:
        return
    try:
        with Path(name).open("a", encoding="utf-8", newline="\n") as handle:
            handle.write(step_summary(assessment, ctx))
    except OSError as exc:
        raise UserError(
            f"cannot append the step summary to ${STEP_SUMMARY_ENV} ({name}): {exc.strerror or exc}"
        ) from None


def write_reports(
    assessment: Assessment,
    formats: list[ReportFormat] | None,
    outputs: list[Path] | None,
    *,
    force: bool,
    ctx: ReportContext,
    default: ReportFormat = ReportFormat.TABLE,
    quiet: bool = False,
) -> None:
    """Write every requested report: each to its file (atomically) or to standard output.

    The table on an interactive standard output is the coloured rich report; anywhere else it
    is plain text. Files are checked before any is written, so a refused overwrite, a directory
    or a missing parent directory writes none. ``quiet`` leaves out the report that would go to
    standard output (files, and the step summary of the github format, are still written).
    """
    targets = pair_targets(formats, outputs, default=default)
    for target in targets:
        if target.path is not None:
            check_writable(target.path, force=force)
    for target in targets:
        if quiet and target.path is None:
            pass  # the report is left out; a github step summary (a file) is still appended
        elif target.fmt is ReportFormat.TABLE and target.path is None and sys.stdout.isatty():
            from rich.console import Console

            from cellguard.reports.terminal import print_report

            print_report(
                assessment, Console(), min_severity=ctx.min_severity, baselined=ctx.baselined
            )
        else:
            emit(render_chunks(assessment, target.fmt, ctx), target.path, force=force)
        if target.fmt is ReportFormat.GITHUB:
            _append_step_summary(assessment, ctx)
