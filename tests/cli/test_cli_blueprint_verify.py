"""``cellguard blueprint --verify [--capture]`` end to end on the real generated projects.

Each target (cell-multi-region, the planner's targets of the other examples, and a stack whose
GPU has one instance type) is planned where needed, generated and verified once through the CLI;
each of the checks that go beyond the mocks is then a test of its own, so a check that fails
only because the blueprints (issue 18's other deliverables) do not yet fix what it finds is
marked ``xfail(strict=True)`` with what it finds (:data:`KNOWN`), and the mark fails as soon as
it passes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

pytest.importorskip("pulumi_aws")
pytest.importorskip("botocore")

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
TODAY = "2026-11-21"
CHECKS = ("aws-api-constraints", "schedulable", "addons-present", "workload-identity")
PLANNED = ("vllm-single-zone", "rag-support-assistant", "saas-finetune")
TARGETS = ("cell-multi-region", *PLANNED, "single-type-gpu")

KNOWN: dict[tuple[str, str], str] = {}
"""(target, check) -> what the check still finds in today's blueprints (issue 18, deliverables
1-3): such a case is xfail(strict) with this reason. Empty: every check passes on every target
(1f313c4 fixed what aws-api-constraints and workload-identity found: IAM role names over 64
characters with Pulumi's suffix, a FIS target with 6 resourceArns, workloads calling DynamoDB or
Bedrock without an identity)."""


def _single_type_gpu(tmp: Path) -> Path:
    """cell-multi-region with the LLM on 2 H100 per replica: p5.48xlarge is its only type."""
    text = (REPO / "examples" / "cell-multi-region.yaml").read_text(encoding="utf-8")
    old = "      gpus_per_replica: 1\n      # Single-GPU"
    assert text.count(old) == 1
    text = text.replace(old, "      gpus_per_replica: 2\n      # Single-GPU").replace(
        "instance_types: [p5.4xlarge, p5.48xlarge]", "instance_types: [p5.48xlarge]"
    )
    path = tmp / "single-type-gpu.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _target(name: str, tmp: Path) -> Path:
    if name == "cell-multi-region":
        return REPO / "examples" / "cell-multi-region.yaml"
    if name == "single-type-gpu":
        return _single_type_gpu(tmp)
    target = tmp / f"{name}.target.yaml"
    spec = str(REPO / "examples" / f"{name}.yaml")
    planned = runner.invoke(
        app,
        [
            "plan",
            spec,
            "-o",
            str(target),
            "--plan-output",
            str(tmp / f"{name}.md"),
            "--today",
            TODAY,
        ],
    )
    assert planned.exit_code == 0, planned.output
    return target


@pytest.fixture(scope="module")
def verified(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Target -> exit code, the verdict line of each check, and the capture document."""
    tmp = tmp_path_factory.mktemp("verify")
    out: dict[str, dict[str, Any]] = {}
    for name in TARGETS:
        capture = tmp / f"{name}.json"
        _target_path = _target(name, tmp)
        args = ["blueprint", str(_target_path), "-o", str(tmp / name), "--verify"]
        result = runner.invoke(app, [*args, "--capture", str(capture), "--today", TODAY])
        assert result.exit_code in (0, 1), result.output
        lines = {
            line.split(":", 1)[0].split("  ", 1)[1]: line
            for line in result.stdout.splitlines()
            if line.startswith(("PASS  ", "FAIL  "))
        }
        out[name] = {
            "exit": result.exit_code,
            "stdout": result.stdout,
            "lines": lines,
            "capture": json.loads(capture.read_text(encoding="utf-8")),
            "capture_text": capture.read_text(encoding="utf-8"),
            "target": _target_path,
        }
    return out


def _cases() -> list[Any]:
    return [
        pytest.param(
            target,
            check,
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[(target, check)])]
            if (target, check) in KNOWN
            else [],
            id=f"{target}-{check}",
        )
        for target in TARGETS
        for check in CHECKS
    ]


@pytest.mark.parametrize(("target", "check"), _cases())
def test_each_check_passes_on_the_generated_project(
    verified: dict[str, dict[str, Any]], target: str, check: str
) -> None:
    line = verified[target]["lines"][check]
    assert line.startswith(f"PASS  {check}: "), line


