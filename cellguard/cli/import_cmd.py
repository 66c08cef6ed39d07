"""``cellguard import k8s``: a draft stack spec from the Kubernetes manifests a team already has."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from cellguard.cli.exit_codes import fail, handle_errors
from cellguard.cli.files import check_writable, emit
from cellguard.cli.options import ForceOption, OutputOption
from cellguard.importers.cloudformation import import_cloudformation
from cellguard.importers.k8s import DraftResult, import_k8s
from cellguard.models.text import inert

_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$")

import_app = typer.Typer(
    name="import",
    help="Start a spec from what you already run: Kubernetes manifests, CloudFormation templates.",
    no_args_is_help=True,
)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary(result: DraftResult) -> list[str]:
    """The lines ``import`` prints on standard error."""
    ctx = result.imported.ctx
    ids = ", ".join(w.id for w in ctx.workloads)
    lines = [
        f"cellguard: imported {_plural(len(ctx.workloads), 'workload')} from "
        f"{_plural(len(result.imported.files), 'file')}: {ids}; "
        f"{_plural(len(result.imported.calls), 'dependency').replace('dependencys', 'dependencies')}"
        f", {_plural(len(result.draft.journeys), 'placeholder journey')}",
        f"cellguard: {_plural(result.draft.placeholders, 'placeholder')} to fill in: "
        "search the draft for 'TODO(cellguard import)'",
    ]
    for item in ctx.skipped:
        lines.append(
            f"cellguard: not imported: {item.key} ({item.api_version}) at {item.origin}: "
            f"{item.reason}"
        )
    return [inert(line, single_line=True) for line in lines]


@import_app.command("k8s")
@handle_errors
def k8s(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Manifest files or directories; '-' reads standard input "
            "(helm template ... | cellguard import k8s -).",
            show_default=False,
        ),
    ],
    output: OutputOption = None,
    force: ForceOption = False,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="metadata.name of the draft (default: the namespace)."),
    ] = None,
) -> None:
    """Write a draft stack spec from Kubernetes manifests.

    Reads Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, RayServices, RayClusters,
    LeaderWorkerSets, KServe InferenceServices, NIMServices and Kubeflow jobs, with the HPAs,
    KEDA ScaledObjects, PodDisruptionBudgets, PriorityClasses, Karpenter NodePools,
    Services, Ingresses and ConfigMaps that say more about them. Every imported value carries
    a '# from FILE:LINE' comment; what manifests cannot say (business impact, journeys,
    account, region) is a placeholder marked TODO(cellguard import). Secrets are never read.
    Prints to standard output unless -o is given; never overwrites without --force.
    Exit code 0 when the draft was written, 2 on bad input.
    """
    if name is not None and not _NAME.match(name):
        fail(
            f"invalid stack name {name!r}",
            hint="use lowercase letters, digits, '.', '_' and '-', e.g. support-assistant",
        )
    if output is not None and str(output) != "-":
        check_writable(output, force=force)
    result = import_k8s(paths, name=name)
    emit(result.text, output, force=force)
    for line in summary(result):
        typer.echo(line, err=True)


@import_app.command("cloudformation")
@handle_errors
def cloudformation(
    templates: Annotated[
        list[str],
        typer.Argument(
            help="CloudFormation templates (YAML or JSON) or directories.", show_default=False
        ),
    ],
    output: OutputOption = None,
    force: ForceOption = False,
    parameter: Annotated[
        list[str] | None,
        typer.Option(
            "--parameter", "-p", help="A template parameter's value, KEY=VALUE (repeatable)."
        ),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", "-n", help="metadata.name of the draft."),
    ] = None,
) -> None:
    """Write a draft stack spec from CloudFormation templates.

    Reads SageMaker endpoints and inference components (with Application Auto Scaling
    bounds), Bedrock knowledge bases, data sources, agents and guardrails, OpenSearch domains
    and serverless collections, DynamoDB tables, S3 buckets, Lambda functions, SQS queues,
    SNS topics, API Gateway and AppSync APIs and Auto Scaling groups. Parameters take their
    --parameter value or their default; Conditions are honoured. Every imported value carries
    a '# from FILE:LINE' comment; what the template leaves open is a TODO(cellguard import).
    Prints to standard output unless -o is given; never overwrites without --force.
    Exit code 0 when the draft was written, 2 on bad input.
    """
    if name is not None and not _NAME.match(name):
        fail(
            f"invalid stack name {name!r}",
            hint="use lowercase letters, digits, '.', '_' and '-', e.g. support-assistant",
        )
    if output is not None and str(output) != "-":
        check_writable(output, force=force)
    result = import_cloudformation(templates, parameters=parameter or [], name=name)
    emit(result.text, output, force=force)
    ctx = result.ctx
    lines = [
        f"cellguard: imported {_plural(len(ctx.workloads), 'component')} from "
        f"{_plural(len(result.files), 'template')}: {', '.join(w.id for w in ctx.workloads)}",
        f"cellguard: {_plural(result.draft.placeholders, 'placeholder')} to fill in: "
        "search the draft for 'TODO(cellguard import)'",
    ]
    lines += [f"cellguard: not imported: {s.key} at {s.origin}: {s.reason}" for s in ctx.skipped]
    for line in lines:
        typer.echo(inert(line, single_line=True), err=True)
