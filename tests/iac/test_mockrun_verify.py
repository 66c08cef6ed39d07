"""Mock runs of the blueprints: invariants with real numbers, repeatability, component structure."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("pulumi_aws")

from cellguard.blueprints.from_spec import blueprint_of
from cellguard.blueprints.model import Blueprint
from cellguard.blueprints.program import Settings, deploy
from cellguard.iac.mockrun import Capture, run_program
from cellguard.iac.verify import region_of, verify
from cellguard.models.loader import load
from tests.helpers import REPO


def _run(example: str) -> tuple[Blueprint, Capture]:
    bp = blueprint_of(load(REPO / "examples" / example).stacks[0])
    return bp, run_program(lambda: deploy(bp, Settings()))


@pytest.fixture(scope="module")
def cells_run() -> tuple[Blueprint, Capture]:
    return _run("cell-multi-region.yaml")


def test_every_check_passes_on_the_cell_target(cells_run: tuple[Blueprint, Capture]) -> None:
    bp, cap = cells_run
    results = {r.name: r for r in verify(cap, bp)}
    assert [n for n, r in results.items() if not r.passed] == []
    assert len(results) == 19
    assert results["kubernetes-schema"].message.startswith("116/116")


def test_cell_target_numbers(cells_run: tuple[Blueprint, Capture]) -> None:
    _, cap = cells_run
    kinds = Counter(r.type for r in cap.resources)
    assert kinds["cellguard:blueprints:InferenceCell"] == 4
    assert kinds["cellguard:blueprints:RegionalFoundation"] == 2
    assert kinds["kubernetes:apps/v1:Deployment"] == 22  # 5 per cell x 4 + 1 router per region
    assert kinds["kubernetes:policy/v1:PodDisruptionBudget"] == 22
    assert kinds["aws:eks/nodeGroup:NodeGroup"] == 14  # (llm + embedder) x 3 zones x 2 + 2 system
    assert kinds["aws:ec2/capacityReservation:CapacityReservation"] == 12
    assert kinds["aws:fis/experimentTemplate:ExperimentTemplate"] == 6
    assert kinds["aws:cloudwatch/metricAlarm:MetricAlarm"] == 16
    cells = {c.urn for c in cap.of_type("cellguard:blueprints:InferenceCell")}
    regions = Counter(
        region_of(cap, n) for n in cap.of_type("kubernetes:core/v1:Namespace") if n.parent in cells
    )
    assert regions == {"us-east-1": 2, "us-west-2": 2}


def test_vllm_pods_request_gpus_spread_and_probe(cells_run: tuple[Blueprint, Capture]) -> None:
    _, cap = cells_run
    llm = [
        d
        for d in cap.of_type("kubernetes:apps/v1:Deployment")
        if d.inputs["metadata"]["name"] == "llm"
    ]
    assert len(llm) == 4
    for dep in llm:
        spec = dep.inputs["spec"]
        assert "replicas" not in spec  # KEDA owns the count; an update does not reset it
        pod = spec["template"]["spec"]
        (container,) = pod["containers"]
        assert container["resources"]["requests"]["nvidia.com/gpu"] == "1"
        assert container["resources"]["limits"] == container["resources"]["requests"]
        zone = [
            c
            for c in pod["topologySpreadConstraints"]
            if c["topologyKey"] == "topology.kubernetes.io/zone"
        ]
        assert zone[0]["whenUnsatisfiable"] == "DoNotSchedule"
        assert container["startupProbe"]["failureThreshold"] == 21  # 180 s cold start / 10 s + 3
        assert {"startupProbe", "readinessProbe", "livenessProbe"} <= container.keys()
        assert pod["initContainers"][0]["name"] == "prepull-weights"
    pdbs = [
        p
        for p in cap.of_type("kubernetes:policy/v1:PodDisruptionBudget")
        if p.inputs["metadata"]["name"] == "llm"
    ]
    assert {p.inputs["spec"]["minAvailable"] for p in pdbs} == {2}  # 4 replicas minus one zone's 2
    scaled = [
        h
        for h in cap.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")
        if h.inputs["metadata"]["name"] == "llm"
    ]
    assert {s.inputs["spec"]["minReplicaCount"] for s in scaled} == {4}  # 8 per region, 2 cells
    metric = scaled[0].inputs["spec"]["triggers"][0]["metadata"]["metricName"]
    assert metric == "QueueDepth"  # vllm:num_requests_waiting, published by the collector


def test_gpu_pools_are_statically_stable(cells_run: tuple[Blueprint, Capture]) -> None:
    _, cap = cells_run
    groups = [
        g
        for g in cap.of_type("aws:eks/nodeGroup:NodeGroup")
        if g.inputs["labels"].get("cellguard.io/gpu-pool") == "llm"
    ]
    assert len(groups) == 6
    for g in groups:
        # 8 replicas per region must fit in 2 of 3 zones: 4 single-GPU nodes per zone.
        assert g.inputs["scalingConfig"]["minSize"] == 4
        assert g.inputs["instanceTypes"] == ["p5.4xlarge", "p5.48xlarge"]
        assert g.inputs["taints"] == [
            {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
        ]
        assert g.inputs["nodeRepairConfig"]["enabled"] is True


def test_runs_repeat_in_one_process_with_the_same_result() -> None:
    bp, first = _run("vllm-single-zone.yaml")
    second = run_program(lambda: deploy(bp, Settings()))

    def key(cap: Capture) -> list[tuple[str, str, str]]:
        return sorted((r.type, r.name, repr(r.inputs)) for r in cap.resources)

    assert key(first) == key(second)
    assert all(r.passed for r in verify(second, bp))


def test_single_zone_spec_keeps_its_zone_and_completes_instance_types() -> None:
    bp, _ = _run("vllm-single-zone.yaml")
    pool = bp.regions[0].gpu_pools[0]
    assert pool.zones == ["use1-az4"]
    assert pool.instance_types == ["g6e.2xlarge", "g6e.xlarge"]  # same single L40S
    assert len(bp.cells) == 1 and bp.cells[0].implicit


def test_a_broken_blueprint_fails_the_checks(cells_run: tuple[Blueprint, Capture]) -> None:
    bp, cap = cells_run
    before = {r.name for r in verify(cap, bp) if not r.passed}
    dep = next(
        d
        for d in cap.of_type("kubernetes:apps/v1:Deployment")
        if d.inputs["metadata"]["name"] == "llm"
    )
    pod = dep.inputs["spec"]["template"]["spec"]
    saved = pod.pop("topologySpreadConstraints")
    try:
        failed = {r.name for r in verify(cap, bp) if not r.passed}
    finally:
        pod["topologySpreadConstraints"] = saved
    assert failed - before == {"zone-spread"}


def test_components_are_registered_under_cellguard_tokens(
    cells_run: tuple[Blueprint, Capture],
) -> None:
    _, cap = cells_run
    components = {
        r.type for r in cap.resources if not r.custom and not r.type.startswith("pulumi:")
    }
    assert components == {
        f"cellguard:blueprints:{n}"
        for n in (
            "RegionalFoundation",
            "ClusterPlatform",
            "CellNetwork",
            "GpuCapacity",
            "InferenceCell",
            "CellRouter",
            "GlobalRouting",
            "DataReplication",
            "Alarms",
            "ChaosExperiments",
        )
    }
    providers = Counter(r.type for r in cap.resources if r.type.startswith("pulumi:providers:"))
    assert providers == {"pulumi:providers:aws": 2, "pulumi:providers:kubernetes": 2}


def test_blueprint_model_imports_no_pulumi() -> None:
    source = (
        Path(__file__).resolve().parents[2] / "cellguard" / "blueprints" / "model.py"
    ).read_text()
    assert "pulumi" not in source.replace("pulumi import", "")
