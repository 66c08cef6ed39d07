"""The ``cellguard`` command: one typer app, one module per command group."""

from __future__ import annotations

from typing import Annotated

import typer

from cellguard import __version__
from cellguard.cli.assess_cmd import assess
from cellguard.cli.blueprint_cmd import blueprint
from cellguard.cli.check_cmd import check
from cellguard.cli.diff_cmd import diff
from cellguard.cli.drift_cmd import drift
from cellguard.cli.faulttree_cmd import faulttree_app
from cellguard.cli.graph_cmd import graph
from cellguard.cli.import_cmd import import_app
from cellguard.cli.init_cmd import init
from cellguard.cli.plan_cmd import plan
from cellguard.cli.policy_cmd import policy_pack
from cellguard.cli.rules_cmd import rules_app
from cellguard.cli.schema_cmd import schema
from cellguard.cli.signoff_cmd import signoff, verify
from cellguard.cli.validate_cmd import validate

app = typer.Typer(
    name="cellguard",
    help=(
        "Resilience assessment and architecture-as-code for generative-AI stacks.\n\n"
        "Exit codes: 0 ok, 1 blocking findings, 2 usage or input error, 3 internal error."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
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


app.command()(validate)
app.command()(schema)
app.command()(graph)
app.command()(init)
app.command()(assess)
app.command()(check)
app.command()(diff)
app.command()(signoff)
app.command()(verify)
app.command("policy-pack")(policy_pack)
app.command()(plan)
app.command()(blueprint)
app.command()(drift)
app.add_typer(rules_app)
app.add_typer(faulttree_app)
app.add_typer(import_app)


def run() -> None:
    """Console-script entry point."""
    app(prog_name="cellguard")
