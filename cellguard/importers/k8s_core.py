"""Built-in workload kinds: Deployment, StatefulSet, DaemonSet, Job and CronJob."""

from __future__ import annotations

from collections.abc import Mapping

from cellguard.importers.classify import apply_pod, apply_store, classify
from cellguard.importers.context import Context
from cellguard.importers.facts import LABEL_SCHEDULE, Workload
from cellguard.importers.manifests import Manifest
from cellguard.importers.pods import read_pod

_ROLLOUT = {"RollingUpdate": "rolling", "Recreate": "all_at_once"}


def _rollout(ctx: Context, w: Workload, m: Manifest, key: str) -> None:
    """``rollout.strategy`` from a Deployment's strategy or a set's update strategy."""
    kind = ctx.text(m, ("spec", key, "type"))
    if kind is None:
        w.set(("rollout", "strategy"), "rolling", m.origin("spec"), f"the {m.kind} default")
    elif kind in _ROLLOUT:
        w.set(("rollout", "strategy"), _ROLLOUT[kind], m.origin("spec", key, "type"))


def _replicas(ctx: Context, w: Workload, m: Manifest) -> None:
    count = ctx.integer(m, ("spec", "replicas"))
    if count is not None:
        w.set(("replicas",), count, m.origin("spec", "replicas"))
    elif m.get("spec", "replicas") is None:
        w.set(("replicas",), 1, m.origin("spec"), "spec.replicas unset: the Kubernetes default")


def read_workload(ctx: Context, m: Manifest) -> None:
    """One Deployment, StatefulSet, DaemonSet, Job or CronJob as a workload."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    job = m.kind in ("Job", "CronJob")
    template = (
        ("spec", "jobTemplate", "spec", "template") if m.kind == "CronJob" else ("spec", "template")
    )
    if ctx.mapping(m, template) is None:
        return
    pod = read_pod(m, template, ctx.problems)
    w = Workload(m, classify(pod, job=job))
    w.set(("runtime",), "kubernetes", m.origin("kind"), m.kind)
    if w.component_kind == "training_job":
        w.set(("platform",), "eks" if _on_eks(pod.selectors) else "other", m.origin("kind"))
    apply_pod(w, pod)
    apply_store(w, pod)
    if m.kind in ("Deployment", "StatefulSet"):
        _replicas(ctx, w, m)
        _rollout(ctx, w, m, "strategy" if m.kind == "Deployment" else "updateStrategy")
    elif m.kind == "DaemonSet":
        _rollout(ctx, w, m, "updateStrategy")
    elif m.kind == "CronJob":
        schedule = ctx.text(m, ("spec", "schedule"))
        if schedule is not None:
            w.set(("labels", LABEL_SCHEDULE), schedule, m.origin("spec", "schedule"))
    ctx.workloads.append(w)


def _on_eks(selectors: Mapping[str, object]) -> bool:
    return any(k.startswith(("eks.amazonaws.com/", "karpenter.k8s.aws/")) for k in selectors)


KINDS = {
    "Deployment": ("apps/v1", "apps/v1beta2", "apps/v1beta1", "extensions/v1beta1"),
    "StatefulSet": ("apps/v1", "apps/v1beta2", "apps/v1beta1"),
    "DaemonSet": ("apps/v1", "apps/v1beta2", "extensions/v1beta1"),
    "Job": ("batch/v1",),
    "CronJob": ("batch/v1", "batch/v1beta1"),
}
"""The kinds this module reads, with the API versions understood."""
