"""Model-artifact buckets: one per region of the spec, filled from the primary by replication.

The primary region's versioned bucket replicates every object (and delete markers) to a
versioned bucket in each other region, one replication rule per destination, so that the cells
of every region read weights from their own region (a recovery-region cell must not depend on
the primary region in the event it exists for). The recovery region's bucket keeps the name
``<data>-artifacts-replica``; other regions' are ``<data>-artifacts-<region>``.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import child, tags
from cellguard.blueprints.foundation import assume_role_policy
from cellguard.blueprints.identity import allow, policy
from cellguard.blueprints.model import Blueprint

VersionedBucket = Callable[
    [str, dict[str, str], aws.Provider], tuple[aws.s3.Bucket, aws.s3.BucketVersioning]
]
"""Makes a versioned bucket under the owner (``DataReplication._versioned_bucket``)."""


def _replica_name(name: str, region: str, bp: Blueprint) -> str:
    if region == bp.data.recovery_region:
        return f"{name}-artifacts-replica"
    return f"{name}-artifacts-{region}"


def replication_policy(source: str, targets: list[str]) -> str:
    """What S3 replication needs on the source bucket and the destinations."""
    return policy(
        allow(["s3:GetReplicationConfiguration", "s3:ListBucket"], [source]),
        allow(
            [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            [f"{source}/*"],
        ),
        allow(
            ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            [f"{t}/*" for t in targets],
        ),
    )


def artifact_buckets(
    owner: pulumi.ComponentResource,
    versioned_bucket: VersionedBucket,
    name: str,
    bp: Blueprint,
    providers: dict[str, aws.Provider],
) -> dict[str, aws.s3.Bucket]:
    """Region -> artifact bucket (the primary's first), with the replication configured."""
    primary = bp.data.primary_region
    home = providers[primary]
    art_tags = {**tags(bp.stack), "cellguard:role": "model-artifacts"}
    bucket, versioning = versioned_bucket(f"{name}-artifacts", art_tags, home)
    buckets = {primary: bucket}
    waits: list[pulumi.Resource] = [versioning]
    for region in [r.name for r in bp.regions if r.name != primary]:
        replica, replica_versioning = versioned_bucket(
            _replica_name(name, region, bp), art_tags, providers[region]
        )
        buckets[region] = replica
        waits.append(replica_versioning)
    if len(buckets) == 1:
        return buckets
    role = aws.iam.Role(
        f"{name}-replication",
        assume_role_policy=assume_role_policy("s3.amazonaws.com"),
        opts=child(owner, home),
    )
    targets = [b.arn for r, b in buckets.items() if r != primary]
    aws.iam.RolePolicy(
        f"{name}-replication",
        role=role.id,
        policy=pulumi.Output.all(bucket.arn, *targets).apply(
            lambda a: replication_policy(str(a[0]), [str(t) for t in a[1:]])
        ),
        opts=child(owner, home),
    )
    aws.s3.BucketReplicationConfig(
        f"{name}-artifacts",
        bucket=bucket.id,
        role=role.arn,
        rules=[
            {
                "id": f"model-artifacts-{region}",
                "priority": index,
                "status": "Enabled",
                "filter": {"prefix": ""},
                "delete_marker_replication": {"status": "Enabled"},
                "destination": {"bucket": target.arn, "storage_class": "STANDARD"},
            }
            for index, (region, target) in enumerate(buckets.items())
            if region != primary
        ],
        opts=child(owner, home, waits),
    )
    return buckets
