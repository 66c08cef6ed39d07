"""End-to-end tests of ``cellguard drift SPEC --cloudformation TEMPLATE...`` through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
TEMPLATE = "tests/importers/fixtures/cloudformation/rag-data-and-fleet.yaml"
CHAT = "tests/importers/fixtures/chat-frontend.yaml"


@pytest.fixture
def spec(repo_root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "rag.yaml"
    result = runner.invoke(app, ["import", "cloudformation", TEMPLATE, "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _line(path: Path | str, needle: str, after: int = 0) -> int:
    rows = Path(path).read_text(encoding="utf-8").splitlines()
    return next(i for i, row in enumerate(rows, start=1) if i > after and needle in row)


def _changed(tmp_path: Path) -> Path:
    """The template with versioning, point-in-time recovery, zone awareness and the ELB health
    check switched off (deleted or false) and another model revision."""
    text = (REPO / TEMPLATE).read_text(encoding="utf-8")
    text = text.replace("      VersioningConfiguration:\n        Status: Enabled\n", "")
    text = text.replace("PointInTimeRecoveryEnabled: true", "PointInTimeRecoveryEnabled: false")
    text = text.replace("ZoneAwarenessEnabled: true", "ZoneAwarenessEnabled: false")
    text = text.replace("      HealthCheckType: ELB\n", "")
    text = text.replace(
        "e0bc86c23ce5aae1db576c8cca6f06f1f73af2db", "0417f4babd26db0b5ed07c1d0bc85658ab526ea3"
    )
    path = tmp_path / "changed.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_drift_when_spec_and_templates_agree(spec: Path) -> None:
    result = runner.invoke(app, ["drift", str(spec), "--cloudformation", TEMPLATE])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"cellguard: no drift: {spec} agrees with the templates (80 values compared)\n"
    )


def test_instance_type_and_count_from_parameters_with_both_locations(spec: Path) -> None:
    result = runner.invoke(
        app,
        [
            "drift",
            str(spec),
            "--cloudformation",
            TEMPLATE,
            "-p",
            "ChatInstances=3",
            "--parameter",
            "ChatInstanceType=ml.g6e.2xlarge",
        ],
    )
    assert result.exit_code == 1, result.output
    replicas = _line(spec, "replicas: 2")
    gpu = _line(spec, "gpu: A10G")
    types = _line(spec, "instance_types: [ml.g5.2xlarge]")
    count = _line(TEMPLATE, "InitialInstanceCount")
    instance = _line(TEMPLATE, "InstanceType: !Ref ChatInstanceType")
    assert result.stdout.splitlines() == [
        "DRIFT  rag-data-and-fleet/chatendpoint  replicas  (changed)",
        "    chatendpoint replicas: the spec says 2, the templates 3",
        f"    spec:      2  at {spec}:{replicas}:15",
        f"    templates: 3  at {TEMPLATE}:{count}",
        "DRIFT  rag-data-and-fleet/chatendpoint  serving.instance_types  (changed)",
        "    chatendpoint serving.instance_types: the spec says [ml.g5.2xlarge], the templates "
        "[ml.g6e.2xlarge]",
        f"    spec:      [ml.g5.2xlarge]  at {spec}:{types}:23",
        f"    templates: [ml.g6e.2xlarge]  at {TEMPLATE}:{instance}",
        "DRIFT  rag-data-and-fleet/chatendpoint  serving.gpu  (changed)",
        "    chatendpoint serving.gpu: the spec says A10G, the templates L40S",
        f"    spec:      A10G  at {spec}:{gpu}:12",
        f"    templates: L40S  at {TEMPLATE}:{instance}",
        f"cellguard: 3 differences between {spec} and the templates",
    ]


def test_versioning_backups_zone_awareness_health_check_and_model_version(
    spec: Path, tmp_path: Path
) -> None:
    changed = _changed(tmp_path)
    result = runner.invoke(
        app, ["drift", str(spec), "--cloudformation", str(changed), "-f", "json"]
    )
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["sources"] == ["templates"]
    found = {
        (d["component"], d["key"]): (d["kind"], d["spec"]["value"], d["manifests"]["value"])
        for d in data["differences"]
    }
    assert found == {
        ("documentsbucket", "versioning"): ("removed", True, None),
        ("conversationstable", "labels.cfn/point-in-time-recovery"): ("changed", "true", "false"),
        ("searchdomain", "placement.zones"): ("changed", 3, 1),
        ("searchdomain", "multi_az"): ("changed", True, False),
        ("embedderfleet", "labels.cfn/health-check"): ("removed", "ELB", None),
        ("chatendpoint", "model.pinned_version"): (
            "changed",
            "e0bc86c23ce5aae1db576c8cca6f06f1f73af2db",
            "0417f4babd26db0b5ed07c1d0bc85658ab526ea3",
        ),
    }
    by_key = {d["key"]: d for d in data["differences"]}
    versioning = by_key["versioning"]
    assert versioning["message"] == (
        "documentsbucket versioning: the spec says true, but the bucket does not enable "
        "versioning (S3's default: off) (AWS::S3::Bucket/DocumentsBucket)"
    )
    assert versioning["spec"]["location"] == {
        "file": str(spec),
        "line": _line(spec, "versioning: true"),
        "column": 17,
    }
    assert versioning["manifests"]["location"] == {
        "file": str(changed),
        "line": _line(changed, "Type: AWS::S3::Bucket"),
    }
    pitr = by_key["labels.cfn/point-in-time-recovery"]["manifests"]["location"]
    assert pitr["line"] == _line(changed, "PointInTimeRecoveryEnabled: false")


def test_a_spec_stating_the_default_agrees_with_a_template_leaving_it_out(
    spec: Path, tmp_path: Path
) -> None:
    changed = _changed(tmp_path)
    text = spec.read_text(encoding="utf-8")
    text = text.replace("versioning: true ", "versioning: false")
    text = text.replace("cfn/health-check: ELB", "cfn/health-check: EC2")
    spec.write_text(text, encoding="utf-8")
    result = runner.invoke(
        app, ["drift", str(spec), "--cloudformation", str(changed), "-f", "json"]
    )
    keys = [d["key"] for d in json.loads(result.stdout)["differences"]]
    assert "versioning" not in keys and "labels.cfn/health-check" not in keys
    assert "multi_az" in keys


def test_sarif_and_github_name_the_templates(spec: Path, tmp_path: Path) -> None:
    changed = str(_changed(tmp_path))
    sarif = json.loads(
        runner.invoke(app, ["drift", str(spec), "--cloudformation", changed, "-f", "sarif"]).stdout
    )
    results = sarif["runs"][0]["results"]
    assert len(results) == 6
    related = results[0]["relatedLocations"][0]
    assert related["message"]["text"] == "the value in the templates"
    assert related["physicalLocation"]["artifactLocation"]["uri"] == changed
    github = runner.invoke(app, ["drift", str(spec), "--cloudformation", changed, "-f", "github"])
    assert github.exit_code == 1
    lines = github.stdout.splitlines()
    assert len(lines) == 13
    assert f"(templates: {changed}:" in lines[0]
    assert lines[-1] == "cellguard: 6 differences between the spec and the templates"


def test_resources_added_and_removed(spec: Path, tmp_path: Path) -> None:
    text = (
        (REPO / TEMPLATE)
        .read_text(encoding="utf-8")
        .replace("  DocumentsBucket:\n", "  ArchiveBucket:\n")
    )
    renamed = tmp_path / "renamed.yaml"
    renamed.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["drift", str(spec), "--cloudformation", str(renamed)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert (
        "    documentsbucket: the spec describes AWS::S3::Bucket/DocumentsBucket, which is not "
        "in the templates" in lines
    )
    assert (
        "    AWS::S3::Bucket/ArchiveBucket is in the templates but no spec component describes "
        "it (cellguard import cloudformation drafts one as 'archivebucket')" in lines
    )


def test_manifests_and_templates_together(spec: Path, tmp_path: Path) -> None:
    k8s = tmp_path / "chat.yaml"
    assert runner.invoke(app, ["import", "k8s", CHAT, "-o", str(k8s)]).exit_code == 0
    merged = spec.read_text(encoding="utf-8") + "".join(
        line + "\n"
        for line in k8s.read_text(encoding="utf-8").split("components:\n", 1)[1].splitlines()
        if not line.startswith("#")
    )
    both = tmp_path / "both.yaml"
    both.write_text(merged, encoding="utf-8")
    result = runner.invoke(app, ["drift", str(both), "--k8s", CHAT, "--cloudformation", TEMPLATE])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"cellguard: no drift: {both} agrees with the manifests and templates "
        "(110 values compared)\n"
    )
    # a component with a k8s/workload label is not reported missing when only templates are given
    alone = runner.invoke(app, ["drift", str(both), "--cloudformation", TEMPLATE])
    assert alone.exit_code == 0, alone.output


def test_bad_input_exits_2(spec: Path, tmp_path: Path) -> None:
    bad = "tests/importers/fixtures/cloudformation/invalid/ref-to-nothing.yaml"
    result = runner.invoke(app, ["drift", str(spec), "--cloudformation", bad])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:5:13: error[cfn-value]")
    assert "Traceback" not in result.output
    stray = runner.invoke(app, ["drift", str(spec), "--k8s", CHAT, "-p", "A=1"])
    assert stray.exit_code == 2
    assert "cellguard: error: --parameter is for templates" in stray.stderr
    malformed = runner.invoke(app, ["drift", str(spec), "--cloudformation", TEMPLATE, "-p", "A"])
    assert malformed.exit_code == 2
    assert "'A' is not KEY=VALUE" in malformed.stderr
