"""CG-RED-004: data stores have a copy in another region."""

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
    id="CG-RED-004",
    title="Data stores have a cross-region copy",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.MEDIUM,
    applies_to=("vector_store", "prompt_store", "object_store", "database"),
    rationale=(
        "Backups kept in the store's own region are lost or unreachable with that region, so "
        "recovering elsewhere means recreating the data: re-embedding a corpus or retraining "
        "fine-tuned models takes hours to days, and customer uploads cannot be recreated at all. "
        "A cross-region backup copy or replication is what makes any recovery region usable."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL09-BP01 and REL10-BP01; AWS whitepaper "
        "'Disaster Recovery of Workloads on AWS' (backup and restore: copy backups to the "
        "recovery region)"
    ),
    remediation=(
        "Copy backups to the recovery region (AWS Backup copy jobs, OpenSearch snapshots to a "
        "replicated S3 bucket) or replicate the store (S3 CRR, DynamoDB global tables, OpenSearch "
        "cross-cluster replication); declare backups: [{scope: cross_region, ...}] or "
        "replication: {cross_region: true, regions: [...]}."
    ),
    action="add-cross-region-backup",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every vector store, prompt store, object store and database."""
    yield from copy_outcomes(ctx, BackupScope.CROSS_REGION)


RULE = PythonRule(META, check)
