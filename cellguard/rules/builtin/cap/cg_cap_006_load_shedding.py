"""CG-CAP-006: services on tier0 and tier1 journeys shed load when overloaded."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.common import ServiceFields
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._helpers import SERVICES, journey_names, run_by_provider
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, not_applicable, verdict
from cellguard.rules.predicates import kind_names

META = RuleMeta(
    id="CG-CAP-006",
    title="Services on tier0 and tier1 journeys shed load when overloaded",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.MEDIUM,
    applies_to=kind_names(*SERVICES),
    rationale=(
        "A service that accepts every request when it is over capacity queues them until "
        "they time out: latency climbs for everyone, clients retry, and goodput collapses "
        "while the fleet is busy with work nobody waits for. Model servers are the extreme "
        "case, with unbounded request queues by default. Shedding excess requests early "
        "(a bounded queue, concurrency limits, 503 or 429 when saturated) keeps the requests "
        "it does accept within their latency objective."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL05-BP04 (fail fast and limit queues); Amazon "
        "Builders' Library, Using load shedding to avoid overload"
    ),
    remediation=(
        "Bound the request queue and reject work beyond it: concurrency limits in the "
        "service or its proxy (Envoy/Istio, adaptive concurrency), a maximum number of "
        "waiting sequences in the model server; then set protections.load_shedding to true."
    ),
    action="add-load-shedding",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every service the team runs that is on a tier0 or tier1 journey."""
    for qid, comp in ctx.components_for(META):
        if not isinstance(comp, ServiceFields):
            continue  # every kind in SERVICES is a service; this narrows the type
        target = ctx.component_target(qid)
        managed = run_by_provider(target, comp)
        if managed is not None:
            yield managed
            continue
        journeys = ctx.critical_journeys(qid)
        if not journeys:
            yield not_applicable(target, f"{target.id} serves no tier0 or tier1 journey.")
            continue
        names = journey_names(journeys, target.stack)
        shedding = comp.protections.load_shedding if comp.protections else None
        yield verdict(
            shedding,
            target,
            passing=f"{target.id} sheds load when overloaded.",
            failing=(
                f"{target.id} serves {names} and does not shed load: when overloaded it "
                "queues requests until they time out."
            ),
            missing=(
                f"{target.id} serves {names} but does not say whether it sheds load "
                "(protections.load_shedding)."
            ),
            field=("protections", "load_shedding") if comp.protections else ("protections",),
            load_shedding=shedding,
            journeys=[f"{s}/{j.id}" for s, j in journeys],
        )


RULE = PythonRule(META, check)
