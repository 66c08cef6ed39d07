"""OpenSearch vector stores: one VPC domain per cell, named within AWS's limits.

AWS allows domain names of 3-28 characters (``[a-z][a-z0-9-]+``); Pulumi's auto-naming of the
logical name gave 43-49 (issue 18, blocker 3). :func:`domain_name` keeps a readable prefix of
``<stack>-<cell>-<component>`` and appends 7 hex digits of its SHA-256, so that names stay unique
and stable. The domain gets a security group admitting HTTPS from the VPC (the pods' addresses),
an access policy for the account's principals (IAM decides who may call), three dedicated
master nodes when it spans zones, and the encryption and logging of the old domain.
"""

from __future__ import annotations

import hashlib
import re

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import child
from cellguard.blueprints.model import VectorStorePlan
from cellguard.models.json_text import dumps

OPENSEARCH_VERSION = "OpenSearch_2.19"
OPENSEARCH_INSTANCE = "r7g.large.search"
MASTER_INSTANCE = "m7g.large.search"
MAX_DOMAIN = 28


def domain_name(stack: str, cell: str, component: str) -> str:
    """A valid, unique OpenSearch domain name for the store (3-28 characters)."""
    full = f"{stack}-{cell}-{component}".lower()
    slug = re.sub(r"[^a-z0-9-]+", "-", full).strip("-")
    if not slug or not slug[0].isalpha():
        slug = f"v-{slug}"
    if len(slug) <= MAX_DOMAIN:
        return slug
    digest = hashlib.sha256(full.encode()).hexdigest()[:7]
    return f"{slug[: MAX_DOMAIN - 8].rstrip('-')}-{digest}"


def _access_policy(account: str, partition: str, region: str, name: str) -> str:
    return dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                    "Action": "es:ESHttp*",
                    "Resource": f"arn:{partition}:es:{region}:{account}:domain/{name}/*",
                }
            ],
        },
        sort_keys=True,
    )


def opensearch_domain(
    parent: pulumi.Resource,
    name: str,
    stack: str,
    store: VectorStorePlan,
    provider: aws.Provider,
    vpc_id: pulumi.Input[str],
    vpc_cidr: pulumi.Input[str],
    subnet_ids: list[pulumi.Output[str]],
    store_tags: dict[str, str],
) -> aws.opensearch.Domain:
    """The store's domain with its security group and access policy."""
    zones = max(1, min(store.zones, 3, len(subnet_ids)))
    domain = domain_name(stack, store.cell, store.component)
    group = aws.ec2.SecurityGroup(
        f"{name}-https",
        vpc_id=vpc_id,
        description="HTTPS to the OpenSearch domain from the cluster's VPC",
        ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": [vpc_cidr]}],
        tags=store_tags,
        opts=child(parent, provider),
    )
    identity = aws.get_caller_identity_output(
        opts=pulumi.InvokeOutputOptions(parent=parent, provider=provider)
    )
    partition = aws.get_partition_output(
        opts=pulumi.InvokeOutputOptions(parent=parent, provider=provider)
    )
    policy = pulumi.Output.all(identity.account_id, partition.partition).apply(
        lambda a: _access_policy(str(a[0]), str(a[1] or "aws"), store.region, domain)
    )
    return aws.opensearch.Domain(
        name,
        domain_name=domain,
        engine_version=OPENSEARCH_VERSION,
        cluster_config={
            "instance_type": OPENSEARCH_INSTANCE,
            "instance_count": zones,
            "zone_awareness_enabled": zones > 1,
            "zone_awareness_config": {"availability_zone_count": zones} if zones > 1 else None,
            "dedicated_master_enabled": zones > 1,
            "dedicated_master_type": MASTER_INSTANCE if zones > 1 else None,
            "dedicated_master_count": 3 if zones > 1 else None,
        },
        ebs_options={"ebs_enabled": True, "volume_size": 100, "volume_type": "gp3"},
        encrypt_at_rest={"enabled": True},
        node_to_node_encryption={"enabled": True},
        domain_endpoint_options={"enforce_https": True},
        vpc_options={"subnet_ids": subnet_ids[:zones], "security_group_ids": [group.id]},
        access_policies=policy,
        snapshot_options={"automated_snapshot_start_hour": 3},
        tags=store_tags,
        opts=child(parent, provider),
    )
