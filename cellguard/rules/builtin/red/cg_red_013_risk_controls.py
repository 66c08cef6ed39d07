"""CG-RED-013: every severe, likely risk of the register has a control the spec proves."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.risks import RiskRow, risk_rows
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.models.stack import Stack
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-RED-013",
    title="Severe, likely risks of the register have a control the spec proves",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("stack",),
    rationale=(
        "A risk register entry that is likely (or almost certain) and major (or severe) names "
        "components the business expects to fail badly. A mitigation written as text is a "
        "promise; what the architecture can show is a control on the component itself: "
        "redundancy (replicas in two or more zones of every region, multi_az, or two or more "
        "regions), callers that degrade (every call to it has a fallback or is optional or "
        "asynchronous), protections (rate limiting, load shedding or a circuit breaker) or "
        "backups whose restore has been tested. A severe, likely risk on a component with none "
        "of these is an accepted single point of failure nobody accepted in writing. Without "
        "a register (business.risks) the rule cannot tell, and says so."
    ),
    source=(
        "ISO 31000:2018 risk treatment (a control modifies the risk); AWS Well-Architected "
        "Reliability Pillar REL09/REL10 (redundancy) and REL05-BP01 (graceful degradation)"
    ),
    remediation=(
        "Give each listed component a control the spec can state: replicas in more zones or "
        "regions (placement, replicas), a fallback or an optional call on every caller's "
        "depends_on entry, protections (rate_limiting, load_shedding, circuit_breaker) or a "
        "backup with restore_tested; or, if the risk is accepted, record it as a waiver with "
        "an owner and an expiry."
    ),
    action="control-risk",
)


def _name(row: RiskRow) -> str:
    """``gpu-stockout (likely x severe, 16/20)``."""
    r = row.risk
    return f"{r.id} ({r.likelihood.value} x {r.severity.value}, {r.score}/20)"


def _judge(ctx: RuleContext, stack: Stack) -> Outcome:
    name = stack.metadata.name
    target = ctx.stack_target(name)
    if "risks" not in stack.business.model_fields_set:
        return unknown(
            target,
            f"{name} declares no risk register: the spec cannot tell which severe, likely "
            "risks need a control (declare business.risks; [] for none).",
        )
    rows = [r for r in risk_rows(ctx.graph) if r.stack == name and r.risk.severe_and_likely]
    if not rows:
        return not_applicable(
            target,
            f"{name}'s risk register holds no severe, likely risk (likely or almost certain, "
            "and major or severe).",
        )
    index = {r.id: i for i, r in enumerate(stack.business.risks)}
    evidence: dict[str, Evidence] = {"risks": [r.to_json() for r in rows]}
    gaps = [(r, c) for r in rows for c in r.uncontrolled]
    evidence["uncontrolled"] = [f"{r.id}: {localise(c, name)}" for r, c in gaps]
    if gaps:
        first = gaps[0][0]
        listed = "; ".join(f"{_name(r)} on {localise(c, name)}" for r, c in gaps)
        texts = sorted({r.id for r, _ in gaps if r.risk.mitigation})
        if texts:
            listed += (
                f" (the mitigation text of {', '.join(texts)} is not a control the spec proves)"
            )
        journeys = sorted({j for r, _ in gaps for j in r.journeys})
        more = f" and {len(journeys) - 4} more" if len(journeys) > 4 else ""
        touched = f"; journeys touched: {', '.join(journeys[:4])}{more}" if journeys else ""
        return failed(
            target,
            f"Severe, likely risks on components without a control the spec proves "
            f"(redundancy, callers that degrade, protections, tested backups): {listed}{touched}.",
            ("business", "risks", index[first.id]),
            **evidence,
        )
    blind = [r for r in rows if not r.components]
    if blind:
        return unknown(
            target,
            f"Risk {', '.join(_name(r) for r in blind)} names no component of the spec: "
            "the spec cannot tell whether it is controlled (list its components).",
            ("business", "risks", index[blind[0].id]),
            **evidence,
        )
    proved = "; ".join(
        f"{_name(r)}: "
        + ", ".join(f"{localise(c, name)} ({' / '.join(found)})" for c, found in r.controls)
        for r in rows
    )
    return passed(
        target,
        f"Every severe, likely risk has a control the spec proves: {proved}.",
        (),
        **evidence,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge the register of every stack."""
    for stack in ctx.stacks():
        yield _judge(ctx, stack)


RULE = PythonRule(META, check)
