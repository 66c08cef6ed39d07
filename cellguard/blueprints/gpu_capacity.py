"""GpuCapacity: GPU managed node groups per zone, reservations, node auto-repair, spare capacity.

One node group per zone (so that scaling and reservations are zonal), each over several instance
types, tainted ``nvidia.com/gpu:NoSchedule`` and labelled with the pool id for node selection.
Sizes come from the blueprint model, which already includes the static-stability spare (the
region's replicas fit with one zone lost). ODCRs are ``open``: matching instances use them
without a launch template. Capacity Blocks get a dedicated node group on the block and an
on-demand fallback group (min 0) over every instance type.

Every GPU node has a ``GPU_DISK_GIB`` gp3 root volume (the vLLM image alone is 12-25 GB and the
weight cache sits on the same disk; EKS's default is 20 GiB). Desired sizes are left to the
cluster autoscaler after creation (``ignore_changes``). A Capacity Block is bought once: the
lookup runs at the first ``up`` and a later offering id does not replace (re-buy) the block; its
node group starts at zero nodes (instances launch only once the block is active) and the
autoscaler scales it up to the block's size when pods are pending; the launch template names the
instance type and the root volume, as EKS requires for Capacity Blocks.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from cellguard.blueprints._base import LABEL_POOL, TOKEN_PREFIX, child, tags
from cellguard.blueprints.model import GpuPool
from cellguard.models.enums import PurchaseOption

GPU_AMI = "AL2023_x86_64_NVIDIA"
CAPACITY_BLOCK_HOURS = 24
GPU_TAINT = {"key": "nvidia.com/gpu", "value": "true", "effect": "NO_SCHEDULE"}
GPU_DISK_GIB = 200
_DESIRED = ["scalingConfig.desiredSize"]


class GpuCapacity(pulumi.ComponentResource):
    """The GPU nodes of one pool in one region."""

    node_groups: list[aws.eks.NodeGroup]
    zone_groups: dict[str, list[aws.eks.NodeGroup]]

    def __init__(
        self,
        name: str,
        stack: str,
        pool: GpuPool,
        provider: aws.Provider,
        cluster_name: pulumi.Input[str],
        node_role_arn: pulumi.Input[str],
        subnets: dict[str, aws.ec2.Subnet],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}GpuCapacity", name, None, opts)
        self.node_groups = []
        self.zone_groups = {}
        labels = {LABEL_POOL: pool.id, "nvidia.com/gpu.present": "true"}
        for zone in pool.zones:
            az = aws.get_availability_zone_output(
                zone_id=zone, opts=pulumi.InvokeOutputOptions(parent=self, provider=provider)
            )
            group_tags = tags(
                stack, component=pool.id, zone=zone, role="gpu-nodes", region=pool.region
            )
            common: dict[str, Any] = {
                "cluster_name": cluster_name,
                "node_role_arn": node_role_arn,
                "subnet_ids": [subnets[zone].id],
                "ami_type": GPU_AMI,
                "labels": labels,
                "taints": [GPU_TAINT],
                "node_repair_config": {"enabled": pool.node_auto_repair},
                "update_config": {"max_unavailable": 1},
                "tags": group_tags,
            }
            reserved = pool.reserved_nodes_per_zone
            if pool.purchase is PurchaseOption.CAPACITY_BLOCK and reserved:
                self._capacity_block(name, zone, pool, provider, common, reserved, az.name)
                fallback_min = max(0, pool.nodes_per_zone - reserved)
            else:
                if pool.purchase is PurchaseOption.ODCR and reserved:
                    aws.ec2.CapacityReservation(
                        f"{name}-{zone}-odcr",
                        availability_zone=az.name,
                        instance_type=pool.instance_types[0],
                        instance_platform="Linux/UNIX",
                        instance_count=reserved,
                        instance_match_criteria="open",
                        end_date_type="unlimited",
                        tags=group_tags,
                        opts=child(self, provider),
                    )
                fallback_min = pool.nodes_per_zone
            before = len(self.node_groups)
            self.node_groups.append(
                aws.eks.NodeGroup(
                    f"{name}-{zone}",
                    instance_types=pool.instance_types,
                    capacity_type="SPOT" if pool.purchase is PurchaseOption.SPOT else "ON_DEMAND",
                    disk_size=GPU_DISK_GIB,
                    scaling_config={
                        "desired_size": fallback_min,
                        "min_size": fallback_min,
                        "max_size": max(1, pool.max_nodes_per_zone),
                    },
                    opts=child(self, provider, ignore_changes=_DESIRED),
                    **common,
                )
            )
            self.zone_groups[zone] = self.node_groups[
                before - (1 if reserved and pool.purchase is PurchaseOption.CAPACITY_BLOCK else 0) :
            ]
        self.register_outputs({"nodeGroups": [g.arn for g in self.node_groups]})

    def _capacity_block(
        self,
        name: str,
        zone: str,
        pool: GpuPool,
        provider: aws.Provider,
        common: dict[str, Any],
        reserved: int,
        zone_name: pulumi.Output[str],
    ) -> None:
        offering = aws.ec2.get_capacity_block_offering_output(
            instance_type=pool.instance_types[0],
            instance_count=reserved,
            capacity_duration_hours=CAPACITY_BLOCK_HOURS,
            opts=pulumi.InvokeOutputOptions(parent=self, provider=provider),
        )
        block = aws.ec2.CapacityBlockReservation(
            f"{name}-{zone}-block",
            capacity_block_offering_id=offering.capacity_block_offering_id,
            instance_platform="Linux/UNIX",
            tags=common["tags"],
            opts=child(self, provider, ignore_changes=["capacityBlockOfferingId"]),
        )
        template = aws.ec2.LaunchTemplate(
            f"{name}-{zone}-block",
            instance_type=pool.instance_types[0],
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": GPU_DISK_GIB,
                        "volume_type": "gp3",
                        "delete_on_termination": "true",
                    },
                }
            ],
            instance_market_options={"market_type": "capacity-block"},
            capacity_reservation_specification={
                "capacity_reservation_target": {"capacity_reservation_id": block.id}
            },
            opts=child(self, provider),
        )
        self.node_groups.append(
            aws.eks.NodeGroup(
                f"{name}-{zone}-block",
                capacity_type="CAPACITY_BLOCK",
                subnet_ids=pulumi.Output.all(
                    offering.availability_zone, zone_name, common["subnet_ids"][0]
                ).apply(lambda a: _same_zone(str(a[0] or ""), str(a[1]), str(a[2]), pool.id)),
                launch_template={"id": template.id, "version": template.latest_version.apply(str)},
                scaling_config={"desired_size": 0, "min_size": 0, "max_size": reserved},
                opts=child(self, provider, ignore_changes=_DESIRED),
                **{k: v for k, v in common.items() if k != "subnet_ids"},
            )
        )


def _same_zone(offered: str, wanted: str, subnet_id: str, pool: str) -> list[str]:
    """The zone's subnet when the Capacity Block offering is in that zone; an error otherwise
    (the offering lookup cannot be asked for a zone, and a block in another zone is unusable)."""
    if offered and offered != wanted:
        raise ValueError(
            f"GPU pool {pool}: the Capacity Block offering found is in {offered}, not in {wanted}; "
            "buy the block for this zone by hand and import it, or use purchase: odcr"
        )
    return [subnet_id]
