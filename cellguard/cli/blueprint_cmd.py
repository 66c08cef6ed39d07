"""``cellguard blueprint``: write a Pulumi project for a target spec, optionally verify it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.assessing import parse_today
from cellguard.cli.exit_codes import ExitCode, UserError, handle_errors
from cellguard.cli.files import check_writable, make_directory, write_text_atomic
from cellguard.cli.options import ForceOption, TodayOption
from cellguard.models.text import inert

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


@handle_errors
def blueprint(
    target: Annotated[
        Path, typer.Argument(help="Target spec file (one Stack).", show_default=False)
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Project directory to write.")],
    force: ForceOption = False,
    stack: Annotated[str, typer.Option("--stack", help="Pulumi stack name.")] = "prod",
    verify: Annotated[
        bool,
        typer.Option("--verify", help="Run the project under Pulumi mocks and check invariants."),
    ] = False,
    capture: Annotated[
        Path | None,
        typer.Option(
            "--capture",
            help="With --verify: write every captured resource (type, name, URN, parent, "
            "provider, inputs) to this JSON file, sorted by URN.",
            show_default=False,
        ),
    ] = None,
    today: TodayOption = None,
    requirement: Annotated[
        str | None,
        typer.Option(
            "--cellguard-requirement",
            metavar="REQ",
            help="The line of requirements.txt that installs cellguard in the project, e.g. "
            "'cellguard[pulumi] @ git+https://github.com/OWNER/cellguard@COMMIT' (default: where "
            "this cellguard was installed from; cellguard is not on PyPI).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write a Pulumi project (Pulumi.yaml, Pulumi.<stack>.yaml, __main__.py, requirements.txt,
    target.yaml) deploying TARGET as cells; --verify runs it under mocks, checks the invariants and
    round-trips the deployed topology through the rules (exit 1 if a check fails or a rule's
    result differs from the target's); --capture FILE.json also writes what the mocks captured.
    """
    try:
        from cellguard.blueprints.gpu_pools import BlueprintError
        from cellguard.iac.synth import project_files

        if verify:
            import botocore  # noqa: F401  (--verify reads the AWS API models it ships)
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise UserError(
            f"Pulumi is not installed ({exc.name})",
            hint="install cellguard with its pulumi extra from where you installed it, e.g. "
            "pip install '.[pulumi]' in a checkout (cellguard is not on PyPI)",
        ) from None
    from cellguard.models.loader import load

    if not _STACK_NAME.match(stack):
        raise UserError(f"invalid stack name {stack!r}", hint="letters, digits, '-', '_' and '.'")
    day = parse_today(today)  # checked before anything is written
    if requirement is not None and (
        not requirement.strip() or any(ord(c) < 32 or ord(c) == 127 for c in requirement)
    ):
        raise UserError(
            f"--cellguard-requirement {inert(repr(requirement), single_line=True)} is not one "
            "line of requirements.txt",
            hint="e.g. --cellguard-requirement 'cellguard[pulumi] @ git+https://github.com/"
            "OWNER/cellguard@COMMIT'",
        )
    if capture is not None and not verify:
        raise UserError(
            "--capture needs --verify (the capture is what the mock run registers)",
            hint=f"cellguard blueprint {target} -o {output} --verify --capture {capture}",
        )
    if capture is not None:
        check_writable(capture, force=force)
    if not target.exists():
        raise UserError(f"{target}: no such file", hint="give the target spec written by `plan`")
    if not target.is_file():
        raise UserError(f"{target} is not a file", hint="give one target spec file")
    org = load(target)
    if len(org.stacks) != 1:
        raise UserError(
            f"{target} holds no Stack (a Platform document cannot be deployed alone)",
            hint="give the target spec of one Stack (kind: Stack)",
        )
    if output.exists() and not output.is_dir():
        raise UserError(f"{output} is not a directory")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise UserError(f"{output} is not empty", hint="pass --force to overwrite its files")
    make_directory(output)
    try:
        files = project_files(
            org.stacks[0], target.read_text(encoding="utf-8"), stack, cellguard=requirement
        )
    except BlueprintError as exc:
        raise UserError(f"{org.stacks[0].name}: {exc}", hint=exc.hint) from exc
    for name, text in files.items():
        write_text_atomic(output / name, text, force=force)
    typer.echo(inert(f"wrote {len(files)} files to {output}", single_line=True), err=True)
    from cellguard.blueprints.coverage import not_generated_lines

    for line in not_generated_lines(org.stacks[0]):  # said plainly, not left out in silence
        typer.echo(inert(f"not generated: {line}", single_line=True), err=True)
    if verify:
        from cellguard.blueprints.from_spec import blueprint_of
        from cellguard.iac.mockrun import run_project
        from cellguard.iac.roundtrip import round_trip
        from cellguard.iac.verify import verify as run_checks

        captured = run_project(output, stack)
        if capture is not None:
            from cellguard.iac.capture_json import capture_json

            write_text_atomic(capture, capture_json(captured), force=force)
            typer.echo(
                inert(f"wrote {len(captured.resources)} resources to {capture}", single_line=True),
                err=True,
            )
        results = run_checks(captured, blueprint_of(org.stacks[0]), org.stacks[0])
        for r in results:
            typer.echo(
                inert(f"{'PASS' if r.passed else 'FAIL'}  {r.name}: {r.message}", single_line=True)
            )
        failed = [r for r in results if not r.passed]
        typer.echo(f"{len(results) - len(failed)}/{len(results)} checks passed")
        trip = round_trip(captured, org.stacks[0], today=day)
        for line in trip.lines():
            typer.echo(inert(line, single_line=True))
        if failed or trip.differ:
            raise typer.Exit(ExitCode.FINDINGS)
