"""Training jobs: platform inference, the launch path's arithmetic and the work interruptions lose."""

from __future__ import annotations

import pytest

from cellguard.assessments.training import (
    LOST_FRACTION_LIMIT,
    checkpoint_loss,
    infer_platform,
    launch_plan,
)
from cellguard.models.catalog.training import interruption_rate
from cellguard.models.components import ComponentBase, ModelEndpoint, TrainingJob
from cellguard.models.components.compute import App
from cellguard.models.enums import TrainingPlatform


def job(**values: object) -> TrainingJob:
    return TrainingJob.model_validate({"id": "finetune", "kind": "training_job", **values})


def sagemaker_endpoint() -> ComponentBase:
    return ModelEndpoint.model_validate(
        {"id": "tenant-models", "kind": "model_endpoint", "hosting": "sagemaker"}
    )


def app(runtime: str) -> ComponentBase:
    return App.model_validate({"id": f"svc-{runtime}", "kind": "app", "runtime": runtime})


def test_the_llama3_rate_per_gpu_hour() -> None:
    rate = interruption_rate()
    assert (rate.interruptions, rate.days, rate.gpus) == (419, 54, 16384)
    assert rate.per_gpu_hour == pytest.approx(419 / (16384 * 54 * 24))
    assert rate.per_gpu_hour == pytest.approx(1.9733e-5, rel=1e-4)
    assert "arXiv:2407.21783" in rate.source.title


def test_platform_declared_wins() -> None:
    guess = infer_platform(job(platform="eks", instance_types=["ml.g5.2xlarge"]), [])
    assert (guess.platform, guess.sagemaker, guess.basis) == (
        TrainingPlatform.EKS,
        False,
        "declared",
    )


def test_platform_from_sagemaker_instance_types() -> None:
    guess = infer_platform(job(instance_types=["ml.g5.2xlarge", "ml.g5.4xlarge"]), [app("eks")])
    assert guess.platform is TrainingPlatform.SAGEMAKER and guess.sagemaker is True
    assert guess.basis == "SageMaker instance types (ml.g5.2xlarge, ml.g5.4xlarge)"


def test_ec2_instance_types_rule_out_sagemaker_without_naming_the_platform() -> None:
    guess = infer_platform(job(instance_types=["p5.48xlarge"]), [sagemaker_endpoint()])
    assert guess.platform is None and guess.sagemaker is False


def test_an_all_sagemaker_stack_needs_no_key() -> None:
    stack = [sagemaker_endpoint(), app("lambda"), app("managed")]
    guess = infer_platform(job(), stack)
    assert guess.platform is TrainingPlatform.SAGEMAKER and guess.sagemaker is True
    assert guess.basis == "the stack's only training platform (sagemaker: tenant-models)"


def test_a_stack_on_sagemaker_and_eks_is_ambiguous() -> None:
    guess = infer_platform(job(), [sagemaker_endpoint(), app("eks")])
    assert guess.platform is None and guess.sagemaker is None
    assert "several platforms (eks, sagemaker)" in guess.basis


def test_unqueued_launches_above_the_rate() -> None:
    plan = launch_plan(job(launch_rate_per_second=3))
    assert plan is not None and not plan.queued
    assert plan.api_rate_per_second == 1.0 and "estimate" in plan.api_rate_source
    assert plan.throttled_share == pytest.approx(2 / 3)
    assert plan.max_wait_seconds is None


def test_batching_divides_the_launches() -> None:
    plan = launch_plan(job(launch_rate_per_second=3, fine_tunes_per_job=4))
    assert plan is not None and plan.jobs_per_second == 0.75 and plan.throttled_share == 0


def test_queue_drain_bounded_by_the_pacing() -> None:
    plan = launch_plan(
        job(
            launch_rate_per_second=3,
            peak_seconds=600,
            launch_queue="q",
            paced_launches_per_second=0.8,
        )
    )
    assert plan is not None and plan.drain_per_second == 0.8
    assert plan.backlog_jobs == pytest.approx(1320)  # (3 - 0.8) x 600
    assert plan.max_wait_seconds == pytest.approx(1650)  # 1,320 / 0.8


def test_queue_drain_bounded_by_the_jobs_that_can_run_at_once() -> None:
    plan = launch_plan(
        job(
            launch_rate_per_second=3,
            peak_seconds=600,
            launch_queue="q",
            paced_launches_per_second=0.8,
            startup_seconds=420,
            duration_hours=0.75,
            max_concurrent_jobs=40,
        )
    )
    assert plan is not None
    assert plan.finishing_per_second == pytest.approx(40 / 3120)
    assert plan.drain_per_second == pytest.approx(40 / 3120)
    assert plan.max_wait_seconds == pytest.approx((3 - 40 / 3120) * 600 / (40 / 3120))


def test_pacing_above_the_rate_drains_at_the_rate_only_with_retries() -> None:
    values = {"launch_rate_per_second": 3, "launch_queue": "q", "paced_launches_per_second": 2}
    dropped = launch_plan(job(**values, retries=False))
    retried = launch_plan(job(**values, retries=True, api_rate_per_second=1.5))
    assert dropped is not None and dropped.drain_per_second is None
    assert retried is not None and retried.drain_per_second == 1.5
    assert retried.api_rate_source == "spec (api_rate_per_second)"


def test_a_2048_gpu_run_every_6_hours_loses_too_much() -> None:
    loss = checkpoint_loss(
        job(gpus=2048, duration_hours=720, checkpoint_interval_minutes=360, restart_minutes=10)
    )
    assert loss is not None
    assert loss.interruptions_per_hour == pytest.approx(2048 * 419 / (16384 * 54 * 24))
    assert loss.mtbf_hours == pytest.approx(24.74, abs=0.01)
    assert loss.lost_per_interruption_hours == pytest.approx(3 + 10 / 60)
    assert loss.lost_fraction == pytest.approx(0.1280, abs=1e-4)
    assert loss.lost_fraction_at_least == pytest.approx(0.1212, abs=1e-4)
    assert loss.interruptions_per_run == pytest.approx(29.1, abs=0.05)
    assert loss.lost_fraction > LOST_FRACTION_LIMIT


def test_a_2048_gpu_run_every_30_minutes_is_within_the_limit() -> None:
    loss = checkpoint_loss(
        job(gpus=2048, duration_hours=720, checkpoint_interval_minutes=30, restart_minutes=10)
    )
    assert loss is not None and loss.lost_fraction is not None
    assert loss.lost_fraction == pytest.approx(0.0168, abs=1e-4)
    assert loss.lost_fraction <= LOST_FRACTION_LIMIT


def test_a_run_shorter_than_its_interval_loses_half_the_run() -> None:
    loss = checkpoint_loss(job(gpus=8, duration_hours=1, checkpoint_interval_minutes=600))
    assert loss is not None and loss.interval_hours == 1 and loss.lost_fraction is None


def test_no_figures_without_gpus_or_interval() -> None:
    assert checkpoint_loss(job(gpus=8)) is None
    assert checkpoint_loss(job(checkpoint_interval_minutes=30)) is None
