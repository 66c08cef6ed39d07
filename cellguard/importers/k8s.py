"""``import k8s``: Kubernetes manifests -> workloads with located facts -> a draft spec.

:func:`read_k8s` reads and interprets the manifests (used by ``drift`` too); :func:`import_k8s`
adds the draft. Bad input -- YAML that does not parse, an object without apiVersion or kind, a
built-in kind with an unknown API version, a value of the wrong type, a Secret whose data is
not base64 -- is a :class:`~cellguard.models.loader.SpecLoadError` naming file, line and key path,
with every problem of every input reported at once. Kinds the importer does not understand are
listed (:attr:`Imported.skipped`), never dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import BinaryIO

from cellguard.importers import (
    k8s_core,
    k8s_dynamo,
    k8s_hyperpod,
    k8s_ray,
    k8s_serving,
    k8s_training,
)
from cellguard.importers.context import Context, Skipped
from cellguard.importers.dependencies import Call, break_cycles, find_calls
from cellguard.importers.draft import Draft, assign_ids, build_draft
from cellguard.importers.facts import SpecPath
from cellguard.importers.inputs import read_inputs
from cellguard.importers.k8s_links import (
    check_secrets,
    read_hpa,
    read_ingresses,
    read_node_pools,
    read_pdb,
    read_priority_classes,
    read_scaled_object,
    read_services,
)
from cellguard.importers.manifests import Manifest, manifests_of, read_documents
from cellguard.importers.writer import render
from cellguard.importers.zones import zone_fact
from cellguard.models.base import MAX_PER_REPLICA, MAX_REPLICAS, MAX_TOKENS, MAX_ZONES
from cellguard.models.loader import SpecLoadError, build_organisation, parse_document
from cellguard.models.loader.errors import Diagnostic, one_of
from cellguard.models.quoting import quoted
from cellguard.models.text import inert

Reader = Callable[[Context, Manifest], None]

WORKLOADS: dict[str, tuple[tuple[str, ...], Reader]] = {
    **{k: (v, k8s_core.read_workload) for k, v in k8s_core.KINDS.items()},
    **{k: (v, k8s_ray.read_ray) for k, v in k8s_ray.KINDS.items()},
    **{k: (v, k8s_training.read_training) for k, v in k8s_training.KINDS.items()},
    "LeaderWorkerSet": (k8s_serving.KINDS["LeaderWorkerSet"], k8s_serving.read_lws),
    "InferenceService": (
        k8s_serving.KINDS["InferenceService"],
        k8s_serving.read_inference_service,
    ),
    "NIMService": (k8s_serving.KINDS["NIMService"], k8s_serving.read_nim_service),
    "DynamoGraphDeployment": (
        k8s_dynamo.KINDS["DynamoGraphDeployment"],
        k8s_dynamo.read_dynamo,
    ),
    **{k: (v, k8s_hyperpod.read_hyperpod) for k, v in k8s_hyperpod.KINDS.items()},
}
"""Kinds that make workloads: API versions understood and the reader."""

LINKS: dict[str, tuple[str, ...]] = {
    "HorizontalPodAutoscaler": (
        "autoscaling/v2",
        "autoscaling/v1",
        "autoscaling/v2beta2",
        "autoscaling/v2beta1",
    ),
    "ScaledObject": ("keda.sh/v1alpha1",),
    "PodDisruptionBudget": ("policy/v1", "policy/v1beta1"),
    "PriorityClass": ("scheduling.k8s.io/v1", "scheduling.k8s.io/v1beta1"),
    "NodePool": ("karpenter.sh/v1", "karpenter.sh/v1beta1"),
    "Service": ("v1",),
    "Ingress": ("networking.k8s.io/v1", "networking.k8s.io/v1beta1", "extensions/v1beta1"),
    "HTTPRoute": ("gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1"),
    "ConfigMap": ("v1",),
    "Secret": ("v1",),
}
"""Kinds read for what they say about workloads."""

NO_FACTS = (
    "Namespace",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "StorageClass",
    "CustomResourceDefinition",
    "EC2NodeClass",
    "NIMCache",
)
"""Kinds with nothing for the spec (identity, access, storage classes): listed as such."""

_API_VERSION = re.compile(r"^(?:[a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?v\d+(?:(?:alpha|beta)\d+)?$")


BOUNDS: dict[SpecPath, int] = {
    ("replicas",): MAX_REPLICAS,
    ("autoscaling", "min"): MAX_REPLICAS,
    ("autoscaling", "max"): MAX_REPLICAS,
    ("serving", "gpus_per_replica"): MAX_PER_REPLICA,
    ("gpus",): MAX_PER_REPLICA,
    ("serving", "max_concurrency"): MAX_PER_REPLICA,
    ("model", "context_tokens"): MAX_TOKENS,
    ("placement", "zones"): MAX_ZONES,
}
"""The spec's upper bounds of the numbers the importer computes (a product or a count)."""


