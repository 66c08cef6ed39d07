"""CG-RED-009: failover to replicas has been tested."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.common import StatefulFields
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import REGIONAL_STRATEGIES, replicates_cross_region
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-RED-009",
    title="Failover to replicas has been tested",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.LOW,
    applies_to=("vector_store", "prompt_store", "cache", "object_store", "database"),
    rationale=(
        "The redundancy paradox: a replica adds complexity (replication, promotion, DNS or "
        "client switch-over) that only pays off if failover works, and failover paths that are "
        "never exercised tend to be broken when needed: permissions, endpoints, quotas or "
        "capacity are missing in the replica's region or account. Only a rehearsal shows that "
        "the replica can take over. A stack-level DR test with a strategy that fails over to "
        "live replicas (pilot light, warm standby, active-active) counts when the component says "
        "nothing itself."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL13-BP03 (test disaster recovery "
        "implementation to validate the implementation)"
    ),
    remediation=(
        "Rehearse failover to the replica (promote it, point the journey at it, fail back) in a "
        "game day and record it as replication.failover_tested: true (and "
        "practices.disaster_recovery.last_tested for stack-level drills)."
    ),
    action="test-replica-failover",
    advisory=True,
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component replicating to another region or account."""
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        repl = comp.replication if isinstance(comp, StatefulFields) else None
        regions = ctx.graph.placement(qid).regions
        cross_region = replicates_cross_region(comp, regions)
        if repl is None or not (cross_region or repl.cross_account):
            yield not_applicable(
                target, f"{target.id} does not replicate to another region or account."
            )
            continue
        dr = ctx.document(ctx.graph.stack_of(qid)).practices.disaster_recovery
        evidence: dict[str, Evidence] = {
            "failover_tested": repl.failover_tested,
            "replica_regions": [r for r in repl.regions if r not in regions],
            "dr_strategy": dr.strategy.value if dr.strategy else None,
            "dr_last_tested": dr.last_tested.isoformat() if dr.last_tested else None,
        }
        field = ("replication", "failover_tested")
        if repl.failover_tested is True:
            yield passed(
                target,
                f"Failover of {target.id} to its replica has been tested.",
                field,
                **evidence,
            )
        elif repl.failover_tested is False:
            yield failed(
                target,
                f"{target.id} replicates but failover to the replica has never been tested: "
                "nobody knows whether it can take over.",
                field,
                **evidence,
            )
        elif (
            dr.last_tested is not None
            and dr.strategy is not None
            and dr.strategy in REGIONAL_STRATEGIES
        ):
            yield passed(
                target,
                f"{target.id} says nothing itself, but the stack's {dr.strategy.value} failover "
                f"was last tested on {dr.last_tested.isoformat()}.",
                field,
                **evidence,
            )
        else:
            yield unknown(
                target,
                f"{target.id} replicates but does not say whether failover to the replica has "
                "been tested (replication.failover_tested).",
                field,
                **evidence,
            )


RULE = PythonRule(META, check)
