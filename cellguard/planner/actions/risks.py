"""Risk controls (CG-RED-013): what the spec cannot decide for the team is a manual step."""

from __future__ import annotations

from cellguard.models.findings import Finding
from cellguard.planner.context import Action, ActionContext, manual
from cellguard.planner.model import ActionResult
from cellguard.planner.workspace import Workspace


def control_risk(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-RED-013: which control fits a risk (more replicas, a fallback, protections, a tested
    restore) depends on the risk, so the planner lists each uncontrolled component."""
    listed = finding.evidence.get("uncontrolled")
    names = ", ".join(str(x) for x in listed) if isinstance(listed, list | tuple) else ""
    return manual(
        "control-risk",
        finding,
        f"Give each component of a severe, likely risk a control the spec can state ({names}): "
        "replicas in more zones or regions, a fallback or an optional call, protections, or a "
        "backup with a tested restore; or accept the risk with a waiver.",
    )


ACTIONS: dict[str, Action] = {"control-risk": control_risk}
"""Risk-control actions by id."""
