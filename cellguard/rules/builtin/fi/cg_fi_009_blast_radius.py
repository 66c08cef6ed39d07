"""CG-FI-009: no shared failure domain takes down several stacks' business at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from cellguard.assessments.availability.blast import BlastRadius, blast_radius
from cellguard.assessments.availability.journeys import journey_availability
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, not_applicable, passed, unknown

MAX_SHARE = 0.25
"""Largest share of the organisation's revenue per hour one shared domain may take down."""

JUDGED_KINDS = ("account", "cell", "shared")
"""Domains a team chooses to share; regions and zones are judged by the redundancy rules."""

META = RuleMeta(
    id="CG-FI-009",
    title="No shared failure domain takes down several stacks' business at once",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.HIGH,
    applies_to=("stack",),
    rationale=(
        "A shared account quota, a shared node pool or control plane, a shared vector store "
        "or prompt library turns one team's incident into everyone's: the seed case is a "
        "corrupted shared vector index taking down HR, support, legal and product assistants "
        f"together. A domain whose failure alone stops journeys of several stacks worth more "
        f"than {MAX_SHARE:.0%} of the organisation's revenue per hour is too wide a blast radius."
    ),
    source="Generative AI Lens GENREL03; AWS fault isolation boundaries whitepaper",
    remediation=(
        "Split the domain per stack or per cell (separate accounts, quotas, node pools and "
        "vector store instances), or give the journeys a fallback outside it."
    ),
    action="split-shared-domain",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge each domain shared by several stacks once, on the first stack it reaches.

    A domain shared by stacks A and B is one problem of the organisation, not one per stack:
    it is judged on the first of its stacks in organisation order (its home), with every
    widely shared domain homed there listed worst first. A stack the domain also reaches
    gets a NOT_APPLICABLE pointing at that finding rather than a copy of it.
    """
    results = journey_availability(ctx.graph)
    total = sum(r.revenue_per_hour or 0.0 for r in results)
    radii = [b for b in blast_radius(ctx.graph) if b.domain.kind.value in JUDGED_KINDS]
    order = [stack.name for stack in ctx.stacks()]
    shared = [b for b in radii if len(b.stacks) > 1]
    home = {
        b.domain: min(b.stacks, key=lambda s: (order.index(s) if s in order else len(order), s))
        for b in shared
    }
    for stack in ctx.stacks():
        target = ctx.stack_target(stack.name)
        if not any(r.stack == stack.name for r in results):
            yield not_applicable(target, f"{stack.name} has no journeys.")
            continue
        reaching = [b for b in shared if stack.name in b.stacks]
        mine = [b for b in reaching if home[b.domain] == stack.name]
        if not reaching:
            yield passed(
                target,
                f"No account, cell or shared domain takes down {stack.name}'s journeys "
                "together with another stack's.",
            )
            continue
        if not mine:
            others = sorted({f"{b.domain.node_id} (judged on {home[b.domain]})" for b in reaching})
            yield not_applicable(
                target,
                f"{stack.name} shares {', '.join(others)}: each shared domain is judged once, "
                "on the first stack it reaches.",
            )
            continue
        yield _judge(target, stack.name, mine, total, _currency(ctx, mine[0].stacks))


def _currency(ctx: RuleContext, stacks: Iterable[str]) -> str:
    """The ISO 4217 currency of the stacks' money (``EUR+USD`` when they differ, as the
    reports write a sum over stacks of different currencies)."""
    return "+".join(sorted({str(ctx.document(s).metadata.currency) for s in stacks}))


def _judge(
    target: Target, stack: str, mine: list[BlastRadius], total: float, currency: str
) -> Outcome:
    """The verdict on the shared domains homed on ``stack`` (worst first); money in
    ``currency``."""
    worst = mine[0]
    evidence: dict[str, Evidence] = {"blast_radius": [b.to_json() for b in mine]}
    if total <= 0:
        return unknown(
            target,
            f"{worst.domain.node_id} takes down journeys of {len(worst.stacks)} stacks, but "
            "no journey states revenue_per_hour, so its share cannot be judged.",
            (),
            **evidence,
        )
    if worst.share > MAX_SHARE:
        return failed(
            target,
            f"{worst.domain.node_id} alone takes down {len(worst.journeys)} journeys of "
            f"{len(worst.stacks)} stacks ({', '.join(worst.stacks)}), "
            f"{worst.money_per_hour:,.0f} {currency}/h or {worst.share:.0%} of the organisation's "
            "revenue per hour.",
            (),
            **evidence,
        )
    return passed(
        target,
        f"The widest domain {stack} shares with other stacks, {worst.domain.node_id}, puts "
        f"{worst.share:.0%} of revenue per hour at stake (limit {MAX_SHARE:.0%}).",
        (),
        **evidence,
    )


RULE = PythonRule(META, check)
