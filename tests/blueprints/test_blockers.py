"""Issue 18's nine blockers of `pulumi up`, each read from a mock run of a generated blueprint.

Every test here failed on the blueprints before the fix (checked by running it on the old code).
Node allocatable is computed here independently of the blueprint's own sizing, with the EKS AMI
reservation for the worst case of 250 pods per node (kube-reserved memory 255 MiB + 11 MiB per
pod, eviction threshold 100 MiB; CPU 6 % of the first core, 1 % of the second, 0.5 % of the
next two, 0.25 % of the rest).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pulumi_aws")

from cellguard.blueprints.from_spec import blueprint_of
from cellguard.blueprints.model import Blueprint
from cellguard.blueprints.program import Settings, deploy
from cellguard.iac.mockrun import Capture, CapturedResource, run_program
from cellguard.iac.verify import region_of
from cellguard.models.catalog.hardware import instance_catalog
from cellguard.models.loader import load
from tests.helpers import REPO

EXAMPLES = ("cell-multi-region.yaml", "vllm-single-zone.yaml", "rag-support-assistant.yaml")
RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def _run(example: str) -> tuple[Blueprint, Capture]:
    bp = blueprint_of(load(REPO / "examples" / example).stacks[0])
    return bp, run_program(lambda: deploy(bp, Settings()))


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Blueprint, Capture]]:
    return {name: _run(name) for name in EXAMPLES}


def _captures(runs: dict[str, tuple[Blueprint, Capture]]) -> Iterator[tuple[str, Capture]]:
    for name, (_, cap) in runs.items():
        yield name, cap


def _allocatable(instance_type: str) -> tuple[float, float]:
    """(CPU cores, memory GiB) a pod may request on one node of ``instance_type``."""
    shape = instance_catalog().shape(instance_type)
    assert shape is not None, instance_type
    vcpus, memory_gib = shape
    reserved_m = 60 + 10 + 5 * min(2, max(0, vcpus - 2)) + 2.5 * max(0, vcpus - 4)
    reserved_mib = 255 + 11 * 250 + 100
    return vcpus - reserved_m / 1000, memory_gib - reserved_mib / 1024


def _cpu(value: str) -> float:
    return float(value[:-1]) / 1000 if value.endswith("m") else float(value)


def _gib(value: str) -> float:
    units = {"Gi": 1.0, "Mi": 1 / 1024}
    for suffix, factor in units.items():
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * factor
    return float(value) / 2**30


def _pod(dep: CapturedResource) -> dict[str, Any]:
    pod: dict[str, Any] = dep.inputs["spec"]["template"]["spec"]
    return pod


def _cluster_providers(cap: Capture) -> set[str]:
    return {r.urn for r in cap.of_type("pulumi:providers:kubernetes")}


def _releases(cap: Capture, chart: str) -> list[CapturedResource]:
    return [r for r in cap.of_type(RELEASE) if r.inputs.get("chart") == chart]


def _one_release_per_cluster(cap: Capture, chart: str) -> list[CapturedResource]:
    releases = _releases(cap, chart)
    providers = {(r.provider or "").rsplit("::", 1)[0] for r in releases}
    assert providers == _cluster_providers(cap), chart
    return releases


def test_blocker1_eks_api_reachable_from_where_pulumi_up_runs(runs: Any) -> None:
    for name, cap in _captures(runs):
        for cluster in cap.of_type("aws:eks/cluster:Cluster"):
            vpc = cluster.inputs["vpcConfig"]
            assert vpc["endpointPublicAccess"] is True, name
            assert vpc["endpointPrivateAccess"] is True, name
            assert vpc["publicAccessCidrs"] == ["0.0.0.0/0"], name
            access = cluster.inputs["accessConfig"]
            assert access["bootstrapClusterCreatorAdminPermissions"] is True, name


def test_blocker1_api_cidrs_come_from_stack_config() -> None:
    bp = blueprint_of(load(REPO / "examples" / "vllm-single-zone.yaml").stacks[0])
    cap = run_program(
        lambda: deploy(bp, Settings.from_config()),
        {"cellguard:apiAllowedCidrs": ["203.0.113.0/24"]},
    )
    (cluster,) = cap.of_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["vpcConfig"]["publicAccessCidrs"] == ["203.0.113.0/24"]


def test_blocker3_opensearch_domain_names_within_aws_limits(runs: Any) -> None:
    names: list[str] = []
    for _, cap in _captures(runs):
        names += [d.inputs["domainName"] for d in cap.of_type("aws:opensearch/domain:Domain")]
    assert len(names) == 4 + 1  # 4 cells of cell-multi-region, 1 of rag-support-assistant
    for domain in names:
        assert 3 <= len(domain) <= 28, domain
        assert re.fullmatch(r"[a-z][a-z0-9-]+", domain), domain
    assert len(set(names)) == len(names)


def _requests(container: dict[str, Any]) -> tuple[float, float]:
    req = container["resources"]["requests"]
    return _cpu(str(req["cpu"])), _gib(str(req["memory"]))


def test_blocker4_system_nodes_hold_every_non_gpu_pod_and_scale(runs: Any) -> None:
    for name, cap in _captures(runs):
        _one_release_per_cluster(cap, "cluster-autoscaler")
        system = [g for g in cap.of_type(NODE_GROUP) if g.name.endswith("-system")]
        for group in system:
            cpu = mem = 0.0
            for dep in cap.of_type(DEPLOYMENT):
                pod = _pod(dep)
                if "cellguard.io/gpu-pool" in pod.get("nodeSelector", {}):
                    continue
                if _foundation(cap, dep) != _foundation(cap, group):
                    continue
                replicas = dep.inputs["spec"].get("replicas") or _hpa_min(cap, dep)
                for container in pod["containers"]:
                    c, m = _requests(container)
                    cpu += replicas * c
                    mem += replicas * m
            alloc_cpu, alloc_mem = min(_allocatable(t) for t in group.inputs["instanceTypes"])
            nodes = group.inputs["scalingConfig"]["minSize"]
            assert cpu <= nodes * alloc_cpu, (name, group.name, cpu, nodes)
            assert mem <= nodes * alloc_mem, (name, group.name, mem, nodes)
            assert group.inputs["scalingConfig"]["maxSize"] >= 2 * nodes


def _foundation(cap: Capture, resource: CapturedResource) -> str | None:
    """The component that owns a resource's provider (one RegionalFoundation per cluster)."""
    urn = (resource.provider or "").rsplit("::", 1)[0]
    return next((r.parent for r in cap.resources if r.urn == urn), None)


