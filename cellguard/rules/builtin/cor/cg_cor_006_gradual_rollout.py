"""CG-COR-006: models and services roll out gradually.

``rolling`` passes: it replaces replicas a few at a time, so a crashing version stops the
roll. It is not a canary, though (no bake time or quality gate), and the message says so for
models, whose bad versions answer wrongly rather than crash. Managed models (Bedrock, external
APIs) are the provider's to deploy; components on a managed runtime that declare no rollout
are treated the same way.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import EmbeddingModel, ModelEndpoint
from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import MANAGED_SERVICE_RUNTIMES, RolloutStrategy, Runtime
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import MANAGED_HOSTING, SERVICE_KINDS, hosting, kind_names

META = RuleMeta(
    id="CG-COR-006",
    title="Models and services roll out gradually",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=kind_names(*SERVICE_KINDS),
    rationale=(
        "Deploying a new version to every replica at once turns any bad build, config or "
        "model into a full outage (or a full-scale quality regression) before an alarm can "
        "fire. Canary, blue/green and shadow releases expose a small share of traffic first "
        "and roll back on alarm, limiting the blast radius of change, the most common cause "
        "of incidents."
    ),
    source=(
        "AWS Builders' Library, 'Automating safe, hands-off deployments'; AWS Well-Architected "
        "Generative AI Lens GENOPS04-BP02 (follow GenAIOps practices)"
    ),
    remediation=(
        "Release through a canary (a few percent of traffic, bake time, automatic rollback on "
        "error-rate, latency and quality alarms), blue/green or shadow deployment (Argo "
        "Rollouts, SageMaker deployment guardrails, CodeDeploy); set rollout.strategy to "
        "canary, blue_green or shadow and rollout.automatic_rollback to true."
    ),
    action="use-canary-rollout",
)

GRADUAL = (RolloutStrategy.CANARY, RolloutStrategy.BLUE_GREEN, RolloutStrategy.SHADOW)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component that deploys the team's code or model."""
    for qid, comp in ctx.components_for(META):
        if not isinstance(comp, ServiceFields):
            continue
        target = ctx.component_target(qid)
        is_model = isinstance(comp, ModelEndpoint | EmbeddingModel)
        if hosting(comp) in MANAGED_HOSTING:
            yield not_applicable(
                target, f"{target.id} is a managed model; the provider rolls out its versions."
            )
            continue
        rollout = comp.rollout
        if rollout is None:
            if comp.runtime in MANAGED_SERVICE_RUNTIMES and comp.runtime is not Runtime.LAMBDA:
                yield not_applicable(
                    target, f"{target.id} runs on a managed service and declares no rollout."
                )
            else:
                yield unknown(
                    target,
                    f"{target.id} does not say how new versions roll out (rollout.strategy).",
                    ("rollout",),
                    strategy=None,
                )
            continue
        strategy = rollout.strategy
        evidence = {
            "strategy": strategy.value,
            "automatic_rollback": rollout.automatic_rollback,
        }
        field = ("rollout", "strategy")
        if strategy in GRADUAL:
            yield passed(target, f"{target.id} rolls out by {strategy.value}.", field, **evidence)
        elif strategy is RolloutStrategy.ROLLING:
            caveat = (
                ", but without a canary's quality gate: a model that answers wrongly still "
                "reaches every replica"
                if is_model
                else " (gradual, though without a canary's bake time)"
            )
            yield passed(target, f"{target.id} rolls out rolling{caveat}.", field, **evidence)
        else:
            what = "model or image" if is_model else "version"
            yield failed(
                target,
                f"{target.id} rolls out all at once: a bad {what} hits every replica before "
                "an alarm can fire.",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
