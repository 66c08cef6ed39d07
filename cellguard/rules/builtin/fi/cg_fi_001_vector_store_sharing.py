"""CG-FI-001: vector stores are not shared across stacks or departments."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import VectorStore
from cellguard.models.enums import ComponentKind, SharedDomainType
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import (
    listing,
    not_shared,
    sharing,
    sharing_message,
    unresolved_outcomes,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed

META = RuleMeta(
    id="CG-FI-001",
    title="Vector stores are not shared across stacks or departments",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.HIGH,
    applies_to=("vector_store", "stack"),
    rationale=(
        "A vector store that several stacks or departments use is one failure domain for all "
        "of them: a faulty ingestion run, an index mapping change, a corruption or one team's "
        "load spike takes every department's assistant down together, and recovering means "
        "restoring or re-embedding everyone's corpus, which takes hours to days. Separate "
        "indices on the same cluster share its nodes, masters and snapshot repository, so "
        "they do not isolate. A store declaring data.tenants above 1 holds several tenants' or "
        "departments' data in one instance and fails the same way."
    ),
    source="AWS whitepaper 'Reducing the Scope of Impact with Cell-Based Architecture' (2023)",
    remediation=(
        "Give each stack or department its own vector store instance (its own domain or "
        "collection on its own nodes), or partition tenants into cells, and point each stack's "
        "retriever at its own vector_store component with data.tenants: 1. Declare any "
        "remaining shared instance as a shared domain of type vector_store_instance so that "
        "its blast radius is computed."
    ),
    action="split-shared-vector-store",
)


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every vector store, and every document calling stores that are not loaded."""
    for qid, comp in ctx.components(ComponentKind.VECTOR_STORE):
        assert isinstance(comp, VectorStore)
        target = ctx.component_target(qid)
        share = sharing(ctx, qid, SharedDomainType.VECTOR_STORE_INSTANCE)
        tenants = comp.data.tenants if comp.data is not None else None
        evidence = share.evidence()
        evidence["tenants"] = tenants
        if share.shared:
            via = (
                f" (through shared domain {listing(share.domains)})"
                if share.domains and share.peers
                else ""
            )
            yield failed(
                target,
                f"{sharing_message(target.id, 'vector store', share)}{via}: one bad ingestion "
                "run, corruption or overload takes all of their assistants down together.",
                (),
                **evidence,
            )
        elif tenants is not None and tenants > 1:
            yield failed(
                target,
                f"{target.id} holds the data of {tenants} tenants or departments in one "
                "instance (data.tenants): a corruption or overload reaches all of them.",
                ("data", "tenants"),
                **evidence,
            )
        else:
            yield not_shared(ctx, target, share.stacks, target.id, evidence)
    yield from unresolved_outcomes(ctx, "any of them is a vector store shared with other stacks")


RULE = PythonRule(META, check)
