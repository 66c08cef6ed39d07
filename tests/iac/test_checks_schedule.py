"""The schedulability check on hand-made captures: allocatable figures, fit, static capacity."""

from __future__ import annotations

import pytest

from cellguard.iac.checks_schedule import check_schedulable
from cellguard.iac.nodes import allocatable, pod_requests, quantity, reserved_cpu_m
from tests.iac.capture_kit import BP, GPU_TAINT, GPU_TOLERATION, Kit

ZONES = ["use1-az1", "use1-az2", "use1-az4"]
GPU_POD = {"nodeSelector": {"pool": "llm"}, "tolerations": [GPU_TOLERATION]}


def test_allocatable_follows_the_eks_ami_reservation() -> None:
    # nodeadm: 6 % of core 1, 1 % of core 2, 0.5 % of cores 3-4, 0.25 % of the rest.
    assert [reserved_cpu_m(n) for n in (1, 2, 4, 8, 192)] == [60, 70, 80, 90, 550]
    g6 = allocatable("g6.xlarge", nvidia=True)  # 4 vCPU, 16 GiB, 1 L4; maxPods cap 110
    assert g6 is not None
    assert (g6.cpu_m, g6.memory_mib, g6.gpus, g6.pods) == (3920, 16384 - 1465 - 100, 1, 110)
    p5 = allocatable("p5.48xlarge", nvidia=True)  # 192 vCPU, 2048 GiB, 8 H100; cap 250
    assert p5 is not None
    assert (p5.cpu_m, p5.memory_mib, p5.gpus, p5.pods) == (191450, 2097152 - 3005 - 100, 8, 250)
    standard = allocatable("p5.48xlarge", nvidia=False)
    assert standard is not None and standard.gpus == 0  # no NVIDIA AMI: no nvidia.com/gpu
    assert allocatable("x9.huge", nvidia=False) is None


def test_quantities_and_pod_requests() -> None:
    assert quantity("2900m") == quantity("2.9") and quantity("1Gi") == 2**30
    assert quantity("1e3") == 1000 and quantity("lots") is None
    pod = {
        "containers": [
            {"resources": {"requests": {"cpu": "500m", "memory": "1Gi"}}},
            {"resources": {"limits": {"cpu": "1", "memory": "512Mi", "nvidia.com/gpu": "1"}}},
        ],
        "initContainers": [{"resources": {"requests": {"cpu": "2", "memory": "1Gi"}}}],
    }
    # containers sum to 1500m / 1536 Mi / 1 GPU; the init container's 2 CPUs are the peak.
    assert pod_requests(pod) == (2000, 1536, 1)


