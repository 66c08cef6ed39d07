"""The add-on, identity and cluster checks on hand-made captures (passing and failing)."""

from __future__ import annotations

import json
from typing import Any

from cellguard.iac.checks_addons import check_addons
from cellguard.iac.checks_cluster import check_eks_endpoint, check_instance_types
from cellguard.iac.checks_identity import check_identities
from cellguard.iac.mockrun import CapturedResource
from cellguard.models.loader import load
from tests.iac.capture_kit import BP, GPU_TAINT, GPU_TOLERATION, Kit, arn, rid

ZONES = ["use1-az1", "use1-az2", "use1-az4"]
GPU_POD = {"nodeSelector": {"pool": "llm"}, "tolerations": [GPU_TOLERATION]}
NLB = {"service.beta.kubernetes.io/aws-load-balancer-type": "external"}


def _gpu_cluster(kit: Kit, types: list[str] | None = None) -> tuple[Any, Any]:
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        types or ["g6e.xlarge", "g6e.2xlarge"],
        3,
        labels={"pool": "llm", "nvidia.com/gpu.present": "true"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    return aws, k8s


def _relying(kit: Kit, k8s: Any) -> None:
    kit.deployment(k8s, "cell", "llm", gpus=1, pod=GPU_POD)
    kit.add(
        "kubernetes:core/v1:Service",
        "router",
        {
            "metadata": {"name": "router", "namespace": "edge", "annotations": NLB},
            "spec": {"type": "LoadBalancer"},
        },
        k8s,
    )
    metrics = [
        {"type": "Resource", "resource": {"name": "cpu"}},
        {"type": "Pods", "pods": {"metric": {"name": "vllm:num_requests_waiting"}}},
    ]
    kit.add(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "hpa",
        {"metadata": {"name": "llm", "namespace": "cell"}, "spec": {"metrics": metrics}},
        k8s,
    )


def test_missing_add_ons_are_named_with_what_needs_them() -> None:
    """Blockers 6 and 7, and HPAs whose metrics nothing serves."""
    kit = Kit()
    _, k8s = _gpu_cluster(kit)
    _relying(kit, k8s)
    result = check_addons(kit.cap, BP)
    assert not result.passed
    message = result.message
    assert message.startswith("0 resources rely on add-ons present in their cluster")
    assert "cluster c1: NVIDIA device plugin missing for Deployment cell/llm" in message
    assert "cluster c1: AWS Load Balancer Controller missing for Service edge/router" in message
    assert "metrics-server (metrics.k8s.io) missing for HPA cell/llm (Resource metric)" in message
    assert (
        "a custom metrics adapter (custom.metrics.k8s.io: prometheus-adapter, "
        "kube-metrics-adapter) missing for HPA cell/llm (Pods metric)"
    ) in message


def test_keda_does_not_serve_a_pods_metric() -> None:
    kit = Kit()
    aws, k8s = _gpu_cluster(kit)
    _relying(kit, k8s)
    for chart in ("nvidia-device-plugin", "aws-load-balancer-controller", "keda"):
        kit.release(k8s, chart)
    kit.add("aws:eks/addon:Addon", "ms", {"addonName": "metrics-server", "clusterName": "c1"}, aws)
    result = check_addons(kit.cap, BP)
    assert not result.passed
    assert (
        "custom metrics adapter" in result.message
        and "NVIDIA device plugin for 1" in result.message
    )
    kit.release(k8s, "prometheus-adapter")
    result = check_addons(kit.cap, BP)
    assert result.passed, result.message
    assert result.message == (
        "4 resources rely on add-ons present in their cluster: a custom metrics adapter "
        "(custom.metrics.k8s.io: prometheus-adapter, kube-metrics-adapter) for 1, NVIDIA device "
        "plugin for 1, AWS Load Balancer Controller for 1, metrics-server (metrics.k8s.io) for 1"
    )


def test_a_device_plugin_kept_off_the_gpu_nodes_fails() -> None:
    kit = Kit()
    _, k8s = _gpu_cluster(kit)
    kit.deployment(k8s, "cell", "llm", gpus=1, pod=GPU_POD)
    kit.release(k8s, "nvidia-device-plugin", {"tolerations": [], "nodeSelector": {"gpu": "yes"}})
    result = check_addons(kit.cap, BP)
    assert not result.passed
    assert "nvidia-device-plugin (c1) does not reach GPU node group llm" in result.message


def _spec(tmp_path: Any) -> Any:
    text = """\
apiVersion: cellguard/v1
kind: Stack
metadata: {name: s, owner: o}
business:
  journeys:
    - {id: j, entrypoint: api, criticality: tier1}
topology:
  accounts: [a]
  regions: [{name: us-east-1, zones: [use1-az1, use1-az2]}]
components:
  - id: api
    kind: app
    runtime: eks
    image: {reference: "r/api@sha256:0000000000000000000000000000000000000000000000000000000000000000"}
    depends_on:
      - {to: prompts}
      - {to: llm, fallback: haiku}
  - {id: prompts, kind: prompt_store, engine: dynamodb}
  - id: llm
    kind: model_endpoint
    hosting: bedrock
    model: {name: anthropic.claude-3-haiku-20240307-v1:0}
  - id: haiku
    kind: model_endpoint
    hosting: bedrock
    model: {name: us.anthropic.claude-3-5-haiku-20241022-v1:0}
"""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return load(path).stacks[0]


def _identity(kit: Kit, aws: CapturedResource, statements: list[dict[str, Any]]) -> None:
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["sts:AssumeRole", "sts:TagSession"],
                "Principal": {"Service": "pods.eks.amazonaws.com"},
            }
        ]
    }
    role = kit.add("aws:iam/role:Role", "api-role", {"assumeRolePolicy": json.dumps(trust)}, aws)
    kit.add(
        "aws:iam/rolePolicy:RolePolicy",
        "api-policy",
        {"role": rid(role), "policy": json.dumps({"Statement": statements})},
        aws,
    )
    kit.add(
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "api-pia",
        {"clusterName": "c1", "namespace": "cell", "serviceAccount": "api", "roleArn": arn(role)},
        aws,
    )


