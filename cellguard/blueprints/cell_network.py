"""CellNetwork: cell gateway addresses that resolve and connect across clusters and regions.

- A private Route 53 zone ``cells.<domain>`` associated with every deployed region's VPC, with a
  record ``<cell>.cells.<domain>`` per cell pointing at the cell's internal gateway NLB.
- VPC peering between every pair of deployed regions (the VPCs are 10.<i>.0.0/16, disjoint),
  accepted in the peer region, with routes from every private route table to the peer's CIDR
  and DNS resolution of the peer's private names enabled both ways.
"""

from __future__ import annotations

import itertools

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.foundation import RegionalFoundation
from cellguard.blueprints.routing import hostname


class CellNetwork(pulumi.ComponentResource):
    """Peering and the private cell zone of the stack."""

    def __init__(
        self,
        name: str,
        stack: str,
        domain: str,
        foundations: dict[str, RegionalFoundation],
        gateways: dict[str, tuple[str, pulumi.CustomResource]],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}CellNetwork", name, None, opts)
        regions = list(foundations)
        home = foundations[regions[0]].aws_provider
        zone = aws.route53.Zone(
            f"{name}-cells",
            name=f"cells.{domain}",
            comment="cellguard cell gateways",
            vpcs=[{"vpc_id": f.vpc.id, "vpc_region": region} for region, f in foundations.items()],
            tags=tags(stack, role="cell-zone"),
            opts=child(self, home),
        )
        for cell, (_, service) in sorted(gateways.items()):
            aws.route53.Record(
                f"{name}-{cell}",
                zone_id=zone.zone_id,
                name=f"{cell}.cells.{domain}",
                type="CNAME",
                ttl=30,
                records=[service.status.apply(hostname)],  # type: ignore[attr-defined]
                opts=child(self, home),
            )
        for a, b in itertools.combinations(regions, 2):
            left, right = foundations[a], foundations[b]
            peering = aws.ec2.VpcPeeringConnection(
                f"{name}-{a}-{b}",
                vpc_id=left.vpc.id,
                peer_vpc_id=right.vpc.id,
                peer_region=b,
                tags=tags(stack, role="peering"),
                opts=child(self, left.aws_provider),
            )
            accepted = aws.ec2.VpcPeeringConnectionAccepter(
                f"{name}-{a}-{b}",
                vpc_peering_connection_id=peering.id,
                auto_accept=True,
                accepter={"allow_remote_vpc_dns_resolution": True},
                tags=tags(stack, role="peering"),
                opts=child(self, right.aws_provider),
            )
            for side, other in ((left, right), (right, left)):
                for i, table in enumerate(side.private_route_tables):
                    aws.ec2.Route(
                        f"{name}-{a}-{b}-{side.region}-{i}",
                        route_table_id=table.id,
                        destination_cidr_block=other.vpc.cidr_block,
                        vpc_peering_connection_id=peering.id,
                        opts=child(self, side.aws_provider, [accepted]),
                    )
        self.register_outputs({"cellZone": zone.zone_id})
