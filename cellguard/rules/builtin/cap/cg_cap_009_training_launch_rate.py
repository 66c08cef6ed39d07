"""CG-CAP-009: training-job launches stay under the API rate or retry with backoff."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.catalog.services import api_rate
from cellguard.models.components import TrainingJob
from cellguard.models.enums import ComponentKind, TrainingPlatform
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

CREATE_TRAINING_JOB = api_rate("sagemaker.create_training_job")
"""SageMaker's CreateTrainingJob request rate, with its source, from the services catalog
(``cellguard/models/catalog/services.yaml``)."""

CREATE_TRAINING_JOB_RPS = CREATE_TRAINING_JOB.per_second
"""SageMaker CreateTrainingJob accepts about one request per second per account and region
(an API request rate, separate from the instance quotas)."""

META = RuleMeta(
    id="CG-CAP-009",
    title="Training-job launches stay under the API rate or retry with backoff",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("training_job",),
    rationale=(
        "SageMaker's CreateTrainingJob API accepts about one request per second. A launcher "
        "that fans out faster (a per-tenant retrain, a queue drained by many Lambda "
        "invocations) gets ThrottlingException for the excess; unless it retries with "
        "backoff, those jobs are simply never started and the affected tenants keep stale "
        "models without anyone noticing."
    ),
    source="AWS Well-Architected Reliability Pillar REL05-BP03",
    remediation=(
        "Pace launches at or below 1 per second (a token bucket in the orchestrator, SQS "
        "with limited Lambda concurrency) and retry ThrottlingException with exponential "
        "backoff and jitter, or reuse instances through SageMaker warm pools; declare "
        "launch_rate_per_second, retries and warm_pool."
    ),
    action="pace-training-launches",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every training job launched on SageMaker."""
    for qid, comp in ctx.components(ComponentKind.TRAINING_JOB):
        assert isinstance(comp, TrainingJob)
        target = ctx.component_target(qid)
        rate = comp.launch_rate_per_second
        evidence = {
            "platform": comp.platform.value if comp.platform else None,
            "launch_rate_per_second": rate,
            "api_rate_per_second": CREATE_TRAINING_JOB_RPS,
            "api_rate_source": CREATE_TRAINING_JOB.source.cite(),
            "retries": comp.retries,
            "warm_pool": comp.warm_pool,
        }
        if comp.platform is None:
            yield unknown(
                target,
                f"{target.id} does not say where its jobs run (platform), so the "
                "CreateTrainingJob rate limit may apply.",
                (),
                **evidence,
            )
            continue
        if comp.platform is not TrainingPlatform.SAGEMAKER:
            yield not_applicable(
                target, f"{target.id} runs on {comp.platform.value}, not SageMaker training."
            )
            continue
        field: KeyPath = ("launch_rate_per_second",)
        if rate is None:
            yield unknown(
                target,
                f"{target.id} does not declare its peak launch rate (launch_rate_per_second).",
                (),
                **evidence,
            )
        elif rate <= CREATE_TRAINING_JOB_RPS:
            yield passed(
                target,
                f"{target.id} launches at most {rate:g} jobs/s, within CreateTrainingJob's "
                f"~{CREATE_TRAINING_JOB_RPS:g}/s.",
                field,
                **evidence,
            )
        elif comp.retries is True or comp.warm_pool is True:
            absorbed = (
                "retries throttled launches with backoff"
                if comp.retries
                else "reuses instances through warm pools"
            )
            yield passed(
                target,
                f"{target.id} launches {rate:g} jobs/s, above CreateTrainingJob's "
                f"~{CREATE_TRAINING_JOB_RPS:g}/s, and {absorbed}.",
                ("retries",) if comp.retries else ("warm_pool",),
                **evidence,
            )
        elif comp.retries is False and comp.warm_pool is False:
            yield failed(
                target,
                f"{target.id} launches {rate:g} jobs/s against CreateTrainingJob's "
                f"~{CREATE_TRAINING_JOB_RPS:g}/s without retries or warm pools: about "
                f"{1 - CREATE_TRAINING_JOB_RPS / rate:.0%} of launches are throttled and lost.",
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} launches {rate:g} jobs/s, above CreateTrainingJob's "
                f"~{CREATE_TRAINING_JOB_RPS:g}/s, but does not say whether throttled launches "
                "are retried (retries) or instances reused (warm_pool).",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
