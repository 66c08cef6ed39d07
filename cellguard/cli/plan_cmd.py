"""``cellguard plan``: write the target spec that resolves the failing findings, and the plan."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cellguard.cli.exit_codes import UserError, handle_errors
from cellguard.cli.files import (
    check_writable,
    emit,
    make_directory,
    occupied,
    write_text_atomic,
)
from cellguard.cli.options import ConfigOption, ConfiguredPluginsOption, ForceOption, TodayOption
from cellguard.cli.settings import read_config, resolve_settings
from cellguard.models.text import inert

if TYPE_CHECKING:
    from cellguard.models.loader import Organisation


class PlanFormat(StrEnum):
    """Formats of the plan."""

    MARKDOWN = "markdown"
    JSON = "json"


def _targets(
    path: Path, output: Path, names: dict[str, str], texts: dict[str, str]
) -> dict[Path, str]:
    """Where each document's target goes: ``output`` itself for a file, else a file per
    document under ``output`` at the document's path relative to the input directory."""
    if not path.is_dir():
        return {output: next(iter(texts.values()))}
    root = path.resolve()
    found: dict[Path, str] = {}
    for name, text in texts.items():
        source = Path(names[name]).resolve()
        try:
            relative = source.relative_to(root)
        except ValueError:
            relative = Path(f"{name}.yaml")
        found[output / relative] = text
    return found


_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


def _check_recovery_region(org: Organisation, region: str) -> None:
    """``--recovery-region`` must name a region, not a stack's primary, within its allowed
    regions."""
    if not _REGION.match(region):
        raise UserError(
            f"--recovery-region {region!r} is not a region name", hint="e.g. eu-central-1"
        )
    for doc in org.documents:
        topology = doc.document.topology
        primary = topology.regions[0].name
        if region == primary:
            raise UserError(
                f"--recovery-region {region} is the primary region of {doc.name}",
                hint="give another region of its geography",
            )
        allowed = topology.allowed_regions
        if allowed and region not in allowed:
            raise UserError(
                f"--recovery-region {region} is not in topology.allowed_regions of {doc.name} "
                f"({', '.join(allowed)})",
                hint="give one of those regions, or add it to allowed_regions if residency allows",
            )


@handle_errors
def plan(
    path: Annotated[
        Path, typer.Argument(help="A spec file, or an organisation directory.", show_default=False)
    ],
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Target spec file (for a file) or directory (for an organisation directory).",
        ),
    ],
    plan_format: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="Format of the plan.")
    ] = PlanFormat.MARKDOWN,
    plan_output: Annotated[
        Path | None,
        typer.Option("--plan-output", help="Write the plan to this file instead of stdout."),
    ] = None,
    force: ForceOption = False,
    today: TodayOption = None,
    plugins: ConfiguredPluginsOption = None,
    config: ConfigOption = None,
    budget: Annotated[
        float | None,
        typer.Option(
            "--budget",
            min=0,
            help="Ceiling on the plan's monthly cost in USD: changes are kept in plan order "
            "while their costs fit; the rest are listed as over the budget.",
            show_default=False,
        ),
    ] = None,
    recovery_region: Annotated[
        str | None,
        typer.Option(
            "--recovery-region",
            help="The region to recover into (default: a partner in the primary region's "
            "geography, within topology.allowed_regions).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Plan the remediation of every failing finding and write the target spec.

    Applies each failing rule's remediation action to a copy of the spec, re-assesses it and
    repeats until nothing more resolves. Writes the target (`-o`), and the plan (markdown or
    JSON) to --plan-output or stdout: every change with the findings it resolves, manual
    steps, what is not resolved and why, and scores and journey nines before and after.
    Refuses to overwrite files without --force. Every rule is planned for; the date and
    --plugins not given come from the config file (.cellguard.yaml). Each change and the plan
    carry a monthly cost (USD, from the catalog's rates; estimates say so) beside the loss the
    plan avoids; a change to what another team owns says it needs that team. Exit code 0 when
    the plan was written, 2 on bad input (a --recovery-region outside a stack's allowed
    regions).
    """
    from cellguard.assessments.graph import build_graph
    from cellguard.models.loader import load
    from cellguard.planner import plan as make_plan
    from cellguard.reports.plan_report import render_json, render_markdown
    from cellguard.rules.engine import run_rules
    from cellguard.rules.packs import load_rules

    settings = resolve_settings(read_config(config), plugins=plugins, today=today)
    org = load(path)
    if recovery_region is not None:
        _check_recovery_region(org, recovery_region)
    rules = list(load_rules([], plugins=settings.plugins.value).select([], []))
    assessment = run_rules(build_graph(org), rules, today=settings.today.value)
    result = make_plan(
        org,
        assessment,
        rules=rules,
        org_mode=path.is_dir(),
        recovery_region=recovery_region,
        budget=budget,
    )
    files = {d.name: d.file for d in org.documents}
    targets = _targets(path, output, files, dict(result.targets))
    if path.is_dir():
        if output.exists() and not output.is_dir():
            raise UserError(f"{output} is not a directory", hint="give a directory for -o")
        if not force:
            taken = sorted(str(p) for p in targets if occupied(p))
            if taken:
                raise UserError(
                    f"{', '.join(taken)} already {'exists' if len(taken) == 1 else 'exist'}",
                    hint="pass --force to overwrite",
                )
    outputs = set(targets)
    if plan_output is not None and plan_output in outputs:
        raise UserError("--plan-output and -o name the same file", hint="give two files")
    if plan_output is not None and str(plan_output) != "-":
        check_writable(plan_output, force=force)  # before any target: a bad one writes nothing
    # rendered before any target is written: a plan that cannot be rendered writes nothing
    rendered = render_json(result) if plan_format is PlanFormat.JSON else render_markdown(result)
    for file, text in sorted(targets.items()):
        if path.is_dir():
            make_directory(file.parent)
        write_text_atomic(file, text, force=force)
        typer.echo(inert(f"wrote {file}", single_line=True), err=True)
    emit(rendered, plan_output, force=force)
