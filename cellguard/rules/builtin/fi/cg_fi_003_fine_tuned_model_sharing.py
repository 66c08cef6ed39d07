"""CG-FI-003: fine-tuned models are not shared across stacks."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import (
    not_shared,
    sharing,
    sharing_message,
    unresolved_outcomes,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable
from cellguard.rules.predicates import MODEL_KINDS

META = RuleMeta(
    id="CG-FI-003",
    title="Fine-tuned models are not shared across stacks",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.MEDIUM,
    applies_to=("model_endpoint", "embedding_model", "stack"),
    rationale=(
        "A fine-tuned model is a custom artifact with its own capacity (provisioned throughput "
        "or dedicated instances), its own release cycle and an hours-long retraining path. "
        "Shared by several stacks, one team's retrain or regression changes every consumer's "
        "answers, its capacity is contended, and losing it takes all of them down until it is "
        "retrained. Models not declared fine-tuned (model.fine_tuned) are out of scope."
    ),
    source="AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023)",
    remediation=(
        "Deploy the fine-tuned model once per consuming stack (its own endpoint or provisioned "
        "throughput, released by that stack's pipeline), so each team retrains, rolls out and "
        "scales its copy independently; keep the training data and artifacts shared read-only "
        "if needed."
    ),
    action="split-shared-fine-tuned-model",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every fine-tuned model, and every document calling models that are not loaded."""
    for qid, comp in ctx.components(*MODEL_KINDS):
        target = ctx.component_target(qid)
        model = getattr(comp, "model", None)
        if model is None or model.fine_tuned is not True:
            yield not_applicable(
                target,
                f"{target.id} is not declared as a fine-tuned model (model.fine_tuned).",
                ("model", "fine_tuned"),
            )
            continue
        share = sharing(ctx, qid)
        evidence = share.evidence()
        del evidence["shared_domains"]
        if share.shared:
            yield failed(
                target,
                f"{sharing_message(target.id, 'fine-tuned model', share)}: one team's retrain, "
                "regression or capacity spike changes or takes down all of them.",
                (),
                **evidence,
            )
        else:
            yield not_shared(ctx, target, share.stacks, f"Fine-tuned {target.id}", evidence)
    yield from unresolved_outcomes(
        ctx, "any of them is a fine-tuned model shared with other stacks"
    )


RULE = PythonRule(META, check)
