"""``cellguard drift SPEC --k8s PATH... --cloudformation TEMPLATE...``: where the spec and
what is deployed disagree."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import ExitCode, fail, handle_errors
from cellguard.cli.files import check_writable, emit
from cellguard.cli.options import ForceOption, OutputOption
from cellguard.importers.drift import Source, compare
from cellguard.importers.drift_report import DriftFormat, render_drift
from cellguard.importers.drift_sources import cfn_source, k8s_source


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
    cloudformation: Annotated[
        list[str] | None,
        typer.Option(
            "--cloudformation",
            help="CloudFormation templates (YAML or JSON) or directories; repeatable.",
            show_default=False,
        ),
    ] = None,
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter",
            "-p",
            help="A template parameter's value, KEY=VALUE (repeatable; with --cloudformation).",
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        DriftFormat, typer.Option("--format", "-f", help="Output format.")
    ] = DriftFormat.TABLE,
    output: OutputOption = None,
    force: ForceOption = False,
) -> None:
    """Compare what the spec claims with what the manifests or templates deploy.

    With --k8s: replicas, zones, autoscaling, GPU type and count, instance types, capacity
    type, model and its pinned version, engine, image, rollout, probes, PodDisruptionBudget and
    priority class. With --cloudformation: instance types and counts, autoscaling bounds, zones
    and subnets where stated, S3 versioning, DynamoDB point-in-time recovery, OpenSearch zone
    awareness, replication, Auto Scaling health checks, the model and its version. Components
    are matched by their k8s/workload or cfn/resource label, else by id; each difference names
    the spec's file:line:column and the manifest's or template's file:line. Both options may be
    given together. Exit code 0 without drift, 1 with drift, 2 on bad input.
    """
    if not k8s and not cloudformation:
        fail(
            "nothing to compare with",
            hint="give the manifests with --k8s PATH or the templates with "
            "--cloudformation TEMPLATE (repeatable)",
        )
    if parameter and not cloudformation:
        fail("--parameter is for templates", hint="give the templates with --cloudformation")
    if output is not None and str(output) != "-":
        check_writable(output, force=force)
    sources: list[Source] = []
    if k8s:
        sources.append(k8s_source(list(k8s)))
    if cloudformation:
        sources.append(cfn_source(list(cloudformation), parameter))
    report = compare(spec, sources)
    emit(render_drift(report, output_format), output, force=force)
    if report.differences:
        raise typer.Exit(ExitCode.FINDINGS)
