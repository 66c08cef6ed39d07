"""Pinned versions of the platform add-ons the blueprint installs (overridable in stack config).

Every Helm chart is named by repository, chart and version; ``cellguard:versions`` in stack
config (a map from the keys below to a version) replaces a pin, e.g.
``pulumi config set --path 'cellguard:versions.nvidia-device-plugin' 0.17.2``. EKS add-ons
(Pod Identity agent, EBS CSI driver, metrics-server) take the version EKS names as the default
for the cluster's Kubernetes version (``aws.eks.get_addon_version(most_recent=False)``), so they
are pinned through ``cellguard:eksVersion``; a key ``addon:<name>`` pins one explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Chart:
    """A Helm chart: repository URL, chart name, pinned version and target namespace."""

    key: str
    repo: str
    chart: str
    version: str
    namespace: str


CHARTS: dict[str, Chart] = {
    c.key: c
    for c in (
        Chart(
            "nvidia-device-plugin",
            "https://nvidia.github.io/k8s-device-plugin",
            "nvidia-device-plugin",
            "0.17.1",
            "kube-system",
        ),
        Chart(
            "dcgm-exporter",
            "https://nvidia.github.io/dcgm-exporter/helm-charts",
            "dcgm-exporter",
            "4.1.1",
            "kube-system",
        ),
        Chart(
            "aws-load-balancer-controller",
            "https://aws.github.io/eks-charts",
            "aws-load-balancer-controller",
            "1.13.3",
            "kube-system",
        ),
        Chart(
            "cluster-autoscaler",
            "https://kubernetes.github.io/autoscaler",
            "cluster-autoscaler",
            "9.46.6",
            "kube-system",
        ),
        Chart("keda", "https://kedacore.github.io/charts", "keda", "2.17.2", "keda"),
        Chart(
            "opentelemetry-collector",
            "https://open-telemetry.github.io/opentelemetry-helm-charts",
            "opentelemetry-collector",
            "0.126.0",
            "cellguard-metrics",
        ),
    )
}
"""Every chart the blueprint installs, by config key."""

ADDONS = ("eks-pod-identity-agent", "aws-ebs-csi-driver", "metrics-server")
"""EKS add-ons installed on every cluster."""


def chart(key: str, overrides: dict[str, str]) -> Chart:
    """The chart ``key`` with its version replaced by ``overrides[key]`` when given."""
    pinned = CHARTS[key]
    version = overrides.get(key)
    if not version:
        return pinned
    return Chart(pinned.key, pinned.repo, pinned.chart, version, pinned.namespace)
