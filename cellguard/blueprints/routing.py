"""CellRouter and GlobalRouting: thin deterministic cell routing and Route 53 in front of regions.

The cell map is data (a ConfigMap ``cell-map``): each cell with its region, partner cell and
gateway address ``<cell>.cells.<domain>`` (:mod:`cellguard.blueprints.cell_network` makes that
name resolve from every region). A router whose spec names no image runs the NGINX data plane of
:mod:`cellguard.blueprints.router_config` (tenant -> cell by pin or hash, failover to the partner
cell); a router image of the spec gets the same map and is expected to implement it. The router
Service is an internet-facing NLB made by the AWS Load Balancer Controller; GlobalRouting puts one
latency record per region in front of the regional routers, each with a Route 53 health check of
``HTTP :80 /healthz`` — the listener and path the router serves.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints import manifests, scaling
from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.from_spec import APP_PORT
from cellguard.blueprints.k8s_objects import register
from cellguard.blueprints.model import Blueprint, RegionPlan, Workload
from cellguard.blueprints.router_config import ROUTER_IMAGE, cell_host, nginx_conf
from cellguard.models.json_text import dumps

ROUTER_NAMESPACE = "cell-router"
NGINX_CONF_DIR = "/etc/nginx/conf.d"


def cell_map(bp: Blueprint, domain: str) -> str:
    """The cell map the routers load: deterministic JSON, cells in a fixed order."""
    cells = [
        {
            "id": c.id,
            "region": c.region,
            "partner": c.partner,
            "service": cell_host(c.id, domain),
        }
        for c in bp.cells
        if not c.implicit
    ]
    return dumps({"strategy": "tenant-hash", "cells": cells}, sort_keys=True, indent=2)


def router_pods(bp: Blueprint, region: RegionPlan) -> tuple[int, int]:
    """(replicas, autoscaling ceiling) of the region's router; (0, 0) when it has none."""
    if not (any(not c.implicit for c in region.cells) or bp.router.component):
        return 0, 0
    if not (bp.router.component and bp.router.image):
        return 0, 0
    return bp.router.replicas, bp.router.replicas * 3


def _nginx(deployment: manifests.Manifest) -> manifests.Manifest:
    """Mount the generated configuration into the router's NGINX container."""
    pod = deployment["spec"]["template"]["spec"]
    pod["volumes"] = [{"name": "nginx-conf", "configMap": {"name": "router-nginx"}}]
    (container,) = pod["containers"]
    container.pop("args", None)
    container["volumeMounts"] = [{"name": "nginx-conf", "mountPath": NGINX_CONF_DIR}]
    deployment["metadata"].pop("annotations", None)
    return deployment


class CellRouter(pulumi.ComponentResource):
    """The router of one region: cell map, router Deployment, PDB, HPA and an NLB Service."""

    service: pulumi.CustomResource | None

    def __init__(
        self,
        name: str,
        bp: Blueprint,
        region: RegionPlan,
        provider: k8s.Provider,
        domain: str,
        pins: dict[str, str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}CellRouter", name, None, opts)
        ns = register(f"{name}-ns", manifests.namespace(bp.stack, ROUTER_NAMESPACE), self, provider)
        cmap = manifests.config_map(
            bp.stack, ROUTER_NAMESPACE, "cell-map", {"cells.json": cell_map(bp, domain)}
        )
        deps: list[pulumi.Resource] = [ns, register(f"{name}-cell-map", cmap, self, provider, [ns])]
        self.service = None
        if bp.router.component and bp.router.image:
            nginx = bp.router.placeholder
            if nginx:
                conf = manifests.config_map(
                    bp.stack,
                    ROUTER_NAMESPACE,
                    "router-nginx",
                    {"default.conf": nginx_conf(bp, domain, pins)},
                )
                deps.append(register(f"{name}-nginx", conf, self, provider, [ns]))
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
                image=ROUTER_IMAGE if nginx else bp.router.image,
                replicas=bp.router.replicas,
                max_replicas=bp.router.replicas * 3,
                zones=region.zones[: bp.router.zones],
                port=APP_PORT,
                args=[] if nginx else bp.router.args,
            )
            ns_name = ROUTER_NAMESPACE
            deployment = manifests.deployment(bp.stack, ns_name, w)
            register(
                f"{name}-deployment",
                _nginx(deployment) if nginx else deployment,
                self,
                provider,
                deps,
            )
            register(
                f"{name}-pdb",
                scaling.pod_disruption_budget(bp.stack, ns_name, w),
                self,
                provider,
                deps,
            )
            register(
                f"{name}-hpa",
                scaling.autoscaler(bp.stack, ns_name, w, 10, region.name),
                self,
                provider,
                deps,
            )
            self.service = register(
                f"{name}-service",
                manifests.service(bp.stack, ns_name, w, load_balancer=True),
                self,
                provider,
                deps,
            )
        self.register_outputs({"cells": len([c for c in bp.cells if not c.implicit])})


def hostname(status: object) -> str:
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
            host = router.service.status.apply(hostname)  # type: ignore[attr-defined]
            check = aws.route53.HealthCheck(
                f"{name}-{region}",
                type="HTTP",
                fqdn=host,
                port=80,
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
        self.name_servers = zone.name_servers
        self.register_outputs({"zoneId": zone.zone_id, "nameServers": zone.name_servers})
