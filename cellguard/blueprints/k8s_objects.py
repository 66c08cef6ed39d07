"""Register plain Kubernetes manifests as typed ``pulumi_kubernetes`` resources."""

from __future__ import annotations

import re
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from cellguard.blueprints.manifests import Manifest

_KINDS: dict[str, Any] = {
    "Namespace": k8s.core.v1.Namespace,
    "ServiceAccount": k8s.core.v1.ServiceAccount,
    "Secret": k8s.core.v1.Secret,
    "Role": k8s.rbac.v1.Role,
    "RoleBinding": k8s.rbac.v1.RoleBinding,
    "Service": k8s.core.v1.Service,
    "ConfigMap": k8s.core.v1.ConfigMap,
    "Deployment": k8s.apps.v1.Deployment,
    "PodDisruptionBudget": k8s.policy.v1.PodDisruptionBudget,
    "HorizontalPodAutoscaler": k8s.autoscaling.v2.HorizontalPodAutoscaler,
    "PriorityClass": k8s.scheduling.v1.PriorityClass,
}


_CUSTOM = {"ScaledObject"}
"""Kinds of CRDs an add-on installs (KEDA), registered as ``apiextensions.CustomResource``."""


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", key).lower()


def register(
    name: str,
    manifest: Manifest,
    parent: pulumi.Resource,
    provider: k8s.Provider,
    depends_on: list[pulumi.Resource] | None = None,
) -> pulumi.CustomResource:
    """Create the typed resource for ``manifest`` (top-level keys as arguments, nested as given)."""
    body = {_snake(k): v for k, v in manifest.items() if k not in ("apiVersion", "kind")}
    opts = pulumi.ResourceOptions(parent=parent, provider=provider, depends_on=depends_on)
    if manifest["kind"] in _CUSTOM:
        custom: pulumi.CustomResource = k8s.apiextensions.CustomResource(
            name, api_version=manifest["apiVersion"], kind=manifest["kind"], opts=opts, **body
        )
        return custom
    cls = _KINDS[manifest["kind"]]
    resource: pulumi.CustomResource = cls(name, opts=opts, **body)
    return resource
