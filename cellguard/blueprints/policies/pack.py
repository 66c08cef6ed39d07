"""The ``pulumi_policy`` objects of the cellguard pack, built from the catalog and the checks.

:func:`build_policies` is what a pack's ``__main__.py`` hands to ``PolicyPack``; it does not
start anything (``PolicyPack(...)`` itself starts the analyzer server and never returns, so
only the pack's entry point calls it).
"""

from __future__ import annotations

from collections.abc import Callable

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ResourceValidationPolicy,
    StackValidationPolicy,
)

from . import catalog, clusters, data_stores, workloads
from .catalog import PolicyInfo, Scope
from .props import Report, Resource, StackArgs

ResourceCheck = Callable[[Resource, Report], None]
StackCheck = Callable[[StackArgs, Report], None]

RESOURCE_CHECKS: dict[str, ResourceCheck] = {
    catalog.GPU_REQUESTS_EQUAL_LIMITS.name: workloads.check_requests_equal_limits,
    catalog.GPU_ZONE_SPREAD.name: workloads.check_zone_spread,
    catalog.GPU_PROBES.name: workloads.check_probes,
    catalog.EKS_PRIVATE_ENDPOINT.name: clusters.check_private_endpoint,
    catalog.GPU_NODE_GROUP_INSTANCE_TYPES.name: clusters.check_instance_types,
    catalog.GPU_NODE_AUTO_REPAIR.name: clusters.check_auto_repair,
}
"""The check behind each resource policy of :data:`catalog.CATALOG`, by policy name."""

STACK_CHECKS: dict[str, StackCheck] = {
    catalog.GPU_DISRUPTION_BUDGET.name: workloads.check_disruption_budgets,
    catalog.MODEL_ARTIFACTS_VERSIONED.name: data_stores.check_model_artifacts_versioned,
    catalog.MODEL_ARTIFACTS_REPLICATED.name: data_stores.check_model_artifacts_replicated,
    catalog.PROMPT_TABLE_RECOVERY.name: data_stores.check_prompt_table_recovery,
}
"""The check behind each stack policy of :data:`catalog.CATALOG`, by policy name."""


def build_policy(info: PolicyInfo) -> Policy:
    """The resource or stack validation policy for one catalog entry."""
    level = EnforcementLevel(info.enforcement.value)
    tags = ["cellguard", *info.rules]
    if info.scope is Scope.STACK:
        return StackValidationPolicy(
            name=info.name,
            description=info.description,
            validate=STACK_CHECKS[info.name],
            enforcement_level=level,
            remediation_steps=info.remediation,
            tags=tags,
        )
    return ResourceValidationPolicy(
        name=info.name,
        description=info.description,
        validate=RESOURCE_CHECKS[info.name],
        enforcement_level=level,
        remediation_steps=info.remediation,
        tags=tags,
    )


def build_policies() -> list[Policy]:
    """Every policy of the pack, in catalog order."""
    return [build_policy(info) for info in catalog.CATALOG]
