"""CG-COR-004: model output is evaluated offline before release.

Applies to every document answerable for a generative model: stacks whose journeys reach one
and platforms whose model endpoints serve journeys (a platform that swaps the shared model or
its prompts changes every department's answers).
"""

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
    id="CG-COR-004",
    title="Model output is evaluated offline before release",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("stack",),
    rationale=(
        "A new model version, prompt, retrieval setting or fine-tune can degrade answers "
        "while every health check stays green. Scoring candidates against a ground-truth set "
        "of prompts and expected answers before release is the only gate that catches a "
        "quality regression before users do."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENOPS01-BP01 (periodically evaluate "
        "functional performance) and GENPERF01-BP01 (define a ground truth data set)"
    ),
    remediation=(
        "Run an offline evaluation (golden set of prompts and reference answers, LLM-as-judge "
        "or task metrics, e.g. Bedrock model evaluation, RAGAS, promptfoo) in the release "
        "pipeline and block releases below the threshold; set practices.evaluation.offline "
        "(and golden_set) to true."
    ),
    action="add-offline-evaluation",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every stack and platform answerable for a generative model."""
    for doc in ctx.documents():
        target = ctx.stack_target(doc.name)
        models = document_models(ctx, doc)
        if not models:
            yield not_applicable(target, f"{doc.name} serves no generative model on a journey.")
            continue
        evaluation = doc.practices.evaluation
        golden = (
            "" if evaluation.golden_set is not False else ", though without a curated golden set"
        )
        yield verdict(
            evaluation.offline,
            target,
            passing=f"{doc.name} evaluates model output offline before release{golden}.",
            failing=(
                f"{doc.name} releases model, prompt and retrieval changes without offline "
                "evaluation: quality regressions reach users first."
            ),
            missing=(
                f"{doc.name} does not say whether model output is evaluated offline "
                "(practices.evaluation.offline)."
            ),
            field=("practices", "evaluation", "offline"),
            offline=evaluation.offline,
            golden_set=evaluation.golden_set,
            models=[localise(q, doc.name) for q in models],
        )


RULE = PythonRule(META, check)
