"""CG-CAP-005: journey entrypoints rate-limit clients."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.business import Journey
from cellguard.models.components.common import ServiceFields
from cellguard.models.enums import ComponentKind, Interaction
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._helpers import journey_names
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-CAP-005",
    title="Journey entrypoints rate-limit clients",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=tuple(kind.value for kind in ComponentKind),
    rationale=(
        "Where a journey enters the stack, one client's burst (a retry loop, a script, a "
        "scraper) can take every token of GPU capacity or model quota from everyone else. "
        "Per-client rate limits at the entrypoint keep a noisy neighbour from becoming an "
        "outage, and turn overload into fast 429s instead of timeouts deep in the stack."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL05-BP02 (throttle requests); Generative AI "
        "Lens GENOPS02-BP03"
    ),
    remediation=(
        "Rate-limit clients at the entrypoint (API Gateway usage plans, a gateway's per-key "
        "RPM/TPM budgets, a token bucket per tenant or session) and set "
        "protections.rate_limiting to true."
    ),
    action="add-rate-limiting",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge each journey entrypoint once, however many journeys enter there."""
    entered: dict[str, list[tuple[str, Journey]]] = {}
    for stack, journey in ctx.journeys():
        entered.setdefault(ctx.graph.entrypoint(stack, journey.id), []).append((stack, journey))
    for qid in sorted(entered):
        journeys = entered[qid]
        comp = ctx.graph.component(qid)
        target = ctx.component_target(qid)
        names = journey_names(journeys, target.stack)
        enter = f"journey {names} enters" if len(journeys) == 1 else f"journeys {names} enter"
        service = isinstance(comp, ServiceFields)
        protections = comp.protections if isinstance(comp, ServiceFields) else None
        limited = protections.rate_limiting if protections else None
        evidence: dict[str, Evidence] = {
            "journeys": [f"{s}/{j.id}" for s, j in journeys],
            "rate_limiting": limited,
        }
        batch_only = all(j.interaction is Interaction.BATCH for _, j in journeys)
        if limited is True:
            yield passed(
                target,
                f"{target.id} rate-limits the clients of {names}.",
                ("protections", "rate_limiting"),
                **evidence,
            )
        elif limited is False:
            yield failed(
                target,
                f"{target.id} is where {enter}, and it does not rate-limit clients: "
                "one client's burst can starve every other.",
                ("protections", "rate_limiting"),
                **evidence,
            )
        elif batch_only:
            yield not_applicable(
                target,
                f"{target.id} starts only batch journeys ({names}), which have no clients "
                "to rate-limit.",
            )
        elif not service:
            yield unknown(
                target,
                f"{target.id} is where {enter}, but a {ctx.graph.kind(qid).value} "
                "declares no protections, so whether clients are rate-limited is unknown.",
                (),
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} is where {enter}, but it does not say whether it "
                "rate-limits clients (protections.rate_limiting).",
                ("protections",),
                **evidence,
            )


RULE = PythonRule(META, check)
