"""ChaosExperiments: AWS FIS templates for one region, stopped by the region's cell alarms.

- AZ power interruption: network disruption of the first zone's private subnet and termination
  of that zone's GPU nodes.
- Pod kill: deletes a share of the vLLM pods of the region's first GPU cell (one cell at a time).
  ``aws:eks:pod-delete`` runs as the FIS role, which an EKS access entry maps to the Kubernetes
  user ``fis-experiment``; a Role in the cell's namespace (the permissions the FIS documentation
  lists for EKS pod actions) is bound to that user and to the ``fis-experiment`` service account
  the action names.
- GPU node termination: terminates a quarter of every GPU node group of the region.

Node groups are targeted by ARN, or by their tags (stack, role ``gpu-nodes``, region, zone) when
there are more than FIS's five ARNs per target.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints._base import TAG_ROLE, TAG_STACK, TAG_ZONE, TOKEN_PREFIX, child, tags
from cellguard.blueprints.foundation import assume_role_policy
from cellguard.blueprints.k8s_objects import register
from cellguard.blueprints.manifests import Manifest, service_account
from cellguard.blueprints.model import CellPlan
from cellguard.models.enums import ChaosExperimentType

FIS_USER = "fis-experiment"
_FIS_RULES = [
    {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "create", "patch", "delete"]},
    {
        "apiGroups": [""],
        "resources": ["pods"],
        "verbs": ["create", "list", "get", "delete", "deletecollection"],
    },
    {"apiGroups": [""], "resources": ["pods/ephemeralcontainers"], "verbs": ["update"]},
    {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get"]},
]


def fis_rbac(stack: str, namespace: str) -> list[Manifest]:
    """Role and RoleBinding letting FIS (user and service account ``fis-experiment``) act."""
    meta = {
        "name": FIS_USER,
        "namespace": namespace,
        "labels": {"app.kubernetes.io/part-of": stack},
    }
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": meta,
            "rules": _FIS_RULES,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": dict(meta),
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": FIS_USER},
            "subjects": [
                {"kind": "ServiceAccount", "name": FIS_USER, "namespace": namespace},
                {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": FIS_USER},
            ],
        },
    ]


MAX_TARGET_ARNS = 5
"""FIS takes at most five resource ARNs per target (CreateExperimentTemplate)."""
REGION_TAG = "cellguard:region"


def _node_groups(
    name: str, arns: list[pulumi.Input[str]], by_tags: dict[str, str]
) -> dict[str, object]:
    """A node-group target: by ARN up to FIS's limit, else by the groups' tags."""
    target: dict[str, object] = {
        "name": name,
        "resource_type": "aws:eks:nodegroup",
        "selection_mode": "ALL",
    }
    if len(arns) <= MAX_TARGET_ARNS:
        target["resource_arns"] = arns
    else:
        target["resource_tags"] = [{"key": k, "value": v} for k, v in sorted(by_tags.items())]
    return target


_FIS_POLICIES = (
    "service-role/AWSFaultInjectionSimulatorNetworkAccess",
    "service-role/AWSFaultInjectionSimulatorEKSAccess",
    "service-role/AWSFaultInjectionSimulatorEC2Access",
)


class ChaosExperiments(pulumi.ComponentResource):
    """FIS experiment templates of one region."""

    def __init__(
        self,
        name: str,
        stack: str,
        experiments: list[ChaosExperimentType],
        cells: list[CellPlan],
        provider: aws.Provider,
        k8s_provider: k8s.Provider,
        cluster: aws.eks.Cluster,
        zone_subnet_arn: pulumi.Input[str],
        zone_gpu_groups: list[pulumi.Input[str]],
        gpu_groups: list[pulumi.Input[str]],
        stop_alarm_arn: pulumi.Input[str],
        region: str = "",
        zone: str = "",
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}ChaosExperiments", name, None, opts)
        role = aws.iam.Role(
            f"{name}-fis",
            assume_role_policy=assume_role_policy("fis.amazonaws.com"),
            opts=child(self, provider),
        )
        for policy in _FIS_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-fis-{policy.rsplit('/', 1)[-1]}",
                role=role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=child(self, provider),
            )
        stop = [{"source": "aws:cloudwatch:alarm", "value": stop_alarm_arn}]
        gpu_tags = {TAG_STACK: stack, TAG_ROLE: "gpu-nodes", REGION_TAG: region}
        created: list[str] = []
        gpu_cell = next((c for c in cells if any(w.is_gpu for w in c.workloads)), None)
        for experiment in experiments:
            actions: list[dict[str, object]] = []
            targets: list[dict[str, object]] = []
            if experiment is ChaosExperimentType.AZ_POWER_INTERRUPTION:
                targets.append(
                    {
                        "name": "zone-subnets",
                        "resource_type": "aws:ec2:subnet",
                        "selection_mode": "ALL",
                        "resource_arns": [zone_subnet_arn],
                    }
                )
                actions.append(
                    {
                        "name": "disrupt-zone-network",
                        "action_id": "aws:network:disrupt-connectivity",
                        "parameters": [
                            {"key": "duration", "value": "PT10M"},
                            {"key": "scope", "value": "all"},
                        ],
                        "target": {"key": "Subnets", "value": "zone-subnets"},
                    }
                )
                if zone_gpu_groups:
                    targets.append(
                        _node_groups(
                            "zone-gpu-nodes",
                            zone_gpu_groups,
                            {**gpu_tags, TAG_ZONE: zone} if zone else gpu_tags,
                        )
                    )
                    actions.append(
                        {
                            "name": "terminate-zone-gpu-nodes",
                            "action_id": "aws:eks:terminate-nodegroup-instances",
                            "parameters": [
                                {"key": "instanceTerminationPercentage", "value": "100"}
                            ],
                            "target": {"key": "Nodegroups", "value": "zone-gpu-nodes"},
                        }
                    )
            elif experiment is ChaosExperimentType.POD_KILL and gpu_cell is not None:
                workload = next(w for w in gpu_cell.workloads if w.is_gpu)
                self._pod_access(name, stack, gpu_cell.id, role, provider, k8s_provider, cluster)
                targets.append(
                    {
                        "name": "cell-pods",
                        "resource_type": "aws:eks:pod",
                        "selection_mode": "PERCENT(25)",
                        "parameters": {
                            "clusterIdentifier": cluster.arn,
                            "namespace": gpu_cell.id,
                            "selectorType": "labelSelector",
                            "selectorValue": f"app.kubernetes.io/name={workload.component}",
                        },
                    }
                )
                actions.append(
                    {
                        "name": "delete-pods",
                        "action_id": "aws:eks:pod-delete",
                        "parameters": [{"key": "kubernetesServiceAccount", "value": FIS_USER}],
                        "target": {"key": "Pods", "value": "cell-pods"},
                    }
                )
            elif experiment is ChaosExperimentType.GPU_NODE_LOSS and gpu_groups:
                targets.append(_node_groups("gpu-nodes", gpu_groups, gpu_tags))
                actions.append(
                    {
                        "name": "terminate-gpu-nodes",
                        "action_id": "aws:eks:terminate-nodegroup-instances",
                        "parameters": [{"key": "instanceTerminationPercentage", "value": "25"}],
                        "target": {"key": "Nodegroups", "value": "gpu-nodes"},
                    }
                )
            if not actions:
                continue
            aws.fis.ExperimentTemplate(
                f"{name}-{experiment.value}",
                description=f"cellguard {experiment.value}",
                role_arn=role.arn,
                actions=actions,  # type: ignore[arg-type]
                targets=targets,  # type: ignore[arg-type]
                stop_conditions=stop,  # type: ignore[arg-type]
                tags=tags(stack, role=f"chaos-{experiment.value}"),
                opts=child(self, provider),
            )
            created.append(experiment.value)
        self.register_outputs({"experiments": created})

    def _pod_access(
        self,
        name: str,
        stack: str,
        namespace: str,
        role: aws.iam.Role,
        provider: aws.Provider,
        k8s_provider: k8s.Provider,
        cluster: aws.eks.Cluster,
    ) -> None:
        """Access entry for the FIS role, the service account and the RBAC of the pod action."""
        aws.eks.AccessEntry(
            f"{name}-fis",
            cluster_name=cluster.name,
            principal_arn=role.arn,
            user_name=FIS_USER,
            type="STANDARD",
            opts=child(self, provider),
        )
        account = register(
            f"{name}-fis-sa", service_account(stack, namespace, FIS_USER), self, k8s_provider
        )
        for manifest in fis_rbac(stack, namespace):
            kind = str(manifest["kind"]).lower()
            register(f"{name}-fis-{kind}", manifest, self, k8s_provider, [account])
