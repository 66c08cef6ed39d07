"""CG-RED-014: restores from backups have been tested."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.common import StatefulFields
from cellguard.models.enums import DrStrategy
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown

META = RuleMeta(
    id="CG-RED-014",
    title="Restores from backups have been tested",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.LOW,
    applies_to=("vector_store", "prompt_store", "cache", "object_store", "database"),
    rationale=(
        "A backup is only as good as the last restore from it. Snapshots that were never "
        "restored hide missing permissions on the key that encrypts them, an index mapping the "
        "new cluster version cannot read, a retention rule that expired the copy, or a restore "
        "that takes far longer than the RTO allows. A component counts as tested when every "
        "backup schedule it declares says restore_tested: true; one schedule saying false is a "
        "FAIL, and a schedule that says nothing leaves the verdict UNKNOWN unless the stack's "
        "backup-and-restore DR drill (practices.disaster_recovery, strategy backup_restore) "
        "has a date."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL09-BP04 (perform periodic recovery of the "
        "data to verify backup integrity and processes)"
    ),
    remediation=(
        "Restore each backup into a scratch environment on a schedule (AWS Backup restore "
        "testing, an OpenSearch snapshot restore into a test domain, a DynamoDB PITR restore "
        "to a new table), check the data and the time it took against the RTO, and record it "
        "as restore_tested: true on the backup."
    ),
    action="test-backup-restore",
    advisory=True,
)


def _restore_drill(ctx: RuleContext, qid: str) -> str | None:
    """The date of the stack's backup-and-restore DR drill, if it declares one."""
    dr = ctx.document(ctx.graph.stack_of(qid)).practices.disaster_recovery
    if dr.strategy is DrStrategy.BACKUP_RESTORE and dr.last_tested is not None:
        return dr.last_tested.isoformat()
    return None


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every component that declares at least one backup schedule."""
    for qid, comp in ctx.components_for(META):
        target = ctx.component_target(qid)
        backups = comp.backups if isinstance(comp, StatefulFields) else None
        if not backups:
            yield not_applicable(target, f"{target.id} declares no backups to restore from.")
            continue
        flags = [b.restore_tested for b in backups]
        evidence: dict[str, Evidence] = {
            "backups": [b.scope.value for b in backups],
            "restore_tested": list(flags),
        }
        untested = [i for i, flag in enumerate(flags) if flag is False]
        unsaid = [i for i, flag in enumerate(flags) if flag is None]
        if untested:
            first = untested[0]
            yield failed(
                target,
                f"{target.id}'s {backups[first].scope.value} backup has never been restored: "
                "nobody knows whether the data comes back, or how long it takes.",
                ("backups", first, "restore_tested"),
                **evidence,
            )
        elif unsaid and (drill := _restore_drill(ctx, qid)) is not None:
            yield passed(
                target,
                f"{target.id} says nothing itself, but the stack's backup-and-restore drill was "
                f"last run on {drill}.",
                ("backups",),
                **evidence,
            )
        elif unsaid:
            first = unsaid[0]
            yield unknown(
                target,
                f"{target.id}'s {backups[first].scope.value} backup does not say whether a "
                "restore from it has been tested (restore_tested).",
                ("backups", first, "restore_tested"),
                **evidence,
            )
        else:
            yield passed(
                target,
                f"Restores from every backup of {target.id} ({len(backups)}) have been tested.",
                ("backups",),
                **evidence,
            )


RULE = PythonRule(META, check)
