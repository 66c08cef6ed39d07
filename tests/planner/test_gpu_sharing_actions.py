"""Planner actions for endpoints sharing GPUs (issue 17 item 5): replicas where they help (a
time-sliced group over the target), a manual step saying what does where they cannot."""

from __future__ import annotations

from pathlib import Path

from cellguard.models.findings import Status
from cellguard.models.loader import load
from tests.assessments.test_gpu_sharing import SLICED, mig, stack
from tests.planner.conftest import assess, plan_of, write_targets


def planned(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "chat.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_time_sliced_group_over_the_target_gets_replicas_for_the_group(tmp_path: Path) -> None:
    # each member at 50% alone (2 x 1,000 tokens/s for 1,000), 100% together
    result = plan_of(planned(tmp_path, stack(SLICED, SLICED, rps=(10, 10))))
    changes = {c.target: c for c in result.plan.changes if c.action == "add-gpu-capacity"}
    assert set(changes) == {"answer-llm", "summary-llm"}
    # ceil(2 x 100% / 80%) = 3 replicas each: 33% + 33% = 67%
    assert {e.path[-1]: e.after for e in changes["answer-llm"].edits}["replicas"] == 3
    assert "the members take 100% of them together, so each needs 3 replicas" in (
        changes["answer-llm"].description
    )
    after = assess(load(write_targets(result.plan, tmp_path / "target")))
    cap = [f for f in after.findings if f.rule == "CG-CAP-011"]
    assert cap and all(f.status is Status.PASS for f in cap)


def test_mig_profiles_over_one_gpu_get_a_manual_step_not_replicas(tmp_path: Path) -> None:
    result = plan_of(planned(tmp_path, stack(mig("4g.40gb"), mig("4g.40gb"))))
    assert not [c for c in result.plan.changes if c.action == "add-gpu-capacity"]
    steps = [s for s in result.plan.manual_steps if s.action == "add-gpu-capacity"]
    assert len(steps) == 2
    assert "need 8 of 7 compute and 8 of 8 memory slices of each GPU: more replicas" in (
        steps[0].description
    )


def test_a_slice_too_small_for_its_model_names_the_profiles_that_hold_it(tmp_path: Path) -> None:
    text = stack(mig("1g.10gb"), mig("3g.40gb")).replace("params_b: 8", "params_b: 30", 1)
    result = plan_of(planned(tmp_path, text))
    (step,) = [s for s in result.plan.manual_steps if s.action == "add-gpu-capacity"]
    assert step.target == "answer-llm"
    # 60 GB of weights fit 90% of the 80 GB of a whole H100's 7g.80gb instance only
    assert "each replica is one MIG 1g.10gb instance (10 GB) and the weights take 60 GB" in (
        step.description
    )
    assert "Use a MIG profile that holds them (7g.80gb;" in step.description
    assert "16 x H100 MIG" not in step.description  # no tensor parallelism over MIG slices
