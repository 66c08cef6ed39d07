"""The explicit registry of remediation actions, keyed by the ``action`` id rules declare.

Every built-in rule's action id has an entry (a test checks it). An id without an entry (a
third-party rule's) makes the planner list the finding as unresolved, never fail silently.
"""

from __future__ import annotations

from cellguard.planner.actions import (
    capacity,
    correctness,
    fallback,
    fault_isolation,
    hygiene,
    operations,
    redundancy,
    risks,
    timeliness,
    training,
)
from cellguard.planner.context import Action

ACTIONS: dict[str, Action] = {
    **fault_isolation.ACTIONS,
    **capacity.ACTIONS,
    **fallback.ACTIONS,
    **timeliness.ACTIONS,
    **correctness.ACTIONS,
    **redundancy.ACTIONS,
    **risks.ACTIONS,
    **hygiene.ACTIONS,
    **operations.ACTIONS,
    **training.ACTIONS,
}
"""Action id -> action."""
