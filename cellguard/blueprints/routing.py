"""CellRouter and GlobalRouting: thin deterministic cell routing and Route 53 in front of regions.

The cell map is data (a ConfigMap): each cell with its region and partner cell; the router maps a
tenant to ``cells[hash(tenant) % len(cells)]`` and fails over to the partner when the cell's
health check fails. GlobalRouting puts one latency record per region, each with a Route 53
health check, in front of the regional routers (config ``cellguard:domain``).
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints import manifests
from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.from_spec import APP_PORT
from cellguard.blueprints.k8s_objects import register
from cellguard.blueprints.model import Blueprint, RegionPlan, Workload
from cellguard.models.json_text import dumps

ROUTER_NAMESPACE = "cell-router"


def cell_map(bp: Blueprint) -> str:
    """The cell map the routers load: deterministic JSON, cells in a fixed order."""
    cells = [
        {
            "id": c.id,
            "region": c.region,
            "partner": c.partner,
            "service": f"{c.id}.svc.cluster.local",
        }
        for c in bp.cells
        if not c.implicit
    ]
    return dumps({"strategy": "tenant-hash", "cells": cells}, sort_keys=True, indent=2)


class CellRouter(pulumi.ComponentResource):
    """The router of one region: cell map, router Deployment, PDB, HPA and an NLB Service."""

    service: pulumi.CustomResource | None

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        region: RegionPlan,
        provider: k8s.Provider,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}CellRouter", name, None, opts)
        ns = register(f"{name}-ns", manifests.namespace(bp.stack, ROUTER_NAMESPACE), self, provider)
        cmap = manifests.config_map(
            bp.stack, ROUTER_NAMESPACE, "cell-map", {"cells.json": cell_map(bp)}
        )
        deps: list[pulumi.Resource] = [ns, register(f"{name}-cell-map", cmap, self, provider, [ns])]
        self.service = None
        if bp.router.component and bp.router.image:
            deps.append(
                register(
                    f"{name}-priority",
                    manifests.priority_class(bp.stack, ROUTER_NAMESPACE),
                    self,
                    provider,
                )
            )
            w = Workload(
                component=bp.router.component,
                image=bp.router.image,
                replicas=bp.router.replicas,
                max_replicas=bp.router.replicas * 3,
                zones=region.zones[: bp.router.zones],
                port=APP_PORT,
                placeholder=bp.router.placeholder,
                args=bp.router.args,
            )
            ns_name = ROUTER_NAMESPACE
            register(
                f"{name}-deployment",
                manifests.deployment(bp.stack, ns_name, w),
                self,
                provider,
                deps,
            )
            register(
                f"{name}-pdb",
                manifests.pod_disruption_budget(bp.stack, ns_name, w),
                self,
                provider,
                deps,
            )
            register(
                f"{name}-hpa", manifests.autoscaler(bp.stack, ns_name, w, 10), self, provider, deps
            )
            self.service = register(
                f"{name}-service",
                manifests.service(bp.stack, ns_name, w, load_balancer=True),
                self,
                provider,
                deps,
            )
        self.register_outputs({"cells": len([c for c in bp.cells if not c.implicit])})


def _hostname(status: object) -> str:
    """The NLB hostname of a LoadBalancer Service status ('' until it is provisioned)."""
    lb = getattr(status, "load_balancer", None)
    items = getattr(lb, "ingress", None) or []
    return str(getattr(items[0], "hostname", None) or "") if items else ""


class GlobalRouting(pulumi.ComponentResource):
    """Route 53: a hosted zone, a health check and a latency record per region."""

    def __init__(
        self,
        name: str,
        stack: str,
        domain: str,
        provider: aws.Provider,
        routers: dict[str, CellRouter],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}GlobalRouting", name, None, opts)
        first = provider
        zone = aws.route53.Zone(
            f"{name}-zone", name=domain, tags=tags(stack), opts=child(self, first)
        )
        for region, router in routers.items():
            if router.service is None:
                continue
            host = router.service.status.apply(_hostname)  # type: ignore[attr-defined]
            check = aws.route53.HealthCheck(
                f"{name}-{region}",
                type="HTTPS",
                fqdn=host,
                port=443,
                resource_path="/healthz",
                failure_threshold=3,
                request_interval=10,
                tags=tags(stack, region=region),
                opts=child(self, first),
            )
            aws.route53.Record(
                f"{name}-{region}",
                zone_id=zone.zone_id,
                name=f"api.{domain}",
                type="CNAME",
                ttl=30,
                records=[host],
                set_identifier=region,
                latency_routing_policies=[{"region": region}],
                health_check_id=check.id,
                opts=child(self, first),
            )
        self.register_outputs({"zoneId": zone.zone_id})
