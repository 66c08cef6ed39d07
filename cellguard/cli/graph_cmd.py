"""``cellguard graph``: draw the dependency graph as Mermaid or Graphviz DOT."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import handle_errors
from cellguard.cli.files import emit
from cellguard.cli.options import ForceOption, OutputOption


class GraphFormat(StrEnum):
    """Diagram formats."""

    MERMAID = "mermaid"
    DOT = "dot"


@handle_errors
def graph(
    path: Annotated[
        Path, typer.Argument(help="A spec file, or a directory loaded as an organisation.")
    ],
    output_format: Annotated[
        GraphFormat, typer.Option("--format", "-f", help="Diagram language.")
    ] = GraphFormat.MERMAID,
    domains: Annotated[
        bool,
        typer.Option(
            "--domains", help="Also draw failure domains (accounts, regions, zones, ...)."
        ),
    ] = False,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Draw the components, their dependencies and (optionally) failure domains.

    Mermaid renders in GitHub markdown; DOT renders with Graphviz ('dot -Tsvg').
    """
    # imported here so that other commands (and this one's --help) start without them
    from cellguard.assessments.graph import build_graph
    from cellguard.models.loader import load
    from cellguard.reports.diagram import to_dot, to_mermaid

    stack_graph = build_graph(load(path))
    render = to_mermaid if output_format is GraphFormat.MERMAID else to_dot
    emit(render(stack_graph, domains=domains), output, force=force)