def test_pods_that_fit_and_nodes_that_hold_them_pass() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(aws, "c1", "system", ZONES, ["m7i.2xlarge", "m6i.2xlarge"], 3)
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        ["g6e.xlarge"],
        3,
        labels={"pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    kit.deployment(k8s, "cell", "api", replicas=6)
    kit.deployment(k8s, "cell", "llm", cpu="3", memory="24Gi", gpus=1, pod=GPU_POD)
    result = check_schedulable(kit.cap, BP)
    assert result.passed, result.message
    assert result.message.startswith(
        "2/2 workloads fit an instance type their node groups may launch; "
        "9 pods on 6 nodes at minimum size in 3 zones; allocatable = catalog vCPUs/memory - "
        "EKS AMI kube-reserved (CPU 6/1/0.5/0.25 %, memory 11 MiB x maxPods + 255 MiB, maxPods "
        "110 under 30 vCPUs else 250) - 100 MiB eviction threshold"
    )
    assert "GPU pods: llm (3000m CPU, 24576 MiB, 1 GPU) on g6e.xlarge" in result.message
    assert (
        "single-instance-type groups accepted, their pods fit the type: g6e.xlarge (1 groups)"
        in (result.message)
    )


def test_a_pod_larger_than_every_type_fails() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        ["g6.xlarge"],
        3,
        labels={"pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    kit.deployment(k8s, "cell", "llm", cpu="4", memory="32Gi", gpus=1, pod=GPU_POD)
    result = check_schedulable(kit.cap, BP)
    assert not result.passed
    assert "0/1 workloads fit" in result.message
    assert (
        "do not fit: cell/llm (c1): requests 4000m CPU, 32768 MiB, 1 GPU fit none of ['g6.xlarge']"
    ) in result.message


def test_a_smaller_type_first_leaves_pods_without_room() -> None:
    """Blocker 5: the pod fits g6.4xlarge, but the group may launch g6.xlarge nodes."""
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        ["g6.xlarge", "g6.4xlarge"],
        3,
        labels={"pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    kit.deployment(k8s, "cell", "llm", cpu="4", memory="32Gi", gpus=1, pod=GPU_POD)
    result = check_schedulable(kit.cap, BP)
    assert not result.passed
    assert "1/1 workloads fit" in result.message and "3 pods left over" in result.message
    assert (
        "no room at minimum size: cell/llm (c1): 3 pods in ['use1-az1', 'use1-az2', 'use1-az4']"
    ) in result.message


def test_too_few_system_nodes_leave_pods_pending() -> None:
    """Blocker 4: 1 CPU / 2 GiB pods on three m7i.large (2 vCPU each: one pod per node)."""
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(aws, "c1", "system", ZONES, ["m7i.large"], 3)
    kit.deployment(k8s, "cell", "api", replicas=3)
    kit.deployment(k8s, "cell", "guardrail", replicas=3)
    result = check_schedulable(kit.cap, BP)
    assert not result.passed
    assert "6 pods on 3 nodes at minimum size in 3 zones, 3 pods left over" in result.message


def test_untolerated_taints_and_unmatched_selectors_admit_nothing() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        ["g6e.xlarge"],
        3,
        labels={"pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    kit.deployment(k8s, "cell", "untolerated", gpus=1, pod={"nodeSelector": {"pool": "llm"}})
    kit.deployment(k8s, "cell", "elsewhere", gpus=1, pod={**GPU_POD, "nodeSelector": {"pool": "x"}})
    result = check_schedulable(kit.cap, BP)
    assert not result.passed
    assert (
        "cell/untolerated (c1): no node group of the cluster admits it "
        "(node selector, affinity or taints)"
    ) in result.message
    assert "cell/elsewhere (c1): no node group" in result.message


def test_replicas_come_from_the_autoscaler_when_the_deployment_has_none() -> None:
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(aws, "c1", "system", ZONES, ["m7i.2xlarge"], 3)
    kit.deployment(k8s, "cell", "api", replicas=None)
    kit.deployment(k8s, "cell", "worker", replicas=None)
    kit.add(
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "api-hpa",
        {
            "metadata": {"name": "api", "namespace": "cell"},
            "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "api"}, "minReplicas": 6},
        },
        k8s,
    )
    kit.add(
        "kubernetes:keda.sh/v1alpha1:ScaledObject",
        "worker-so",
        {
            "metadata": {"name": "worker", "namespace": "cell"},
            "spec": {"scaleTargetRef": {"name": "worker"}, "minReplicaCount": 4},
        },
        k8s,
    )
    result = check_schedulable(kit.cap, BP)
    assert "10 pods on 3 nodes" in result.message, result.message


@pytest.mark.parametrize(("per_zone", "left"), [(3, 0), (2, 2)])
def test_spread_pods_go_to_the_zones_with_room(per_zone: int, left: int) -> None:
    """Four cells of 2 replicas each over 3 zones: any zone may get a cell's pod, not every zone
    (8 pods fit 9 GPU nodes; 6 nodes leave 2 over)."""
    kit = Kit()
    aws, k8s = kit.region("us-east-1", "c1")
    kit.node_group(
        aws,
        "c1",
        "llm",
        ZONES,
        ["g6e.xlarge"],
        3 * per_zone,
        labels={"pool": "llm"},
        taints=[GPU_TAINT],
        ami="AL2023_x86_64_NVIDIA",
    )
    for cell in range(4):
        kit.deployment(
            k8s, f"cell-{cell}", "llm", cpu="3", memory="24Gi", gpus=1, replicas=2, pod=GPU_POD
        )
    result = check_schedulable(kit.cap, BP)
    assert result.passed == (left == 0), result.message
    assert f"8 pods on {3 * per_zone} nodes at minimum size in 3 zones" in result.message
    assert (f", {left} pods left over" in result.message) == bool(left)
