"""What each cellguard policy is: name, scope, rule ids mirrored, enforcement and remediation.

Pure data with no ``pulumi_policy`` import: :mod:`.pack` turns each entry into a policy object,
the pack writer lists them in the pack's README, and tests check every rule id exists in the
built-in rule pack. Enforcement follows one principle: a policy that mirrors a resilience rule
the blueprints satisfy by construction is ``mandatory``; the private EKS endpoint is
``advisory`` because it also decides where ``pulumi up`` can run (inside the VPC), and it
mirrors no assessment rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

PACK_NAME = "cellguard"
"""Name of the policy pack (shown by ``pulumi preview --policy-pack``)."""

PACK_DESCRIPTION = (
    "cellguard resilience rules for generative-AI stacks on AWS and Kubernetes: GPU workloads "
    "with disruption budgets, zone spread and probes; versioned, replicated model artifacts; "
    "recoverable prompt tables; private EKS endpoints; diversified, self-repairing GPU nodes."
)
"""What the pack enforces, for ``PulumiPolicy.yaml`` and ``PolicyPack(description=...)``."""


class Enforcement(StrEnum):
    """CrossGuard enforcement levels used by the pack (values of ``EnforcementLevel``)."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"


class Scope(StrEnum):
    """Whether a policy judges one resource at a time or the whole stack."""

    RESOURCE = "resource"
    STACK = "stack"


GPU_WORKLOAD_TYPES = ("kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet")
"""Kubernetes workloads whose pods may request GPUs."""

PDB_TYPE = "kubernetes:policy/v1:PodDisruptionBudget"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
"""S3 buckets: ``aws.s3.Bucket`` (pulumi-aws 7; the v2 bucket) and the deprecated ``BucketV2``."""

BUCKET_VERSIONING_TYPES = (
    "aws:s3/bucketVersioning:BucketVersioning",
    "aws:s3/bucketVersioningV2:BucketVersioningV2",
)
BUCKET_REPLICATION_TYPE = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
TABLE_TYPE = "aws:dynamodb/table:Table"
TABLE_REPLICA_TYPE = "aws:dynamodb/tableReplica:TableReplica"
EKS_CLUSTER_TYPE = "aws:eks/cluster:Cluster"
NODE_GROUP_TYPE = "aws:eks/nodeGroup:NodeGroup"


@dataclass(frozen=True)
class PolicyInfo:
    """One policy of the pack.

    ``rules`` are the cellguard rule ids whose resource-level form the policy checks (empty
    when it enforces a blueprint baseline no assessment rule covers); ``remediation`` ends every
    violation message, so the person reading ``pulumi preview`` output knows the fix.
    """

    name: str
    description: str
    scope: Scope
    resource_types: tuple[str, ...]
    rules: tuple[str, ...]
    enforcement: Enforcement
    remediation: str

    def message(self, problem: str) -> str:
        """A violation message: the problem, the fix and the rules it mirrors."""
        mirrors = f" [cellguard {', '.join(self.rules)}]" if self.rules else " [cellguard]"
        return f"{problem} Fix: {self.remediation}{mirrors}"


GPU_REQUESTS_EQUAL_LIMITS = PolicyInfo(
    name="cellguard-gpu-requests-equal-limits",
    description="GPU containers set nvidia.com/gpu limits, and requests equal to the limits.",
    scope=Scope.RESOURCE,
    resource_types=GPU_WORKLOAD_TYPES,
    rules=("CG-CAP-011", "CG-CAP-012"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "set resources.limits['nvidia.com/gpu'] on every GPU container and, if you set "
        "requests too, the same value (GPUs cannot be shared or overcommitted, and the capacity "
        "model counts whole GPUs per replica)."
    ),
)

GPU_ZONE_SPREAD = PolicyInfo(
    name="cellguard-gpu-zone-spread",
    description=(
        "GPU workloads run at least two replicas, spread over zones by a topology spread "
        "constraint on topology.kubernetes.io/zone that selects their own pods."
    ),
    scope=Scope.RESOURCE,
    resource_types=GPU_WORKLOAD_TYPES,
    rules=("CG-RED-001", "CG-CAP-012"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "run 2 or more replicas and add spec.template.spec.topologySpreadConstraints "
        "[{maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: "
        "DoNotSchedule, labelSelector: {matchLabels: <the pod labels>}}], with GPU nodes in "
        "each zone."
    ),
)

GPU_PROBES = PolicyInfo(
    name="cellguard-gpu-probes",
    description="GPU containers have startup, readiness and liveness probes.",
    scope=Scope.RESOURCE,
    resource_types=GPU_WORKLOAD_TYPES,
    rules=("CG-COR-010", "CG-CAP-004"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "add a startupProbe whose failureThreshold x periodSeconds covers the model load "
        "(cold start), a readinessProbe on the server's health endpoint (vLLM: GET /health) so "
        "no traffic reaches a loading or broken replica, and a livenessProbe that restarts a "
        "hung engine."
    ),
)

