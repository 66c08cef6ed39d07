"""Planner actions for training jobs: queue and pace per-tenant launches (CG-CAP-009)."""

from __future__ import annotations

from pathlib import Path

from cellguard.models.findings import Status
from cellguard.models.loader import load
from tests.helpers import REPO
from tests.planner.conftest import assess, plan_of, write_targets


def test_saas_launches_are_queued_paced_and_given_the_concurrency_the_objective_needs(
    tmp_path: Path,
) -> None:
    planned = plan_of(REPO / "examples" / "saas-finetune.yaml")
    (queued,) = [c for c in planned.plan.changes if c.action == "queue-training-launches"]
    edits = {e.path[-1]: e.after for e in queued.edits}
    # 3 jobs/s for 600 s must drain within 14,400 s - (420 + 2,700) s + 600 s = 11,880 s:
    # 1,800 / 11,880 = 0.152 jobs/s, i.e. ceil(0.152 x 3,120 s) = 473 jobs at once.
    assert edits == {
        "launch_queue": "finetune-requests",
        "paced_launches_per_second": 0.8,
        "retries": True,
        "max_concurrent_jobs": 473,
    }
    assert "473 jobs at once" in queued.description
    after = assess(load(write_targets(planned.plan, tmp_path)))
    (launch,) = [
        f for f in after.findings if f.rule == "CG-CAP-009" and f.target == "finetune-jobs"
    ]
    assert launch.status is Status.PASS
