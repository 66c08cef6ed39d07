"""The ``cellguard`` command: one typer app, one module per command group."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

import typer

from cellguard.cli.lazy import LazyGroup


class CellguardGroup(LazyGroup):
    """The commands, imported when used (``cellguard --version`` imports none of them)."""

    lazy_commands: ClassVar[Mapping[str, str]] = {
        "validate": "cellguard.cli.validate_cmd:validate",
        "schema": "cellguard.cli.schema_cmd:schema",
        "graph": "cellguard.cli.graph_cmd:graph",
        "init": "cellguard.cli.init_cmd:init",
        "assess": "cellguard.cli.assess_cmd:assess",
        "check": "cellguard.cli.check_cmd:check",
        "config": "cellguard.cli.config_cmd:config",
        "diff": "cellguard.cli.diff_cmd:diff",
        "signoff": "cellguard.cli.signoff_cmd:signoff",
        "verify": "cellguard.cli.signoff_cmd:verify",
        "policy-pack": "cellguard.cli.policy_cmd:policy_pack",
        "plan": "cellguard.cli.plan_cmd:plan",
        "blueprint": "cellguard.cli.blueprint_cmd:blueprint",
        "drift": "cellguard.cli.drift_cmd:drift",
        "rules": "cellguard.cli.rules_cmd:rules_app",
        "faulttree": "cellguard.cli.faulttree_cmd:faulttree_app",
        "import": "cellguard.cli.import_cmd:import_app",
    }


app = typer.Typer(
    name="cellguard",
    cls=CellguardGroup,
    help=(
        "Resilience assessment and architecture-as-code for generative-AI stacks.\n\n"
        "Exit codes: 0 ok, 1 blocking findings, 2 usage or input error, 3 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from cellguard import __version__

        typer.echo(f"cellguard {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Resilience assessment and architecture-as-code for generative-AI stacks."""


def run() -> None:
    """Console-script entry point."""
    app(prog_name="cellguard")
