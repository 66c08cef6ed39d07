"""The enable-gpu-health action (CG-COR-010) on a SageMaker endpoint and on our own GPUs."""

from __future__ import annotations

from pathlib import Path

import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.planner.actions.correctness import enable_gpu_health
from cellguard.planner.context import ActionContext
from cellguard.planner.model import ActionResult, Change
from cellguard.planner.workspace import Workspace
from tests.helpers import REPO
from tests.planner.conftest import assess

IMAGE_SAAS = REPO / "examples" / "personalised-image-saas.yaml"
RAG = REPO / "examples" / "rag-support-assistant.yaml"


def _act(path: Path, target: str) -> tuple[Finding, list[ActionResult]]:
    org = load(path)
    before = assess(org)
    (finding,) = [f for f in before.findings if f.rule == "CG-COR-010" and f.target == target]
    assert finding.status is Status.FAIL
    ctx = ActionContext(before, build_graph(org))
    return finding, enable_gpu_health(Workspace(org.documents), finding, ctx)


def test_a_sagemaker_endpoint_gets_a_gpu_aware_ping_not_node_auto_repair(tmp_path: Path) -> None:
    # issue 17 item 6 review: SageMaker runs the instances; node auto-repair is not ours to set
    doc = yaml.safe_load(IMAGE_SAAS.read_text(encoding="utf-8"))
    comp = next(c for c in doc["components"] if c["id"] == "portrait-mme")
    comp["health"] = {"gpu_health_checks": False}
    path = tmp_path / "portraitforge.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    _, results = _act(path, "portrait-mme")
    (change,) = results
    assert isinstance(change, Change)
    assert [e.path for e in change.edits] == [
        ("components", "portrait-mme", "health", "gpu_health_checks")
    ]
    assert change.description.startswith(
        "portrait-mme: a container /ping that fails when the GPU does"
    )
    assert "EKS" not in change.description


def test_our_own_gpus_get_dcgm_checks_and_node_auto_repair() -> None:
    _, results = _act(RAG, "llm")
    (change,) = results
    assert isinstance(change, Change)
    assert [e.path[-1] for e in change.edits] == ["gpu_health_checks", "node_auto_repair"]
    assert change.description == "llm: DCGM GPU health checks and EKS node auto-repair."
