"""The personalised text-to-image SaaS example (issue 17 item 6): it validates, its key verdicts
carry their figures, and the plan and the blueprint say which parts they do not generate."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.assessments.graph import build_graph
from cellguard.cli.main import app
from cellguard.iac.synth_readme import project_readme
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "personalised-image-saas.yaml"
TODAY = "2026-11-21"


def variant(tmp_path: Path, component: str, **keys: Any) -> Path:
    """The example with ``keys`` merged into ``component``."""
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    next(c for c in doc["components"] if c["id"] == component).update(keys)
    path = tmp_path / "portraitforge.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def finding(path: Path, rule: str, target: str) -> Finding:
    assessment = run_rules(
        build_graph(load(path)), load_rules(plugins=False), today=dt.date(2026, 11, 21)
    )
    return next(f for f in assessment.findings if f.rule == rule and f.target == target)


def test_the_example_validates() -> None:
    result = CliRunner().invoke(app, ["validate", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    assert "stack 'portraitforge' (12 components, 2 journeys)" in result.output


def test_eight_a10g_replicas_are_far_short_of_the_peak_in_images() -> None:
    found = finding(EXAMPLE, "CG-CAP-011", "portrait-mme")
    assert found.status is Status.FAIL
    ev = found.evidence
    # 0.5 requests/s x 4 images = 2 images/s; SDXL at 30 steps, 1024x1024: 0.10 images/s on an
    # A10 (the baseline pipeline: Triton has no point of its own, so the more conservative of
    # the A10's two points), x 70/125 dense TFLOPS for the A10G = 0.056 per replica, 8 replicas
    assert (ev["unit"], ev["demand"], ev["per_replica"]) == ("images/s", 2.0, 0.056)
    assert ev["supply"] == 0.448 and ev["utilisation"] == 4.464
    assert ev["replicas_needed"] == 90
    assert "446% utilisation, above the 80% target" in found.message


def test_a_fleet_sized_for_the_peak_passes(tmp_path: Path) -> None:
    # 2 / (45 x 0.056) = 79.4%; 44 replicas would be 81.2%, above the 80% target
    found = finding(variant(tmp_path, "portrait-mme", replicas=45), "CG-CAP-011", "portrait-mme")
    assert found.status is Status.PASS
    assert found.evidence["utilisation"] == pytest.approx(2 / (45 * 0.056), abs=1e-3)
    short = finding(variant(tmp_path, "portrait-mme", replicas=44), "CG-CAP-011", "portrait-mme")
    assert short.status is Status.FAIL


def test_a_cold_personal_model_costs_17_seconds_in_the_p99() -> None:
    capacity = finding(EXAMPLE, "CG-CAP-011", "portrait-mme").evidence
    # three 6.9 GB models resident fit in 90% of the A10G's 24 GB; a quarter of requests
    # miss and wait 6.9 GB / 0.4 GB/s = 17.25 s
    assert (capacity["hot_models"], capacity["hot_set_gb"]) == (3, 20.7)
    assert capacity["weights_budget_gb"] == 21.6
    assert capacity["miss_ratio"] == {"personal-models": 0.25}
    assert capacity["cold_load_p99_ms"] == 17_250.0
    latency = finding(EXAMPLE, "CG-TIM-008", "render")
    assert latency.status is Status.FAIL
    assert latency.evidence["e2e_derived_ms"] == 17_250  # the cold load, before the queue
    assert latency.evidence["saturated"] == ["portraitforge/portrait-mme"]


def test_the_sign_up_peak_fails_the_launch_rate_without_a_paced_queue() -> None:
    found = finding(EXAMPLE, "CG-CAP-009", "dreambooth-jobs")
    assert found.status is Status.FAIL
    assert found.evidence["platform"] == "sagemaker"  # inferred, no platform key
    assert found.evidence["jobs_per_second"] == 2.0 and found.evidence["api_rate_per_second"] == 1.0
    assert "about 50% of launches are throttled, dropped (no retries)" in found.message


PACED = {"launch_queue": "finetune-queue", "paced_launches_per_second": 0.8, "retries": True}


def test_a_paced_queue_through_sixty_training_instances_misses_the_hour(tmp_path: Path) -> None:
    found = finding(variant(tmp_path, "dreambooth-jobs", **PACED), "CG-CAP-009", "dreambooth-jobs")
    assert found.status is Status.FAIL
    # 60 jobs of 40 + 1,080 s finish 0.0536/s: (2 - 0.0536) x 900 = 1,752 jobs wait 32,700 s
    assert found.evidence["finishing_per_second"] == pytest.approx(60 / 1120)
    assert found.evidence["time_to_model_seconds"] == pytest.approx(33_820)


def test_a_paced_queue_with_enough_training_instances_meets_the_hour(tmp_path: Path) -> None:
    path = variant(tmp_path, "dreambooth-jobs", **PACED, max_concurrent_jobs=1000)
    found = finding(path, "CG-CAP-009", "dreambooth-jobs")
    assert found.status is Status.PASS
    # 1,800 requests at 0.8 launches/s: 1,080 wait, the last 1,350 s; + 40 s + 1,080 s
    assert found.evidence["max_wait_seconds"] == 1350.0
    assert found.evidence["time_to_model_seconds"] == 2470.0


def plan(tmp_path: Path, fmt: str) -> str:
    target = tmp_path / f"target-{fmt}.yaml"
    args = ["plan", str(EXAMPLE), "-o", str(target), "-f", fmt, "--today", TODAY]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_plan_says_what_the_blueprint_does_not_generate(tmp_path: Path) -> None:
    text = plan(tmp_path, "markdown")
    assert "## Not generated by `cellguard blueprint`" in text
    assert (
        "- `portraitforge/portrait-mme`: a SageMaker multi-model endpoint (40,000 hosted "
        "models): the blueprint builds GPU node pools on EKS only"
    ) in text
    assert "- `portraitforge/dreambooth-jobs`: training jobs are not generated" in text
    assert "- `portraitforge/launcher`: runtime lambda is not generated (EKS only)" in text
    # an image model gets no managed text model as its fallback, but a manual step
    assert "anthropic" not in text
    assert "that does the same work (images)" in text
    data = json.loads(plan(tmp_path, "json"))
    missing = {(e["stack"], e["component"]) for e in data["not_generated"]}
    assert ("portraitforge", "portrait-mme") in missing
    assert ("portraitforge", "dreambooth-jobs") in missing
    assert ("portraitforge", "render-svc") not in missing  # an EKS service is generated


def test_the_blueprint_readme_and_output_name_what_is_not_generated(tmp_path: Path) -> None:
    (stack,) = load(EXAMPLE).stacks
    readme = project_readme(stack, "prod")
    assert "## Not generated: build these by other means" in readme
    assert "- `portrait-mme`: a SageMaker multi-model endpoint (40,000 hosted models)" in readme
    assert "- `finetune-queue`: queues (sqs) are not generated" in readme
    assert "- The components listed under 'Not generated' (above)." in readme
    pytest.importorskip("pulumi")
    result = CliRunner().invoke(app, ["blueprint", str(EXAMPLE), "-o", str(tmp_path / "bp")])
    assert result.exit_code == 0, result.output
    assert "not generated: dreambooth-jobs: training jobs are not generated" in result.stderr
    assert "not generated: portrait-mme: a SageMaker multi-model endpoint" in result.stderr


def test_the_recovery_region_gap_is_the_missing_endpoint_not_a_missing_copy() -> None:
    # model-store replicates the personal models to us-west-2; what is not there is an
    # endpoint, and nothing says how its GPUs would be obtained within render's RTO
    found = finding(EXAMPLE, "CG-RED-006", "portrait-mme")
    assert found.status is Status.UNKNOWN
    ev = found.evidence
    assert (ev["artefact_stores"], ev["artefacts_replicated"]) == (["model-store"], True)
    assert ev["missing"] == ["serving capacity present"]
    assert ev["unknown"] == ["capacity obtainable within RTO"]
    assert ev["rto_minutes"] == 120
    assert "custom models exist only where" not in found.message
    assert "its artefacts are replicated to us-west-2 (model-store)" in found.message
    assert "has no endpoint serving it in the recovery region us-west-2" in found.message


def test_the_sdxl_figure_takes_the_slower_a10_point_for_triton() -> None:
    # Triton may run a TensorRT engine or the PyTorch pipeline: the estimate rests on the
    # baseline point (0.10 images/s), ~17% below the TensorRT one, and says so
    basis = finding(EXAMPLE, "CG-CAP-011", "portrait-mme").evidence["throughput_basis"]
    assert isinstance(basis, dict)
    assert basis["measurement"] == "hf-sdxl-a10-baseline-30steps"
    (caveat,) = basis["caveats"]
    assert caveat.startswith("measured with baseline, served with triton")
    assert "the tensorrt pipeline on the same A10 makes 0.12 images/s against 0.1 (20% more)" in (
        caveat
    )
    assumed = basis["assumed"]
    assert isinstance(assumed, list)
    assert assumed[0] == (
        "the most conservative of the 2 points on A10: triton has no point of its own"
    )
