"""Operational hygiene of data paths and tools (CG-COR-013/014/015/016, CG-RED-014/015).

Each action states the target in the spec where a key can say it (a dead-letter queue, a
validated ingestion run, an idempotent tool) and adds the manual step that makes it true; a
restore test is an operation, not architecture, so it is a manual step only.
"""

from __future__ import annotations

from cellguard.models.findings import Finding
from cellguard.models.references import split_reference
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult
from cellguard.planner.workspace import Workspace

DEAD_LETTER_RECEIVES = 5
"""Deliveries before a message moves to the dead-letter queue in the plan: a few retries of a
model call that failed for a transient reason, not hours of redelivery."""


def add_dead_letter_queue(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-013: a dead-letter queue behind the queue, with a bounded receive count."""
    path = ("components", finding.target)
    edits = ws.set(finding.stack, (*path, "dead_letter"), True)
    if ws.get(finding.stack, (*path, "max_receive_count")) is None:
        edits += ws.set(finding.stack, (*path, "max_receive_count"), DEAD_LETTER_RECEIVES)
    text = (
        f"Give {finding.target} a dead-letter queue (redrive after "
        f"{DEAD_LETTER_RECEIVES} receives unless one is declared)."
    )
    return change("add-dead-letter-queue", finding, text, edits) + manual(
        "add-dead-letter-queue",
        finding,
        f"Create the dead-letter queue of {finding.target}, attach it with a redrive policy and "
        "alarm on its depth.",
    )


def _declared(
    ws: Workspace, finding: Finding, action: str, key: str, text: str, step: str
) -> list[ActionResult]:
    """Set ``key`` true on the finding's component (the spec change) plus the manual ``step``
    that makes it true in the system."""
    edits = ws.set(finding.stack, ("components", finding.target, key), True)
    return change(action, finding, text, edits) + manual(action, finding, step)


def validate_ingestion_output(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-014: each ingestion run is validated before its index is swapped in."""
    return _declared(
        ws,
        finding,
        "validate-ingestion-output",
        "validation",
        f"Validate each run of {finding.target} before its index serves journeys.",
        f"Make {finding.target} write each run into a new index, check counts and a retrieval "
        "smoke test against the last run, and swap the serving alias only when they pass.",
    )


def make_write_tool_idempotent(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-015: a retried tool that writes takes an idempotency key."""
    return _declared(
        ws,
        finding,
        "make-write-tool-idempotent",
        "idempotent",
        f"Make {finding.target} idempotent, so that its callers' retries are safe.",
        f"Implement idempotency keys in {finding.target}: one key per logical request, stored "
        "with its result and checked before acting.",
    )


def test_backup_restore(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-014: a restore test is an operation, not architecture: a manual step."""
    return manual(
        "test-backup-restore",
        finding,
        f"Restore {finding.target}'s backups into a scratch environment on a schedule, check the "
        "data and the time against the RTO, then record restore_tested: true.",
    )


def bound_cache_ttl(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-016: each cache on the journey keeps entries no longer than the index is refreshed
    (the shortest refresh interval the finding's evidence gives)."""
    ttls = finding.evidence.get("ttl_seconds")
    refresh = finding.evidence.get("refresh_minutes")
    if not isinstance(ttls, dict) or not isinstance(refresh, dict):
        return []
    known = [m for m in refresh.values() if isinstance(m, int | float)]
    if not known:
        return []
    bound = int(min(known) * 60)
    edits = []
    for name, ttl in sorted(ttls.items()):
        if isinstance(ttl, int | float) and ttl > bound:
            stack, ident = split_reference(name, finding.stack)
            edits += ws.set(stack, ("components", ident, "ttl_seconds"), bound)
    text = f"Let the caches of {finding.target} keep entries at most {bound:,} s, the refresh interval."
    return change("bound-cache-ttl", finding, text, edits) + manual(
        "bound-cache-ttl",
        finding,
        f"Set the TTL of the caches {finding.target} reaches to {bound:,} s, or flush them when "
        "the ingestion pipeline swaps in a new index.",
    )


def add_router_health_checks(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-RED-015: the router health-checks its targets and takes failed ones out of rotation."""
    return _declared(
        ws,
        finding,
        "add-router-health-checks",
        "health_checks",
        f"Health-check the targets of {finding.target}.",
        f"Give every target of {finding.target} a health check (Route 53 records, target "
        "health, a probe of each cell) that takes it out of rotation when it fails.",
    )


ACTIONS: dict[str, Action] = {
    "add-router-health-checks": add_router_health_checks,
    "bound-cache-ttl": bound_cache_ttl,
    "add-dead-letter-queue": add_dead_letter_queue,
    "validate-ingestion-output": validate_ingestion_output,
    "make-write-tool-idempotent": make_write_tool_idempotent,
    "test-backup-restore": test_backup_restore,
}
"""Hygiene actions by id."""