def _hpa_min(cap: Capture, dep: CapturedResource) -> int:
    meta = dep.inputs["metadata"]
    for hpa in cap.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        if (hpa.inputs["metadata"]["name"], hpa.inputs["metadata"].get("namespace")) == (
            meta["name"],
            meta.get("namespace"),
        ) and hpa.provider == dep.provider:
            return int(hpa.inputs["spec"]["minReplicas"])
    raise AssertionError(f"no replicas and no HPA for {meta}")


def test_blocker5_gpu_pods_fit_every_instance_type_they_may_land_on(runs: Any) -> None:
    checked = 0
    for name, cap in _captures(runs):
        for dep in cap.of_type(DEPLOYMENT):
            pool = _pod(dep).get("nodeSelector", {}).get("cellguard.io/gpu-pool")
            if pool is None:
                continue
            cpu, mem = _requests(_pod(dep)["containers"][0])
            types = {
                t
                for g in cap.of_type(NODE_GROUP)
                if g.inputs["labels"].get("cellguard.io/gpu-pool") == pool
                for t in g.inputs["instanceTypes"]
            }
            types |= {
                r.inputs["instanceType"]
                for r in cap.of_type("aws:ec2/capacityReservation:CapacityReservation")
                if r.inputs["tags"].get("cellguard:component") == pool
            }
            for instance_type in types:
                alloc_cpu, alloc_mem = _allocatable(instance_type)
                assert cpu <= alloc_cpu and mem <= alloc_mem, (name, pool, instance_type, cpu, mem)
                checked += 1
    assert checked >= 10


