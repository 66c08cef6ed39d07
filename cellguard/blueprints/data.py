"""DataReplication: model artifacts, prompt/session tables and per-cell vector stores.

- Model artifacts: a versioned S3 bucket in the primary region replicated (with delete markers)
  to a versioned bucket in every other region of the spec (:mod:`cellguard.blueprints.artifacts`);
  the cells of a region pull weights from their own region's bucket.
- ``allow_destroy`` (config ``cellguard:allowDestroy``) turns off DynamoDB deletion protection
  and lets ``pulumi destroy`` empty the buckets; off by default, so destroy stops there (README).
- DynamoDB: global tables (streams on, point-in-time recovery on in every replica). A table
  whose spec wants a cross-region backup gets an AWS Backup plan (hourly, or daily when the spec
  asks for a day or more; one hour is AWS Backup's shortest period) selecting it, with a copy
  action to a vault in the copy region; vaults and the backup role are shared per region.
- Vector stores: an OpenSearch domain per cell (zone awareness, VPC, encrypted) with its manual
  snapshot repository bucket, versioned, in the recovery region (the cell's own region when the
  stack has one region). Registering the repository is an OpenSearch API call, done once by the
  operator (README).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.artifacts import artifact_buckets
from cellguard.blueprints.foundation import assume_role_policy
from cellguard.blueprints.model import Blueprint, TablePlan
from cellguard.blueprints.policies.tags import ROLE_TAG
from cellguard.blueprints.search import opensearch_domain

BACKUP_POLICY = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
HOURLY = "cron(0 * * * ? *)"
DAILY = "cron(0 5 * * ? *)"
DAY_MINUTES = 1440


@dataclass(frozen=True)
class Network:
    """A region's VPC as the data stores need it."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    subnet_ids: list[pulumi.Output[str]]


