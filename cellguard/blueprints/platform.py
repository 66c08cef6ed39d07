"""ClusterPlatform: the add-ons every cluster needs before its workloads (issue 18, deliverable 2).

- EKS add-ons: ``eks-pod-identity-agent`` (credentials for every workload below),
  ``aws-ebs-csi-driver`` (with its own Pod Identity role) and ``metrics-server`` (CPU metrics of
  the HPAs), at the version EKS names as default for the cluster version unless pinned.
- Helm releases (``pulumi_kubernetes.helm.v3.Release``, versions in
  :mod:`cellguard.blueprints.versions`): NVIDIA device plugin and DCGM exporter on the GPU nodes
  (they tolerate the GPU taint), AWS Load Balancer Controller (the router NLBs), Cluster
  Autoscaler (auto-discovery of the managed node groups, scale from zero), KEDA (the vLLM queue
  autoscaler, reading CloudWatch) and an OpenTelemetry collector that scrapes vLLM and DCGM and
  writes the ``CellGuard/Inference`` metrics the alarms and KEDA read (CloudWatch EMF).

Every release depends on the Pod Identity agent and the system nodes; workloads depend on this
component, so ``pulumi up`` installs the platform first. Releases wait until their resources are
ready (Helm ``--wait``), within ``RELEASE_TIMEOUT`` seconds.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints import iam_documents as docs
from cellguard.blueprints._base import TOKEN_PREFIX, child
from cellguard.blueprints.identity import POD_IDENTITY_TRUST, pod_role, role_name
from cellguard.blueprints.metrics_pipeline import collector_values
from cellguard.blueprints.versions import ADDONS, chart

RELEASE_TIMEOUT = 900
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
GPU_NODES = {"nvidia.com/gpu.present": "true"}
SYSTEM_NODES = {"cellguard.io/role": "system"}
ACCOUNTS = {
    "aws-load-balancer-controller": ("kube-system", "aws-load-balancer-controller"),
    "cluster-autoscaler": ("kube-system", "cluster-autoscaler"),
    "keda": ("keda", "keda-operator"),
    "opentelemetry-collector": ("cellguard-metrics", "cellguard-metrics"),
    "aws-ebs-csi-driver": ("kube-system", "ebs-csi-controller-sa"),
}
"""Namespace and service account of each add-on that calls AWS."""


class ClusterPlatform(pulumi.ComponentResource):
    """Add-ons of one cluster; ``ready`` lists what workloads must wait for."""

    ready: list[pulumi.Resource]

    def __init__(
        self,
        name: str,
        stack: str,
        region: str,
        cluster: aws.eks.Cluster,
        vpc_id: pulumi.Input[str],
        aws_provider: aws.Provider,
        k8s_provider: k8s.Provider,
        system_nodes: pulumi.Resource,
        versions: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}ClusterPlatform", name, None, opts)
        p = aws_provider
        addons: dict[str, aws.eks.Addon] = {}
        for addon in ADDONS:
            extra: dict[str, Any] = {}
            if addon == "aws-ebs-csi-driver":
                ns, sa = ACCOUNTS[addon]
                role = aws.iam.Role(
                    f"{name}-ebs-csi",
                    name=role_name(f"{name}-ebs-csi"),
                    assume_role_policy=POD_IDENTITY_TRUST,
                    opts=child(self, p),
                )
                aws.iam.RolePolicyAttachment(
                    f"{name}-ebs-csi",
                    role=role.name,
                    policy_arn=docs.EBS_CSI_POLICY,
                    opts=child(self, p),
                )
                extra["pod_identity_associations"] = [{"role_arn": role.arn, "service_account": sa}]
            pinned = versions.get(f"addon:{addon}")
            version = (
                pinned
                or aws.eks.get_addon_version_output(
                    addon_name=addon,
                    kubernetes_version=cluster.version,
                    most_recent=False,
                    opts=pulumi.InvokeOutputOptions(parent=self, provider=p),
                ).version
            )
            depends = [system_nodes] + ([addons[ADDONS[0]]] if addons else [])
            addons[addon] = aws.eks.Addon(
                f"{name}-{addon}",
                cluster_name=cluster.name,
                addon_name=addon,
                addon_version=version,
                resolve_conflicts_on_create="OVERWRITE",
                resolve_conflicts_on_update="OVERWRITE",
                opts=child(self, p, depends),
                **extra,
            )
        agent = [addons["eks-pod-identity-agent"], system_nodes]
        roles = {
            "aws-load-balancer-controller": docs.LB_CONTROLLER,
            "cluster-autoscaler": docs.CLUSTER_AUTOSCALER,
            "keda": docs.CLOUDWATCH_READER,
            "opentelemetry-collector": docs.EMF_WRITER,
        }
        for key, document in roles.items():
            ns, sa = ACCOUNTS[key]
            pod_role(f"{name}-{key}", self, p, cluster.name, ns, sa, document, depends_on=agent)
        values: dict[str, Any] = {
            "nvidia-device-plugin": {
                "tolerations": [GPU_TOLERATION],
                "nodeSelector": GPU_NODES,
            },
            "dcgm-exporter": {
                "tolerations": [GPU_TOLERATION],
                "nodeSelector": GPU_NODES,
                "serviceMonitor": {"enabled": False},
                "kubernetes": {"enablePodLabels": True},
            },
            "aws-load-balancer-controller": {
                "clusterName": cluster.name,
                "region": region,
                "vpcId": vpc_id,
                "serviceAccount": {"name": ACCOUNTS["aws-load-balancer-controller"][1]},
                "nodeSelector": SYSTEM_NODES,
            },
            "cluster-autoscaler": {
                "autoDiscovery": {"clusterName": cluster.name},
                "awsRegion": region,
                "rbac": {"serviceAccount": {"name": ACCOUNTS["cluster-autoscaler"][1]}},
                "extraArgs": {
                    "balance-similar-node-groups": True,
                    "skip-nodes-with-system-pods": False,
                    "expander": "least-waste",
                },
                "nodeSelector": SYSTEM_NODES,
            },
            "keda": {"podIdentity": {"aws": {"irsa": {"enabled": False}}}},
            "opentelemetry-collector": collector_values(stack),
        }
        self.releases: dict[str, k8s.helm.v3.Release] = {}
        for key, vals in values.items():
            c = chart(key, versions)
            self.releases[key] = k8s.helm.v3.Release(
                f"{name}-{key}",
                name=key,
                chart=c.chart,
                version=c.version,
                namespace=c.namespace,
                create_namespace=True,
                repository_opts={"repo": c.repo},
                values=vals,
                timeout=RELEASE_TIMEOUT,
                opts=pulumi.ResourceOptions(parent=self, provider=k8s_provider, depends_on=agent),
            )
        self.ready = [*addons.values(), *self.releases.values()]
        self.register_outputs({"releases": sorted(self.releases), "addons": list(ADDONS)})