def test_blocker6_nvidia_device_plugin_on_every_gpu_cluster(runs: Any) -> None:
    for name, cap in _captures(runs):
        for release in _one_release_per_cluster(cap, "nvidia-device-plugin"):
            assert release.inputs["repositoryOpts"]["repo"] == (
                "https://nvidia.github.io/k8s-device-plugin"
            )
            values = release.inputs["values"]
            assert {
                "key": "nvidia.com/gpu",
                "operator": "Exists",
                "effect": "NoSchedule",
            } in values["tolerations"], name


def _associations(cap: Capture) -> dict[tuple[str, str, str], str]:
    """(cluster provider parent, namespace, service account) -> role ARN."""
    out = {}
    for assoc in cap.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"):
        key = (
            assoc.inputs["clusterName"],
            assoc.inputs["namespace"],
            assoc.inputs["serviceAccount"],
        )
        out[key] = assoc.inputs["roleArn"]
    return out


def test_blocker7_load_balancer_controller_installed_with_an_identity(runs: Any) -> None:
    for name, cap in _captures(runs):
        releases = _one_release_per_cluster(cap, "aws-load-balancer-controller")
        clusters = {c.name for c in cap.of_type("aws:eks/cluster:Cluster")}
        assert {r.inputs["values"]["clusterName"] for r in releases} == clusters, name
        accounts = {(k[0], k[1], k[2]) for k in _associations(cap)}
        for cluster in clusters:
            assert (cluster, "kube-system", "aws-load-balancer-controller") in accounts, name
        for svc in cap.of_type("kubernetes:core/v1:Service"):
            if svc.inputs["spec"].get("type") == "LoadBalancer":
                annotations = svc.inputs["metadata"]["annotations"]
                assert (
                    annotations["service.beta.kubernetes.io/aws-load-balancer-type"] == "external"
                )


def test_blocker8_weights_are_read_with_a_pod_identity_allowed_on_the_regions_bucket(
    runs: Any,
) -> None:
    checked = 0
    for name, cap in _captures(runs):
        addons = {a.inputs["addonName"] for a in cap.of_type("aws:eks/addon:Addon")}
        assert "eks-pod-identity-agent" in addons, name
        policies = {
            p.inputs["role"]: p.inputs["policy"]
            for p in cap.of_type("aws:iam/rolePolicy:RolePolicy")
        }
        associations = _associations(cap)
        for dep in cap.of_type(DEPLOYMENT):
            pod = _pod(dep)
            if not any(c["name"] == "prepull-weights" for c in pod.get("initContainers", [])):
                continue
            account = pod["serviceAccountName"]
            namespace = dep.inputs["metadata"]["namespace"]
            matching = [
                role
                for (_, ns, sa), role in associations.items()
                if (ns, sa) == (namespace, account)
            ]
            assert matching, (name, namespace, account)
            role_name = matching[0].rsplit("/", 1)[-1]
            statements = json.loads(policies[f"{role_name}-id"])["Statement"]
            actions = {a for s in statements for a in s["Action"]}
            assert {"s3:GetObject", "s3:ListBucket"} <= actions
            buckets = {
                b.inputs and f"arn:aws:mock:::aws:s3/bucket:Bucket/{b.name}": b
                for b in cap.of_type("aws:s3/bucket:Bucket")
            }
            read = {r for s in statements for r in s["Resource"]}
            (bucket,) = [buckets[r] for r in read if r in buckets]
            assert region_of(cap, bucket) == region_of(cap, dep), (name, namespace)
            annotations = dep.inputs["metadata"]["annotations"]
            assert annotations["pulumi.com/skipAwait"] == "true"
            checked += 1
    assert checked == 8  # llm and embedder in the 4 cells of cell-multi-region


def test_blocker9_gpu_nodes_have_a_root_disk_for_images_and_weights(runs: Any) -> None:
    checked = 0
    for name, cap in _captures(runs):
        templates = {
            f"{t.name}-id": t for t in cap.of_type("aws:ec2/launchTemplate:LaunchTemplate")
        }
        for group in cap.of_type(NODE_GROUP):
            if "cellguard.io/gpu-pool" not in group.inputs["labels"]:
                continue
            if "launchTemplate" in group.inputs:
                template = templates[group.inputs["launchTemplate"]["id"]]
                sizes = [m["ebs"]["volumeSize"] for m in template.inputs["blockDeviceMappings"]]
                assert max(sizes) >= 100, (name, group.name)
            else:
                assert group.inputs["diskSize"] >= 100, (name, group.name)
            checked += 1
    assert checked >= 8