def check_bounds(ctx: Context) -> None:
    """A computed number past the spec's bound (8 GPUs x 10**6 workers) is an input error."""
    for w in ctx.workloads:
        facts = dict(w.facts)
        zones = zone_fact(w)
        if zones is not None:
            facts[("placement", "zones")] = zones
        for path, limit in BOUNDS.items():
            fact = facts.get(path)
            if fact is None or not isinstance(fact.value, int) or fact.value <= limit:
                continue
            ctx.problems.add(
                Diagnostic(
                    fact.origin.file,
                    fact.origin.line,
                    1,
                    (),
                    f"{w.key}: {'.'.join(path)} comes to {fact.value:,}"
                    + (f" ({fact.note})" if fact.note else "")
                    + f", more than the spec allows ({limit:,})",
                    code="k8s-value",
                    suggestion="check the manifest's counts; no real deployment is that large",
                )
            )


@dataclass
class Imported:
    """What the manifests gave: the context (workloads, skipped objects) and the calls."""

    ctx: Context
    calls: list[Call]
    files: list[str] = field(default_factory=list)


def _check_version(m: Manifest, ctx: Context, known: tuple[str, ...]) -> bool:
    """Whether ``m`` is read: its API version is understood. A dotted group the kind does not
    have is another resource of that name (listed); anything else unknown is an error."""
    if m.api_version in known:
        return True
    groups = {v.rsplit("/", 1)[0] if "/" in v else "" for v in known}
    if m.group not in groups and "." in m.group and _API_VERSION.match(m.api_version):
        ctx.skipped.append(
            Skipped(m.key, m.api_version, m.origin("kind"), "kind not understood in this group")
        )
        return False
    ctx.problems.add(
        m.diagnostic(
            ("apiVersion",),
            f"{m.kind} {quoted(m.name)}: unknown apiVersion {quoted(m.api_version, escape=True)}",
            code="k8s-api-version",
            expected=f"for {m.kind}: {one_of(known)}",
            suggestion="use a version this cellguard reads, or file an issue for a newer one",
        )
    )
    return False


def _classify(ctx: Context, manifests: list[Manifest]) -> list[tuple[Manifest, Reader]]:
    workloads: list[tuple[Manifest, Reader]] = []
    for m in manifests:
        if not _API_VERSION.match(m.api_version):
            ctx.problems.add(
                m.diagnostic(
                    ("apiVersion",),
                    f"{m.kind} {quoted(m.name)}: malformed apiVersion "
                    f"{quoted(m.api_version, escape=True)}",
                    code="k8s-api-version",
                    expected="<group>/<version> (apps/v1) or a core version (v1)",
                )
            )
        elif m.kind in WORKLOADS:
            known, reader = WORKLOADS[m.kind]
            if _check_version(m, ctx, known):
                workloads.append((m, reader))
        elif m.kind in LINKS:
            if _check_version(m, ctx, LINKS[m.kind]):
                ctx.by_kind.setdefault(m.kind, []).append(m)
        elif m.kind in NO_FACTS:
            ctx.skipped.append(
                Skipped(m.key, m.api_version, m.origin("kind"), "nothing for the spec")
            )
        else:
            ctx.skipped.append(
                Skipped(m.key, m.api_version, m.origin("kind"), "kind not understood")
            )
    return workloads


