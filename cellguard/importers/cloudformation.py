"""``import cloudformation``: CloudFormation templates -> workloads with located facts -> a draft.

Templates are read by :mod:`~cellguard.importers.cfn_yaml` (short-form tags as data), their
parameters, conditions and intrinsic functions evaluated by
:mod:`~cellguard.importers.cfn_template`, their resources mapped by
:mod:`~cellguard.importers.cfn_resources`; the draft is the one ``import k8s`` writes
(:mod:`~cellguard.importers.draft`), with a ``# from FILE:LINE`` comment on every value and a
``TODO(cellguard import)`` for every value the template leaves open. A resource whose
``Condition`` cannot be evaluated from the parameters is an error naming the parameters to give.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from cellguard.importers.cfn_resources import (
    CfnWorkload,
    Reader,
    Resources,
    _simple,
    auto_scaling_group,
    bedrock_agent,
    data_source,
    guardrail,
    inference_component,
    knowledge_base,
    lambda_function,
    managed,
    references,
    sagemaker_endpoint,
    scalable_target,
)
from cellguard.importers.cfn_stores import (
    dynamodb,
    opensearch_domain,
    s3_bucket,
    serverless_collection,
    sqs_queue,
)
from cellguard.importers.cfn_template import Template
from cellguard.importers.cfn_yaml import read_template
from cellguard.importers.context import Context, Skipped
from cellguard.importers.dependencies import Call, break_cycles
from cellguard.importers.draft import TODO, Draft, assign_ids, build_draft, identifier
from cellguard.importers.facts import CFN_WORDING
from cellguard.importers.inputs import read_inputs
from cellguard.importers.manifests import Manifest, Origin
from cellguard.importers.writer import Comment, Mapping, Sequence, render
from cellguard.models.loader import SpecLoadError, build_organisation, parse_document
from cellguard.models.quoting import quoted
from cellguard.models.text import inert

LINKS = (
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "AWS::SageMaker::EndpointConfig",
    "AWS::SageMaker::Model",
)
"""Types read for what they say about other resources."""


TYPES: dict[str, tuple[str, Reader]] = {
    "AWS::SageMaker::Endpoint": ("model_endpoint", sagemaker_endpoint),
    "AWS::SageMaker::InferenceComponent": ("model_endpoint", inference_component),
    "AWS::Bedrock::KnowledgeBase": ("app", knowledge_base),
    "AWS::Bedrock::DataSource": ("ingestion_pipeline", data_source),
    "AWS::Bedrock::Agent": ("agent", bedrock_agent),
    "AWS::Bedrock::Guardrail": ("guardrail", guardrail),
    "AWS::OpenSearchService::Domain": ("vector_store", opensearch_domain),
    "AWS::OpenSearchServerless::Collection": ("vector_store", serverless_collection),
    "AWS::DynamoDB::Table": ("database", dynamodb),
    "AWS::DynamoDB::GlobalTable": ("database", dynamodb),
    "AWS::S3::Bucket": ("object_store", s3_bucket),
    "AWS::Lambda::Function": ("app", lambda_function),
    "AWS::SQS::Queue": ("queue", sqs_queue),
    "AWS::SNS::Topic": ("queue", _simple("queue", "engine", "sns")),
    "AWS::ECR::Repository": ("object_store", _simple("object_store", "engine", "ecr")),
    "AWS::ApiGateway::RestApi": ("gateway", managed("api_gateway")),
    "AWS::ApiGatewayV2::Api": ("gateway", managed("api_gateway")),
    "AWS::AppSync::GraphQLApi": ("gateway", managed("appsync")),
    "AWS::AutoScaling::AutoScalingGroup": ("app", auto_scaling_group),
}
"""Resource types that make components: the component kind and the reader."""


@dataclass
class CfnDraft:
    """The draft's text and what the summary reports."""

    text: str
    draft: Draft
    ctx: Context
    files: list[str]
    unresolved: int