def test_blocker2_requirements_install_the_cellguard_that_generated_it(tmp_path: Path) -> None:
    from cellguard.iac.synth import cellguard_requirement

    class Dist:
        version = "0.1.0"

        def __init__(self, direct_url: str | None) -> None:
            self.direct_url = direct_url

        def read_text(self, name: str) -> str | None:
            return self.direct_url if name == "direct_url.json" else None

    editable = json.dumps({"url": "file:///src/cellguard", "dir_info": {"editable": True}})
    vcs = json.dumps(
        {
            "url": "https://github.com/acme/cellguard.git",
            "vcs_info": {"vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"},
        }
    )
    archive = json.dumps(
        {
            "url": "https://files.example.com/cellguard-0.1.0.tar.gz",
            "archive_info": {"hashes": {"sha256": "ab12"}},
        }
    )
    assert cellguard_requirement(Dist(editable)) == "cellguard[pulumi] @ file:///src/cellguard"
    assert cellguard_requirement(Dist(vcs)) == (
        "cellguard[pulumi] @ git+https://github.com/acme/cellguard.git@0123abcd"
    )
    assert cellguard_requirement(Dist(archive)) == (
        "cellguard[pulumi] @ https://files.example.com/cellguard-0.1.0.tar.gz#sha256=ab12"
    )
    assert cellguard_requirement(Dist(None)) == "cellguard[pulumi]==0.1.0"


def test_blocker5_gpu_pools_hold_every_cells_pods_with_a_zone_lost(tmp_path: Path) -> None:
    """Four cells per region: each cell's share of the replicas is rounded up and spread over
    the zones on its own, so the pools must hold more than the spec's replicas per zone."""
    import yaml

    spec = yaml.safe_load((REPO / "examples" / "cell-multi-region.yaml").read_text("utf-8"))
    extra = {
        "us-east-1": ["cell-use1-c", "cell-use1-d"],
        "us-west-2": ["cell-usw2-c", "cell-usw2-d"],
    }
    for region, ids in extra.items():
        spec["topology"]["cells"] += [
            {"id": i, "region": region, "partition": "tenant-hash"} for i in ids
        ]
    for comp in spec["components"]:
        placed = (comp.get("placement") or {}).get("cells")
        if placed:
            placed += [i for ids in extra.values() for i in ids]
    path = tmp_path / "four-cells.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    bp = blueprint_of(load(path).stacks[0])
    cap = run_program(lambda: deploy(bp, Settings()))
    scaled = cap.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")
    for pool in ("llm", "embedder"):
        for region in ("us-east-1", "us-west-2"):
            counts = [
                s.inputs["spec"]["minReplicaCount"]
                for s in scaled
                if s.inputs["metadata"]["name"] == pool and region_of(cap, s) == region
            ]
            assert len(counts) == 4
            need = sum(-(-n // 2) for n in counts)  # 3 zones, one lost: ceil(n / 2) per cell
            groups = [
                g
                for g in cap.of_type(NODE_GROUP)
                if g.inputs["labels"].get("cellguard.io/gpu-pool") == pool
                and region_of(cap, g) == region
            ]
            assert len(groups) == 3
            for g in groups:  # one GPU per node and per pod in both pools
                assert g.inputs["scalingConfig"]["minSize"] >= need, (pool, region, counts)


def test_blocker2_a_cellguard_run_from_a_checkout_names_the_checkout(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not installed (no distribution, or only an egg-info without INSTALLER): the requirement is
    the checkout's directory, not a version pin that no index serves."""
    from cellguard.iac import synth

    class EggInfo:
        version = "0.1.0"

        def read_text(self, name: str) -> str | None:
            return None  # no INSTALLER, no direct_url.json

    for found in ([], [EggInfo()]):
        monkeypatch.setattr(synth.metadata, "distributions", lambda name, found=found: found)
        assert synth.installed_requirement() == f"cellguard[pulumi] @ {REPO.as_uri()}"
    monkeypatch.setattr(synth, "source_tree", lambda: None)
    assert synth.installed_requirement() == "cellguard[pulumi]==0.1.0"
