"""CG-COR-012: guardrails fail closed.

A guardrail fails open when it says so (``fail_open: true``) and also when a caller does not
wait for it: a caller that marks the guardrail ``optional`` or calls it ``async`` carries on
without its verdict whenever it is down or slow.
"""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import Guardrail
from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-COR-012",
    title="Guardrails fail closed",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.MEDIUM,
    applies_to=("guardrail",),
    rationale=(
        "A guardrail that lets requests through when it is down or times out turns its own "
        "outage into a safety incident: during exactly the minutes nobody is checking, "
        "injected prompts, PII and harmful answers pass unfiltered. Failing closed (refuse or "
        "answer with a safe canned reply) keeps the control in force."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENSEC02-BP01 (implement guardrails); "
        "Saltzer and Schroeder, 'The Protection of Information in Computer Systems' (1975), "
        "fail-safe defaults"
    ),
    remediation=(
        "Treat a guardrail error or timeout as a block (return a safe refusal), make the "
        "guardrail a required, synchronous dependency of its callers (not optional, not "
        "async), and set fail_open: false."
    ),
    action="make-guardrail-fail-closed",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every guardrail."""
    for qid, comp in ctx.components(ComponentKind.GUARDRAIL):
        assert isinstance(comp, Guardrail)
        target = ctx.component_target(qid)
        skipping = [
            localise(e.source, target.stack)
            for e in ctx.graph.dependents(qid)
            if not e.on_required_path
        ]
        evidence: dict[str, Evidence] = {
            "fail_open": comp.fail_open,
            "callers_not_waiting": skipping,
        }
        field = ("fail_open",)
        if comp.fail_open is True:
            yield failed(
                target,
                f"{target.id} fails open: while it is down, requests and answers pass unchecked.",
                field,
                **evidence,
            )
        elif skipping:
            yield failed(
                target,
                f"{', '.join(skipping)} {'calls' if len(skipping) == 1 else 'call'} "
                f"{target.id} as an optional or async dependency: "
                "while it is down or slow, requests and answers pass unchecked.",
                (),
                **evidence,
            )
        elif comp.fail_open is None:
            yield unknown(
                target,
                f"{target.id} does not say whether it fails open or closed (fail_open).",
                field,
                **evidence,
            )
        else:
            yield passed(target, f"{target.id} fails closed.", field, **evidence)


RULE = PythonRule(META, check)
