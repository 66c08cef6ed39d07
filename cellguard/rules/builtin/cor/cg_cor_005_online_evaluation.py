"""CG-COR-005: production output is evaluated online."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._helpers import document_models
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, not_applicable, verdict

META = RuleMeta(
    id="CG-COR-005",
    title="Production output is evaluated online",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("stack",),
    rationale=(
        "Answers degrade in production without any deployment: the corpus drifts, users ask "
        "new questions, a managed model is updated, a retriever returns stale chunks. Only "
        "evaluating a sample of live traffic (user feedback, LLM-as-judge, task success) "
        "notices that the system is up but wrong."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENOPS01-BP02 (collect and monitor user "
        "feedback) and GENOPS01-BP01 (periodically evaluate functional performance)"
    ),
    remediation=(
        "Score a sample of production requests continuously (thumbs up/down, task success, "
        "LLM-as-judge on grounding and relevance), alarm on drops, and feed failures back into "
        "the golden set; set practices.evaluation.online_feedback to true."
    ),
    action="add-online-evaluation",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every stack and platform answerable for a generative model."""
    for doc in ctx.documents():
        target = ctx.stack_target(doc.name)
        models = document_models(ctx, doc)
        if not models:
            yield not_applicable(target, f"{doc.name} serves no generative model on a journey.")
            continue
        online = doc.practices.evaluation.online_feedback
        thumbs = doc.practices.observability.user_feedback
        hint = (
            " User feedback is collected (practices.observability.user_feedback) but not used "
            "to evaluate output."
            if thumbs
            else ""
        )
        yield verdict(
            online,
            target,
            passing=f"{doc.name} evaluates production output online.",
            failing=(
                f"{doc.name} does not evaluate production output: answers can go wrong while "
                f"every health check stays green.{hint}"
            ),
            missing=(
                f"{doc.name} does not say whether production output is evaluated online "
                "(practices.evaluation.online_feedback)."
            ),
            field=("practices", "evaluation", "online_feedback"),
            online_feedback=online,
            user_feedback=thumbs,
            models=[localise(q, doc.name) for q in models],
        )


RULE = PythonRule(META, check)
