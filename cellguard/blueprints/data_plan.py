"""The data part of a blueprint: DynamoDB tables and per-cell vector stores, as data.

Split from :mod:`cellguard.blueprints.from_spec`; the rules of the translation are in its module
docstring (tables: global table per cell group when the spec replicates across regions, else one
table per cell in its own region; an AWS Backup copy job when the spec wants a cross-region
backup; OpenSearch vector stores: one per cell, or one in the region's implicit unit).
"""

from __future__ import annotations

from cellguard.blueprints.model import CellPlan, TablePlan, VectorStorePlan
from cellguard.blueprints.policies.tags import PROMPTS
from cellguard.models.components import PromptStore, VectorStore
from cellguard.models.components.common import StatefulFields
from cellguard.models.enums import BackupScope, StoreEngine
from cellguard.models.stack import Stack


def regions_of(stack: Stack, placement_regions: list[str] | None) -> list[str]:
    """The component's regions, or the stack's first region."""
    return list(placement_regions) if placement_regions else [stack.topology.regions[0].name]


def _copy_region(stack: Stack, home: str, recovery: str | None) -> str | None:
    """Where backups of a store living in ``home`` are copied: the recovery region, else another."""
    if recovery and recovery != home:
        return recovery
    return next((r.name for r in stack.topology.regions if r.name != home), None)


def tables(stack: Stack, cells: dict[str, list[CellPlan]], recovery: str | None) -> list[TablePlan]:
    """Every DynamoDB table the blueprint creates."""
    out: list[TablePlan] = []
    for comp in stack.components:
        if (
            not isinstance(comp, StatefulFields)
            or getattr(comp, "engine", None) is not StoreEngine.DYNAMODB
        ):
            continue
        regions = regions_of(stack, comp.placement.regions if comp.placement else None)
        replicate = bool(comp.replication and comp.replication.cross_region)
        copy = next((b for b in comp.backups or [] if b.scope is BackupScope.CROSS_REGION), None)
        every = copy.every_minutes if copy else None
        role = PROMPTS if isinstance(comp, PromptStore) else None
        placed = set(comp.placement.cells or []) if comp.placement else set()
        groups: list[tuple[str, list[CellPlan], list[str]]] = []
        by_region = {r: [c for c in cells[r] if c.id in placed] for r in regions}
        # regions of the component without any of its cells: the region's own table
        bare = [r for r, v in by_region.items() if not v] if placed else []
        if placed and replicate:
            for k in range(max(len(v) for v in by_region.values())):
                members = [v[k] for v in by_region.values() if k < len(v)]
                if members:
                    groups.append((f"{comp.id}-{members[0].id}", members, bare))
        elif placed:
            groups.extend((f"{comp.id}-{c.id}", [c], []) for v in by_region.values() for c in v)
            groups.extend((f"{comp.id}-{r}", [], [r]) for r in bare)
        if not groups:
            home = regions[0]
            others = regions[1:] if replicate else []
            out.append(
                TablePlan(
                    component=comp.id,
                    name=comp.id,
                    home_region=home,
                    replica_regions=others,
                    copy_region=_copy_region(stack, home, recovery) if copy else None,
                    copy_every_minutes=every,
                    role=role,
                )
            )
            continue
        for name, members, extra in groups:
            home = members[0].region if members else extra[0]
            replicas = [m.region for m in members[1:]] + [r for r in extra if r != home]
            out.append(
                TablePlan(
                    component=comp.id,
                    name=name,
                    home_region=home,
                    replica_regions=replicas,
                    copy_region=_copy_region(stack, home, recovery) if copy else None,
                    copy_every_minutes=every,
                    role=role,
                )
            )
    return out


def is_opensearch(comp: VectorStore) -> bool:
    """Whether the blueprint can create the store (OpenSearch only; other engines are listed
    in ``not_deployed`` and the round trip copies them from the target)."""
    return comp.engine is not None and comp.engine.value == "opensearch"


def vector_stores(stack: Stack, cells: dict[str, list[CellPlan]]) -> list[VectorStorePlan]:
    """Every per-cell vector store."""
    stores: list[VectorStorePlan] = []
    for comp in stack.components:
        if not isinstance(comp, VectorStore) or not is_opensearch(comp):
            continue
        zones = comp.placement.zones if comp.placement else None
        count = zones if isinstance(zones, int) else len(zones) if zones else 1
        placed = set(comp.placement.cells or []) if comp.placement else set()
        for region in regions_of(stack, comp.placement.regions if comp.placement else None):
            targets = [c for c in cells[region] if c.id in placed] or [
                c for c in cells[region] if c.implicit
            ][:1]
            for cell in targets:
                stores.append(
                    VectorStorePlan(
                        component=comp.id,
                        cell=cell.id,
                        region=region,
                        zones=count,
                        opensearch=True,
                        unit_name=cell.unit_name,
                    )
                )
    return stores
