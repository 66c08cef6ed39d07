"""The AWS input-constraint check on hand-made captures, against botocore's models."""

from __future__ import annotations

import pytest

pytest.importorskip("botocore")

from cellguard.iac.aws_inputs import API_INPUTS
from cellguard.iac.aws_models import input_shape, resolve, service_model, shape
from cellguard.iac.checks_aws import check_aws_inputs
from tests.iac.capture_kit import BP, Kit, arn


def test_every_mapping_names_an_operation_and_members_of_its_request() -> None:
    for token, api in API_INPUTS.items():
        root = input_shape(api.service, api.operation)
        for source, target in api.renames.items():
            assert resolve(api.service, root, target) is not None, (token, source, target)
        if api.default:
            assert resolve(api.service, root, api.default) is not None, token
        if api.autoname:
            assert _target_of(api, api.autoname) is not None, token


def _target_of(api: object, key: str) -> str | None:
    from cellguard.iac.checks_aws import _target

    return _target(api, key)  # type: ignore[arg-type]


def test_the_limits_come_from_the_models() -> None:
    assert shape("opensearch", "DomainName")["max"] == 28
    assert shape("iam", "roleNameType")["max"] == 64
    assert "CreateNodegroup" in service_model("eks")["operations"]


def test_an_auto_named_opensearch_domain_is_too_long() -> None:
    """Blocker 3: the domain name is the logical name plus Pulumi's 8-character suffix."""
    kit = Kit()
    aws, _ = kit.region("us-east-1", "c1")
    kit.add("aws:opensearch/domain:Domain", "assistant-cells-data-cell-use1-a-kb", {}, aws)
    kit.add("aws:opensearch/domain:Domain", "kb", {"domainName": "assistant-kb-1a2b3c4"}, aws)
    result = check_aws_inputs(kit.cap, BP)
    assert not result.passed
    assert (
        "1 outside the limits: aws:opensearch/domain:Domain assistant-cells-data-cell-use1-a-kb "
        "domainName (auto-named: logical name + 8-character suffix): "
        "'assistant-cells-data-cell-use1-a-kb-a1b2c3d' is 43 characters, longer than 28 "
        "[opensearch CreateDomain]"
    ) in result.message


def test_patterns_enums_ranges_and_list_sizes() -> None:
    kit = Kit()
    aws, _ = kit.region("us-east-1", "c1")
    kit.add("aws:iam/role:Role", "r", {"name": "has space", "assumeRolePolicy": "{}"}, aws)
    kit.add(
        "aws:route53/healthCheck:HealthCheck",
        "hc",
        {"type": "HTTP", "port": 80, "failureThreshold": 11, "resourcePath": "/healthz"},
        aws,
    )
    kit.add(
        "aws:eks/nodeGroup:NodeGroup",
        "ng",
        {
            "clusterName": "c1",
            "capacityType": "RESERVED",
            "taints": [{"key": "k", "effect": "NO_SCHEDULE"}],
        },
        aws,
    )
    kit.add(
        "aws:fis/experimentTemplate:ExperimentTemplate",
        "fis",
        {
            "description": "d",
            "roleArn": "arn:aws:iam::123456789012:role/fis",
            "stopConditions": [{"source": "none"}],
            "actions": [{"name": "a", "actionId": "aws:ec2:terminate-instances"}],
            "targets": [
                {
                    "name": "t",
                    "resourceType": "aws:ec2:instance",
                    "selectionMode": "ALL",
                    "resourceArns": [
                        f"arn:aws:ec2:us-east-1:123456789012:instance/i-{i}" for i in range(6)
                    ],
                }
            ],
        },
        aws,
    )
    message = check_aws_inputs(kit.cap, BP).message
    assert (
        "aws:iam/role:Role r name: 'has space' does not match the pattern [\\w+=,.@-]+ [iam CreateRole]"
        in message
    )
    assert (
        "aws:route53/healthCheck:HealthCheck hc failureThreshold: 11 is above the maximum 10"
        in message
    )
    assert (
        "aws:eks/nodeGroup:NodeGroup ng capacityType: 'RESERVED' is not one of ['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK']"
        in message
    )
    assert (
        "aws:fis/experimentTemplate:ExperimentTemplate fis targets.t.resourceArns: 6 entries, more than 5"
        in message
    )
    assert "4 outside the limits" in message


def test_values_the_mocks_invented_are_not_checked() -> None:
    kit = Kit()
    aws, _ = kit.region("us-east-1", "c1")
    role = kit.add("aws:iam/role:Role", "svc", {"name": "svc", "assumeRolePolicy": "{}"}, aws)
    # A role ARN from the mocks does not match IAM's ARN pattern; it is known only after apply.
    kit.add(
        "aws:eks/addon:Addon",
        "a",
        {"addonName": "x", "clusterName": "c1", "serviceAccountRoleArn": arn(role) + "x" * 300},
        aws,
    )
    result = check_aws_inputs(kit.cap, BP)
    assert result.passed, result.message
    assert "1 values known only after apply not checked" in result.message


def test_a_newer_opensearch_instance_type_is_accepted_and_said_so() -> None:
    kit = Kit()
    aws, _ = kit.region("us-east-1", "c1")
    config = {"instanceType": "r7g.large.search", "dedicatedMasterType": "r7g.large.elasticsearch"}
    kit.add(
        "aws:opensearch/domain:Domain", "kb", {"domainName": "kb-1", "clusterConfig": config}, aws
    )
    result = check_aws_inputs(kit.cap, BP)
    assert (
        "accepted outside a lagging enum list: ['r7g.large.search (opensearch:OpenSearchPartitionInstanceType)']"
        in result.message
    )
    assert (
        "clusterConfig.dedicatedMasterType: 'r7g.large.elasticsearch' does not end in '.search'"
        in result.message
    )


def test_unmapped_types_and_inputs_fail_with_where_to_map_them() -> None:
    kit = Kit()
    aws, _ = kit.region("us-east-1", "c1")
    kit.add("aws:lambda/function:Function", "fn", {"runtime": "python3.12"}, aws)
    kit.add("aws:sns/topic:Topic", "t", {"name": "t", "fancyNewInput": 1}, aws)
    result = check_aws_inputs(kit.cap, BP)
    assert not result.passed
    assert (
        "no API mapping for ['aws:lambda/function:Function'] (add them to cellguard/iac/aws_inputs.py)"
        in result.message
    )
    assert "inputs without an API member: aws:sns/topic:Topic.fancyNewInput" in result.message
