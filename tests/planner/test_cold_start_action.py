"""The cold-start action (CG-CAP-004) by runtime: a SageMaker endpoint gets SageMaker's own levers
as a manual step, never node caches or warm pools it cannot set (issue 17 item 6)."""

from __future__ import annotations

from pathlib import Path

import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.planner.actions.cold_start import reduce_cold_start
from cellguard.planner.context import ActionContext
from cellguard.planner.model import ActionResult, Change, ManualStep
from cellguard.planner.workspace import Workspace
from tests.helpers import REPO
from tests.planner.conftest import assess

IMAGE_SAAS = REPO / "examples" / "personalised-image-saas.yaml"


def _act(path: Path, target: str) -> tuple[Finding, list[ActionResult]]:
    org = load(path)
    before = assess(org)
    (finding,) = [f for f in before.findings if f.rule == "CG-CAP-004" and f.target == target]
    assert finding.status is Status.FAIL
    ctx = ActionContext(before, build_graph(org))
    return finding, reduce_cold_start(Workspace(org.documents), finding, ctx)


def _variant(tmp_path: Path, **keys: object) -> Path:
    """The image SaaS example with portrait-mme changed by ``keys`` (``None`` deletes)."""
    doc = yaml.safe_load(IMAGE_SAAS.read_text(encoding="utf-8"))
    comp = next(c for c in doc["components"] if c["id"] == "portrait-mme")
    for key, value in keys.items():
        if value is None:
            comp.pop(key, None)
        else:
            comp[key] = value
    path = tmp_path / "portraitforge.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_a_sagemaker_multi_model_endpoint_gets_its_own_levers_not_node_caches() -> None:
    _, results = _act(IMAGE_SAAS, "portrait-mme")
    assert not [r for r in results if isinstance(r, Change)]  # no flag it cannot set
    (step,) = [r for r in results if isinstance(r, ManualStep)]
    assert step.action == "reduce-cold-start"
    assert step.description.startswith(
        "portrait-mme is a SageMaker multi-model endpoint: SageMaker offers no node cache or "
        "warm pool to set"
    )
    assert "ModelCacheSetting Enabled" in step.description
    assert "node-local" not in step.description


def test_a_sagemaker_single_model_endpoint_is_pointed_at_inference_component_caching(
    tmp_path: Path,
) -> None:
    serving = yaml.safe_load(IMAGE_SAAS.read_text(encoding="utf-8"))
    mme = next(c for c in serving["components"] if c["id"] == "portrait-mme")["serving"]
    mme.pop("hosted_models")
    _, results = _act(_variant(tmp_path, serving=mme), "portrait-mme")
    (step,) = results
    assert isinstance(step, ManualStep)
    assert "InferenceComponentDataCacheConfig EnableCaching" in step.description
    assert "MinInstanceCount" in step.description


def test_a_fleet_on_ec2_gets_the_flags_with_ec2_levers(tmp_path: Path) -> None:
    path = _variant(tmp_path, hosting="self_hosted", runtime="ec2")
    _, results = _act(path, "portrait-mme")
    (change,) = results
    assert isinstance(change, Change)
    assert {e.path[-1]: e.after for e in change.edits} == {
        "model_cache": True,
        "image_prepull": True,
        "warm_pool": True,
    }
    assert "EC2 Auto Scaling warm pool" in change.description