def test_every_target_prints_19_checks_and_a_round_trip(
    verified: dict[str, dict[str, Any]],
) -> None:
    for name, run in verified.items():
        assert len(run["lines"]) == 19, name
        assert "checks passed" in run["stdout"] and "round trip: " in run["stdout"], name
        assert run["exit"] == (0 if all(v.startswith("PASS") for v in run["lines"].values()) else 1)


def test_verdicts_state_what_was_checked_and_accepted(verified: dict[str, dict[str, Any]]) -> None:
    cells = verified["cell-multi-region"]["lines"]
    assert "allocatable = catalog vCPUs/memory - EKS AMI kube-reserved" in cells["schedulable"]
    assert "GPU pods: embedder (" in cells["schedulable"] and "llm (" in cells["schedulable"]
    assert "checked against botocore " in cells["aws-api-constraints"]
    assert "auto-named as logical name + 8 characters" in cells["aws-api-constraints"]
    assert cells["addons-present"].startswith("PASS  addons-present: ")
    for addon in ("NVIDIA device plugin", "KEDA", "AWS Load Balancer Controller", "metrics-server"):
        assert addon in cells["addons-present"], addon
    single = verified["single-type-gpu"]["lines"]
    assert single["gpu-instance-types"].startswith("PASS  gpu-instance-types: ")
    assert (
        "p5.48xlarge is the only EC2 type in the catalog with H100 and at least 2 GPUs per pod"
    ) in single["gpu-instance-types"]
    assert (
        "single-instance-type groups accepted, their pods fit the type: p5.48xlarge (6 groups)"
        in (single["schedulable"])
    )


def test_the_capture_shows_what_pulumi_up_needs(verified: dict[str, dict[str, Any]]) -> None:
    """Issue 18's 'done when': names within limits (aws-api-constraints), GPU node disks of at
    least 100 GiB, and the GPU platform installed in every cluster."""
    doc = verified["cell-multi-region"]["capture"]
    assert doc["schema_version"] == 1
    resources = doc["resources"]
    assert [r["urn"] for r in resources] == sorted(r["urn"] for r in resources)
    gpu_groups = [
        r
        for r in resources
        if r["type"] == "aws:eks/nodeGroup:NodeGroup"
        and "cellguard.io/gpu-pool" in r["inputs"].get("labels", {})
    ]
    assert gpu_groups and all(g["inputs"]["diskSize"] >= 100 for g in gpu_groups)
    charts = {
        r["inputs"]["chart"] for r in resources if r["type"] == "kubernetes:helm.sh/v3:Release"
    }
    assert {
        "nvidia-device-plugin",
        "aws-load-balancer-controller",
        "keda",
        "cluster-autoscaler",
    } <= charts
    addons = {r["inputs"]["addonName"] for r in resources if r["type"] == "aws:eks/addon:Addon"}
    assert {"metrics-server", "eks-pod-identity-agent"} <= addons
    assert any(
        r["type"] == "aws:eks/podIdentityAssociation:PodIdentityAssociation" for r in resources
    )
    first = resources[0]
    assert sorted(first) == ["custom", "inputs", "name", "parent", "provider", "type", "urn"]


def test_the_capture_is_deterministic(verified: dict[str, dict[str, Any]], tmp_path: Path) -> None:
    first = verified["vllm-single-zone"]
    capture = tmp_path / "again.json"
    args = ["blueprint", str(first["target"]), "-o", str(tmp_path / "p"), "--verify"]
    result = runner.invoke(app, [*args, "--capture", str(capture), "--today", TODAY])
    assert result.exit_code == first["exit"], result.output
    assert capture.read_text(encoding="utf-8") == first["capture_text"]


def test_capture_needs_verify_and_never_overwrites(tmp_path: Path) -> None:
    spec = str(REPO / "examples" / "vllm-single-zone.yaml")
    capture = tmp_path / "cap.json"
    alone = runner.invoke(
        app, ["blueprint", spec, "-o", str(tmp_path / "p"), "--capture", str(capture)]
    )
    assert alone.exit_code == 2
    assert "--capture needs --verify (the capture is what the mock run registers)" in alone.output
    assert not (tmp_path / "p").exists() and not capture.exists()
    capture.write_text("mine", encoding="utf-8")
    args = ["blueprint", spec, "-o", str(tmp_path / "q"), "--verify", "--capture", str(capture)]
    kept = runner.invoke(app, args)
    assert kept.exit_code == 2
    assert f"{capture} already exists" in kept.output
    assert capture.read_text(encoding="utf-8") == "mine" and not (tmp_path / "q").exists()