def parse_parameters(pairs: list[str]) -> dict[str, str]:
    """``K=V`` pairs as a mapping; a pair without ``=`` or with an empty key is an error."""
    given: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise SpecLoadError.at(
                "--parameter",
                1,
                1,
                f"{quoted(pair, escape=True)} is not KEY=VALUE",
                code="cfn-parameter",
                suggestion="write --parameter InstanceType=ml.g5.2xlarge",
            )
        given[key.strip()] = value
    return given


def _resources(ctx: Context, template: Template) -> Resources:
    r = Resources(template)
    section = template.section("Resources")
    if not section:
        template.problem(("Resources",), "the template has no Resources", code="cfn-empty")
    for logical_id, body in section.items():
        path = ("Resources", logical_id)
        if not isinstance(body, dict) or not isinstance(body.get("Type"), str):
            template.problem(
                path,
                f"resource {quoted(logical_id)} has no Type",
                expected="Type: AWS::Service::Resource",
            )
            continue
        m = Manifest(
            template.file,
            body,
            template.source,
            path,
            api_version="cloudformation",
            kind=body["Type"],
            name=logical_id,
            namespace=identifier(PurePath(template.file).stem, "template"),
        )
        condition = body.get("Condition")
        if condition is not None:
            truth = template.condition(condition) if isinstance(condition, str) else None
            if truth is None:
                missing = sorted(
                    p
                    for p in template.section("Parameters")
                    if p not in template.given
                    and "Default" not in (template.section("Parameters")[p] or {})
                )
                template.problem(
                    (*path, "Condition"),
                    f"resource {quoted(logical_id)} exists only if condition "
                    f"{quoted(str(condition), escape=True)}, which cannot be evaluated",
                    expected="a condition the template declares, over parameters with values",
                    suggestion="give the parameters it depends on: "
                    + (", ".join(f"--parameter {p}=VALUE" for p in missing) or "(none unset)"),
                )
                continue
            if not truth:
                ctx.skipped.append(
                    Skipped(
                        f"{m.kind}/{logical_id}",
                        "cloudformation",
                        m.origin("Condition"),
                        f"condition {condition} is false",
                    )
                )
                continue
        r.by_id[logical_id] = m
    return r


def _workloads(ctx: Context, r: Resources) -> None:
    for logical_id, m in r.by_id.items():
        if m.kind in TYPES:
            kind = TYPES[m.kind][0]
            w = CfnWorkload(m, kind)
            r.workloads[logical_id] = w
            ctx.workloads.append(w)
        elif m.kind not in LINKS:
            reason = "kind not understood"
            if m.kind.startswith("AWS::EKS::"):
                reason = "an EKS cluster or node group: import its workloads with `import k8s`"
            ctx.skipped.append(
                Skipped(f"{m.kind}/{logical_id}", "cloudformation", m.origin("Type"), reason)
            )
    for w in r.workloads.values():
        TYPES[w.manifest.kind][1](r, w)
    hosts = {n for w in r.workloads.values() for n, _ in w.node_pools}
    for logical_id in sorted(hosts & set(r.workloads)):
        host = r.workloads.pop(logical_id)
        ctx.workloads.remove(host)
        ctx.skipped.append(
            Skipped(
                f"{host.manifest.kind}/{logical_id}",
                "cloudformation",
                host.manifest.origin("Type"),
                "hosts inference components: their shared domain",
            )
        )
    for m in r.by_id.values():
        if m.kind == "AWS::ApplicationAutoScaling::ScalableTarget":
            scalable_target(r, m)


def _calls(r: Resources) -> list[Call]:
    calls: list[Call] = []
    for w in r.workloads.values():
        m = w.manifest
        seen: set[str] = set()
        for logical_id, path, how in references(m.get("Properties"), ()):
            callee = r.workloads.get(logical_id)
            if callee is None or callee is w or logical_id in seen:
                continue
            if w.manifest.kind == "AWS::SageMaker::InferenceComponent":
                continue  # its endpoint is its host (a shared domain), not a dependency
            seen.add(logical_id)
            where = f"{how} in Properties." + ".".join(str(p) for p in path)
            calls.append(Call(w, callee, m.origin("Properties", *path), where, logical_id))
    break_cycles(calls)
    return calls


