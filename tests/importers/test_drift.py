"""End-to-end tests of ``cellguard drift SPEC --k8s PATH...`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
CHAT = "tests/importers/fixtures/chat-frontend.yaml"


def _changed_manifests(tmp_path: Path) -> Path:
    """The chat fixture with the HPA minimum raised, the PDB deleted and the GPU changed."""
    text = (REPO / CHAT).read_text(encoding="utf-8")
    text = text.replace(
        "  minReplicas: 3\n  maxReplicas: 12", "  minReplicas: 4\n  maxReplicas: 12"
    )
    start = text.index("kind: PodDisruptionBudget")
    text = text[: text.rindex("---", 0, start)] + text[text.index("---", start) :]
    text = text.replace("instance-gpu-name: l4", "instance-gpu-name: l40s")
    path = tmp_path / "chat-changed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def spec(repo_root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "chat.yaml"
    result = runner.invoke(app, ["import", "k8s", CHAT, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _line(path: Path, needle: str) -> int:
    rows = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, row in enumerate(rows, start=1) if needle in row)


def test_no_drift_when_spec_and_manifests_agree(spec: Path) -> None:
    result = runner.invoke(app, ["drift", str(spec), "--k8s", CHAT])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"cellguard: no drift: {spec} agrees with the manifests (30 values compared)\n"
    )


def test_replica_change_removed_pdb_and_gpu_change_with_both_locations(
    spec: Path, tmp_path: Path
) -> None:
    changed = _changed_manifests(tmp_path)
    result = runner.invoke(app, ["drift", str(spec), "--k8s", str(changed)])
    assert result.exit_code == 1, result.output
    replicas = _line(spec, "replicas: 3")
    pdb = _line(spec, "k8s/pdb: minAvailable=2")
    gpu = _line(spec, "gpu: L4 ")
    hpa_min = _line(changed, "minReplicas: 4")
    deployment = _line(changed, "name: chat-frontend")
    selector = _line(changed, "instance-gpu-name: l40s")
    assert result.stdout.splitlines() == [
        "DRIFT  chat/chat-frontend  replicas  (changed)",
        "    chat-frontend replicas: the spec says 3, the manifests 4",
        f"    spec:      3  at {spec}:{replicas}:15",
        f"    manifests: 4  at {changed}:{hpa_min}",
        "DRIFT  chat/chat-frontend  autoscaling.min  (changed)",
        "    chat-frontend autoscaling.min: the spec says 3, the manifests 4",
        f"    spec:      3  at {spec}:{replicas + 2}:12",
        f"    manifests: 4  at {changed}:{hpa_min}",
        "DRIFT  chat/chat-frontend  labels.k8s/pdb  (removed)",
        "    chat-frontend labels.k8s/pdb: the spec says minAvailable=2, but no "
        "PodDisruptionBudget selects it any more (Deployment/chat/chat-frontend)",
        f"    spec:      minAvailable=2  at {spec}:{pdb}:16",
        f"    manifests: (unset)  at {changed}:{deployment}",
        "DRIFT  chat/chat-llm  serving.gpu  (changed)",
        "    chat-llm serving.gpu: the spec says L4, the manifests L40S",
        f"    spec:      L4  at {spec}:{gpu}:12",
        f"    manifests: L40S  at {changed}:{selector}",
        f"cellguard: 4 differences between {spec} and the manifests",
    ]


def test_json_sarif_and_github_formats(spec: Path, tmp_path: Path) -> None:
    changed = str(_changed_manifests(tmp_path))
    as_json = runner.invoke(app, ["drift", str(spec), "--k8s", changed, "-f", "json"])
    assert as_json.exit_code == 1
    data = json.loads(as_json.stdout)
    assert data["schema_version"] == 1
    assert [(d["component"], d["key"], d["kind"]) for d in data["differences"]] == [
        ("chat-frontend", "replicas", "changed"),
        ("chat-frontend", "autoscaling.min", "changed"),
        ("chat-frontend", "labels.k8s/pdb", "removed"),
        ("chat-llm", "serving.gpu", "changed"),
    ]
    gpu = data["differences"][3]
    assert gpu["spec"]["value"] == "L4" and gpu["manifests"]["value"] == "L40S"
    assert gpu["spec"]["location"]["file"] == str(spec)
    assert gpu["manifests"]["location"] == {"file": changed, "line": _line(Path(changed), "l40s")}
    sarif = json.loads(
        runner.invoke(app, ["drift", str(spec), "--k8s", changed, "-f", "sarif"]).stdout
    )
    results = sarif["runs"][0]["results"]
    assert sarif["version"] == "2.1.0" and len(results) == 4
    related = results[3]["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == changed
    github = runner.invoke(app, ["drift", str(spec), "--k8s", changed, "-f", "github"])
    lines = github.stdout.splitlines()
    assert len(lines) == 9  # two annotations per difference and the summary
    assert lines[6].startswith(f"::warning file={spec},line=")
    assert lines[7].startswith(f"::warning file={changed},line=")


def test_spec_component_whose_workload_is_gone_and_workload_missing_from_spec(
    spec: Path, tmp_path: Path
) -> None:
    text = (
        (REPO / CHAT)
        .read_text(encoding="utf-8")
        .replace(
            "name: session-cache\n  namespace: chat\nspec:\n  serviceName",
            "name: session-store\n  namespace: chat\nspec:\n  serviceName",
        )
    )
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["drift", str(spec), "--k8s", str(renamed), "-f", "json"])
    assert result.exit_code == 1
    kinds = [(d["component"], d["kind"]) for d in json.loads(result.stdout)["differences"]]
    assert ("session-cache", "not-deployed") in kinds
    assert ("session-store", "not-in-spec") in kinds


def test_bad_input_exits_2(spec: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x\n", encoding="utf-8")
    result = runner.invoke(app, ["drift", str(spec), "--k8s", str(bad)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:4:1: error[yaml-syntax]")
    none = runner.invoke(app, ["drift", str(spec)])
    assert none.exit_code == 2
    assert "cellguard: error: nothing to compare with" in none.stderr
    missing = runner.invoke(app, ["drift", str(tmp_path / "nope.yaml"), "--k8s", CHAT])
    assert missing.exit_code == 2
    assert "error[io]" in missing.stderr
