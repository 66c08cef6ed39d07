"""CG-COR-009: production changes go through CI/CD with a rollback."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-COR-009",
    title="Production changes go through CI/CD with a rollback",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("stack",),
    rationale=(
        "Changes are the most common trigger of outages. Hand-made production changes skip "
        "review, tests and evaluation, leave no record of what changed, and cannot be undone "
        "reliably; without a fast, tested rollback every bad release lasts as long as it "
        "takes to write a fix."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENOPS04-BP01 (automate the application "
        "lifecycle with infrastructure as code) and GENOPS04-BP02 (follow GenAIOps practices)"
    ),
    remediation=(
        "Ship every change (code, infrastructure, model, prompt, guardrail and gateway config) "
        "through a CI/CD pipeline, remove console write access in production, and keep a "
        "one-step tested rollback; set practices.change_management.ci_cd: true, "
        "manual_prod_changes: false and rollback: true."
    ),
    action="enforce-ci-cd-rollback",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every stack and platform."""
    for doc in ctx.documents():
        target = ctx.stack_target(doc.name)
        cm = doc.practices.change_management
        base: KeyPath = ("practices", "change_management")
        evidence = {
            "ci_cd": cm.ci_cd,
            "manual_prod_changes": cm.manual_prod_changes,
            "rollback": cm.rollback,
        }
        wrong: list[tuple[str, str]] = []
        if cm.ci_cd is False:
            wrong.append(("ci_cd", "no CI/CD pipeline"))
        if cm.manual_prod_changes is True:
            wrong.append(("manual_prod_changes", "production is changed by hand"))
        if cm.rollback is False:
            wrong.append(("rollback", "no rollback"))
        if wrong:
            yield failed(
                target,
                f"{doc.name}: {'; '.join(w for _, w in wrong)}.",
                (*base, wrong[0][0]),
                **evidence,
            )
            continue
        missing = [k for k, v in evidence.items() if v is None]
        if missing:
            yield unknown(
                target,
                f"{doc.name} does not declare "
                f"{', '.join(f'practices.change_management.{k}' for k in missing)}.",
                (*base, missing[0]),
                **evidence,
            )
            continue
        yield passed(
            target,
            f"{doc.name} ships production changes only through CI/CD, with a rollback.",
            base,
            **evidence,
        )


RULE = PythonRule(META, check)
