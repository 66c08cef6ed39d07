"""Checks of data stores: model-artifact buckets and prompt tables, found by their role tag.

These are stack policies because pulumi-aws 7 configures a bucket's versioning and replication
through separate resources (``aws.s3.BucketVersioning``, ``aws.s3.BucketReplicationConfig``)
and a table's replicas possibly through ``aws.dynamodb.TableReplica``; the deprecated inline
forms on the bucket or table count as well. A configuration resource belongs to a bucket or
table when its ``bucket`` (``globalTableArn``) property was computed from it, or names it.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import catalog
from .props import (
    Report,
    StackArgs,
    StackResource,
    depends_on,
    get,
    is_true,
    items,
    known,
    role,
)
from .tags import MODEL_ARTIFACTS, PROMPTS

S3_ARN_PREFIX = "arn:aws:s3:::"


def _tagged(args: StackArgs, types: tuple[str, ...], value: str) -> Iterator[StackResource]:
    for resource in args.resources:
        if resource.resource_type in types and role(resource.props) == value:
            yield resource


def _of_type(args: StackArgs, *types: str) -> list[StackResource]:
    return [r for r in args.resources if r.resource_type in types]


def _bucket_names(bucket: StackResource) -> set[str]:
    """Names and ARNs a configuration resource may use to refer to ``bucket``."""
    names: set[str] = set()
    for key in ("bucket", "id", "arn"):
        value = known(bucket.props, key)
        if isinstance(value, str) and value:
            names.add(value)
    names.update(S3_ARN_PREFIX + n for n in list(names) if not n.startswith(S3_ARN_PREFIX))
    return names


def _configures(config: StackResource, bucket: StackResource) -> bool:
    if depends_on(config, bucket, "bucket"):
        return True
    value = known(config.props, "bucket")
    return isinstance(value, str) and value in _bucket_names(bucket)


def _enabled_rules(replication: object) -> list[object]:
    return [rule for rule in items(get(replication, "rules")) if get(rule, "status") == "Enabled"]


def check_model_artifacts_versioned(args: StackArgs, report: Report) -> None:
    """Every model-artifact bucket has versioning enabled."""
    info = catalog.MODEL_ARTIFACTS_VERSIONED
    configs = _of_type(args, *catalog.BUCKET_VERSIONING_TYPES)
    for bucket in _tagged(args, catalog.BUCKET_TYPES, MODEL_ARTIFACTS):
        if is_true(get(bucket.props, "versioning", "enabled")):
            continue
        statuses = [
            get(c.props, "versioningConfiguration", "status")
            for c in configs
            if _configures(c, bucket)
        ]
        if "Enabled" in statuses:
            continue
        found = f" (status {', '.join(sorted(map(str, statuses)))})" if statuses else ""
        report(
            info.message(f"Model-artifact bucket {bucket.name} is not versioned{found}."),
            bucket.urn,
        )


def _destinations(rules: list[object]) -> set[str]:
    return {d for rule in rules if isinstance(d := get(rule, "destination", "bucket"), str)}


def _replicates_into(config: StackResource, bucket: StackResource) -> bool:
    rules = _enabled_rules(config.props)
    if not rules:
        return False
    if config.property_dependencies and any(
        dep.urn == bucket.urn for dep in config.property_dependencies.get("rules", ())
    ):
        return True
    return bool(_destinations(rules) & _bucket_names(bucket))


def check_model_artifacts_replicated(args: StackArgs, report: Report) -> None:
    """Every model-artifact bucket replicates through an enabled rule, or is a replica."""
    info = catalog.MODEL_ARTIFACTS_REPLICATED
    configs = _of_type(args, catalog.BUCKET_REPLICATION_TYPE)
    buckets = list(_tagged(args, catalog.BUCKET_TYPES, MODEL_ARTIFACTS))
    inline = {b.urn: _enabled_rules(get(b.props, "replicationConfiguration")) for b in buckets}
    for bucket in buckets:
        if inline[bucket.urn]:
            continue
        if any(_configures(c, bucket) and _enabled_rules(c.props) for c in configs):
            continue
        if any(_replicates_into(c, bucket) for c in configs) or any(
            _destinations(rules) & _bucket_names(bucket) for rules in inline.values()
        ):
            continue  # the replica of another bucket
        report(
            info.message(
                f"Model-artifact bucket {bucket.name} has no enabled replication rule "
                "to another bucket."
            ),
            bucket.urn,
        )


def _table_replicas(table: StackResource, replicas: list[StackResource]) -> bool:
    arn = known(table.props, "arn")
    for replica in replicas:
        if depends_on(replica, table, "globalTableArn"):
            return True
        if isinstance(arn, str) and known(replica.props, "globalTableArn") == arn:
            return True
    return False


def check_prompt_table_recovery(args: StackArgs, report: Report) -> None:
    """Every prompt table has point-in-time recovery or global-table replicas."""
    info = catalog.PROMPT_TABLE_RECOVERY
    replicas = _of_type(args, catalog.TABLE_REPLICA_TYPE)
    for table in _tagged(args, (catalog.TABLE_TYPE,), PROMPTS):
        if is_true(get(table.props, "pointInTimeRecovery", "enabled")):
            continue
        if items(table.props.get("replicas")) or _table_replicas(table, replicas):
            continue
        report(
            info.message(
                f"Prompt table {table.name} has neither point-in-time recovery nor replicas."
            ),
            table.urn,
        )
