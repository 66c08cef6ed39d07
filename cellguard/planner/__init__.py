"""The remediation planner: failing findings -> a target spec that resolves them.

``plan(org, assessment)`` applies the action each failing rule names (see
:mod:`.registry`), re-assesses the edited spec, and repeats to a fixed point; the
:class:`~.model.Plan` ties every change to the findings it resolves and lists what it could
not change as manual steps.
"""

from __future__ import annotations

from collections.abc import Sequence

from cellguard.models.loader import Organisation
from cellguard.planner.model import (
    Change,
    Cost,
    Edit,
    FindingRef,
    JourneyFigures,
    ManualStep,
    Plan,
    Unresolved,
)
from cellguard.rules.base import Rule
from cellguard.rules.engine import Assessment

__all__ = [
    "Change",
    "Cost",
    "Edit",
    "FindingRef",
    "JourneyFigures",
    "ManualStep",
    "Plan",
    "Unresolved",
    "plan",
]


def plan(
    org: Organisation,
    assessment: Assessment,
    *,
    rules: Sequence[Rule] | None = None,
    org_mode: bool | None = None,
    recovery_region: str | None = None,
    budget: float | None = None,
) -> Plan:
    """Plan the remediation of every FAIL of ``assessment`` (an assessment of ``org``).

    ``rules`` re-assess each candidate (default: the built-in rules the assessment ran);
    ``org_mode`` is how ``org`` was loaded (default: several documents = organisation);
    ``recovery_region`` is the region to recover into (default: chosen in the primary's
    geography); ``budget`` a ceiling in USD per month for the changes kept, in plan order.
    """
    from cellguard.planner.engine import Planner
    from cellguard.planner.registry import ACTIONS

    if rules is None:
        from cellguard.rules.packs import load_rules

        ran = {m.id for m in assessment.rules}
        rules = [r for r in load_rules([], plugins=False).select([], []) if r.meta.id in ran]
    mode = len(org.documents) > 1 if org_mode is None else org_mode
    planner = Planner(
        org, assessment, rules, org_mode=mode, recovery_region=recovery_region, budget=budget
    )
    return planner.run(ACTIONS)
