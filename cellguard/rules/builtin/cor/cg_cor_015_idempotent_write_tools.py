"""CG-COR-015: tools that write are idempotent when their callers retry them."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.compute import Tool
from cellguard.models.enums import ToolPermission
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-COR-015",
    title="Tools that write are idempotent when their callers retry them",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("tool",),
    rationale=(
        "A call that timed out may still have succeeded: retrying it repeats the side effect. "
        "For a tool that writes (issues a refund, sends an email, files a ticket, places an "
        "order), every retry of a slow call is a second refund or a second email. A tool that "
        "takes an idempotency key, or whose writes are naturally idempotent (puts, upserts), "
        "makes retries safe. A tool that declares idempotent: true passes whoever calls it (so "
        "that leaving out its permissions or a caller's retries never raises a score); of the "
        "others, only tools some caller retries (depends_on[].retries above 0, or not "
        "declared) are judged, and one whose permissions are not declared is UNKNOWN."
    ),
    source=(
        "Amazon Builders' Library, 'Making retries safe with idempotent APIs' "
        "(https://aws.amazon.com/builders-library/making-retries-safe-with-idempotent-APIs/)"
    ),
    remediation=(
        "Make the tool idempotent (an idempotency key per logical request, stored with the "
        "result and checked before acting) and declare idempotent: true, or stop retrying it "
        "(retries: 0 on the callers' depends_on entries)."
    ),
    action="make-write-tool-idempotent",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every tool that a caller retries."""
    graph = ctx.graph
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        if not isinstance(comp, Tool):  # pragma: no cover - applies_to is tool only
            continue
        callers = graph.dependents(qid)
        retried = sorted(localise(e.source, target.stack) for e in callers if e.retries > 0)
        undeclared = sorted(
            localise(e.source, target.stack) for e in callers if not e.retries_declared
        )
        evidence: dict[str, Evidence] = {
            "permissions": comp.permissions.value if comp.permissions else None,
            "idempotent": comp.idempotent,
            "retried_by": retried,
            "retries_undeclared_by": undeclared,
        }
        field = ("idempotent",)
        if comp.idempotent is True:  # before the exemptions: they must not outrank a PASS
            yield passed(
                target,
                f"{target.id} is idempotent: its callers' retries repeat no side effect.",
                field,
                **evidence,
            )
        elif not retried and not undeclared:
            yield not_applicable(target, f"No caller retries {target.id}.")
        elif comp.permissions is ToolPermission.READ:
            yield not_applicable(target, f"{target.id} only reads: retrying it is harmless.")
        elif comp.permissions is None:
            yield unknown(
                target,
                f"{target.id} is retried but does not say whether it writes (permissions).",
                ("permissions",),
                **evidence,
            )
        elif comp.idempotent is False and retried:
            yield failed(
                target,
                f"{target.id} writes and is not idempotent, yet {', '.join(retried)} retr"
                f"{'ies' if len(retried) == 1 else 'y'} it: a call that timed out but "
                "succeeded is carried out twice.",
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} writes; whether "
                + (
                    "its callers retry it (depends_on[].retries) "
                    if not retried
                    else "repeating a call is harmless (idempotent) "
                )
                + "is not declared.",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
