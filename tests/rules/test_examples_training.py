"""The per-tenant fine-tuning example (issue 17, items 4 and 5): its launch path and checkpoints."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import SpecLoadError, load
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "saas-finetune.yaml"


def example(tmp_path: Path, **job: Any) -> Path:
    """The example with ``job`` merged into finetune-jobs (``None`` deletes a key)."""
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    comp = next(c for c in doc["components"] if c["id"] == "finetune-jobs")
    for key, value in job.items():
        if value is None:
            comp.pop(key, None)
        else:
            comp[key] = value
    path = tmp_path / "saas.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def finding(path: Path, rule: str) -> Finding:
    assessment = run_rules(
        build_graph(load(path)), load_rules(plugins=False), today=dt.date(2026, 11, 21)
    )
    return next(f for f in assessment.findings if f.rule == rule and f.target == "finetune-jobs")


def test_the_peak_without_a_queue_fails_and_the_platform_is_inferred() -> None:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert "platform" not in next(c for c in doc["components"] if c["id"] == "finetune-jobs")
    found = finding(EXAMPLE, "CG-CAP-009")
    assert found.status is Status.FAIL
    assert found.evidence["platform"] == "sagemaker"
    assert found.evidence["platform_basis"] == "SageMaker instance types (ml.g5.2xlarge)"
    assert found.evidence["jobs_per_second"] == 3.0 and found.evidence["api_rate_per_second"] == 1.0
    assert "about 67% of launches are throttled, dropped (no retries)" in found.message


QUEUED = {"launch_queue": "finetune-requests", "paced_launches_per_second": 0.8, "retries": True}


def test_a_paced_queue_through_the_40_instance_quota_misses_the_objective(tmp_path: Path) -> None:
    found = finding(example(tmp_path, **QUEUED), "CG-CAP-009")
    assert found.status is Status.FAIL
    # 40 jobs of 420 + 2,700 s finish 0.0128/s: (3 - 0.0128) x 600 = 1,792 jobs wait 139,800 s
    assert found.evidence["finishing_per_second"] == pytest.approx(40 / 3120)
    assert found.evidence["max_wait_seconds"] == pytest.approx(139_800)
    assert found.evidence["objective_ms"] == 14_400_000
    assert "exceeds brandvoice-saas/fine-tune's latency_p99_ms of 14,400 s" in found.message


def test_a_queue_whose_drain_meets_the_objective_passes(tmp_path: Path) -> None:
    found = finding(example(tmp_path, **QUEUED, max_concurrent_jobs=500), "CG-CAP-009")
    assert found.status is Status.PASS
    # 500 / 3,120 s = 0.160 jobs/s; (3 - 0.160) x 600 = 1,704 jobs wait 10,632 s; + 3,120 s
    assert found.evidence["max_wait_seconds"] == pytest.approx(1800 / (500 / 3120) - 600)
    assert found.evidence["time_to_model_seconds"] == pytest.approx(1800 / (500 / 3120) + 2520)
    assert "fits brandvoice-saas/fine-tune's latency_p99_ms of 14,400 s" in found.message


def test_the_single_gpu_fine_tune_needs_no_checkpoints() -> None:
    found = finding(EXAMPLE, "CG-RED-012")
    assert found.status is Status.PASS
    assert found.evidence["gpus"] == 1 and found.evidence["interval_hours"] == 0.75


def test_a_2048_gpu_job_checkpointing_every_6_hours_fails(tmp_path: Path) -> None:
    big = {"gpus": 2048, "duration_hours": 720, "restart_minutes": 10}
    slow = finding(example(tmp_path, **big, checkpoint_interval_minutes=360), "CG-RED-012")
    assert slow.status is Status.FAIL and slow.evidence["lost_fraction"] == pytest.approx(
        0.128, abs=5e-4
    )
    fast = finding(example(tmp_path, **big, checkpoint_interval_minutes=30), "CG-RED-012")
    assert fast.status is Status.PASS and fast.evidence["lost_fraction"] == pytest.approx(
        0.0168, abs=5e-4
    )


def test_the_dead_checkpointing_key_is_refused_with_its_replacement(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as caught:
        load(example(tmp_path, checkpointing=False))
    text = str(caught.value)
    assert "unknown key 'checkpointing'" in text
    assert "did you mean 'checkpoint_interval_minutes'?" in text


def test_an_unknown_launch_queue_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SpecLoadError) as caught:
        load(example(tmp_path, launch_queue="finetune-request"))
    text = str(caught.value)
    assert "launch_queue: unknown component 'finetune-request'" in text
    assert "did you mean 'finetune-requests'?" in text
