"""CG-RED-003: data stores have same-region backups."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import BackupScope
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import copy_outcomes
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome

META = RuleMeta(
    id="CG-RED-003",
    title="Data stores have same-region backups",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("vector_store", "prompt_store", "object_store", "database"),
    rationale=(
        "Replicas and Multi-AZ standbys copy corruption and deletions as faithfully as good "
        "writes: a bad ingestion run, a wrong lifecycle rule or a dropped index is only undone "
        "by a point-in-time backup. For vector stores the alternative is re-embedding the corpus, "
        "which takes hours to days at the embedding model's quota; for fine-tuning data and "
        "customer uploads there may be no alternative at all."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL09-BP01 (identify and back up all data) and "
        "REL09-BP03 (perform data backup automatically)"
    ),
    remediation=(
        "Schedule automated snapshots or point-in-time recovery (AWS Backup, OpenSearch automated "
        "snapshots, DynamoDB PITR, S3 Backup) and declare them as backups: [{scope: same_region, "
        "every_minutes: ..., retention_days: ...}]."
    ),
    action="add-same-region-backup",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every vector store, prompt store, object store and database."""
    yield from copy_outcomes(ctx, BackupScope.SAME_REGION)


RULE = PythonRule(META, check)
