"""``cellguard import k8s``: a draft stack spec from the Kubernetes manifests a team already has."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Annotated

import typer

from cellguard.cli.exit_codes import fail, handle_errors
from cellguard.cli.files import check_writable, emit, write_text_atomic
from cellguard.cli.options import ForceOption, OutputOption
from cellguard.importers.cloudformation import (
    import_cloudformation,
    parse_parameters,
    read_cloudformation,
)
from cellguard.importers.drift_sources import cfn_source_of, k8s_source_of
from cellguard.importers.facts import CFN_WORDING, K8S_WORDING
from cellguard.importers.k8s import DraftResult, import_k8s, read_k8s
from cellguard.importers.merge import Merged, merge_into
from cellguard.models.loader import SpecLoadError
from cellguard.models.text import inert

_NAME = re.compile(r"^[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?$")

import_app = typer.Typer(
    name="import",
    help="Start a spec from what you already run: Kubernetes manifests, CloudFormation templates.",
    no_args_is_help=True,
    rich_markup_mode=None,
)


IntoOption = Annotated[
    Path | None,
    typer.Option(
        "--into",
        help="Update this existing spec IN PLACE instead of drafting a new one: changed values "
        "are replaced, missing ones and new components added; what a person wrote is kept. "
        "Preview with --dry-run.",
        show_default=False,
    ),
]
DryRunOption = Annotated[
    bool,
    typer.Option(
        "--dry-run", help="With --into: print the update as a unified diff; write nothing."
    ),
]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _check_into(into: Path | None, dry_run: bool, output: Path | None, name: str | None) -> None:
    if into is None:
        if dry_run:
            fail("--dry-run previews an update", hint="give the spec to update with --into SPEC")
        return
    if output is not None or name is not None:
        fail(
            "--into updates SPEC in place; it cannot be combined with -o or --name",
            hint="drop -o/--name, or draft a new spec with -o instead of --into",
        )


def _diff(merged: Merged) -> list[str]:
    return list(
        difflib.unified_diff(
            merged.old.splitlines(keepends=True),
            merged.new.splitlines(keepends=True),
            fromfile=str(merged.spec),
            tofile=f"{merged.spec} (updated)",
        )
    )


def _change_lines(merged: Merged) -> list[str]:
    width = max((len(c.action) for c in merged.changes), default=0)
    return [f"  {c.action.ljust(width)}  {c.component}: {c.text}" for c in merged.changes]


def _finish(merged: Merged, noun: str, *, dry_run: bool) -> None:
    """Write (or, with ``dry_run``, print the diff of) the update and say what changed."""
    spec = merged.spec
    counts = [
        _plural(merged.count("changed"), "value") + " changed",
        f"{merged.count('added')} added",
        _plural(merged.count("new"), "component") + " added",
        f"{merged.count('kept')} left to you",
    ]
    if merged.invalid:
        if dry_run:
            typer.echo("".join(_diff(merged)), nl=False)
        for line in _change_lines(merged):
            typer.echo(inert(line, single_line=True), err=True)
        fail(
            f"{spec} not updated: the update would not validate: " + "; ".join(merged.invalid),
            hint="the manifests contradict what the spec keeps (see the diff with --dry-run): "
            "fix the spec or the manifests and run again",
        )
    if merged.new == merged.old:
        kept = merged.count("kept")
        head = f"cellguard: {spec} is up to date with the {noun}" + (
            f"; {kept} left to you:" if kept else ""
        )
    elif dry_run:
        typer.echo("".join(_diff(merged)), nl=False)
        head = f"cellguard: --dry-run: {spec} not written; it would have"
    else:
        target = spec.resolve() if spec.is_symlink() else spec
        write_text_atomic(target, merged.new, force=True)
        head = f"cellguard: updated {spec} in place:"
    lines = [f"{head} {', '.join(counts)}" if merged.new != merged.old else head]
    lines += _change_lines(merged)
    for line in lines:
        typer.echo(inert(line, single_line=True), err=True)


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
    into: IntoOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Write a draft stack spec from Kubernetes manifests.

    Reads Deployments, StatefulSets, DaemonSets, Jobs, CronJobs, RayServices, RayClusters,
    RayJobs, LeaderWorkerSets, KServe InferenceServices, NIMServices, NVIDIA
    DynamoGraphDeployments, SageMaker HyperPod InferenceEndpointConfigs and JumpStartModels, and
    Kubeflow jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob, TrainJob), with the HPAs,
    KEDA ScaledObjects, PodDisruptionBudgets, PriorityClasses, Karpenter NodePools,
    Services, Ingresses and ConfigMaps that say more about them. Every imported value carries
    a '# from FILE:LINE' comment; what manifests cannot say (business impact, journeys,
    account, region) is a placeholder marked TODO(cellguard import). Secrets are never read.
    Prints to standard output unless -o is given; never overwrites without --force.
    With --into SPEC, edits that spec in place instead (see the README: removed components and
    keys are reported, never deleted). Exit code 0 when the draft was written, 2 on bad input.
    """
    _check_into(into, dry_run, output, name)
    if into is not None:
        imported = read_k8s(paths)
        _require_workloads(imported.files, len(imported.ctx.workloads), paths)
        merged = merge_into(
            into, k8s_source_of(imported), imported.ctx, imported.calls, K8S_WORDING
        )
        _finish(merged, "manifests", dry_run=dry_run)
        return
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
    into: IntoOption = None,
    dry_run: DryRunOption = False,
) -> None:
    """Write a draft stack spec from CloudFormation templates.

    Reads SageMaker endpoints and inference components (with Application Auto Scaling
    bounds), Bedrock knowledge bases, data sources, agents and guardrails, OpenSearch domains
    and serverless collections, DynamoDB tables, S3 buckets, Lambda functions, SQS queues,
    SNS topics, API Gateway and AppSync APIs and Auto Scaling groups. Parameters take their
    --parameter value or their default; Conditions are honoured. Every imported value carries
    a '# from FILE:LINE' comment; what the template leaves open is a TODO(cellguard import).
    Prints to standard output unless -o is given; never overwrites without --force.
    With --into SPEC, edits that spec in place instead (see the README: removed components and
    keys are reported, never deleted). Exit code 0 when the draft was written, 2 on bad input.
    """
    _check_into(into, dry_run, output, name)
    if into is not None:
        ctx, calls, files = read_cloudformation(templates, parse_parameters(parameter or []))
        _require_workloads(files, len(ctx.workloads), templates)
        merged = merge_into(into, cfn_source_of(ctx, files), ctx, calls, CFN_WORDING)
        _finish(merged, "templates", dry_run=dry_run)
        return
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


def _require_workloads(files: list[str], count: int, paths: list[str]) -> None:
    if count:
        return
    where = files[0] if files else (paths[0] if paths else "-")
    raise SpecLoadError.at(
        where,
        1,
        1,
        "nothing to update the spec from: no workloads or resources found",
        code="import-empty",
        suggestion="give the manifests or templates the spec describes",
    )