def read_cloudformation(
    paths: list[str], given: dict[str, str]
) -> tuple[Context, list[Call], list[str]]:
    """Read and interpret the templates at ``paths``."""
    ctx = Context()
    inputs = read_inputs(paths, ctx.problems.items)
    resources: list[Resources] = []
    for item in inputs:
        try:
            data, source = read_template(item)
        except SpecLoadError as exc:
            ctx.problems.items.extend(exc.diagnostics)
            continue
        if not isinstance(data, dict):
            ctx.problems.items.append(
                source.diagnostic(
                    (),
                    "not a CloudFormation template",
                    code="cfn-template",
                    expected="a mapping with Resources",
                    suggestion="give a template file",
                )
            )
            continue
        template = Template(item.name, data, source, given)
        template.check_references()
        r = _resources(ctx, template)
        _workloads(ctx, r)
        ctx.problems.items.extend(template.problems)
        resources.append(r)
    ctx.problems.raise_if_any()
    assign_ids(ctx.workloads)
    return ctx, [c for r in resources for c in _calls(r)], [i.name for i in inputs]


def _todos(draft: Draft, ctx: Context) -> int:
    components = next(
        v for e in draft.root.entries if isinstance(e, tuple) for k, v in [e] if k == "components"
    )
    assert isinstance(components, Sequence)
    count = 0
    for w, node in zip(ctx.workloads, components.items, strict=True):
        if not isinstance(w, CfnWorkload) or not isinstance(node, Mapping):
            continue
        for spec, why, origin in w.todos:
            if spec in w.facts:
                continue
            node.entries.append(Comment(f"{TODO}: {'.'.join(spec)}: {why} ({origin})"))
            count += 1
    return count


def import_cloudformation(
    paths: list[str], *, parameters: list[str] | None = None, name: str | None = None
) -> CfnDraft:
    """The draft spec of the templates at ``paths``; :class:`SpecLoadError` on bad input."""
    given = parse_parameters(parameters or [])
    ctx, calls, files = read_cloudformation(paths, given)
    if not ctx.workloads:
        raise SpecLoadError.at(
            files[0] if files else "-",
            1,
            1,
            "no resources the spec describes found in the templates",
            code="cfn-empty",
            suggestion="give templates with SageMaker endpoints, Bedrock "
            "knowledge bases, OpenSearch, DynamoDB, S3, Lambda, ...",
        )
    draft = build_draft(ctx, calls, name=name, words=CFN_WORDING)
    unresolved = _todos(draft, ctx)
    draft.placeholders += unresolved
    if ctx.skipped:
        lines = ["Not imported (review these by hand):"]
        lines += [f"  {s.key} at {s.origin}: {s.reason}" for s in ctx.skipped]
        draft.root.note(inert("\n".join(lines)))
    shown = ", ".join(inert(f, single_line=True) for f in files[:3])
    header = (
        f"Draft generated by `cellguard import cloudformation` from {shown}"
        f"{f' and {len(files) - 3} more' if len(files) > 3 else ''}.\n"
        "Every imported value says where it came from (# from FILE:LINE); placeholders say\n"
        "TODO(cellguard import). Fill them in, then run `cellguard validate` and `cellguard assess`."
    )
    text = render(draft.root, header)
    try:
        build_organisation([parse_document(text, "<draft>")], org_mode=False)
    except SpecLoadError as exc:
        raise RuntimeError(f"the imported draft does not validate: {exc}") from None
    return CfnDraft(text, draft, ctx, files, unresolved)


__all__ = ["CfnDraft", "Origin", "import_cloudformation", "parse_parameters"]
