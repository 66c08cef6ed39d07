"""``cellguard drift SPEC --k8s PATH...``: where the spec and the deployed manifests disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import ExitCode, fail, handle_errors
from cellguard.cli.files import check_writable, emit
from cellguard.cli.options import ForceOption, OutputOption
from cellguard.importers.drift import compare
from cellguard.importers.drift_report import DriftFormat, render_drift


@handle_errors
def drift(
    spec: Annotated[
        Path,
        typer.Argument(help="The spec file (or organisation directory).", show_default=False),
    ],
    k8s: Annotated[
        list[str] | None,
        typer.Option(
            "--k8s",
            help="Kubernetes manifest files or directories ('-' for standard input); repeatable.",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        DriftFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DriftFormat.TABLE,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Compare what the spec claims with what the Kubernetes manifests deploy.

    Replicas, zones, autoscaling, GPU type and count, instance types, capacity type, model and
    its pinned version, engine, image, rollout, probes, PodDisruptionBudget and priority class
    are compared for each component (matched by its k8s/workload label, else by id); each
    difference names the spec's file:line:column and the manifest's file:line. Exit code 0
    without drift, 1 with drift, 2 on bad input.
    """
    if not k8s:
        fail("nothing to compare with", hint="give the manifests with --k8s PATH (repeatable)")
    if output is not None and str(output) != "-":
        check_writable(output, force=force)
    report = compare(spec, list(k8s or []))
    emit(render_drift(report, output_format), output, force=force)
    if report.differences:
        raise typer.Exit(ExitCode.FINDINGS)
