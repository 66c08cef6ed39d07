"""The ``cellguard`` typer app: one module per command group, each imported when it is used.

:func:`cellguard.cli.main.run` (the console script) imports this module only for a command
line that :mod:`cellguard.cli.fast` does not run by itself."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, ClassVar

import typer

from cellguard.cli.exit_codes import handle_errors
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

    # the first paragraph of each command's help, for `cellguard --help` without importing the
    # commands (tests/cli/test_cli_startup.py checks that it is the command's own)
    command_help: ClassVar[Mapping[str, str]] = {
        "validate": (
            "Validate spec files: syntax, schema, references, placement and dependency cycles."
        ),
        "schema": "Print the JSON Schema of cellguard/v1 spec files.",
        "graph": "Draw the components, their dependencies and (optionally) failure domains.",
        "init": (
            "Write a commented starter stack: one chat journey, an API, a guardrail and a model."
        ),
        "assess": "Assess stacks on the five resilience pillars and observability.",
        "check": "Assess stacks and fail (exit 1) on blocking findings, for CI and pre-commit.",
        "config": "Print the settings assess and check would use, and where each comes from.",
        "diff": (
            "Compare two specs: scores, new and resolved findings, availability, loss, and figures."
        ),
        "signoff": (
            "Record an architecture-review decision on a spec (appends; never overwrites a record)."
        ),
        "verify": "Check that the last sign-off of a spec approves it as it is now.",
        "policy-pack": (
            "Write a Pulumi CrossGuard policy pack that enforces cellguard's rules on resources."
        ),
        "plan": "Plan the remediation of every failing finding and write the target spec.",
        "blueprint": (
            "Write a Pulumi project (Pulumi.yaml, Pulumi.<stack>.yaml, __main__.py, "
            "requirements.txt, target.yaml) deploying TARGET as cells; --verify runs it under "
            "mocks, checks the invariants and round-trips the deployed topology through the rules"
            " (exit 1 if a check fails or a rule's result differs from the target's); --capture "
            "FILE.json also writes what the mocks captured."
        ),
        "drift": "Compare what the spec claims with what the manifests or templates deploy.",
        "rules": "List the rules, or explain one rule or the scoring formula.",
        "faulttree": (
            "Export journeys' fault trees to, and quantify fault trees in, Open-PSA MEF XML (and,"
            " or, not, xor, atleast; float probabilities)."
        ),
        "import": (
            "Start a spec from what you already run: Kubernetes manifests, CloudFormation "
            "templates."
        ),
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
@handle_errors
def main(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    catalog: Annotated[
        list[Path] | None,
        typer.Option(
            "--catalog",
            help="A user catalog directory (gpus.yaml, instances.yaml, models.yaml, "
            "throughput.yaml, engines.yaml, availability.yaml, media_throughput.yaml, "
            "gpu_obtain.yaml, mig_profiles.yaml) laid over the built-in catalog; "
            "repeatable, later ones win (default: the config file's 'catalogs').",
            metavar="DIR",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Resilience assessment and architecture-as-code for generative-AI stacks."""
    if catalog:
        from cellguard.models.loader.user_catalogs import activate_from_command_line

        activate_from_command_line(catalog)
