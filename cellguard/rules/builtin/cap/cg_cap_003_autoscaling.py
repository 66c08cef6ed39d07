"""CG-CAP-003: model servers and services autoscale."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.common import ServiceFields
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._helpers import SERVICES, run_by_provider
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown
from cellguard.rules.predicates import kind_names

META = RuleMeta(
    id="CG-CAP-003",
    title="Model servers and services autoscale",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=kind_names(*SERVICES),
    rationale=(
        "A fixed fleet is sized for yesterday's peak: a launch, a surge or the loss of a "
        "zone's replicas pushes it into overload, and someone has to notice and scale it by "
        "hand. Horizontal autoscaling on a signal that tracks load (queue depth or "
        "concurrency for model servers) adds capacity before the queue grows unbounded."
    ),
    source="AWS Well-Architected Reliability Pillar REL07-BP01; Generative AI Lens GENOPS02-BP03",
    remediation=(
        "Add a horizontal autoscaler (HPA/KEDA or Karpenter on EKS, ECS service auto scaling, "
        "SageMaker endpoint auto scaling) with min below max, scaling model servers on queue "
        "depth or concurrency, and declare it as autoscaling: {min, max, metric}."
    ),
    action="enable-autoscaling",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every GPU model server and every service the team runs on its own fleet.

    Services on Lambda or a managed runtime, and models served by their provider, are
    NOT_APPLICABLE: the platform adds capacity per request, and its limits are quota checks.
    """
    for qid, comp in ctx.components_for(META):
        if not isinstance(comp, ServiceFields):
            continue  # every kind in SERVICES is a service; this narrows the type
        target = ctx.component_target(qid)
        managed = run_by_provider(target, comp)
        if managed is not None:
            yield managed
            continue
        scaling = comp.autoscaling
        evidence = {
            "replicas": comp.replicas,
            "autoscaling": (
                scaling.model_dump(mode="json", exclude_none=True) if scaling is not None else None
            ),
        }
        if scaling is not None and scaling.min >= scaling.max:
            yield failed(
                target,
                f"{target.id} cannot scale out: autoscaling min {scaling.min} is not below "
                f"max {scaling.max}, a fixed fleet.",
                ("autoscaling",),
                **evidence,
            )
        elif scaling is not None:
            metric = f" on {scaling.metric.value}" if scaling.metric else ""
            yield passed(
                target,
                f"{target.id} autoscales from {scaling.min} to {scaling.max} replicas{metric}.",
                ("autoscaling",),
                **evidence,
            )
        elif comp.replicas is not None:
            yield failed(
                target,
                f"{target.id} runs a fixed fleet of {comp.replicas} replicas without autoscaling.",
                ("replicas",),
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} declares neither replicas nor autoscaling.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
