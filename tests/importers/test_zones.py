"""Zones in drafts: placeholder ids per zone name, stated counts, and UNKNOWN for the rest.

Manifests name zones (``us-east-1a``) and templates count them, but the spec needs zone ids; the
draft writes ``todo-zone-N`` placeholders. A zone name maps to one placeholder everywhere (two
components pinned to different zones do not share one in the assessment), a stated count makes
the topology hold enough placeholders for the draft to validate, and a component whose zones
are not stated gets no placement, so the assessment says UNKNOWN instead of placing it.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app

runner = CliRunner()
TODAY = "2026-01-10"


def _deployment(name: str, zone: str | None, env: str = "") -> str:
    selector = f"      nodeSelector:\n        topology.kubernetes.io/zone: {zone}\n" if zone else ""
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
{selector}      containers:
        - name: {name}
          image: registry.example.com/shop/{name}:1.0.0{env}
---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: shop
spec:
  selector: {{app: {name}}}
  ports: [{{port: 8080}}]
---
"""


MANIFESTS = (
    _deployment(
        "api",
        "us-east-1a",
        "\n          env:\n            - {name: WORKER_URL, value: 'http://worker:8080'}"
        "\n            - {name: CACHE_URL, value: 'http://cache:8080'}",
    )
    + _deployment("worker", "us-east-1b")
    + _deployment("cache", None)
)


def _draft(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    manifests = tmp_path / "shop.yaml"
    manifests.write_text(MANIFESTS, encoding="utf-8")
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "k8s", str(manifests), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out, yaml.safe_load(out.read_text(encoding="utf-8"))


def _placement(data: dict[str, object], cid: str) -> object:
    components = data["components"]
    assert isinstance(components, list)
    return next(c for c in components if c["id"] == cid).get("placement")


def test_each_zone_name_has_its_own_placeholder(repo_root: Path, tmp_path: Path) -> None:
    out, data = _draft(tmp_path)
    assert _placement(data, "api") == {"zones": ["todo-zone-1"]}
    assert _placement(data, "worker") == {"zones": ["todo-zone-2"]}
    assert _placement(data, "cache") is None  # the manifests do not say: not invented
    topology = data["topology"]
    assert isinstance(topology, dict)
    assert topology["regions"] == [{"name": "us-east-1", "zones": ["todo-zone-1", "todo-zone-2"]}]
    text = out.read_text(encoding="utf-8")
    assert "the zone ids of todo-zone-1 = us-east-1a, todo-zone-2 = us-east-1b (from" in text
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_assessment_keeps_unknown_zones_unknown_and_pinned_zones_apart(
    repo_root: Path, tmp_path: Path
) -> None:
    out, _ = _draft(tmp_path)
    # make the journey tier1, so that the zone checks judge it
    text = out.read_text(encoding="utf-8").replace("criticality: tier2", "criticality: tier1")
    out.write_text(text, encoding="utf-8")
    assessed = runner.invoke(
        app, ["assess", str(out), "-f", "json", "--include-passed", "--today", TODAY]
    )
    assert assessed.exit_code == 0, assessed.output
    findings = json.loads(assessed.stdout)["findings"]
    status = {(f["rule"], f["target"]): f for f in findings}
    cache = status[("CG-RED-001", "cache")]
    assert cache["status"] == "UNKNOWN"
    assert "does not say which zones it runs in" in cache["message"]
    for pinned, zone in (("api", "todo-zone-1"), ("worker", "todo-zone-2")):
        finding = status[("CG-RED-001", pinned)]
        assert finding["status"] == "FAIL"
        assert f"only {zone}" in finding["message"]
    # api and worker are in different zones: losing one zone does not take both down
    single = status[("CG-RED-011", "api")]["message"]
    assert "zone todo-zone-1 down" in single and "zone todo-zone-2 down" in single


def test_template_zone_counts_and_subnets_give_a_draft_that_validates(
    repo_root: Path, tmp_path: Path
) -> None:
    template = tmp_path / "fleet.yaml"
    template.write_text(
        """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Search:
    Type: AWS::OpenSearchService::Domain
    Properties:
      ClusterConfig:
        InstanceCount: 3
        ZoneAwarenessEnabled: true
        ZoneAwarenessConfig:
          AvailabilityZoneCount: 3
  Fleet:
    Type: AWS::AutoScaling::AutoScalingGroup
    Properties:
      MinSize: "2"
      MaxSize: "6"
      VPCZoneIdentifier: [subnet-0a, subnet-0b]
""",
        encoding="utf-8",
    )
    out = tmp_path / "draft.yaml"
    result = runner.invoke(app, ["import", "cloudformation", str(template), "-o", str(out)])
    assert result.exit_code == 0, result.output  # was exit 3: 3 zones asked, 1 placeholder
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["topology"]["regions"][0]["zones"] == ["todo-zone-1", "todo-zone-2", "todo-zone-3"]
    assert _placement(data, "search") == {"zones": 3}
    # two subnets may sit in one zone: counted, not taken for zones
    assert _placement(data, "fleet") is None
    fleet = next(c for c in data["components"] if c["id"] == "fleet")
    assert fleet["labels"]["cfn/subnets"] == "2"
    text = out.read_text(encoding="utf-8")
    assert (
        "# TODO(cellguard import): placement.zones: 2 subnets: set the number of distinct zones "
        "they are in" in text
    )
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
