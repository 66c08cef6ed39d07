"""CG-RED-005: data stores have a copy in another account."""

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
    id="CG-RED-005",
    title="Data stores have a cross-account copy",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.MEDIUM,
    applies_to=("vector_store", "prompt_store", "object_store", "database"),
    rationale=(
        "Every copy kept in the production account shares its fate: compromised credentials, "
        "ransomware or a wrong automation can delete the store and its snapshots together. A "
        "copy in a separate backup account, ideally in a locked vault, survives that."
    ),
    source=(
        "AWS Well-Architected Reliability Pillar REL09 (back up data) and AWS Backup "
        "cross-account backup"
    ),
    remediation=(
        "Copy backups into a dedicated backup account (AWS Backup cross-account copy to a vault "
        "with Vault Lock) or replicate to it; declare backups: [{scope: cross_account, ...}] or "
        "replication: {cross_account: true}."
    ),
    action="add-cross-account-backup",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every vector store, prompt store, object store and database."""
    yield from copy_outcomes(ctx, BackupScope.CROSS_ACCOUNT)


RULE = PythonRule(META, check)
