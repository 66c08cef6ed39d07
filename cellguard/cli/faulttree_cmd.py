"""``cellguard faulttree``: fault trees in Open-PSA MEF XML.

``quantify`` computes the exact top-event probability of any MEF file (or a labelled bound
when the node budget or time limit is reached). ``export`` writes a journey's compiled fault
tree as MEF, for SCRAM, XFTA or any other MEF tool (and for ``quantify``).

The engine is imported inside the command, so ``cellguard --help`` and the other commands do
not pay for loading CUDD. ``quantify``'s work and output are in :mod:`.faulttree_quantify`, which
:mod:`cellguard.cli.fast` also runs, without typer, for a plain command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import UserError, handle_errors
from cellguard.cli.faulttree_quantify import (
    MC_MEMORY,
    MC_TRIALS,
    MC_WORK,
    MIN_STACK,
    STACK_PER_VARIABLE,
    QuantifyFormat,
    _with_stack,
    quantify_output,
)
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption, OutputOption

__all__ = [
    "MC_MEMORY",
    "MC_TRIALS",
    "MC_WORK",
    "MIN_STACK",
    "STACK_PER_VARIABLE",
    "QuantifyFormat",
    "_with_stack",
    "export_cmd",
    "faulttree_app",
    "quantify_cmd",
]

faulttree_app = typer.Typer(
    name="faulttree",
    help=(
        "Export journeys' fault trees to, and quantify fault trees in, Open-PSA MEF XML "
        "(and, or, not, xor, atleast; float probabilities)."
    ),
    no_args_is_help=True,
    rich_markup_mode=None,
)


@faulttree_app.command("quantify")
@handle_errors
def quantify_cmd(
    file: Annotated[Path, typer.Argument(help="Open-PSA MEF XML file.", show_default=False)],
    output_format: Annotated[
        QuantifyFormat, typer.Option("--format", "-f", help="Output format.")
    ] = QuantifyFormat.TABLE,
    top: Annotated[
        str | None,
        typer.Option("--top", help="Gate or event to quantify (default: the one root gate)."),
    ] = None,
    node_budget: Annotated[
        int | None,
        typer.Option(
            "--node-budget",
            min=1,
            help="Most BDD nodes before gates become free variables (default: the engine's).",
        ),
    ] = None,
    time_limit: Annotated[
        float | None,
        typer.Option(
            "--time-limit",
            min=0.0,
            help="Seconds before the remaining gates become free variables (default: the engine's).",
        ),
    ] = None,
    mc_trials: Annotated[
        int,
        typer.Option(
            "--mc-trials",
            min=0,
            help=(
                "Monte Carlo trials run beside a bound (a statistical estimate; 0: none); at most "
                f"{MC_WORK:,} divided by the number of gates and events."
            ),
        ),
    ] = MC_TRIALS,
    mission_time: Annotated[
        float | None,
        typer.Option(
            "--mission-time",
            min=0.0,
            help=(
                "Hours that <system-mission-time/> stands for in the file's probability "
                "expressions (default: 8760, one year, as SCRAM)."
            ),
        ),
    ] = None,
) -> None:
    """Exact top-event probability of a MEF fault tree, or a labelled bound.

    When the result is a bound, a Monte Carlo estimate with its 95% interval (fixed seed, so
    the output is reproducible) is shown beside it, labelled as statistical.
    """
    text, newline_included = quantify_output(
        file, output_format, top, node_budget, time_limit, mc_trials, mission_time
    )
    typer.echo(text, nl=not newline_included)


def _journey(journeys: list[tuple[str, str]], wanted: str) -> tuple[str, str]:
    """The (stack, journey id) that ``wanted`` (``ID`` or ``STACK/ID``) names; else a user error."""
    names = [f"{s}/{j}" for s, j in journeys]
    if "/" in wanted:
        stack, _, jid = wanted.partition("/")
        matches = [(s, j) for s, j in journeys if s == stack and j == jid]
    else:
        matches = [(s, j) for s, j in journeys if j == wanted]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UserError(
            f"journey {wanted!r} exists in several stacks",
            hint=f"name it as STACK/ID: {', '.join(f'{s}/{j}' for s, j in matches)}",
        )
    raise UserError(
        f"no journey {wanted!r}",
        hint=f"journeys: {', '.join(names)}" if names else "the spec declares no journeys",
    )


@faulttree_app.command("export")
@handle_errors
def export_cmd(
    path: Annotated[
        Path,
        typer.Argument(help="Spec file or organisation directory.", show_default=False),
    ],
    journey: Annotated[
        str,
        typer.Option(
            "--journey",
            "-j",
            help="Journey to export: ID, or STACK/ID when ids repeat.",
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Write a journey's fault tree ("journey down") as Open-PSA MEF XML.

    Gates and events get MEF-safe names; each keeps cellguard's name, its meaning and the
    source of its probability in a <label>. `cellguard faulttree quantify` of the file gives
    the journey's unavailability.
    """
    from cellguard.assessments.availability.export import journey_mef
    from cellguard.assessments.graph import build_graph
    from cellguard.models.loader import load

    graph = build_graph(load(path))
    stack, journey_id = _journey([(s, j.id) for s, j in graph.journeys()], journey)
    emit(journey_mef(graph, stack, journey_id), output, force=force)