def read_k8s(paths: list[str], *, stdin: BinaryIO | None = None) -> Imported:
    """Read and interpret the manifests at ``paths`` (``-`` for standard input)."""
    ctx = Context()
    inputs = read_inputs(paths, ctx.problems.items, stdin)
    manifests = [
        m
        for item, data, source in read_documents(inputs, ctx.problems)
        for m in manifests_of(item, data, source, ctx.problems)
    ]
    for manifest, reader in _classify(ctx, manifests):
        reader(ctx, manifest)
    for m in ctx.objects("HorizontalPodAutoscaler"):
        read_hpa(ctx, m)
    for m in ctx.objects("ScaledObject"):
        read_scaled_object(ctx, m)
    read_services(ctx)
    read_ingresses(ctx)
    for m in ctx.objects("PodDisruptionBudget"):
        read_pdb(ctx, m)
    read_priority_classes(ctx)
    read_node_pools(ctx)
    check_secrets(ctx)
    check_bounds(ctx)
    ctx.problems.raise_if_any()
    assign_ids(ctx.workloads)
    calls = find_calls(ctx)
    break_cycles(calls)
    return Imported(ctx, calls, [i.name for i in inputs])


@dataclass
class DraftResult:
    """The draft's text and what the summary reports."""

    text: str
    draft: Draft
    imported: Imported


def _header(imported: Imported) -> str:
    files = [inert(f, single_line=True) for f in imported.files]
    shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
    return (
        f"Draft generated by `cellguard import k8s` from {shown}.\n"
        "Every imported value says where it came from (# from FILE:LINE); placeholders say\n"
        "TODO(cellguard import). Fill them in, then run `cellguard validate` and `cellguard assess`."
    )


def _skipped_block(ctx: Context) -> str:
    if not ctx.skipped:
        return ""
    lines = ["Not imported (review these by hand):"]
    for item in ctx.skipped:
        line = f"  {item.key} ({item.api_version}) at {item.origin}: {item.reason}"
        lines.append(inert(line, single_line=True))
    return "\n".join(lines)


def _not_understood(ctx: Context) -> str:
    """``; not understood: KIND/ns/name (apiVersion) at FILE:LINE, ...`` (at most five)."""
    items = [s for s in ctx.skipped if s.reason != "nothing for the spec"]
    if not items:
        return ""
    shown = [f"{s.key} ({s.api_version}) at {s.origin}" for s in items[:5]]
    more = f" and {len(items) - 5} more" if len(items) > 5 else ""
    return inert("; kinds not understood: " + ", ".join(shown) + more, single_line=True)


def import_k8s(
    paths: list[str], *, name: str | None = None, stdin: BinaryIO | None = None
) -> DraftResult:
    """The draft spec of the manifests at ``paths``; :class:`SpecLoadError` on bad input."""
    imported = read_k8s(paths, stdin=stdin)
    ctx = imported.ctx
    if not ctx.workloads:
        where = imported.files[0] if imported.files else (paths[0] if paths else "-")
        raise SpecLoadError.at(
            where,
            1,
            1,
            "no workloads found in the manifests" + _not_understood(ctx),
            code="k8s-empty",
            suggestion="give the manifests of Deployments, StatefulSets, RayServices, "
            "LeaderWorkerSets, InferenceServices, NIMServices, ... (helm template | cellguard "
            "import k8s -)",
        )
    draft = build_draft(ctx, imported.calls, name=name)
    skipped = _skipped_block(ctx)
    if skipped:
        draft.root.note(skipped)
    text = render(draft.root, _header(imported))
    _self_check(text)
    return DraftResult(text, draft, imported)


def _self_check(text: str) -> None:
    """The draft must validate; if it does not, that is a bug in the importer (exit 3)."""
    try:
        build_organisation([parse_document(text, "<draft>")], org_mode=False)
    except SpecLoadError as exc:
        raise RuntimeError(f"the imported draft does not validate: {exc}") from None
