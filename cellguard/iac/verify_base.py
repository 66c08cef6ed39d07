"""What every ``--verify`` check shares: the verdict type and lookups over a capture.

:class:`CheckResult` is one check's verdict; the helpers read Deployments, their containers and
the region or cluster a captured resource belongs to. The checks live in
:mod:`cellguard.iac.verify` (invariants of the blueprint), :mod:`cellguard.iac.checks_aws` (what
the AWS APIs will check) and :mod:`cellguard.iac.checks_k8s` (what Kubernetes will check).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import yaml

from cellguard.iac.mockrun import Capture, CapturedResource

GPU = "nvidia.com/gpu"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFUL_SET = "kubernetes:apps/v1:StatefulSet"
MOCK_ARN = "arn:aws:mock:::"
"""Prefix of the ARNs the mocks answer with (:mod:`cellguard.iac.mockrun`)."""


@dataclass(frozen=True)
class CheckResult:
    """One invariant's verdict."""

    name: str
    passed: bool
    message: str


def manifest(resource: CapturedResource) -> dict[str, Any]:
    """The Kubernetes object a captured ``kubernetes:*`` resource would apply."""
    return {k: v for k, v in resource.inputs.items() if not k.startswith("__")}


def deployments(cap: Capture) -> list[CapturedResource]:
    """Every captured Deployment."""
    return cap.of_type(DEPLOYMENT)


def workloads(cap: Capture) -> list[CapturedResource]:
    """Every captured Deployment and StatefulSet (objects with a pod template and replicas)."""
    return [r for r in cap.resources if r.type in (DEPLOYMENT, STATEFUL_SET)]


def pod_spec(workload: CapturedResource) -> dict[str, Any]:
    """The pod template's spec of a Deployment or StatefulSet."""
    spec: dict[str, Any] = workload.inputs.get("spec", {}).get("template", {}).get("spec", {})
    return spec


def containers(workload: CapturedResource) -> list[dict[str, Any]]:
    """The containers (not init containers) of a workload's pod template."""
    found: list[dict[str, Any]] = pod_spec(workload).get("containers", [])
    return found


def is_gpu(workload: CapturedResource) -> bool:
    """Whether a container of the workload has an ``nvidia.com/gpu`` limit."""
    return any(GPU in c.get("resources", {}).get("limits", {}) for c in containers(workload))


def ident(obj: CapturedResource) -> str:
    """``namespace/name`` of a Kubernetes object."""
    meta = obj.inputs.get("metadata", {})
    return f"{meta.get('namespace')}/{meta.get('name')}"


def coverage(name: str, total: int, bad: list[str], what: str) -> CheckResult:
    """A check over ``total`` items of which ``bad`` fail: "k/total what; missing: [...]"."""
    missing = f"; missing: {bad}" if bad else ""
    return CheckResult(name, not bad, f"{total - len(bad)}/{total} {what}{missing}")


def provider_of(cap: Capture, resource: CapturedResource) -> CapturedResource | None:
    """The explicit provider a resource was registered with (None: the default provider)."""
    provider_urn = (resource.provider or "").rsplit("::", 1)[0]
    return cap.by_urn().get(provider_urn)


def region_of(cap: Capture, resource: CapturedResource) -> str | None:
    """The region a resource is created in, from its provider (Kubernetes: its cluster's region)."""
    provider = provider_of(cap, resource)
    if provider is None:
        return None
    if provider.type == "pulumi:providers:aws":
        return str(provider.inputs.get("region"))
    siblings = [
        r for r in cap.of_type("pulumi:providers:aws") if r.parent and r.parent == provider.parent
    ]
    return str(siblings[0].inputs.get("region")) if siblings else None


def eks_name(cluster: CapturedResource) -> str:
    """The name an EKS cluster is known by in other resources' inputs (``clusterName``): its
    explicit ``name``, else the mocks' answer for an auto-named cluster (the logical name)."""
    return str(cluster.inputs.get("name") or cluster.name)


def cluster_of(cap: Capture, obj: CapturedResource) -> str | None:
    """The EKS cluster name a Kubernetes object is applied to, read from its provider's
    kubeconfig (current context's cluster, else the first cluster), else the cluster registered
    beside the provider; None when neither says."""
    provider = provider_of(cap, obj)
    if provider is None:
        return None
    text = provider.inputs.get("kubeconfig")
    config: Any = None
    if isinstance(text, str):
        try:
            config = json.loads(text)
        except ValueError:
            try:
                config = yaml.safe_load(text)
            except yaml.YAMLError:
                config = None
    elif isinstance(text, dict):
        config = text
    if isinstance(config, dict):
        contexts = {c.get("name"): c.get("context", {}) for c in config.get("contexts") or []}
        current = contexts.get(config.get("current-context"), {})
        if current.get("cluster"):
            return str(current["cluster"])
        clusters = config.get("clusters") or []
        if clusters and clusters[0].get("name"):
            return str(clusters[0]["name"])
    siblings = [
        r
        for r in cap.of_type("aws:eks/cluster:Cluster")
        if r.parent and r.parent == provider.parent
    ]
    return eks_name(siblings[0]) if len(siblings) == 1 else None


def by_mock_reference(cap: Capture, value: object) -> CapturedResource | None:
    """The resource a mock output stands for: its ARN (``arn:aws:mock:::TYPE/NAME``) or its id
    (``NAME-id``); None for anything else."""
    if not isinstance(value, str):
        return None
    if value.startswith(MOCK_ARN):
        token, _, name = value[len(MOCK_ARN) :].rpartition("/")
        return next((r for r in cap.of_type(token) if r.name == name), None)
    if value.endswith("-id"):
        return next((r for r in cap.resources if f"{r.name}-id" == value), None)
    return None
