"""CG-CAP-010's sizing of a fallback model for failure-driven failover (the primary down)."""

from __future__ import annotations

from cellguard.assessments.capacity import QUOTA, PrimaryDown, fleet, rounded
from cellguard.assessments.edges import DependencyEdge
from cellguard.models.findings import Evidence
from cellguard.models.references import localise
from cellguard.rules.builtin.cap._capacity import percent, rate
from cellguard.rules.context import RuleContext
from cellguard.rules.outcome import Outcome, Target, failed, passed, unknown

SHED_KEY = "shed_on_failover"


def evidence(down: PrimaryDown, within: str) -> dict[str, Evidence]:
    """The figures of ``down`` as flat evidence (ids as seen from stack ``within``)."""
    return {
        "fallback": localise(down.fallback, within),
        "journeys": list(down.journeys),
        "unit": down.unit,
        "failover_demand": rounded(down.demand, 1),
        "own_demand": rounded(down.own_demand, 1),
        "shed_on_failover": down.shed,
        "carried": rounded(down.carried, 1),
        "fallback_supply": rounded(down.supply, 1),
        "utilisation": rounded(down.utilisation, 3),
        "utilisation_without_shedding": rounded(down.utilisation_without_shedding, 3),
        "missing": list(down.missing),
    }


def _limit(ctx: RuleContext, down: PrimaryDown, back: str) -> str:
    """``its quota of 6,667 tokens/s`` or ``its fleet's throughput of 7,242 output tokens/s``."""
    model = fleet(ctx.graph, down.fallback)
    what = "quota" if model is not None and model.row.basis == QUOTA else "fleet's throughput"
    supply = rate(down.supply, down.unit) if down.supply is not None else "unknown"
    return f"{back}'s {what} of {supply}"


def judge(
    ctx: RuleContext, target: Target, edge: DependencyEdge, down: PrimaryDown, names: str
) -> Outcome:
    """FAIL when the fallback cannot carry what falls on it with the primary down (after the
    shedding the design accepts), UNKNOWN when the figures are missing, else PASS."""
    callee = localise(edge.target, target.stack)
    back = localise(down.fallback, target.stack)
    figures = evidence(down, target.stack)
    own = f" on top of its own {rate(down.own_demand, down.unit)}" if down.own_demand > 0 else ""
    moved = rate(down.demand, down.unit)
    limit = _limit(ctx, down, back)
    util, whole = down.utilisation, down.utilisation_without_shedding
    lead = (
        f"With {callee} down entirely, all of the demand of {names} on it ({moved}) goes to "
        f"{back}{own}"
    )
    if down.shed > 0:
        degraded = (
            f"the design accepts shedding {percent(down.shed)} of it on failover ({SHED_KEY}), "
            f"so {back} must carry {rate(down.carried, down.unit)}"
        )
    else:
        degraded = (
            f"the design accepts no degraded service (no {SHED_KEY}): {back} must carry all of it"
        )
    if util is not None and util > 1:
        return failed(
            target,
            f"{lead}; {degraded}, {percent(util)} of {limit}: the fallback is throttled or "
            "saturated exactly when it is needed.",
            ("fallback",),
            **figures,
        )
    if util is None or whole is None or not down.complete:
        known = f", {percent(util)} of {limit} for the demand known" if util is not None else ""
        return unknown(
            target,
            f"{lead}; {degraded}{known}, but the spec lacks {'; '.join(down.missing)}.",
            ("fallback",),
            **figures,
        )
    if whole > 1:
        return passed(
            target,
            f"{lead}; all of it would be {percent(whole)} of {limit}, but {degraded}, "
            f"{percent(util)} of it: degraded service by design.",
            ("fallback",),
            **figures,
        )
    return passed(
        target,
        f"{target.id} falls back to {back}, which carries all of it with {callee} down: "
        f"{moved}{own} is {percent(util)} of {limit}.",
        ("fallback",),
        **figures,
    )
