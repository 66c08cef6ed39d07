"""Hand-made captures for the unit tests of the ``--verify`` checks.

Resources are registered as the mocks would: URNs, an explicit provider reference
(``URN::NAME-id``), ids ``NAME-id`` and ARNs ``arn:aws:mock:::TYPE/NAME`` for references between
them, and a Kubernetes provider whose kubeconfig names its EKS cluster.
"""

from __future__ import annotations

import json
from typing import Any

from cellguard.blueprints.from_spec import blueprint_of
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.models.loader import load
from tests.helpers import REPO

GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
BP = blueprint_of(load(REPO / "examples" / "vllm-single-zone.yaml").stacks[0])
"""A blueprint model for the checks' signature; the checks tested here read the capture only."""


def arn(r: CapturedResource) -> str:
    """The ARN the mocks answer for ``r``."""
    return f"arn:aws:mock:::{r.type}/{r.name}"


def rid(r: CapturedResource) -> str:
    """The id the mocks answer for ``r``."""
    return f"{r.name}-id"


class Kit:
    """Builds one capture."""

    def __init__(self) -> None:
        self.cap = Capture()

    def add(
        self,
        token: str,
        name: str,
        inputs: dict[str, Any],
        provider: CapturedResource | None = None,
        *,
        custom: bool = True,
        parent: str | None = None,
    ) -> CapturedResource:
        """Register one resource."""
        ref = f"{provider.urn}::{rid(provider)}" if provider is not None else None
        urn = f"urn:pulumi:t::p::{token}::{name}"
        r = CapturedResource(token, name, inputs, urn, parent, ref, custom)
        self.cap.resources.append(r)
        return r

    def region(self, region: str, cluster: str) -> tuple[CapturedResource, CapturedResource]:
        """An AWS provider, an EKS cluster named ``cluster`` and its Kubernetes provider."""
        parent = f"urn:pulumi:t::p::cellguard:blueprints:RegionalFoundation::{region}"
        aws = self.add("pulumi:providers:aws", f"aws-{region}", {"region": region}, parent=parent)
        self.add("aws:eks/cluster:Cluster", cluster, {"version": "1.33"}, aws)
        config = {
            "clusters": [{"name": cluster, "cluster": {"server": f"https://{cluster}.eks.mock"}}],
            "contexts": [{"name": cluster, "context": {"cluster": cluster}}],
            "current-context": cluster,
        }
        k8s = self.add(
            "pulumi:providers:kubernetes",
            f"k8s-{region}",
            {"kubeconfig": json.dumps(config)},
            parent=parent,
        )
        return aws, k8s

    def node_group(
        self,
        aws: CapturedResource,
        cluster: str,
        name: str,
        zones: list[str],
        types: list[str],
        min_size: int,
        *,
        labels: dict[str, str] | None = None,
        taints: list[dict[str, str]] | None = None,
        ami: str = "AL2023_x86_64_STANDARD",
    ) -> CapturedResource:
        """A managed node group over one subnet per zone."""
        subnets = [
            rid(self.add("aws:ec2/subnet:Subnet", f"{name}-{z}", {"availabilityZoneId": z}, aws))
            for z in zones
        ]
        inputs: dict[str, Any] = {
            "clusterName": cluster,
            "subnetIds": subnets,
            "instanceTypes": types,
            "labels": labels or {},
            "amiType": ami,
            "scalingConfig": {
                "minSize": min_size,
                "maxSize": min_size * 2,
                "desiredSize": min_size,
            },
        }
        if taints:
            inputs["taints"] = taints
        return self.add("aws:eks/nodeGroup:NodeGroup", name, inputs, aws)

    def deployment(
        self,
        k8s: CapturedResource,
        ns: str,
        name: str,
        *,
        cpu: str = "1",
        memory: str = "2Gi",
        gpus: int = 0,
        replicas: int | None = 3,
        pod: dict[str, Any] | None = None,
        spread: bool = True,
    ) -> CapturedResource:
        """A Deployment whose one container requests = limits."""
        asked: dict[str, str] = {"cpu": cpu, "memory": memory}
        if gpus:
            asked["nvidia.com/gpu"] = str(gpus)
        labels = {"app.kubernetes.io/name": name}
        spec: dict[str, Any] = {
            "containers": [
                {"name": name, "image": "x", "resources": {"requests": asked, "limits": asked}}
            ],
            **(pod or {}),
        }
        if spread:
            spec["topologySpreadConstraints"] = [
                {
                    "maxSkew": 1,
                    "topologyKey": "topology.kubernetes.io/zone",
                    "whenUnsatisfiable": "DoNotSchedule",
                    "labelSelector": {"matchLabels": labels},
                }
            ]
        body: dict[str, Any] = {
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": spec},
        }
        if replicas is not None:
            body["replicas"] = replicas
        return self.add(
            "kubernetes:apps/v1:Deployment",
            f"{ns}-{name}",
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": name, "namespace": ns, "labels": labels},
                "spec": body,
            },
            k8s,
        )

    def release(
        self, k8s: CapturedResource, chart: str, values: dict[str, Any] | None = None
    ) -> None:
        """A Helm release of ``chart``."""
        self.add(
            "kubernetes:helm.sh/v3:Release",
            f"{k8s.name}-{chart}",
            {
                "chart": chart,
                "version": "1.0.0",
                "namespace": "kube-system",
                "values": values or {},
            },
            k8s,
        )