def test_a_workload_calling_dynamodb_and_bedrock_needs_a_role_naming_them(tmp_path: Any) -> None:
    stack = _spec(tmp_path)
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.add(
        "aws:dynamodb/table:Table",
        "prompts",
        {"name": "s-prompts", "tags": {"cellguard:component": "prompts"}},
        aws,
    )
    kit.deployment(k8s, "cell", "api", pod={"serviceAccountName": "api"})
    result = check_identities(kit.cap, BP, stack)
    assert not result.passed
    assert (
        "cell/api (c1) reads bedrock anthropic.claude-3-haiku-20240307-v1:0, bedrock "
        "us.anthropic.claude-3-5-haiku-20241022-v1:0, dynamodb prompts but has no Pod Identity "
        "association or IRSA role for service account cell/api"
    ) in result.message
    broad = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    _identity(kit, aws, broad)
    result = check_identities(kit.cap, BP, stack)
    assert not result.passed  # '*' names no resource
    assert (
        "cell/api (c1) via Pod Identity cell/api -> api-role is not allowed dynamodb:GetItem on "
        "s-prompts, bedrock:InvokeModel on anthropic.claude-3-haiku-20240307-v1:0, "
        "bedrock:InvokeModel on anthropic.claude-3-5-haiku-20241022-v1:0, bedrock:InvokeModel on "
        "us.anthropic.claude-3-5-haiku-20241022-v1:0"
    ) in result.message


def test_policies_naming_the_resources_pass(tmp_path: Any) -> None:
    stack = _spec(tmp_path)
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    table = kit.add(
        "aws:dynamodb/table:Table",
        "prompts",
        {"name": "s-prompts", "tags": {"cellguard:component": "prompts"}},
        aws,
    )
    kit.deployment(k8s, "cell", "api", pod={"serviceAccountName": "api"})
    _identity(
        kit,
        aws,
        [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:Query"],
                "Resource": arn(table),
            },
            {
                "Effect": "Allow",
                "Action": "bedrock:InvokeModel*",
                "Resource": [
                    "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
                    "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
                    "arn:aws:bedrock:us-east-1:*:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0",
                ],
            },
        ],
    )
    result = check_identities(kit.cap, BP, stack)
    assert result.passed, result.message
    assert result.message == (
        "1/1 workloads that read S3, DynamoDB or Bedrock have an identity whose policy names "
        "the resource (Pod Identity)"
    )


