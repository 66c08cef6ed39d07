"""CG-RED-007: backups or replication meet the journey's RPO."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import recovery_point, recreate_hours
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import DATA_KINDS

META = RuleMeta(
    id="CG-RED-007",
    title="Backups or replication meet the journey's RPO",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "The recovery point objective is the most data a journey may lose. A store can only be "
        "recovered to its newest copy, so its backup interval (or replication lag) bounds the "
        "loss; a daily backup under a 15-minute RPO loses up to a day. Stores whose data can be "
        "recreated from source (data.recreate_hours, e.g. an index re-embedded from documents) "
        "lose nothing for good; how long recreating takes is the RTO's problem (CG-RED-008). "
        "Journeys without an RPO are not applicable: the business has set no recovery point; "
        "CG-RED-003..005 still check that copies exist."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL13-BP01 (define recovery objectives for "
        "downtime and data loss) and REL09-BP03"
    ),
    remediation=(
        "Back up each store on the journey at least every objectives.rpo_minutes (point-in-time "
        "recovery, continuous backups) or replicate it with a lag below the RPO; set "
        "backups[].every_minutes and replication.lag_seconds accordingly."
    ),
    action="tighten-backup-schedule",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey with an RPO that touches a data store."""
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        rpo = journey.objectives.rpo_minutes
        stores = [
            qid
            for qid in ctx.graph.journey_components(stack, journey.id)
            if ctx.graph.kind(qid) in DATA_KINDS
        ]
        if not stores:
            yield not_applicable(target, f"{journey.id} touches no data store.")
            continue
        if rpo is None:
            yield unknown(
                target,
                f"{journey.id} sets no RPO (objectives.rpo_minutes), so whether its stores "
                f"({', '.join(localise(q, stack) for q in stores)}) lose too much data is "
                "unknown.",
                ("objectives",),
                rpo_minutes=None,
            )
            continue
        fails: list[str] = []
        unknowns: list[str] = []
        oks: list[str] = []
        details: dict[str, Evidence] = {}
        for qid in stores:
            name = localise(qid, stack)
            comp = ctx.graph.component(qid)
            point = recovery_point(comp)
            hours = recreate_hours(comp)
            details[name] = {
                "recovery_point_minutes": point.minutes,
                "via": point.via or None,
                "recreate_hours": hours,
            }
            if point.minutes is not None and point.minutes <= rpo:
                oks.append(f"{name} ({point.via})")
            elif hours is not None:
                oks.append(f"{name} (recreated from source in {hours:g} h)")
            elif point.lag_unknown:
                unknowns.append(name)
            elif point.explicitly_none:
                fails.append(f"{name} has no backups or replication at all")
            elif point.minutes is not None:
                fails.append(
                    f"{name} can lose up to {point.minutes:g} min (newest copy: {point.via})"
                )
            else:
                unknowns.append(name)
        evidence: dict[str, Evidence] = {"rpo_minutes": rpo, "stores": details}
        field = ("objectives", "rpo_minutes")
        if fails:
            yield failed(
                target,
                f"{journey.id} has an RPO of {rpo:g} min but " + "; ".join(fails) + ".",
                field,
                **evidence,
            )
        elif unknowns:
            yield unknown(
                target,
                f"{journey.id} has an RPO of {rpo:g} min, but the recovery point of "
                f"{', '.join(unknowns)} is unknown: declare backups[].every_minutes or "
                "replication.lag_seconds.",
                field,
                **evidence,
            )
        else:
            yield passed(
                target,
                f"Every store of {journey.id} meets its {rpo:g}-min RPO: " + ", ".join(oks) + ".",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
