"""CG-RED-008: the DR strategy meets the RTO, including the time to recreate data."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import BackupScope, DrStrategy
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import (
    DR_CLASSES,
    DR_SOURCE,
    has_copy,
    needed_components,
    recreate_hours,
)
from cellguard.rules.builtin.red._recovery_gpus import SOURCE as GPU_SOURCE
from cellguard.rules.builtin.red._recovery_gpus import recovery_gpus
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown
from cellguard.rules.predicates import DATA_KINDS

META = RuleMeta(
    id="CG-RED-008",
    title="The DR strategy meets the RTO, including time to recreate data",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("journey",),
    rationale=(
        "Each DR strategy has a typical recovery time: backup and restore takes hours, pilot "
        "light tens of minutes to hours, warm standby minutes, multi-site active/active near zero "
        f"({DR_SOURCE}). An RTO below what the strategy can deliver is a promise the architecture "
        "cannot keep. GenAI stacks add a second limit: a vector index or fine-tuned models "
        "without a copy outside the failed region must be recreated, and re-embedding a corpus or "
        "retraining models takes hours to days, far beyond most RTOs. GPU replicas that do "
        "not already run in the recovery region must be obtained there during the outage: "
        "held capacity (an On-Demand Capacity Reservation, an active Capacity Block) launches "
        "in minutes, while scarce GPUs bought on demand or as spot may take a day or more, "
        "when every customer of the lost region is buying in the same places."
    ),
    source=(
        f"{DR_SOURCE}; AWS Well-Architected Reliability Pillar REL13-BP02 (use defined recovery "
        f"strategies to meet the recovery objectives); {GPU_SOURCE}"
    ),
    remediation=(
        "Choose a practices.disaster_recovery.strategy whose recovery time fits "
        "objectives.rto_minutes (warm_standby or active_active for RTOs under an hour), and give "
        "every store the journey needs a copy in the recovery region (backups with scope "
        "cross_region or replication.cross_region) so nothing has to be recreated during recovery; "
        "hold the GPUs the recovery needs in the recovery region (capacity.recovery_purchase "
        "odcr, or an active capacity_block) rather than buying them during the outage."
    ),
    action="upgrade-dr-strategy",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey with an RTO."""
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        rto = journey.objectives.rto_minutes
        if rto is None:
            yield unknown(
                target,
                f"{journey.id} sets no RTO (objectives.rto_minutes), so whether it recovers "
                "from a regional outage in time is unknown.",
                ("objectives",),
                rto_minutes=None,
            )
            continue
        strategy = ctx.document(stack).practices.disaster_recovery.strategy
        fails: list[str] = []
        unknowns: list[str] = []
        oks: list[str] = []
        evidence: dict[str, Evidence] = {
            "rto_minutes": rto,
            "strategy": strategy.value if strategy else None,
        }
        if strategy is None:
            unknowns.append("the DR strategy is unset (practices.disaster_recovery.strategy)")
        elif strategy is DrStrategy.NONE:
            fails.append("there is no DR strategy (none): a lost region is not recovered at all")
        else:
            cls = DR_CLASSES[strategy]
            bounds: list[Evidence] = [cls.fastest, cls.slowest]
            evidence["strategy_rto_minutes"] = bounds
            if rto < cls.fastest:
                fails.append(f"{strategy.value} recovers in {cls.describe()}")
            elif rto < cls.slowest:
                unknowns.append(
                    f"{strategy.value} recovers in {cls.describe()}, so meeting it depends on "
                    "rehearsed recovery times"
                )
            else:
                oks.append(f"{strategy.value} recovers in {cls.describe()}")
        stores: dict[str, Evidence] = {}
        for qid in needed_components(ctx.graph, stack, journey.id):
            if ctx.graph.kind(qid) not in DATA_KINDS:
                continue
            name = localise(qid, stack)
            comp = ctx.graph.component(qid)
            copy = has_copy(comp, BackupScope.CROSS_REGION, ctx.graph.placement(qid).regions)
            hours = recreate_hours(comp)
            stores[name] = {"cross_region_copy": copy, "recreate_hours": hours}
            if copy:
                continue
            if hours is not None and hours * 60 > rto:
                text = f"recreating {name} takes {hours:g} h ({hours * 60:g} min)"
                if copy is False:
                    fails.append(f"{text} and it has no cross-region copy to restore from")
                else:
                    unknowns.append(f"{text} and whether it has a cross-region copy is unknown")
            elif hours is None:
                state = "has no cross-region copy" if copy is False else "declares no backups"
                unknowns.append(f"{name} {state} and its recreate time is unknown")
        evidence["stores"] = stores
        gpus = recovery_gpus(ctx, stack, journey.id, rto)  # issue 16 item 4
        fails += gpus.fails
        unknowns += gpus.unknowns
        oks += gpus.oks
        if gpus.evidence:
            evidence["recovery_gpus"] = gpus.evidence
        field = ("objectives", "rto_minutes")
        head = f"{journey.id} has an RTO of {rto:g} min"
        if fails:
            yield failed(target, f"{head} but " + "; ".join(fails) + ".", field, **evidence)
        elif unknowns:
            yield unknown(target, f"{head}; " + "; ".join(unknowns) + ".", field, **evidence)
        else:
            yield passed(
                target,
                f"{head}: " + "; ".join(oks) + " and every store it needs has a cross-region "
                "copy or is recreated in time.",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
