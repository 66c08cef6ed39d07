"""Issue 18's "deploys but does not work" list, read from mock runs (each failed on the old code)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

pytest.importorskip("pulumi_aws")

from cellguard.blueprints import program as program_module
from cellguard.blueprints.from_spec import blueprint_of
from cellguard.blueprints.model import Blueprint
from cellguard.blueprints.program import Settings, deploy
from cellguard.iac.mockrun import Capture, CapturedResource, run_program
from cellguard.iac.verify import region_of
from cellguard.models.loader import load
from tests.helpers import REPO

CELLS = REPO / "examples" / "cell-multi-region.yaml"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def _bp(path: Path = CELLS) -> Blueprint:
    return blueprint_of(load(path).stacks[0])


def _run(config: dict[str, Any] | None = None, path: Path = CELLS) -> Capture:
    bp = _bp(path)
    return run_program(lambda: deploy(bp, Settings.from_config()), config or {})


@pytest.fixture(scope="module")
def cap() -> Capture:
    return _run({"cellguard:domain": "cells.example.org"})


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cell-multi-region whose router names no image: the blueprint's NGINX data plane."""
    spec = yaml.safe_load(CELLS.read_text(encoding="utf-8"))
    router = next(c for c in spec["components"] if c["kind"] == "router")
    del router["image"]
    path = tmp_path_factory.mktemp("nginx") / "spec.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    return path


def _named(cap: Capture, token: str, name: str) -> list[CapturedResource]:
    return [r for r in cap.of_type(token) if r.inputs["metadata"]["name"] == name]


def _pod(dep: CapturedResource) -> dict[str, Any]:
    pod: dict[str, Any] = dep.inputs["spec"]["template"]["spec"]
    return pod


def test_vllm_gets_fp8_shared_memory_and_an_optional_hugging_face_token(cap: Capture) -> None:
    for dep in _named(cap, DEPLOYMENT, "llm"):
        pod = _pod(dep)
        (container,) = pod["containers"]
        args = container["args"]
        assert args[args.index("--quantization") + 1] == "fp8"  # spec: precision fp8
        assert {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": "16Gi"}} in pod[
            "volumes"
        ]
        assert {"name": "dshm", "mountPath": "/dev/shm"} in container["volumeMounts"]
        token = container["env"][0]
        assert token["name"] == "HF_TOKEN"
        assert token["valueFrom"]["secretKeyRef"] == {
            "name": "hf-token",
            "key": "token",
            "optional": True,
        }
    for dep in _named(cap, DEPLOYMENT, "embedder"):
        assert "--quantization" not in _pod(dep)["containers"][0]["args"]  # fp16
    assert cap.of_type("kubernetes:core/v1:Secret") == []
    with_token = _run({"cellguard:huggingfaceToken": "hf_test"})
    secrets = with_token.of_type("kubernetes:core/v1:Secret")
    assert len(secrets) == 4  # one per GPU cell
    assert {s.inputs["metadata"]["name"] for s in secrets} == {"hf-token"}


def test_autoscalers_own_the_replica_count_and_read_metrics_that_exist(cap: Capture) -> None:
    assert all("replicas" not in d.inputs["spec"] for d in cap.of_type(DEPLOYMENT))
    scaled = cap.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject")
    assert len(scaled) == 8  # llm and embedder in 4 cells
    llm = next(s for s in scaled if s.inputs["metadata"]["name"] == "llm")
    assert llm.inputs["spec"]["minReplicaCount"] == 4
    (trigger,) = llm.inputs["spec"]["triggers"]
    assert trigger["type"] == "aws-cloudwatch"
    meta = trigger["metadata"]
    assert (meta["namespace"], meta["metricName"]) == ("CellGuard/Inference", "QueueDepth")
    assert meta["dimensionValue"] == f"assistant-cells;{llm.inputs['metadata']['namespace']}"
    hpas = cap.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")
    assert {m["type"] for h in hpas for m in h.inputs["spec"]["metrics"]} == {"Resource"}
    addons = [a.inputs["addonName"] for a in cap.of_type("aws:eks/addon:Addon")]
    assert addons.count("metrics-server") == 2
    charts = [r.inputs["chart"] for r in cap.of_type("kubernetes:helm.sh/v3:Release")]
    assert charts.count("keda") == 2 and charts.count("opentelemetry-collector") == 2


