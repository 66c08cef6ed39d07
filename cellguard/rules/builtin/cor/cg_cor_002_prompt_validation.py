"""CG-COR-002: prompts are validated against the model's context size.

Where the validation lives: any component on the journey (other than the models) that declares
``protections.input_validation`` with a limit; the tightest limit counts. A ``protections``
block that does not mention ``input_validation`` is UNKNOWN, not FAIL: the spec has no way to
say "we do not validate" and an omitted key is not a statement. The rule fails only on a limit
the spec positively declares that lets prompts longer than the smallest context window of the
journey's models (fallbacks included) through.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from cellguard.models.components.common import ServiceFields
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cor._helpers import journey_models
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import MODEL_KINDS

META = RuleMeta(
    id="CG-COR-002",
    title="Prompts are validated against the model's context size",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("journey",),
    rationale=(
        "A prompt longer than the model's context window is rejected by the endpoint or, "
        "worse, silently truncated so the system prompt or the retrieved context is lost and "
        "the answer is wrong. Oversized prompts also hog GPU memory and KV cache and slow "
        "every other request. Validating prompt length at the edge, below the smallest "
        "context window on the path (fallback models included), turns this into a clear "
        "client error."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENSEC04-BP02 (sanitize and validate user "
        "inputs to foundation models); GENCOST03-BP01 (reduce prompt token length)"
    ),
    remediation=(
        "Reject or trim prompts above a token budget before they reach the model and declare "
        "it as protections.input_validation.max_prompt_tokens on the component that validates "
        "(a character limit, max_prompt_chars, is estimated at ~4 characters per token). Keep "
        "it below the smallest model.context_tokens of the journey's models, leaving room for "
        "the system prompt, retrieved context and the answer."
    ),
    action="add-prompt-validation",
)

CHARS_PER_TOKEN = 4
"""Rough characters per token of English text, to compare a character limit with a context."""


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey that reaches a generative model."""
    graph = ctx.graph
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        models = journey_models(ctx, stack, journey.id)
        if not models:
            yield not_applicable(target, f"Journey {journey.id} reaches no generative model.")
            continue
        contexts: dict[str, int] = {}
        for qid in models:
            comp = graph.component(qid)
            info = comp.model if isinstance(comp, HostedModelFields) else None
            if info is not None and info.context_tokens is not None:
                contexts[localise(qid, stack)] = info.context_tokens
        token_limits: dict[str, int] = {}
        char_limits: dict[str, int] = {}
        silent: list[str] = []
        for qid in graph.journey_components(stack, journey.id):
            comp = graph.component(qid)
            if graph.kind(qid) in MODEL_KINDS:
                continue
            if not isinstance(comp, ServiceFields) or comp.protections is None:
                continue
            validation = comp.protections.input_validation
            if validation is None:
                silent.append(localise(qid, stack))
                continue
            if validation.max_prompt_tokens is not None:
                token_limits[localise(qid, stack)] = validation.max_prompt_tokens
            if validation.max_prompt_chars is not None:
                char_limits[localise(qid, stack)] = validation.max_prompt_chars
        evidence: dict[str, Evidence] = {
            "models": [localise(q, stack) for q in models],
            "context_tokens": contexts,
            "max_prompt_tokens": token_limits,
            "max_prompt_chars": char_limits,
        }
        if not token_limits and not char_limits:
            where = (
                f"; {', '.join(silent)} {'declares' if len(silent) == 1 else 'declare'} "
                "protections without input_validation"
                if silent
                else ""
            )
            yield unknown(
                target,
                f"No component on journey {journey.id} declares a prompt length limit "
                f"(protections.input_validation){where}.",
                (),
                **evidence,
            )
            continue
        if token_limits:
            validator = min(token_limits, key=lambda k: token_limits[k])
            limit = token_limits[validator]
            limit_text = f"{limit:,} tokens"
        else:
            validator = min(char_limits, key=lambda k: char_limits[k])
            chars = char_limits[validator]
            limit = math.ceil(chars / CHARS_PER_TOKEN)
            limit_text = f"{chars:,} characters (~{limit:,} tokens)"
        evidence["limit_tokens"] = limit
        evidence["validated_by"] = validator
        if not contexts:
            yield unknown(
                target,
                f"{validator} caps prompts at {limit_text}, but no model on journey "
                f"{journey.id} declares its context size (model.context_tokens).",
                (),
                **evidence,
            )
            continue
        smallest = min(contexts, key=lambda k: contexts[k])
        window = contexts[smallest]
        evidence["smallest_context_tokens"] = window
        if limit > window:
            yield failed(
                target,
                f"{validator} accepts prompts up to {limit_text}, more than the "
                f"{window:,}-token context of {smallest}: longer prompts are rejected or "
                "truncated by the model.",
                (),
                **evidence,
            )
        else:
            undeclared = [m for m in [localise(q, stack) for q in models] if m not in contexts]
            note = f" (context of {', '.join(undeclared)} not declared)" if undeclared else ""
            yield passed(
                target,
                f"{validator} caps prompts at {limit_text}, within the {window:,}-token "
                f"context of {smallest}{note}.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