GPU_DISRUPTION_BUDGET = PolicyInfo(
    name="cellguard-gpu-disruption-budget",
    description=(
        "Every GPU workload has a PodDisruptionBudget in its namespace that selects its pods "
        "and sets minAvailable or maxUnavailable."
    ),
    scope=Scope.STACK,
    resource_types=(*GPU_WORKLOAD_TYPES, PDB_TYPE),
    rules=("CG-RED-001", "CG-CAP-012"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "add a policy/v1 PodDisruptionBudget in the workload's namespace whose selector "
        "matches the pod template labels, with maxUnavailable: 1 (or minAvailable: the "
        "replicas peak demand needs), so node drains and upgrades never take out the "
        "capacity the fleet needs."
    ),
)

MODEL_ARTIFACTS_VERSIONED = PolicyInfo(
    name="cellguard-model-artifacts-versioned",
    description="S3 buckets tagged cellguard:role=model-artifacts have versioning enabled.",
    scope=Scope.STACK,
    resource_types=(*BUCKET_TYPES, *BUCKET_VERSIONING_TYPES),
    rules=("CG-RED-003",),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "add an aws.s3.BucketVersioning for the bucket with versioning_configuration "
        "status 'Enabled', so an overwritten or deleted model artifact can be restored (S3 "
        "replication requires it too)."
    ),
)

MODEL_ARTIFACTS_REPLICATED = PolicyInfo(
    name="cellguard-model-artifacts-replicated",
    description=(
        "S3 buckets tagged cellguard:role=model-artifacts replicate to another bucket (or are "
        "the replica) through an enabled replication rule."
    ),
    scope=Scope.STACK,
    resource_types=(*BUCKET_TYPES, BUCKET_REPLICATION_TYPE),
    rules=("CG-RED-004", "CG-RED-006"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "add an aws.s3.BucketReplicationConfig for the bucket with an enabled rule whose "
        "destination is a versioned bucket in the recovery region, so the recovery region "
        "can serve the model without re-uploading or retraining it."
    ),
)

PROMPT_TABLE_RECOVERY = PolicyInfo(
    name="cellguard-prompt-table-recovery",
    description=(
        "DynamoDB tables tagged cellguard:role=prompts have point-in-time recovery or "
        "global-table replicas."
    ),
    scope=Scope.STACK,
    resource_types=(TABLE_TYPE, TABLE_REPLICA_TYPE),
    rules=("CG-RED-003", "CG-RED-004", "CG-COR-003"),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "enable point_in_time_recovery {enabled: true} on the table, and for a tier0/tier1 "
        "journey add replicas [{region_name: <recovery region>}] (a global table), so a bad "
        "prompt release or a regional outage does not lose the prompt catalog."
    ),
)

EKS_PRIVATE_ENDPOINT = PolicyInfo(
    name="cellguard-eks-private-endpoint",
    description=(
        "EKS clusters keep node traffic on the private endpoint (endpointPrivateAccess true); "
        "a public endpoint, where deployments need one, is limited to listed CIDRs "
        "(publicAccessCidrs without 0.0.0.0/0)."
    ),
    scope=Scope.RESOURCE,
    resource_types=(EKS_CLUSTER_TYPE,),
    rules=(),
    enforcement=Enforcement.ADVISORY,
    remediation=(
        "set vpc_config endpoint_private_access=True and either endpoint_public_access=False "
        "(deploy from inside the VPC) or public_access_cidrs to the deployers' addresses "
        "(blueprints: pulumi config set --path 'cellguard:apiAllowedCidrs[0]' <CIDR>)."
    ),
)

GPU_NODE_GROUP_INSTANCE_TYPES = PolicyInfo(
    name="cellguard-gpu-node-group-instance-types",
    description="EKS node groups for GPUs allow at least two instance types.",
    scope=Scope.RESOURCE,
    resource_types=(NODE_GROUP_TYPE,),
    rules=("CG-CAP-002",),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "list two or more instance types with a suitable GPU in instance_types (another size "
        "or generation, e.g. g6e.xlarge and g6e.2xlarge), so one exhausted capacity pool "
        "does not stop scaling or replacement."
    ),
)

GPU_NODE_AUTO_REPAIR = PolicyInfo(
    name="cellguard-gpu-node-auto-repair",
    description="EKS node groups for GPUs have node auto-repair enabled.",
    scope=Scope.RESOURCE,
    resource_types=(NODE_GROUP_TYPE,),
    rules=("CG-COR-010",),
    enforcement=Enforcement.MANDATORY,
    remediation=(
        "set node_repair_config {enabled: true} on the node group (with the EKS node "
        "monitoring agent), so nodes with failed GPUs are replaced instead of serving errors."
    ),
)

CATALOG: tuple[PolicyInfo, ...] = (
    GPU_REQUESTS_EQUAL_LIMITS,
    GPU_ZONE_SPREAD,
    GPU_PROBES,
    GPU_DISRUPTION_BUDGET,
    MODEL_ARTIFACTS_VERSIONED,
    MODEL_ARTIFACTS_REPLICATED,
    PROMPT_TABLE_RECOVERY,
    EKS_PRIVATE_ENDPOINT,
    GPU_NODE_GROUP_INSTANCE_TYPES,
    GPU_NODE_AUTO_REPAIR,
)
"""Every policy of the pack, in the order the pack registers them."""
