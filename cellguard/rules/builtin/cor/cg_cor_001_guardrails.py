"""CG-COR-001: journeys that reach a model pass through input and output guardrails."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import Guardrail
from cellguard.models.enums import ComponentKind, GuardrailCheck
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._helpers import journey_models
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-COR-001",
    title="Journeys that reach a model pass through input and output guardrails",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "A model answers whatever it is asked and can be steered by injected instructions; "
        "without an input check (toxicity, prompt injection, jailbreak, PII, denied topics) "
        "and an output check (toxicity, grounding, hallucination, schema, PII) harmful, "
        "leaked or made-up text reaches users whenever the model or its prompt misbehaves."
    ),
    source="AWS Well-Architected Generative AI Lens GENSEC02-BP01 (implement guardrails)",
    remediation=(
        "Put a guardrail (Bedrock Guardrails, NeMo Guardrails, Llama Guard, ...) on the journey, "
        "called before and after the model, and list what it checks in the guardrail "
        "component's checks: at least one input check (input_toxicity, prompt_injection, "
        "jailbreak, pii, denied_topics) and one output check (output_toxicity, grounding, "
        "hallucination, schema, pii)."
    ),
    action="add-guardrail",
)

INPUT_CHECKS = frozenset(
    {
        GuardrailCheck.INPUT_TOXICITY,
        GuardrailCheck.PROMPT_INJECTION,
        GuardrailCheck.JAILBREAK,
        GuardrailCheck.PII,
        GuardrailCheck.DENIED_TOPICS,
    }
)
"""Checks that screen what goes into the model (PII filters act on both sides)."""

OUTPUT_CHECKS = frozenset(
    {
        GuardrailCheck.OUTPUT_TOXICITY,
        GuardrailCheck.GROUNDING,
        GuardrailCheck.HALLUCINATION,
        GuardrailCheck.SCHEMA,
        GuardrailCheck.PII,
    }
)
"""Checks that screen what comes out of the model."""


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey that reaches a generative model."""
    graph = ctx.graph
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        models = journey_models(ctx, stack, journey.id)
        if not models:
            yield not_applicable(target, f"Journey {journey.id} reaches no generative model.")
            continue
        guardrails = [
            q
            for q in graph.journey_components(stack, journey.id)
            if graph.kind(q) is ComponentKind.GUARDRAIL
        ]
        model_names = [localise(q, stack) for q in models]
        if not guardrails:
            yield failed(
                target,
                f"Journey {journey.id} reaches {', '.join(model_names)} without any guardrail: "
                "prompts and answers go unchecked.",
                models=model_names,
                guardrails=[],
            )
            continue
        checks: set[GuardrailCheck] = set()
        unlisted: list[str] = []
        for qid in guardrails:
            comp = graph.component(qid)
            assert isinstance(comp, Guardrail)
            checks.update(comp.checks)
            if not comp.checks:
                unlisted.append(qid)
        has_input = bool(checks & INPUT_CHECKS)
        has_output = bool(checks & OUTPUT_CHECKS)
        names = [localise(q, stack) for q in guardrails]
        listed = sorted(c.value for c in checks)
        evidence: dict[str, Evidence] = {
            "models": model_names,
            "guardrails": names,
            "checks": listed,
            "input_checks": sorted(c.value for c in checks & INPUT_CHECKS),
            "output_checks": sorted(c.value for c in checks & OUTPUT_CHECKS),
        }
        if has_input and has_output:
            yield passed(
                target,
                f"Journey {journey.id} checks model input and output through {', '.join(names)}.",
                (),
                **evidence,
            )
        elif unlisted:
            yield unknown(
                target,
                f"Journey {journey.id} passes through {', '.join([localise(q, stack) for q in unlisted])} but "
                "does not list its checks (checks), so input and output coverage is unknown.",
                (),
                **evidence,
            )
        else:
            missing = " and ".join(
                side for side, ok in (("input", has_input), ("output", has_output)) if not ok
            )
            yield failed(
                target,
                f"Journey {journey.id} has no {missing} check: {', '.join(names)} only "
                f"{'checks' if len(names) == 1 else 'check'} {', '.join(listed)}.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
