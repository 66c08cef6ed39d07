"""The data-store and cluster policies, called through each policy's own ``validate``."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from tests.blueprints.test_policy_pack import (
    BUCKET,
    CLUSTER,
    NODE_GROUP,
    REPLICATION,
    TABLE,
    TABLE_REPLICA,
    VERSIONING,
    resource,
    validate,
    validate_stack,
)

ARTIFACTS = {"cellguard:role": "model-artifacts", "team": "ml"}
VERSIONED = "cellguard-model-artifacts-versioned"
REPLICATED = "cellguard-model-artifacts-replicated"
PROMPTS = "cellguard-prompt-table-recovery"


def bucket(name: str, **props: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"bucket": name, "arn": f"arn:aws:s3:::{name}", "tags": ARTIFACTS}
    body.update(props)
    return body


def rule(status: str = "Enabled", destination: str = "arn:aws:s3:::weights-usw2") -> dict[str, Any]:
    return {"id": "all", "status": status, "destination": {"bucket": destination}}


# -- model-artifact buckets ------------------------------------------------------------------


def test_a_bucket_versioned_by_a_versioning_resource_passes() -> None:
    weights = resource(BUCKET, "weights", bucket("weights-use1"))
    versioning = resource(
        VERSIONING,
        "weights-versioning",
        {"bucket": UNKNOWN_STRING_VALUE, "versioningConfiguration": {"status": "Enabled"}},
        {"bucket": [weights]},
    )
    assert validate_stack(VERSIONED, weights, versioning) == []


def test_versioning_found_by_bucket_name_and_inline_both_count() -> None:
    weights = resource(BUCKET, "weights", bucket("weights-use1"))
    by_name = resource(
        VERSIONING,
        "v",
        {"bucket": "weights-use1", "versioningConfiguration": {"status": "Enabled"}},
    )
    assert validate_stack(VERSIONED, weights, by_name) == []
    inline = resource(
        "aws:s3/bucketV2:BucketV2", "old", bucket("old", versioning={"enabled": True})
    )
    assert validate_stack(VERSIONED, inline) == []


def test_an_unversioned_or_suspended_model_bucket_fails() -> None:
    weights = resource(BUCKET, "weights", bucket("weights-use1"))
    [(message, where)] = validate_stack(VERSIONED, weights)
    assert where == weights.urn
    assert message.startswith(
        "Model-artifact bucket weights is not versioned. Fix: add an aws.s3.BucketVersioning"
    )
    assert message.endswith("[cellguard CG-RED-003]")
    suspended = resource(
        VERSIONING,
        "v",
        {"bucket": "weights-use1", "versioningConfiguration": {"status": "Suspended"}},
        {"bucket": [weights]},
    )
    [(message, _)] = validate_stack(VERSIONED, weights, suspended)
    assert "is not versioned (status Suspended)." in message


def test_buckets_without_the_role_tag_are_not_judged_and_tags_all_counts() -> None:
    logs = resource(BUCKET, "logs", {"bucket": "logs", "tags": {"team": "ml"}})
    assert validate_stack(VERSIONED, logs) == []
    assert validate_stack(REPLICATED, logs) == []
    default_tagged = resource(BUCKET, "w", {"bucket": "w", "tagsAll": ARTIFACTS})
    assert len(validate_stack(VERSIONED, default_tagged)) == 1


def test_a_replicated_bucket_and_its_replica_pass() -> None:
    source = resource(BUCKET, "weights", bucket("weights-use1"))
    replica = resource(BUCKET, "weights-replica", bucket("weights-usw2"))
    config = resource(
        REPLICATION,
        "weights-replication",
        {"bucket": "weights-use1", "role": "arn:aws:iam::1:role/r", "rules": [rule()]},
        {"bucket": [source], "rules": [replica]},
    )
    assert validate_stack(REPLICATED, source, replica, config) == []


def test_a_replica_is_recognised_by_the_destination_arn_of_a_configuration() -> None:
    source = resource(BUCKET, "weights", bucket("weights-use1"))
    replica = resource(BUCKET, "weights-replica", bucket("weights-usw2"))
    config = resource(REPLICATION, "r", {"bucket": "weights-use1", "rules": [rule()]})
    assert validate_stack(REPLICATED, source, replica, config) == []
    elsewhere = resource(
        REPLICATION, "r", {"bucket": "weights-use1", "rules": [rule(destination="arn:aws:s3:::x")]}
    )
    [(message, _)] = validate_stack(REPLICATED, source, replica, elsewhere)
    assert message.startswith("Model-artifact bucket weights-replica has no enabled replication")


def test_replicas_are_recognised_by_destination_arn_and_inline_rules() -> None:
    source = resource(
        BUCKET, "weights", bucket("weights-use1", replicationConfiguration={"rules": [rule()]})
    )
    replica = resource(BUCKET, "weights-replica", bucket("weights-usw2"))
    assert validate_stack(REPLICATED, source, replica) == []


def test_a_model_bucket_without_enabled_replication_fails() -> None:
    weights = resource(BUCKET, "weights", bucket("weights-use1"))
    [(message, where)] = validate_stack(REPLICATED, weights)
    assert where == weights.urn
    assert message.startswith(
        "Model-artifact bucket weights has no enabled replication rule to another bucket. Fix: "
        "add an aws.s3.BucketReplicationConfig"
    )
    assert message.endswith("[cellguard CG-RED-004, CG-RED-006]")
    disabled = resource(
        REPLICATION,
        "r",
        {"bucket": "weights-use1", "rules": [rule(status="Disabled")]},
        {"bucket": [weights]},
    )
    assert len(validate_stack(REPLICATED, weights, disabled)) == 1


# -- prompt tables ---------------------------------------------------------------------------


def table(**props: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "prompts", "arn": "arn:aws:dynamodb:us-east-1:1:table/prompts"}
    body["tags"] = {"cellguard:role": "prompts"}
    body.update(props)
    return body


@pytest.mark.parametrize(
    "props",
    [
        table(pointInTimeRecovery={"enabled": True}),
        table(replicas=[{"regionName": "us-west-2"}]),
    ],
    ids=["pitr", "inline-replicas"],
)
def test_a_prompt_table_with_pitr_or_replicas_passes(props: dict[str, Any]) -> None:
    assert validate_stack(PROMPTS, resource(TABLE, "prompts", props)) == []


def test_a_table_replica_resource_counts_as_a_replica() -> None:
    prompts = resource(TABLE, "prompts", table())
    linked = resource(
        TABLE_REPLICA,
        "prompts-usw2",
        {"globalTableArn": UNKNOWN_STRING_VALUE},
        {"globalTableArn": [prompts]},
    )
    assert validate_stack(PROMPTS, prompts, linked) == []
    by_arn = resource(
        TABLE_REPLICA, "r", {"globalTableArn": "arn:aws:dynamodb:us-east-1:1:table/prompts"}
    )
    assert validate_stack(PROMPTS, prompts, by_arn) == []


def test_a_prompt_table_without_recovery_fails() -> None:
    prompts = resource(TABLE, "prompts", table(pointInTimeRecovery={"enabled": False}))
    [(message, where)] = validate_stack(PROMPTS, prompts)
    assert where == prompts.urn
    assert message.startswith(
        "Prompt table prompts has neither point-in-time recovery nor replicas. Fix: enable "
        "point_in_time_recovery"
    )
    assert message.endswith("[cellguard CG-RED-003, CG-RED-004, CG-COR-003]")
    untagged = resource(TABLE, "sessions", {"name": "sessions"})
    assert validate_stack(PROMPTS, untagged) == []


# -- EKS clusters and GPU node groups ---------------------------------------------------------


def test_a_private_eks_endpoint_passes() -> None:
    props = {"vpcConfig": {"endpointPrivateAccess": True, "endpointPublicAccess": False}}
    assert validate("cellguard-eks-private-endpoint", CLUSTER, props) == []
    limited = {
        "vpcConfig": {
            "endpointPrivateAccess": True,
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["203.0.113.0/24"],
        }
    }
    assert validate("cellguard-eks-private-endpoint", CLUSTER, limited) == []


def test_eks_defaults_and_an_open_public_endpoint_fail() -> None:
    [message] = validate("cellguard-eks-private-endpoint", CLUSTER, {"vpcConfig": {}}, "eks")
    assert message.startswith(
        "EKS cluster eks: endpointPrivateAccess is not true; the public endpoint (EKS defaults "
        "it to on) is open to 0.0.0.0/0 (publicAccessCidrs unset or 0.0.0.0/0). Fix: set vpc_config"
    )
    assert message.endswith("[cellguard]")
    props = {
        "vpcConfig": {
            "endpointPrivateAccess": True,
            "endpointPublicAccess": True,
            "publicAccessCidrs": ["0.0.0.0/0"],
        }
    }
    [message] = validate("cellguard-eks-private-endpoint", CLUSTER, props, "eks")
    assert message.startswith("EKS cluster eks: the public endpoint (EKS defaults it to on)")


def gpu_nodes(**props: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "amiType": "AL2023_x86_64_NVIDIA",
        "instanceTypes": ["g6e.xlarge", "g6e.2xlarge"],
        "taints": [{"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}],
        "nodeRepairConfig": {"enabled": True},
    }
    body.update(props)
    return body


def test_a_diversified_self_repairing_gpu_node_group_passes() -> None:
    assert validate("cellguard-gpu-node-group-instance-types", NODE_GROUP, gpu_nodes()) == []
    assert validate("cellguard-gpu-node-auto-repair", NODE_GROUP, gpu_nodes()) == []


def test_a_gpu_node_group_on_one_instance_type_fails() -> None:
    props = gpu_nodes(instanceTypes=["p5.48xlarge"], amiType="AL2023_x86_64_STANDARD", taints=[])
    [message] = validate("cellguard-gpu-node-group-instance-types", NODE_GROUP, props, "gpu-a")
    assert message.startswith(
        "GPU node group gpu-a allows one instance type only: p5.48xlarge. Fix: list two or more"
    )
    assert message.endswith("[cellguard CG-CAP-002]")
    from_template = gpu_nodes(instanceTypes=[])
    [message] = validate("cellguard-gpu-node-group-instance-types", NODE_GROUP, from_template, "b")
    assert "only: none (a launch template or the default)." in message


def test_gpu_node_groups_need_auto_repair_and_cpu_groups_are_not_judged() -> None:
    [message] = validate(
        "cellguard-gpu-node-auto-repair", NODE_GROUP, gpu_nodes(nodeRepairConfig={}), "g"
    )
    assert message.startswith("GPU node group g does not enable node auto-repair. Fix: set")
    cpu = {"amiType": "AL2023_x86_64_STANDARD", "instanceTypes": ["m7i.large"]}
    assert validate("cellguard-gpu-node-group-instance-types", NODE_GROUP, cpu) == []
    assert validate("cellguard-gpu-node-auto-repair", NODE_GROUP, cpu) == []