def test_the_metrics_the_alarms_read_are_published_and_missing_data_does_not_page(
    cap: Capture,
) -> None:
    collector = next(
        r
        for r in cap.of_type("kubernetes:helm.sh/v3:Release")
        if r.inputs["chart"] == "opentelemetry-collector"
    )
    emf = collector.inputs["values"]["config"]["exporters"]["awsemf"]
    published = set(emf["metric_declarations"][0]["metric_name_selectors"])
    assert emf["namespace"] == "CellGuard/Inference"
    alarms = cap.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
    read = {a.inputs["metricName"] for a in alarms}
    assert read - published == {"ErrorRate"}  # published by the cell APIs (README)
    assert {a.inputs["treatMissingData"] for a in alarms} == {"notBreaching"}
    topics = {f"{t.name}-id" for t in cap.of_type("aws:sns/topic:Topic")}
    composites = cap.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    assert len(composites) == 2
    for composite in composites:
        assert composite.inputs["alarmActions"][0].rsplit("/", 1)[-1] + "-id" in topics


def test_routers_route_by_tenant_with_health_checks_they_answer(nginx: Path) -> None:
    cap = _run({"cellguard:domain": "cells.example.org"}, nginx)
    checks = cap.of_type("aws:route53/healthCheck:HealthCheck")
    assert {(c.inputs["type"], c.inputs["port"], c.inputs["resourcePath"]) for c in checks} == {
        ("HTTP", 80, "/healthz")
    }
    (conf,) = {
        c.inputs["data"]["default.conf"]
        for c in cap.of_type("kubernetes:core/v1:ConfigMap")
        if c.inputs["metadata"]["name"] == "router-nginx"
    }
    assert "location = /healthz { access_log off; return 200 'ok'; }" in conf
    assert (
        "    server cell-use1-a.cells.cells.example.org:80 resolve max_fails=3 fail_timeout=10s;"
        in conf
    )
    assert "    server cell-usw2-a.cells.cells.example.org:80 resolve backup;" in conf
    assert 'split_clients "$http_x_tenant_id" $hashed_cell {' in conf
    shares = [
        line.split()[0] for line in conf.split("$hashed_cell {\n")[1].split("}")[0].splitlines()
    ]
    assert shares == ["25.00%", "25.00%", "25.00%", "*"]  # NGINX reads two decimals at most
    assert conf.count("zone cells 256k;") == 1 and conf.count("    zone cells;") == 3
    cell_map = json.loads(
        next(
            c.inputs["data"]["cells.json"]
            for c in cap.of_type("kubernetes:core/v1:ConfigMap")
            if c.inputs["metadata"]["name"] == "cell-map"
        )
    )
    assert cell_map["cells"][0]["service"] == "cell-use1-a.cells.cells.example.org"
    (zone,) = [z for z in cap.of_type("aws:route53/zone:Zone") if z.inputs.get("vpcs")]
    assert zone.inputs["name"] == "cells.cells.example.org" and len(zone.inputs["vpcs"]) == 2
    records = {r.inputs["name"] for r in cap.of_type("aws:route53/record:Record")}
    assert "cell-usw2-b.cells.cells.example.org" in records
    (peering,) = cap.of_type("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
    assert peering.inputs["peerRegion"] == "us-west-2"
    assert len(cap.of_type("aws:ec2/route:Route")) == 6  # 3 private route tables per side
    gateways = _named(cap, "kubernetes:core/v1:Service", "cell-gateway")
    assert len(gateways) == 4
    annotations = gateways[0].inputs["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"


def test_a_router_image_of_the_spec_gets_the_cell_map_not_nginx(cap: Capture) -> None:
    (router, *_) = _named(cap, DEPLOYMENT, "edge-router")
    assert "edge-router@sha256:" in _pod(router)["containers"][0]["image"]
    names = {c.inputs["metadata"]["name"] for c in cap.of_type("kubernetes:core/v1:ConfigMap")}
    assert "cell-map" in names and "router-nginx" not in names


def test_tenant_pins_are_checked(nginx: Path) -> None:
    cap = _run({"cellguard:tenantPins": {"acme": "cell-usw2-b"}}, nginx)
    conf = next(
        c.inputs["data"]["default.conf"]
        for c in cap.of_type("kubernetes:core/v1:ConfigMap")
        if c.inputs["metadata"]["name"] == "router-nginx"
    )
    assert "    acme cell_cell_usw2_b;" in conf
    with pytest.raises(Exception, match="must map a tenant id"):
        _run({"cellguard:tenantPins": {"acme;evil": "cell-usw2-b"}}, nginx)


def test_every_region_reads_weights_from_its_own_bucket(cap: Capture) -> None:
    buckets = {
        f"{b.name}-bucket": region_of(cap, b)
        for b in cap.of_type("aws:s3/bucket:Bucket")
        if b.inputs["tags"].get("cellguard:role") == "model-artifacts"
    }
    assert sorted(buckets.values()) == ["us-east-1", "us-west-2"]
    maps = [
        c
        for c in cap.of_type("kubernetes:core/v1:ConfigMap")
        if c.inputs["metadata"]["name"] == "cellguard-artifacts"
    ]
    assert len(maps) == 4
    for cmap in maps:
        assert buckets[cmap.inputs["data"]["bucket"]] == region_of(cap, cmap)


def test_opensearch_is_reachable_from_the_pods_and_has_masters(cap: Capture) -> None:
    groups = {f"{g.name}-id": g for g in cap.of_type("aws:ec2/securityGroup:SecurityGroup")}
    for domain in cap.of_type("aws:opensearch/domain:Domain"):
        (group_id,) = domain.inputs["vpcOptions"]["securityGroupIds"]
        (rule,) = groups[group_id].inputs["ingress"]
        assert (rule["fromPort"], rule["toPort"], rule["protocol"]) == (443, 443, "tcp")
        policy = json.loads(domain.inputs["accessPolicies"])
        assert policy["Statement"][0]["Action"] == "es:ESHttp*"
        config = domain.inputs["clusterConfig"]
        assert config["dedicatedMasterEnabled"] is True and config["dedicatedMasterCount"] == 3


def test_fis_pod_kill_has_its_access_entry_and_rbac(cap: Capture) -> None:
    entries = cap.of_type("aws:eks/accessEntry:AccessEntry")
    assert {e.inputs["userName"] for e in entries} == {"fis-experiment"} and len(entries) == 2
    bindings = cap.of_type("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding")
    assert len(bindings) == 2
    subjects = bindings[0].inputs["subjects"]
    assert {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "fis-experiment"} in (
        subjects
    )
    roles = cap.of_type("kubernetes:rbac.authorization.k8s.io/v1:Role")
    assert any("pods" in rule["resources"] for rule in roles[0].inputs["rules"])


def test_no_pdb_blocks_a_drain(cap: Capture, tmp_path: Path) -> None:
    spec = yaml.safe_load((REPO / "examples" / "vllm-single-zone.yaml").read_text("utf-8"))
    for comp in spec["components"]:
        if "replicas" in comp:
            comp["replicas"] = 1  # the old budget kept minAvailable 1 of 1: no drain, ever
    path = tmp_path / "single.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    single = _run({}, path)
    budgets = single.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert budgets and all(
        b.inputs["spec"] == {**b.inputs["spec"], "maxUnavailable": 1} for b in budgets
    )
    for capture in (cap, single):
        for pdb in capture.of_type("kubernetes:policy/v1:PodDisruptionBudget"):
            spec = pdb.inputs["spec"]
            meta = pdb.inputs["metadata"]
            owner = next(
                s
                for s in capture.resources
                if s.type.endswith(("HorizontalPodAutoscaler", "ScaledObject"))
                and s.inputs["metadata"]["name"] == meta["name"]
                and s.inputs["metadata"].get("namespace") == meta.get("namespace")
            )
            low = owner.inputs["spec"].get("minReplicas") or owner.inputs["spec"]["minReplicaCount"]
            if "minAvailable" in spec:
                assert spec["minAvailable"] < low, meta
            else:
                assert spec["maxUnavailable"] == 1, meta


def test_a_subset_of_regions_deploys_and_keeps_the_data_replicated() -> None:
    cap = _run({"cellguard:regions": ["us-west-2"]})
    clusters = cap.of_type("aws:eks/cluster:Cluster")
    assert [region_of(cap, c) for c in clusters] == ["us-west-2"]
    tables = cap.of_type("aws:dynamodb/table:Table")
    assert tables and all(t.inputs["replicas"] for t in tables)
    with pytest.raises(ValueError, match=r"expected a subset of \['us-east-1', 'us-west-2'\]"):
        _run({"cellguard:regions": ["eu-west-1"]})


def test_prompt_tables_are_tagged_for_the_crossguard_policy(cap: Capture) -> None:
    roles = [
        t.inputs["tags"].get("cellguard:role") for t in cap.of_type("aws:dynamodb/table:Table")
    ]
    assert roles.count("prompts") == 2  # prompts: one global table per partner-cell group


def test_stack_outputs_and_destroy(monkeypatch: pytest.MonkeyPatch) -> None:
    exported: dict[str, Any] = {}
    monkeypatch.setattr(program_module.pulumi, "export", lambda k, v: exported.setdefault(k, v))
    cap = _run({"cellguard:allowDestroy": True})
    assert sorted(exported) == ["artifactBuckets", "clusters", "kubeconfigs", "nameServers"]
    assert all(b.inputs["forceDestroy"] is True for b in cap.of_type("aws:s3/bucket:Bucket"))
    tables = cap.of_type("aws:dynamodb/table:Table")
    assert {t.inputs["deletionProtectionEnabled"] for t in tables} == {False}


def test_capacity_blocks_start_empty_and_name_their_instance_type(tmp_path: Path) -> None:
    spec = yaml.safe_load(CELLS.read_text(encoding="utf-8"))
    llm = next(c for c in spec["components"] if c["id"] == "llm")
    llm["capacity"] = {"purchase": "capacity_block", "reserved_replicas": 8}
    path = tmp_path / "blocks.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    cap = _run({}, path)
    templates = {f"{t.name}-id": t for t in cap.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    groups = [
        g
        for g in cap.of_type("aws:eks/nodeGroup:NodeGroup")
        if g.inputs.get("capacityType") == "CAPACITY_BLOCK"
    ]
    assert len(groups) == 6
    for group in groups:
        assert group.inputs["scalingConfig"]["minSize"] == 0
        assert group.inputs["scalingConfig"]["desiredSize"] == 0
        assert "instanceTypes" not in group.inputs
        template = templates[group.inputs["launchTemplate"]["id"]]
        assert template.inputs["instanceType"] == "p5.4xlarge"


def test_generated_project_has_a_readme_and_installs_this_cellguard(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cellguard.cli.main import app
    from cellguard.iac.synth import installed_requirement

    out = tmp_path / "proj"
    result = CliRunner().invoke(app, ["blueprint", str(CELLS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    first = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()[0]
    assert first == installed_requirement()
    assert first != "cellguard[pulumi]==0.1.0"  # this checkout is installed from a directory
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "Running On-Demand P instances" in readme
    assert "aws s3 sync" in readme and "pulumi destroy" in readme
    config = yaml.safe_load((out / "Pulumi.prod.yaml").read_text(encoding="utf-8"))["config"]
    assert config["cellguard:versions"]["nvidia-device-plugin"] == "0.17.1"


def test_a_replica_whose_weights_leave_vllm_no_room_is_exit_2(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cellguard.cli.main import app

    spec = yaml.safe_load(CELLS.read_text(encoding="utf-8"))
    llm = next(c for c in spec["components"] if c["id"] == "llm")
    llm["model"].update(name="meta-llama/Llama-3.1-70B-Instruct", params_b=70, precision="bf16")
    llm["serving"].update(gpus_per_replica=2, instance_types=["p5.48xlarge"])
    path = tmp_path / "big.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    out = tmp_path / "proj"
    result = CliRunner().invoke(app, ["blueprint", str(path), "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert (
        "components[llm]: 70B parameters in bf16 are 140 GB of weights, more than 80% of the "
        "160 GB of 2 x H100 per replica: vLLM could not start" in result.output
    )
    assert "set serving.gpus_per_replica to 4" in result.output
    assert not out.exists() or not any(out.iterdir())
    llm["model"]["precision"] = "fp8"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    fits = CliRunner().invoke(app, ["blueprint", str(path), "-o", str(out)])
    assert fits.exit_code == 0, fits.output


def test_iam_role_names_fit_after_pulumi_auto_naming(cap: Capture) -> None:
    for role in cap.of_type("aws:iam/role:Role"):
        name = role.inputs.get("name") or f"{role.name}-1234567"
        assert len(name) <= 64, (role.name, name)


def test_fis_targets_name_at_most_five_arns_else_tags(cap: Capture) -> None:
    groups = cap.of_type("aws:eks/nodeGroup:NodeGroup")
    for template in cap.of_type("aws:fis/experimentTemplate:ExperimentTemplate"):
        for target in template.inputs["targets"]:
            assert len(target.get("resourceArns", [])) <= 5, template.name
            if "resourceTags" not in target:
                continue
            wanted = {t["key"]: t["value"] for t in target["resourceTags"]}
            matched = [g for g in groups if wanted.items() <= g.inputs["tags"].items()]
            assert len(matched) == 6, (template.name, wanted)  # llm + embedder, 3 zones


def test_services_calling_dynamodb_and_bedrock_have_their_own_identity(cap: Capture) -> None:
    api = _named(cap, DEPLOYMENT, "cell-api")
    assert len(api) == 4 and {_pod(d)["serviceAccountName"] for d in api} == {"cell-api"}
    policies = {
        p.name: json.loads(p.inputs["policy"]) for p in cap.of_type("aws:iam/rolePolicy:RolePolicy")
    }
    doc = policies["assistant-cells-cell-usw2-a-cell-api"]
    resources = {r for s in doc["Statement"] for r in s["Resource"]}
    assert "arn:aws:dynamodb:us-west-2:*:table/assistant-cells-prompts-cell-use1-a" in resources
    assert any(r.startswith("arn:aws:bedrock:*::foundation-model/anthropic.") for r in resources)
    associations = cap.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation")
    assert ("cell-usw2-a", "cell-api") in {
        (a.inputs["namespace"], a.inputs["serviceAccount"]) for a in associations
    }
