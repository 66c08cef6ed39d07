"""What an action sees besides the workspace: the current assessment and its graph."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from cellguard.assessments.graph import StackGraph
from cellguard.models.findings import Finding
from cellguard.planner.model import (
    ActionResult,
    Change,
    Edit,
    FindingRef,
    ManualStep,
)
from cellguard.planner.workspace import Workspace
from cellguard.rules.context import RuleContext
from cellguard.rules.engine import Assessment


@dataclass
class ActionContext:
    """The assessment the failing findings came from, with its graph and rule context."""

    assessment: Assessment
    graph: StackGraph
    recovery_region: str | None = None
    """The recovery region ``plan --recovery-region`` asks for (``None``: choose one)."""

    @cached_property
    def rules(self) -> RuleContext:
        """The rule context over the graph (journeys of a component, tiers, ...)."""
        return RuleContext(self.graph)


Action = Callable[[Workspace, Finding, ActionContext], list[ActionResult]]
"""A remediation action: edits a copy of the spec for one failing finding."""


def change(
    action: str, finding: Finding, description: str, edits: list[Edit]
) -> list[ActionResult]:
    """One change for ``finding`` (nothing when the edits changed nothing)."""
    if not edits:
        return []
    return [
        Change(
            action=action,
            stack=finding.stack,
            target=finding.target,
            description=description,
            edits=tuple(edits),
            finding=FindingRef.of(finding),
        )
    ]


def manual(action: str, finding: Finding, description: str) -> list[ActionResult]:
    """A manual step for ``finding``."""
    return [ManualStep(action, finding.stack, finding.target, description, FindingRef.of(finding))]
