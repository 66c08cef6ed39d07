"""``cellguard policy-pack``: write the CrossGuard policy pack to a directory."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import UserError, handle_errors
from cellguard.cli.files import make_directory, occupied, write_text_atomic
from cellguard.cli.options import ForceOption
from cellguard.models.wording import plural


@handle_errors
def policy_pack(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="Directory to write the pack into (created if missing; its parent must exist).",
        ),
    ],
    force: ForceOption = False,
) -> None:
    """Write a Pulumi CrossGuard policy pack that enforces cellguard's rules on resources.

    Use it with 'pulumi preview --policy-pack DIR'. The pack is self-contained: it needs
    pulumi-policy, not cellguard. Existing pack files are only overwritten with --force.
    """
    from cellguard.iac.policy_pack import pack_files  # imported here: other commands start faster

    produced = pack_files()
    if output.exists() and not output.is_dir():
        raise UserError(f"{output} is not a directory", hint="give a directory for the pack")
    clashes = [f.path.as_posix() for f in produced if occupied(output / f.path)]
    if clashes and not force:
        raise UserError(
            f"{output} already holds {plural(len(clashes), 'file')} of a pack, e.g. {clashes[0]}",
            hint="pass --force to overwrite them",
        )
    directories = sorted({(output / f.path).parent for f in produced})
    for directory in directories:  # the output's parent must exist: no path invented
        make_directory(directory, parents=False)
    for produced_file in produced:
        write_text_atomic(output / produced_file.path, produced_file.text, force=force)
    typer.echo(f"wrote policy pack to {output} ({len(produced)} files)", err=True)
