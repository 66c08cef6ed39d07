"""CG-CAP-002: GPU workloads can run on more than one instance type."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import EmbeddingModel, ModelEndpoint, TrainingJob
from cellguard.models.enums import ComponentKind, TrainingPlatform
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, not_applicable, verdict
from cellguard.rules.predicates import MODEL_KINDS, runs_gpus

META = RuleMeta(
    id="CG-CAP-002",
    title="GPU workloads can run on more than one instance type",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=("model_endpoint", "embedding_model", "training_job"),
    rationale=(
        "GPU capacity runs out one instance type at a time. A fleet or job that can only use "
        "one type waits, or fails with InsufficientInstanceCapacity, when that pool is "
        "exhausted in its zones, even though a neighbouring size or generation with the same "
        "GPU is available. Diversifying instance types is the standard mitigation."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL07-BP01; Amazon EC2 Auto Scaling User Guide, "
        "mixed instances groups"
    ),
    remediation=(
        "Allow a second instance type with a suitable GPU (another size or generation, e.g. "
        "g6e.xlarge and g6e.2xlarge, or p5.4xlarge and p5.48xlarge) in the node pool, "
        "endpoint variant or job launcher, and list them in serving.instance_types (models) "
        "or instance_types (training jobs)."
    ),
    action="diversify-instance-types",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every GPU model and every training job outside Bedrock."""
    for qid, comp in ctx.components(*MODEL_KINDS, ComponentKind.TRAINING_JOB):
        target = ctx.component_target(qid)
        field: KeyPath
        if isinstance(comp, TrainingJob):
            if comp.platform is TrainingPlatform.BEDROCK:
                yield not_applicable(
                    target, f"{target.id} runs on Bedrock, which chooses the instances."
                )
                continue
            types = comp.instance_types
            field, key = ("instance_types",), "instance_types"
        elif isinstance(comp, ModelEndpoint | EmbeddingModel) and runs_gpus(comp):
            types = comp.serving.instance_types if comp.serving else []
            field, key = ("serving", "instance_types"), "serving.instance_types"
        else:
            yield not_applicable(target, f"{target.id} runs on a managed service, not our GPUs.")
            continue
        ok = None if not types else len(types) > 1
        yield verdict(
            ok,
            target,
            passing=f"{target.id} can run on {len(types)} instance types: {', '.join(types)}.",
            failing=(
                f"{target.id} can only run on {types[0] if types else '?'}: when that "
                "instance type is short, it cannot replace or add capacity."
            ),
            missing=f"{target.id} does not list the instance types it can run on ({key}).",
            field=field,
            instance_types=types,
        )


RULE = PythonRule(META, check)
