"""The Pulumi program: spec file -> blueprint -> components. Called by a generated ``__main__.py``.

Settings come from stack config (namespace ``cellguard``): ``regions`` (the regions whose
clusters and cells to deploy, default all of the spec's; the data stays replicated to every
region of the spec), ``eksVersion``, ``apiAllowedCidrs`` (who may reach the public EKS API),
``domain`` (the Route 53 zone of GlobalRouting), ``versions`` (add-on version pins),
``huggingfaceToken`` (secret, for gated models), ``alarmEmail`` (subscribed to the alarm topic),
``allowDestroy`` (let ``pulumi destroy`` delete tables and non-empty buckets),
``placeholderImage`` and ``placeholderArgs`` (the stand-in container of services whose spec
names no image).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from cellguard.blueprints.alarms import Alarms
from cellguard.blueprints.cell import CellContext, InferenceCell
from cellguard.blueprints.cell_network import CellNetwork
from cellguard.blueprints.chaos import ChaosExperiments
from cellguard.blueprints.data import DataReplication, Network
from cellguard.blueprints.foundation import EKS_VERSION, PUBLIC_API, RegionalFoundation
from cellguard.blueprints.from_spec import PLACEHOLDER, blueprint_of
from cellguard.blueprints.gpu_capacity import GpuCapacity
from cellguard.blueprints.model import Blueprint, Placeholder
from cellguard.blueprints.platform import ClusterPlatform
from cellguard.blueprints.routing import CellRouter, GlobalRouting, router_pods
from cellguard.blueprints.sizing import system_nodes
from cellguard.models.loader import load


class ConfigError(ValueError):
    """A stack config value the program cannot use (key, value, what was expected)."""


@dataclass(frozen=True)
class Settings:
    """Deployment settings from the stack config."""

    regions: list[str] | None = None
    eks_version: str = EKS_VERSION
    domain: str | None = None
    placeholder: Placeholder = field(default_factory=lambda: PLACEHOLDER)
    api_cidrs: tuple[str, ...] = PUBLIC_API
    versions: dict[str, str] = field(default_factory=dict)
    hf_token: pulumi.Output[str] | None = None
    alarm_email: str | None = None
    allow_destroy: bool = False
    tenant_pins: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_config(cls) -> Settings:
        """Read ``cellguard:*`` config of the current stack."""
        config = pulumi.Config("cellguard")
        regions = config.get_object("regions")
        args = config.get_object("placeholderArgs")
        cidrs = config.get_object("apiAllowedCidrs")
        versions = config.get_object("versions")
        pins = config.get_object("tenantPins")
        placeholder = Placeholder(
            image=config.get("placeholderImage") or PLACEHOLDER.image,
            args=[str(a) for a in args] if isinstance(args, list) else list(PLACEHOLDER.args),
        )
        if cidrs is not None and not (isinstance(cidrs, list) and cidrs):
            raise ConfigError("cellguard:apiAllowedCidrs must be a non-empty list of CIDRs")
        for key, value in (("versions", versions), ("tenantPins", pins)):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"cellguard:{key} must be a map (key -> string)")
        return cls(
            regions=[str(r) for r in regions] if isinstance(regions, list) else None,
            eks_version=config.get("eksVersion") or EKS_VERSION,
            domain=config.get("domain"),
            placeholder=placeholder,
            api_cidrs=tuple(str(c) for c in cidrs) if cidrs else PUBLIC_API,
            versions={str(k): str(v) for k, v in (versions or {}).items()},
            hf_token=config.get_secret("huggingfaceToken"),
            alarm_email=config.get("alarmEmail"),
            allow_destroy=config.get_bool("allowDestroy") or False,
            tenant_pins={str(k): str(v) for k, v in (pins or {}).items()},
        )


def deploy(bp: Blueprint, settings: Settings) -> None:
    """Create every component of ``bp`` in the regions ``settings`` selects."""
    wanted = settings.regions or [r.name for r in bp.regions]
    unknown = sorted(set(wanted) - {r.name for r in bp.regions})
    if unknown:
        known = [r.name for r in bp.regions]
        raise ConfigError(
            f"config cellguard:regions names regions not in the spec: {unknown}; "
            f"expected a subset of {known}"
        )
    regions = [r for r in bp.regions if r.name in wanted]
    foundations = {
        r.name: RegionalFoundation(
            f"{bp.stack}-{r.name}",
            bp.stack,
            r,
            system_nodes(r, router_pods(bp, r)),
            settings.eks_version,
            settings.api_cidrs,
        )
        for r in regions
    }
    providers = {name: f.aws_provider for name, f in foundations.items()}
    data = DataReplication(
        f"{bp.stack}-data",
        bp,
        providers,
        {
            name: Network(f.vpc.id, f.vpc.cidr_block, [s.id for s in f.private_subnets.values()])
            for name, f in foundations.items()
        },
        settings.allow_destroy,
    )
    domain = settings.domain or f"{bp.stack}.example.com"
    routers: dict[str, CellRouter] = {}
    gateways: dict[str, tuple[str, pulumi.CustomResource]] = {}
    for r in regions:
        found = foundations[r.name]
        platform = ClusterPlatform(
            f"{bp.stack}-{r.name}-platform",
            bp.stack,
            r.name,
            found.cluster,
            found.vpc.id,
            found.aws_provider,
            found.k8s_provider,
            found.system_nodes,
            settings.versions,
        )
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
        ctx = CellContext(
            found.k8s_provider,
            found.aws_provider,
            found.cluster.name,
            data.artifact_buckets.get(r.name),
            settings.hf_token,
            bp.alarms.queue_depth,
            bp,
        )
        for cell in r.cells:
            created = InferenceCell(
                f"{bp.stack}-{cell.unit_name}",
                bp.stack,
                cell,
                ctx,
                opts=pulumi.ResourceOptions(depends_on=[*pools.values(), platform]),
            )
            if created.gateway is not None:
                gateways[cell.id] = (r.name, created.gateway)
        if any(not c.implicit for c in r.cells) or bp.router.component:
            routers[r.name] = CellRouter(
                f"{bp.stack}-{r.name}-router",
                bp,
                r,
                found.k8s_provider,
                domain,
                settings.tenant_pins,
                opts=pulumi.ResourceOptions(depends_on=[platform]),
            )
        alarms = Alarms(
            f"{bp.stack}-{r.name}-alarms",
            bp.stack,
            r.name,
            r.cells,
            bp.alarms,
            found.aws_provider,
            settings.alarm_email,
        )
        first_zone = r.zones[0]
        ChaosExperiments(
            f"{bp.stack}-{r.name}-chaos",
            bp.stack,
            bp.chaos,
            r.cells,
            found.aws_provider,
            found.k8s_provider,
            found.cluster,
            found.private_subnets[first_zone].arn,
            [g.arn for p in pools.values() for g in p.zone_groups.get(first_zone, [])],
            [g.arn for p in pools.values() for g in p.node_groups],
            alarms.composite.arn,
            r.name,
            first_zone,
        )
    providers = data.providers
    with_service = {name: router for name, router in routers.items() if router.service is not None}
    if gateways:
        CellNetwork(f"{bp.stack}-cells", bp.stack, domain, foundations, gateways)
    if with_service:
        routing = GlobalRouting(
            f"{bp.stack}-global", bp.stack, domain, providers[regions[0].name], with_service
        )
        pulumi.export("nameServers", routing.name_servers)
    pulumi.export("clusters", {n: f.cluster.name for n, f in foundations.items()})
    pulumi.export(
        "kubeconfigs", {n: pulumi.Output.secret(f.kubeconfig) for n, f in foundations.items()}
    )
    pulumi.export("artifactBuckets", {n: b.bucket for n, b in data.artifact_buckets.items()})


def deploy_file(spec: Path) -> None:
    """Load the spec file (a single Stack) and deploy it with the stack's config."""
    org = load(spec)
    if len(org.stacks) != 1:
        raise ValueError(f"{spec} must hold exactly one Stack")
    settings = Settings.from_config()
    deploy(blueprint_of(org.stacks[0], settings.placeholder), settings)
