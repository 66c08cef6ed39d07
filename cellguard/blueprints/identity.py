"""EKS Pod Identity: an IAM role a Kubernetes service account assumes, and IAM policy documents.

Every workload that calls AWS (weights from S3, the LB controller, the cluster autoscaler, the
EBS CSI driver, KEDA and the metrics collector reading and writing CloudWatch) gets its own role
trusted by ``pods.eks.amazonaws.com`` and a ``PodIdentityAssociation`` naming the cluster,
namespace and service account; the ``eks-pod-identity-agent`` add-on hands out the credentials.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import child
from cellguard.models.json_text import dumps

POD_IDENTITY_TRUST = dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "pods.eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"],
            }
        ],
    },
    sort_keys=True,
)


def policy(*statements: dict[str, Any]) -> str:
    """An IAM policy document (deterministic JSON) of ``statements``."""
    return dumps({"Version": "2012-10-17", "Statement": list(statements)}, sort_keys=True)


def allow(actions: list[str], resources: list[str] | str = "*", **extra: Any) -> dict[str, Any]:
    """One ``Allow`` statement."""
    return {"Effect": "Allow", "Action": actions, "Resource": resources, **extra}


MAX_ROLE_NAME = 64
AUTO_SUFFIX = 8
"""Pulumi auto-names a resource ``<logical name>-<7 random characters>``."""


def role_name(logical: str) -> str | None:
    """None (Pulumi auto-names) when the auto-name fits IAM's 64 characters; else an explicit
    name: a prefix of the logical name and 7 hex of its SHA-256 (unique, stable)."""
    if len(logical) + AUTO_SUFFIX <= MAX_ROLE_NAME:
        return None
    digest = hashlib.sha256(logical.encode()).hexdigest()[:7]
    return f"{logical[: MAX_ROLE_NAME - 8].rstrip('-')}-{digest}"


def pod_role(
    name: str,
    parent: pulumi.Resource,
    provider: aws.Provider,
    cluster_name: pulumi.Input[str],
    namespace: str,
    service_account: str,
    inline: pulumi.Input[str] | None = None,
    managed: tuple[str, ...] = (),
    depends_on: list[pulumi.Resource] | None = None,
) -> aws.iam.Role:
    """A role for ``namespace/service_account`` with an inline and/or managed policies."""
    role = aws.iam.Role(
        name,
        name=role_name(name),
        assume_role_policy=POD_IDENTITY_TRUST,
        opts=child(parent, provider),
    )
    if inline is not None:
        aws.iam.RolePolicy(name, role=role.id, policy=inline, opts=child(parent, provider))
    for arn in managed:
        aws.iam.RolePolicyAttachment(
            f"{name}-{arn.rsplit('/', 1)[-1]}",
            role=role.name,
            policy_arn=arn,
            opts=child(parent, provider),
        )
    aws.eks.PodIdentityAssociation(
        name,
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=role.arn,
        opts=child(parent, provider, depends_on),
    )
    return role


def bucket_reader(bucket_arn: str) -> str:
    """Read-only access to one bucket's objects (model weights)."""
    return policy(
        allow(["s3:ListBucket"], [bucket_arn]),
        allow(["s3:GetObject"], [f"{bucket_arn}/*"]),
    )
