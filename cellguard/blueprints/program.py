"""The Pulumi program: spec file -> blueprint -> components. Called by a generated ``__main__.py``.

Settings come from stack config (namespace ``cellguard``): ``regions`` (the regions to deploy,
default all of the spec's; a subset deploys part of the target), ``eksVersion`` and ``domain``
(the Route 53 zone of GlobalRouting), ``placeholderImage`` and ``placeholderArgs`` (the stand-in
container of services whose spec names no image).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from cellguard.blueprints.alarms import Alarms
from cellguard.blueprints.cell import InferenceCell
from cellguard.blueprints.chaos import ChaosExperiments
from cellguard.blueprints.data import DataReplication
from cellguard.blueprints.foundation import EKS_VERSION, RegionalFoundation
from cellguard.blueprints.from_spec import PLACEHOLDER, blueprint_of
from cellguard.blueprints.gpu_capacity import GpuCapacity
from cellguard.blueprints.model import Blueprint, Placeholder
from cellguard.blueprints.routing import CellRouter, GlobalRouting
from cellguard.models.loader import load


@dataclass(frozen=True)
class Settings:
    """Deployment settings from the stack config."""

    regions: list[str] | None = None
    eks_version: str = EKS_VERSION
    domain: str | None = None
    placeholder: Placeholder = field(default_factory=lambda: PLACEHOLDER)

    @classmethod
    def from_config(cls) -> Settings:
        """Read ``cellguard:*`` config of the current stack."""
        config = pulumi.Config("cellguard")
        regions = config.get_object("regions")
        args = config.get_object("placeholderArgs")
        placeholder = Placeholder(
            image=config.get("placeholderImage") or PLACEHOLDER.image,
            args=[str(a) for a in args] if isinstance(args, list) else list(PLACEHOLDER.args),
        )
        return cls(
            regions=[str(r) for r in regions] if isinstance(regions, list) else None,
            eks_version=config.get("eksVersion") or EKS_VERSION,
            domain=config.get("domain"),
            placeholder=placeholder,
        )


def deploy(bp: Blueprint, settings: Settings) -> None:
    """Create every component of ``bp`` in the regions ``settings`` selects."""
    wanted = settings.regions or [r.name for r in bp.regions]
    unknown = sorted(set(wanted) - {r.name for r in bp.regions})
    if unknown:
        raise ValueError(f"config cellguard:regions names regions not in the spec: {unknown}")
    regions = [r for r in bp.regions if r.name in wanted]
    foundations = {
        r.name: RegionalFoundation(f"{bp.stack}-{r.name}", bp.stack, r, settings.eks_version)
        for r in regions
    }
    providers = {name: f.aws_provider for name, f in foundations.items()}
    for r in bp.regions:
        if r.name not in providers:
            raise ValueError(f"region {r.name} holds data replicas; deploy it too")
    data = DataReplication(
        f"{bp.stack}-data",
        bp,
        providers,
        {name: [s.id for s in f.private_subnets.values()] for name, f in foundations.items()},
    )
    bucket = data.artifact_bucket.bucket if data.artifact_bucket else None
    routers: dict[str, CellRouter] = {}
    for r in regions:
        found = foundations[r.name]
        pools = {
            p.id: GpuCapacity(
                f"{bp.stack}-{r.name}-{p.id}",
                bp.stack,
                p,
                found.aws_provider,
                found.cluster.name,
                found.node_role.arn,
                found.private_subnets,
            )
            for p in r.gpu_pools
        }
        for cell in r.cells:
            InferenceCell(
                f"{bp.stack}-{cell.unit_name}",
                bp.stack,
                cell,
                found.k8s_provider,
                bucket,
                bp.alarms.queue_depth,
                opts=pulumi.ResourceOptions(depends_on=list(pools.values())),
            )
        if any(not c.implicit for c in r.cells) or bp.router.component:
            routers[r.name] = CellRouter(f"{bp.stack}-{r.name}-router", bp, r, found.k8s_provider)
        alarms = Alarms(
            f"{bp.stack}-{r.name}-alarms", bp.stack, r.name, r.cells, bp.alarms, found.aws_provider
        )
        first_zone = r.zones[0]
        ChaosExperiments(
            f"{bp.stack}-{r.name}-chaos",
            bp.stack,
            bp.chaos,
            r.cells,
            found.aws_provider,
            found.cluster.arn,
            found.private_subnets[first_zone].arn,
            [g.arn for p in pools.values() for g in p.zone_groups.get(first_zone, [])],
            [g.arn for p in pools.values() for g in p.node_groups],
            alarms.composite.arn,
        )
    with_service = {name: router for name, router in routers.items() if router.service is not None}
    if with_service:
        domain = settings.domain or f"{bp.stack}.example.com"
        GlobalRouting(
            f"{bp.stack}-global", bp.stack, domain, providers[regions[0].name], with_service
        )


def deploy_file(spec: Path) -> None:
    """Load the spec file (a single Stack) and deploy it with the stack's config."""
    org = load(spec)
    if len(org.stacks) != 1:
        raise ValueError(f"{spec} must hold exactly one Stack")
    settings = Settings.from_config()
    deploy(blueprint_of(org.stacks[0], settings.placeholder), settings)