class DataReplication(pulumi.ComponentResource):
    """The stack's replicated data."""

    artifact_bucket: aws.s3.Bucket | None

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        providers: dict[str, aws.Provider],
        networks: dict[str, Network],
        allow_destroy: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}DataReplication", name, None, opts)
        plan = bp.data
        providers = dict(providers)
        for spec_region in bp.regions:
            if spec_region.name not in providers:
                # a region left out of cellguard:regions still holds the spec's data replicas
                providers[spec_region.name] = aws.Provider(
                    f"{name}-{spec_region.name}-aws",
                    region=spec_region.name,
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.providers = providers
        self.allow_destroy = allow_destroy
        self.artifact_buckets: dict[str, aws.s3.Bucket] = {}
        if plan.artifact_bucket:
            self.artifact_buckets = artifact_buckets(
                self, self._versioned_bucket, name, bp, providers
            )
        self.artifact_bucket = self.artifact_buckets.get(plan.primary_region)
        vaults: dict[str, aws.backup.Vault] = {}
        backup_role: aws.iam.Role | None = None
        for table in plan.tables:
            created = aws.dynamodb.Table(
                f"{name}-{table.name}",
                name=f"{bp.stack}-{table.name}",
                billing_mode="PAY_PER_REQUEST",
                hash_key="pk",
                range_key="sk",
                attributes=[{"name": "pk", "type": "S"}, {"name": "sk", "type": "S"}],
                stream_enabled=True,
                stream_view_type="NEW_AND_OLD_IMAGES",
                point_in_time_recovery={"enabled": True},
                replicas=[
                    {"region_name": r, "point_in_time_recovery": True}
                    for r in table.replica_regions
                ],
                deletion_protection_enabled=not allow_destroy,
                tags=tags(bp.stack, component=table.component)
                | ({ROLE_TAG: table.role} if table.role else {}),
                opts=child(self, providers[table.home_region]),
            )
            if table.copy_region is None:
                continue
            for region in (table.home_region, table.copy_region):
                if region not in vaults:
                    vaults[region] = aws.backup.Vault(
                        f"{name}-vault-{region}",
                        name=f"{bp.stack}-{region}",
                        tags={**tags(bp.stack), "cellguard:role": "backup-vault"},
                        opts=child(self, providers[region]),
                    )
            if backup_role is None:
                backup_role = self._backup_role(name, bp, providers[plan.primary_region])
            self._copy_plan(name, bp, table, created, vaults, backup_role, providers)
        for store in plan.vector_stores:
            if store.region not in networks:
                continue  # the store's cell is in a region left out of cellguard:regions
            snapshot_region = plan.recovery_region if plan.recovery_region else store.region
            if snapshot_region == store.region and len(bp.regions) > 1:
                snapshot_region = plan.primary_region
            store_tags = tags(bp.stack, component=store.component, cell=store.cell)
            self._versioned_bucket(
                f"{name}-{store.unit_name}-{store.component}-snapshots",
                {**store_tags, "cellguard:role": "vector-snapshots"},
                providers[snapshot_region],
            )
            if store.opensearch:
                net = networks[store.region]
                opensearch_domain(
                    self,
                    f"{name}-{store.unit_name}-{store.component}",
                    bp.stack,
                    store,
                    providers[store.region],
                    net.vpc_id,
                    net.vpc_cidr,
                    net.subnet_ids,
                    store_tags,
                )
        self.register_outputs(
            {"artifactBuckets": {r: b.bucket for r, b in self.artifact_buckets.items()}}
        )

    def _versioned_bucket(
        self, name: str, bucket_tags: dict[str, str], provider: aws.Provider
    ) -> tuple[aws.s3.Bucket, aws.s3.BucketVersioning]:
        """An S3 bucket with versioning enabled (both resources named ``name``)."""
        bucket = aws.s3.Bucket(
            name, tags=bucket_tags, force_destroy=self.allow_destroy, opts=child(self, provider)
        )
        versioning = aws.s3.BucketVersioning(
            name,
            bucket=bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self, provider),
        )
        return bucket, versioning

    def _backup_role(self, name: str, bp: Blueprint, provider: aws.Provider) -> aws.iam.Role:
        role = aws.iam.Role(
            f"{name}-backup",
            assume_role_policy=assume_role_policy("backup.amazonaws.com"),
            tags=tags(bp.stack),
            opts=child(self, provider),
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-backup", role=role.name, policy_arn=BACKUP_POLICY, opts=child(self, provider)
        )
        return role

    def _copy_plan(
        self,
        name: str,
        bp: Blueprint,
        table: TablePlan,
        created: aws.dynamodb.Table,
        vaults: dict[str, aws.backup.Vault],
        role: aws.iam.Role,
        providers: dict[str, aws.Provider],
    ) -> None:
        """An AWS Backup plan for one table with a copy action to ``table.copy_region``."""
        assert table.copy_region is not None
        home = providers[table.home_region]
        daily = (table.copy_every_minutes or DAY_MINUTES) >= DAY_MINUTES
        plan_tags = {
            **tags(bp.stack, component=table.component),
            "cellguard:role": "backup-copy",
            "cellguard:table": f"{bp.stack}-{table.name}",
            "cellguard:copy-region": table.copy_region,
        }
        backup_plan = aws.backup.Plan(
            f"{name}-{table.name}-copy",
            name=f"{bp.stack}-{table.name}-copy",
            rules=[
                {
                    "rule_name": "cross-region-copy",
                    "target_vault_name": vaults[table.home_region].name,
                    "schedule": DAILY if daily else HOURLY,
                    "lifecycle": {"delete_after": 35},
                    "copy_actions": [
                        {
                            "destination_vault_arn": vaults[table.copy_region].arn,
                            "lifecycle": {"delete_after": 35},
                        }
                    ],
                }
            ],
            tags=plan_tags,
            opts=child(self, home),
        )
        aws.backup.Selection(
            f"{name}-{table.name}-copy",
            name=f"{bp.stack}-{table.name}",
            plan_id=backup_plan.id,
            iam_role_arn=role.arn,
            resources=[created.arn],
            opts=child(self, home),
        )
