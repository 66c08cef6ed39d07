"""CG-FI-002: prompt libraries are not shared across stacks or departments."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import ComponentKind, SharedDomainType
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
from cellguard.rules.outcome import Outcome, failed

META = RuleMeta(
    id="CG-FI-002",
    title="Prompt libraries are not shared across stacks or departments",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.MEDIUM,
    applies_to=("prompt_store", "stack"),
    rationale=(
        "A prompt library that several stacks read couples their behaviour and their uptime: "
        "one bad publish, a deleted or renamed template, a schema change or an outage of the "
        "store changes or breaks every team's assistant at once, and rolling back one team's "
        "prompts rolls back everyone's. Prompts are small and cheap to keep per stack."
    ),
    source="AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023)",
    remediation=(
        "Give each stack its own prompt_store (its own table, parameter path or Bedrock Prompt "
        "Management resources, deployed by its own pipeline), publish shared templates into "
        "each of them from git, and cache prompts in-process so the store is a soft dependency "
        "(optional: true on the depends_on entry)."
    ),
    action="split-shared-prompt-library",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every prompt store, and every document calling stores that are not loaded."""
    for qid, _ in ctx.components(ComponentKind.PROMPT_STORE):
        target = ctx.component_target(qid)
        share = sharing(ctx, qid, SharedDomainType.PROMPT_LIBRARY)
        evidence = share.evidence()
        if share.shared:
            yield failed(
                target,
                f"{sharing_message(target.id, 'prompt library', share)}: one bad publish, "
                "deleted template or store outage changes or breaks all of their assistants.",
                (),
                **evidence,
            )
        else:
            yield not_shared(ctx, target, share.stacks, target.id, evidence)
    yield from unresolved_outcomes(ctx, "any of them is a prompt library shared with other stacks")


RULE = PythonRule(META, check)