def test_weights_synced_from_s3_by_an_init_container_need_an_identity() -> None:
    """Blocker 8: ``aws s3 sync`` with no Pod Identity or IRSA (the node role does not count)."""
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.add("aws:s3/bucket:Bucket", "artifacts", {}, aws)
    kit.add(
        "kubernetes:core/v1:ConfigMap",
        "cm",
        {
            "metadata": {"name": "artifacts", "namespace": "cell"},
            "data": {"bucket": "artifacts-bucket"},
        },
        k8s,
    )
    sync = {
        "name": "prepull",
        "command": ["/bin/sh", "-c"],
        "args": ['aws s3 sync "s3://${BUCKET}/w" /models'],
        "env": [
            {
                "name": "BUCKET",
                "valueFrom": {"configMapKeyRef": {"name": "artifacts", "key": "bucket"}},
            }
        ],
    }
    kit.deployment(k8s, "cell", "llm", pod={"initContainers": [sync]})
    result = check_identities(kit.cap, BP)
    assert not result.passed
    assert (
        "0/1 workloads" in result.message
        and "spec not given: only reads seen in the containers" in result.message
    )
    assert (
        "cell/llm (c1) reads s3 artifacts but has no Pod Identity association or IRSA role for service account cell/default"
        in result.message
    )


def test_irsa_needs_an_oidc_provider_trusted_for_the_service_account() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    bucket = kit.add("aws:s3/bucket:Bucket", "artifacts", {"bucket": "my-weights"}, aws)
    sync = {
        "name": "prepull",
        "args": ["aws s3 sync s3://my-weights/w /m"],
        "env": [{"name": "B", "value": "s3://my-weights"}],
    }
    kit.deployment(k8s, "cell", "llm", pod={"initContainers": [sync], "serviceAccountName": "w"})
    trust = {
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Principal": {
                    "Federated": "arn:aws:mock:::aws:iam/openIdConnectProvider:OpenIdConnectProvider/oidc"
                },
                "Condition": {"StringEquals": {"x:sub": "system:serviceaccount:cell:w"}},
            }
        ]
    }
    policy = {
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{arn(bucket)}/*"}]
    }
    role = kit.add(
        "aws:iam/role:Role",
        "w",
        {
            "assumeRolePolicy": json.dumps(trust),
            "inlinePolicies": [{"name": "p", "policy": json.dumps(policy)}],
        },
        aws,
    )
    kit.add(
        "kubernetes:core/v1:ServiceAccount",
        "sa",
        {
            "metadata": {
                "name": "w",
                "namespace": "cell",
                "annotations": {"eks.amazonaws.com/role-arn": arn(role)},
            }
        },
        k8s,
    )
    result = check_identities(kit.cap, BP)
    assert (
        "IRSA role w does not trust an OIDC provider for system:serviceaccount:cell:w"
        in result.message
    )
    kit.add(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "oidc", {"url": "https://oidc"}, aws
    )
    result = check_identities(kit.cap, BP)
    assert result.passed, result.message
    assert "(IRSA)" in result.message


def test_the_eks_endpoint_must_answer_where_pulumi_up_runs() -> None:
    """Blocker 1: a private-only endpoint times out every Kubernetes object."""
    kit = Kit()
    kit.region("us-east-1", "c1")
    cluster = kit.cap.of_type("aws:eks/cluster:Cluster")[0]
    cluster.inputs["vpcConfig"] = {"endpointPrivateAccess": True, "endpointPublicAccess": False}
    result = check_eks_endpoint(kit.cap, BP)
    assert not result.passed
    assert result.message.endswith("; private-only or no private access: ['c1']")
    cluster.inputs["vpcConfig"] = {
        "endpointPrivateAccess": True,
        "endpointPublicAccess": True,
        "publicAccessCidrs": ["203.0.113.0/24"],
    }
    result = check_eks_endpoint(kit.cap, BP)
    assert result.passed
    assert result.message == (
        "1/1 clusters with a public endpoint for the Kubernetes provider (allowed from "
        "['203.0.113.0/24']) and private access for the nodes"
    )


def test_a_single_instance_type_is_accepted_only_when_it_is_the_only_one() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "h100",
        ZONES,
        ["p5.48xlarge"],
        1,
        labels={"pool": "llm", "cellguard.io/gpu-pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    kit.deployment(k8s, "cell", "llm", gpus=2, pod=GPU_POD)
    result = check_instance_types(kit.cap, BP)
    assert result.passed, result.message
    assert result.message == (
        "1/1 GPU node groups over >= 2 instance types or the only one there is: "
        "p5.48xlarge is the only EC2 type in the catalog with H100 and at least 2 GPUs per pod (h100)"
    )
    kit.node_group(
        aws,
        "c1",
        "l40s",
        ZONES,
        ["g6e.xlarge"],
        1,
        labels={"pool": "small", "cellguard.io/gpu-pool": "small"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    result = check_instance_types(kit.cap, BP)
    assert not result.passed
    assert (
        "single-type: l40s (g6e.xlarge; the catalog also has g6e.12xlarge, g6e.16xlarge,"
        in result.message
    )
