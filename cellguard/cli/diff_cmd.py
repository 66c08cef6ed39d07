"""``cellguard diff OLD NEW``: score, finding, availability and money deltas between two specs,
and the capacity, latency and finding figures that moved.

OLD and NEW are spec files or organisation directories. One of them may instead be
``git:REF``: it then stands for the *other* side's path as of git revision REF, so
``cellguard diff git:main examples/org`` compares examples/org at main with the working tree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.assessing import exit_if_rules_crashed
from cellguard.cli.exit_codes import UserError, handle_errors
from cellguard.cli.files import emit
from cellguard.cli.git_revision import git_ref, paths_at_revision
from cellguard.cli.options import (
    ConfigOption,
    ConfiguredPluginsOption,
    ForceOption,
    IgnoreOption,
    OutputOption,
    RulesOption,
    SelectOption,
    TodayOption,
)
from cellguard.cli.settings import assess_configured, read_config, resolve_settings
from cellguard.models.loader import SpecLoadError
from cellguard.reports.diff import DiffFormat, diff_assessments
from cellguard.reports.diff_text import render_diff
from cellguard.rules.engine import Assessment


@handle_errors
def diff(
    old: Annotated[
        str, typer.Argument(help="The old spec file or directory, or git:REF.", show_default=False)
    ],
    new: Annotated[
        str, typer.Argument(help="The new spec file or directory, or git:REF.", show_default=False)
    ],
    output_format: Annotated[
        DiffFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DiffFormat.TABLE,
    output: OutputOption = None,
    force: ForceOption = False,
    rules: RulesOption = None,
    select: SelectOption = None,
    ignore: IgnoreOption = None,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    config: ConfigOption = None,
) -> None:
    """Compare two specs: scores, new and resolved findings, availability, loss, and figures.

    Besides findings that appear, disappear or change severity, it lists the capacity
    (demand, supply, utilisation, replicas) and latency budgets that moved, and per finding
    whose status did not change the evidence that did (a supply raised inside a
    still-failing capacity finding).

    OLD and NEW are spec files or directories. One side may be git:REF, meaning the other
    side's path at that git revision: `cellguard diff git:main examples/org` compares
    examples/org at main (old) with the working tree (new). Findings are matched by
    fingerprint (rule, stack, target). Exit code 0 when the diff ran, 2 on bad input, 3 if
    a rule crashed. The rule choice and the date not given come from the config file
    (.cellguard.yaml; see `cellguard config`).
    """
    settings = resolve_settings(
        read_config(config),
        select=select,
        ignore=ignore,
        packs=rules,
        plugins=plugins,
        today=today,
    )
    old_ref, new_ref = git_ref(old), git_ref(new)
    if old_ref is not None and new_ref is not None:
        raise UserError(
            "only one side of diff can be git:REF",
            hint="git:REF stands for the other side's path at REF, e.g. "
            "cellguard diff git:main examples/org",
        )

    def assess(path: Path) -> Assessment:
        return assess_configured([path], settings)

    ref = old_ref or new_ref
    if ref is None:
        before, after = assess(Path(old)), assess(Path(new))
        old_label, new_label = old, new
    else:
        local = new if old_ref is not None else old
        with paths_at_revision([Path(local)], ref) as base:
            if base.missing:
                raise UserError(
                    f"{local} has no spec file at {ref}",
                    hint="pick a revision where the path exists",
                )
            try:
                at_ref = assess(base.at_ref[0])
            except SpecLoadError as exc:
                raise base.load_error(exc) from None
        here = assess(Path(local))
        labelled = f"{local}@{ref}"
        if old_ref is not None:
            before, after, old_label, new_label = at_ref, here, labelled, local
        else:
            before, after, old_label, new_label = here, at_ref, local, labelled
    result = diff_assessments(before, after, old_label=old_label, new_label=new_label)
    emit(render_diff(result, output_format), output, force=force)
    exit_if_rules_crashed(before, after, consequence="their checks did not run")
