"""The CrossGuard policies, called through each policy's own ``validate``.

Arguments are built with pulumi-policy's own classes, and properties are wrapped the way the
analyzer wraps them (``unknown_checking_proxy``, numbers as floats), so a check sees what it
sees under ``pulumi preview``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_NUMBER_VALUE,
    UnknownValueError,
    unknown_checking_proxy,
)

from cellguard.blueprints.policies import catalog
from cellguard.blueprints.policies.catalog import Enforcement, Scope
from cellguard.blueprints.policies.pack import build_policies
from cellguard.iac.policy_pack import pack_files
from cellguard.rules.builtin import builtin_rules

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
BUCKET = "aws:s3/bucket:Bucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
TABLE = "aws:dynamodb/table:Table"
TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
CLUSTER = "aws:eks/cluster:Cluster"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
OPTS = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [])
POLICIES: dict[str, Policy] = {p.name: p for p in build_policies()}

# -- helpers ---------------------------------------------------------------------------------


def urn(type_: str, name: str) -> str:
    return f"urn:pulumi:prod::cells::{type_}::{name}"


def validate(policy_name: str, type_: str, props: Mapping[str, Any], name: str = "r") -> list[str]:
    """Run a resource policy on one resource; return the violation messages."""
    policy = POLICIES[policy_name]
    assert isinstance(policy, ResourceValidationPolicy)
    args = ResourceValidationArgs(
        type_, unknown_checking_proxy(dict(props)), urn(type_, name), name, OPTS, None
    )
    messages: list[str] = []
    policy.validate(args, lambda message, _urn=None: messages.append(message))
    return messages


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    deps: Mapping[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    """A stack resource; ``deps`` are its property dependencies."""
    prop_deps = dict(deps or {})
    flat = [r for rs in prop_deps.values() for r in rs]
    return PolicyResource(
        type_,
        unknown_checking_proxy(dict(props)),
        urn(type_, name),
        name,
        OPTS,
        None,
        None,
        flat,
        prop_deps,
    )


def validate_stack(policy_name: str, *resources: PolicyResource) -> list[tuple[str, str | None]]:
    """Run a stack policy; return (message, urn) of every violation."""
    policy = POLICIES[policy_name]
    assert isinstance(policy, StackValidationPolicy)
    found: list[tuple[str, str | None]] = []
    policy.validate(
        StackValidationArgs(list(resources)), lambda message, u=None: found.append((message, u))
    )
    return found


def vllm(**overrides: Any) -> dict[str, Any]:
    """A GPU Deployment as the InferenceCell writes it: every policy passes."""
    container = {
        "name": "vllm",
        "image": "vllm/vllm-openai:v0.6.3",
        "resources": {"requests": {"nvidia.com/gpu": "1"}, "limits": {"nvidia.com/gpu": 1.0}},
        "startupProbe": {"httpGet": {"path": "/health", "port": 8000}, "failureThreshold": 60.0},
        "readinessProbe": {"httpGet": {"path": "/health", "port": 8000}},
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8000}},
    }
    labels = {"app": "llm", "cell": "cell-a"}
    props: dict[str, Any] = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "llm", "namespace": "cell-a"},
        "spec": {
            "replicas": 3.0,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [container],
                    "topologySpreadConstraints": [
                        {
                            "maxSkew": 1.0,
                            "topologyKey": "topology.kubernetes.io/zone",
                            "whenUnsatisfiable": "DoNotSchedule",
                            "labelSelector": {"matchLabels": labels},
                        }
                    ],
                },
            },
        },
    }
    props.update(overrides)
    return props


def container_of(props: dict[str, Any]) -> dict[str, Any]:
    container: dict[str, Any] = props["spec"]["template"]["spec"]["containers"][0]
    return container


# -- the catalog -----------------------------------------------------------------------------


def test_catalog_names_rules_and_scopes() -> None:
    known_rules = {rule.meta.id for rule in builtin_rules()}
    names = [info.name for info in catalog.CATALOG]
    assert len(names) == len(set(names)) == 10
    assert all(name.startswith("cellguard-") for name in names)
    for info in catalog.CATALOG:
        assert set(info.rules) <= known_rules, info.name
        policy = POLICIES[info.name]
        expected = StackValidationPolicy if info.scope is Scope.STACK else ResourceValidationPolicy
        assert isinstance(policy, expected)
        assert policy.enforcement_level == EnforcementLevel(info.enforcement.value)
        assert policy.remediation_steps == info.remediation
        assert policy.tags == ["cellguard", *info.rules]
    assert [i.name for i in catalog.CATALOG if i.enforcement is Enforcement.ADVISORY] == [
        "cellguard-eks-private-endpoint"
    ]
    assert catalog.EKS_PRIVATE_ENDPOINT.rules == ()


def test_messages_carry_the_remediation_and_the_rules() -> None:
    message = catalog.GPU_ZONE_SPREAD.message("Deployment x/y is in one zone.")
    assert message.startswith("Deployment x/y is in one zone. Fix: run 2 or more replicas")
    assert message.endswith("[cellguard CG-RED-001, CG-CAP-012]")
    assert catalog.EKS_PRIVATE_ENDPOINT.message("p.").endswith("[cellguard]")


# -- GPU workloads ---------------------------------------------------------------------------


def test_a_blueprint_style_gpu_deployment_passes_every_resource_policy() -> None:
    for name in (
        "cellguard-gpu-requests-equal-limits",
        "cellguard-gpu-zone-spread",
        "cellguard-gpu-probes",
    ):
        assert validate(name, DEPLOYMENT, vllm()) == []
        assert validate(name, STATEFULSET, vllm()) == []


def test_workloads_without_gpus_and_other_types_are_not_judged() -> None:
    props = vllm()
    container_of(props)["resources"] = {"limits": {"cpu": "2"}}
    props["spec"]["replicas"] = 1.0
    del props["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert validate("cellguard-gpu-zone-spread", DEPLOYMENT, props) == []
    assert validate("cellguard-gpu-probes", "kubernetes:batch/v1:Job", vllm(spec={})) == []


def test_gpu_requests_must_equal_limits() -> None:
    props = vllm()
    container_of(props)["resources"] = {
        "requests": {"nvidia.com/gpu": "1"},
        "limits": {"nvidia.com/gpu": 2.0},
    }
    [message] = validate("cellguard-gpu-requests-equal-limits", DEPLOYMENT, props)
    assert message.startswith(
        "Deployment cell-a/llm container vllm requests nvidia.com/gpu 1 but limits it to 2. Fix: "
    )
    assert message.endswith("[cellguard CG-CAP-011, CG-CAP-012]")


def test_a_gpu_request_without_a_limit_fails_and_a_limit_alone_passes() -> None:
    props = vllm()
    container_of(props)["resources"] = {"requests": {"nvidia.com/gpu": 1.0}}
    [message] = validate("cellguard-gpu-requests-equal-limits", DEPLOYMENT, props)
    assert "requests nvidia.com/gpu 1 without a limit." in message
    container_of(props)["resources"] = {"limits": {"nvidia.com/gpu": "4"}}
    assert validate("cellguard-gpu-requests-equal-limits", DEPLOYMENT, props) == []


def test_zone_spread_is_required() -> None:
    props = vllm()
    props["spec"]["template"]["spec"]["topologySpreadConstraints"] = [
        {"topologyKey": "kubernetes.io/hostname", "maxSkew": 1.0, "labelSelector": {}}
    ]
    [message] = validate("cellguard-gpu-zone-spread", DEPLOYMENT, props)
    assert message.startswith(
        "Deployment cell-a/llm has no topology spread constraint over "
        "topology.kubernetes.io/zone. Fix: "
    )


def test_zone_spread_must_select_the_workloads_own_pods() -> None:
    props = vllm()
    constraint = props["spec"]["template"]["spec"]["topologySpreadConstraints"][0]
    constraint["labelSelector"] = {"matchLabels": {"app": "other"}}
    [message] = validate("cellguard-gpu-zone-spread", DEPLOYMENT, props)
    assert "has a zone spread constraint whose labelSelector does not select its own pods" in (
        message
    )
    constraint["labelSelector"] = {
        "matchExpressions": [{"key": "app", "operator": "In", "values": ["llm", "x"]}]
    }
    assert validate("cellguard-gpu-zone-spread", DEPLOYMENT, props) == []


def test_one_replica_cannot_span_zones() -> None:
    props = vllm()
    props["spec"]["replicas"] = 1.0
    [message] = validate("cellguard-gpu-zone-spread", DEPLOYMENT, props)
    assert message.startswith(
        "Deployment cell-a/llm runs 1 replica; one replica cannot span zones. Fix:"
    )


def test_probes_are_required_and_missing_ones_are_named() -> None:
    props = vllm()
    del container_of(props)["readinessProbe"]
    del container_of(props)["livenessProbe"]
    [message] = validate("cellguard-gpu-probes", DEPLOYMENT, props)
    assert message.startswith(
        "Deployment cell-a/llm container vllm has no readinessProbe, livenessProbe. Fix: add a "
        "startupProbe"
    )
    assert message.endswith("[cellguard CG-COR-010, CG-CAP-004]")


def test_an_unknown_gpu_limit_is_left_to_the_engine() -> None:
    props = vllm()
    container_of(props)["resources"]["limits"]["nvidia.com/gpu"] = UNKNOWN_NUMBER_VALUE
    with pytest.raises(UnknownValueError):
        validate("cellguard-gpu-requests-equal-limits", DEPLOYMENT, props)


def pdb(namespace: str = "cell-a", **spec: Any) -> dict[str, Any]:
    body = {"selector": {"matchLabels": {"app": "llm"}}, "maxUnavailable": 1.0}
    body.update(spec)
    return {"metadata": {"name": "llm", "namespace": namespace}, "spec": body}


def test_every_gpu_workload_needs_a_disruption_budget_selecting_it() -> None:
    workload = resource(DEPLOYMENT, "llm", vllm())
    assert (
        validate_stack("cellguard-gpu-disruption-budget", workload, resource(PDB, "p", pdb())) == []
    )
    [(message, where)] = validate_stack("cellguard-gpu-disruption-budget", workload)
    assert where == workload.urn
    assert message.startswith(
        "Deployment cell-a/llm has no PodDisruptionBudget that selects its pods and sets "
        "minAvailable or maxUnavailable. Fix: add a policy/v1 PodDisruptionBudget"
    )


@pytest.mark.parametrize(
    "budget",
    [
        pdb(namespace="cell-b"),
        pdb(selector={"matchLabels": {"app": "router"}}),
        pdb(
            selector={"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["llm"]}]}
        ),
        {"metadata": {"name": "p", "namespace": "cell-a"}, "spec": {"selector": {}}},
    ],
    ids=["other-namespace", "other-labels", "not-in", "no-budget"],
)
def test_a_budget_that_does_not_protect_the_workload_fails(budget: dict[str, Any]) -> None:
    found = validate_stack(
        "cellguard-gpu-disruption-budget",
        resource(DEPLOYMENT, "llm", vllm()),
        resource(PDB, "p", budget),
    )
    assert len(found) == 1


def test_workloads_without_gpus_need_no_budget() -> None:
    props = vllm()
    container_of(props)["resources"] = {}
    assert validate_stack("cellguard-gpu-disruption-budget", resource(DEPLOYMENT, "w", props)) == []


# -- the pack on disk ------------------------------------------------------------------------

PACK_RUNNER = '''
import json, runpy, sys
sys.modules["cellguard"] = None  # the pack must run where cellguard is not installed
pack_dir = sys.argv[1]
sys.path.insert(0, pack_dir)

import pulumi_policy.policy as policy_module
from google.protobuf import json_format
from pulumi.runtime import proto


class Started(Exception):
    pass


class FakeServer:
    """Stands in for grpc.server: PolicyPack(...) runs up to start(), which never serves."""

    def add_generic_rpc_handlers(self, handlers):
        pass

    def add_insecure_port(self, address):
        return 0

    def start(self):
        raise Started


servicers = []


class Recording(policy_module._PolicyAnalyzerServicer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        servicers.append(self)


policy_module.grpc.server = lambda *args, **kwargs: FakeServer()
policy_module._PolicyAnalyzerServicer = Recording
try:
    runpy.run_path(pack_dir + "/__main__.py", run_name="__main__")
except Started:
    pass
else:
    raise SystemExit("PolicyPack returned without starting its server")

[servicer] = servicers
info = servicer.GetAnalyzerInfo(None, None)
request = proto.AnalyzeRequest(
    type="kubernetes:apps/v1:Deployment", urn="urn:pulumi:s::p::d::llm", name="llm"
)
json_format.ParseDict({"properties": json.loads(sys.argv[2])}, request)
response = servicer.Analyze(request, None)
print(json.dumps({
    "pack": info.name,
    "policies": [
        [p.name, proto.EnforcementLevel.Name(p.enforcementLevel), proto.PolicyType.Name(p.policy_type)]
        for p in info.policies
    ],
    "violations": sorted([d.policyName, d.message] for d in response.diagnostics),
}))
'''


def test_pack_files_are_deterministic_and_copy_the_tested_sources() -> None:
    first, second = pack_files(), pack_files()
    assert first == second
    paths = [f.path.as_posix() for f in first]
    assert paths == sorted(paths)
    assert paths[:4] == [
        "PulumiPolicy.yaml",
        "README.md",
        "__main__.py",
        "cellguard_policies/__init__.py",
    ]
    assert paths[-1] == "requirements.txt"
    package = Path(catalog.__file__).parent
    copied = {
        f.path.name: f.text for f in first if f.path.parent.as_posix() == "cellguard_policies"
    }
    assert copied == {p.name: p.read_text(encoding="utf-8") for p in package.glob("*.py")}
    for module in copied.values():  # self-contained: nothing of cellguard outside the package
        assert "from cellguard" not in module and "import cellguard" not in module
    project = yaml.safe_load(next(f.text for f in first if f.path.name == "PulumiPolicy.yaml"))
    assert project["runtime"] == {"name": "python", "options": {"virtualenv": "venv"}}
    assert project["description"] == catalog.PACK_DESCRIPTION
    readme = next(f.text for f in first if f.path.name == "README.md")
    assert readme.count("| `cellguard-") == len(catalog.CATALOG)


def test_the_written_pack_builds_its_policy_pack_without_cellguard(tmp_path: Path) -> None:
    for produced in pack_files():
        target = tmp_path / produced.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(produced.text, encoding="utf-8")
    failing = vllm()
    del container_of(failing)["livenessProbe"]
    result = subprocess.run(
        [sys.executable, "-c", PACK_RUNNER, str(tmp_path), json.dumps(failing)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["pack"] == "cellguard"
    assert report["policies"] == [
        [
            info.name,
            info.enforcement.name,
            f"POLICY_TYPE_{info.scope.name}",
        ]
        for info in catalog.CATALOG
    ]
    [[name, message]] = report["violations"]
    assert name == "cellguard-gpu-probes"
    assert message.startswith(  # the analyzer puts the policy's description first
        f"{catalog.GPU_PROBES.description}\n"
        "Deployment cell-a/llm container vllm has no livenessProbe. Fix:"
    )
