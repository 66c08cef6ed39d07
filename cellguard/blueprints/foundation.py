"""RegionalFoundation: VPC across the zones, NAT per zone, an EKS cluster, system nodes.

The cluster's API endpoint is private *and* public: the Kubernetes provider connects from wherever
``pulumi up`` runs, which is outside the VPC the same update creates (issue 18, blocker 1). The
public endpoint is limited to ``cellguard:apiAllowedCidrs`` (default ``0.0.0.0/0``: restrict it to
your deployer's addresses), authentication is by EKS access entries only, and the identity that
runs ``pulumi up`` gets cluster-admin through ``bootstrapClusterCreatorAdminPermissions``. The
system node group is sized by :func:`cellguard.blueprints.sizing.system_nodes`.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints._base import TOKEN_PREFIX, child, tags
from cellguard.blueprints.model import RegionPlan
from cellguard.blueprints.sizing import SystemNodes
from cellguard.models.json_text import dumps

EKS_VERSION = "1.33"
"""Default Kubernetes version of the clusters (config ``cellguard:eksVersion``)."""

PUBLIC_API = ("0.0.0.0/0",)
"""Default CIDRs allowed to the public API endpoint (config ``cellguard:apiAllowedCidrs``)."""
SYSTEM_DISK_GIB = 50
MAX_ZONES = 7
_NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEKS_CNI_Policy",
)


def _assume(service: str) -> str:
    return dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        },
        sort_keys=True,
    )


def assume_role_policy(service: str) -> str:
    """A trust policy letting ``service`` assume a role."""
    return _assume(service)


def kubeconfig(name: str, endpoint: str, ca_data: str, region: str) -> str:
    """A kubeconfig for ``aws eks get-token`` authentication (JSON, which YAML parsers accept)."""
    return dumps(
        {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": name,
                    "cluster": {"server": endpoint, "certificate-authority-data": ca_data},
                }
            ],
            "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
            "current-context": name,
            "users": [
                {
                    "name": name,
                    "user": {
                        "exec": {
                            "apiVersion": "client.authentication.k8s.io/v1beta1",
                            "command": "aws",
                            "args": [
                                "eks",
                                "get-token",
                                "--cluster-name",
                                name,
                                "--region",
                                region,
                            ],
                        }
                    },
                }
            ],
        },
        sort_keys=True,
    )


class RegionalFoundation(pulumi.ComponentResource):
    """One region's network and cluster; exposes the providers the other components use."""

    aws_provider: aws.Provider
    k8s_provider: k8s.Provider
    cluster: aws.eks.Cluster
    node_role: aws.iam.Role
    private_subnets: dict[str, aws.ec2.Subnet]

    def __init__(
        self,
        name: str,
        stack: str,
        region: RegionPlan,
        system: SystemNodes,
        eks_version: str = EKS_VERSION,
        api_cidrs: tuple[str, ...] = PUBLIC_API,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}RegionalFoundation", name, None, opts)
        self.region = region.name
        if len(region.zones) > MAX_ZONES:
            raise ValueError(f"region {region.name}: at most {MAX_ZONES} zones are supported")
        self.aws_provider = aws.Provider(
            f"{name}-aws", region=region.name, opts=pulumi.ResourceOptions(parent=self)
        )
        p = self.aws_provider
        base = f"10.{region.index}"
        self.vpc = vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=f"{base}.0.0/16",
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tags(stack, role="vpc"),
            opts=child(self, p),
        )
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, opts=child(self, p))
        public_rt = aws.ec2.RouteTable(
            f"{name}-public",
            vpc_id=vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            opts=child(self, p),
        )
        self.private_subnets = {}
        self.private_route_tables: list[aws.ec2.RouteTable] = []
        for i, zone in enumerate(region.zones):
            public = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=vpc.id,
                availability_zone_id=zone,
                cidr_block=f"{base}.{240 + i}.0/24",
                map_public_ip_on_launch=False,
                tags={**tags(stack, zone=zone, role="public"), "kubernetes.io/role/elb": "1"},
                opts=child(self, p),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}",
                subnet_id=public.id,
                route_table_id=public_rt.id,
                opts=child(self, p),
            )
            private = aws.ec2.Subnet(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                availability_zone_id=zone,
                cidr_block=f"{base}.{32 * i}.0/19",
                tags={
                    **tags(stack, zone=zone, role="private"),
                    "kubernetes.io/role/internal-elb": "1",
                },
                opts=child(self, p),
            )
            eip = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", opts=child(self, p))
            nat = aws.ec2.NatGateway(
                f"{name}-nat-{zone}",
                allocation_id=eip.id,
                subnet_id=public.id,
                tags=tags(stack, zone=zone),
                opts=child(self, p),
            )
            rt = aws.ec2.RouteTable(
                f"{name}-private-{zone}",
                vpc_id=vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                opts=child(self, p),
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}",
                subnet_id=private.id,
                route_table_id=rt.id,
                opts=child(self, p),
            )
            self.private_subnets[zone] = private
            self.private_route_tables.append(rt)
        cluster_role = aws.iam.Role(
            f"{name}-cluster", assume_role_policy=_assume("eks.amazonaws.com"), opts=child(self, p)
        )
        aws.iam.RolePolicyAttachment(
            f"{name}-cluster",
            role=cluster_role.name,
            policy_arn="arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
            opts=child(self, p),
        )
        self.node_role = aws.iam.Role(
            f"{name}-nodes", assume_role_policy=_assume("ec2.amazonaws.com"), opts=child(self, p)
        )
        for policy in _NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                f"{name}-nodes-{policy}",
                role=self.node_role.name,
                policy_arn=f"arn:aws:iam::aws:policy/{policy}",
                opts=child(self, p),
            )
        subnet_ids = [s.id for s in self.private_subnets.values()]
        self.cluster = aws.eks.Cluster(
            f"{name}-eks",
            role_arn=cluster_role.arn,
            version=eks_version,
            vpc_config={
                "subnet_ids": subnet_ids,
                "endpoint_private_access": True,
                "endpoint_public_access": True,
                "public_access_cidrs": list(api_cidrs),
            },
            access_config={
                "authentication_mode": "API",
                "bootstrap_cluster_creator_admin_permissions": True,
            },
            enabled_cluster_log_types=["api", "audit", "authenticator"],
            tags=tags(stack, role="cluster"),
            opts=child(self, p),
        )
        self.system_nodes = aws.eks.NodeGroup(
            f"{name}-system",
            cluster_name=self.cluster.name,
            node_role_arn=self.node_role.arn,
            subnet_ids=subnet_ids,
            instance_types=list(system.instance_types),
            disk_size=SYSTEM_DISK_GIB,
            scaling_config={
                "desired_size": system.min_size,
                "min_size": system.min_size,
                "max_size": system.max_size,
            },
            labels={"cellguard.io/role": "system"},
            node_repair_config={"enabled": True},
            tags=tags(stack, role="system-nodes"),
            opts=child(self, p, ignore_changes=["scalingConfig.desiredSize"]),
        )
        self.kubeconfig = config = pulumi.Output.all(
            self.cluster.name, self.cluster.endpoint, self.cluster.certificate_authority
        ).apply(lambda a: kubeconfig(str(a[0]), str(a[1]), _ca_data(a[2]), region.name))
        self.k8s_provider = k8s.Provider(
            f"{name}-k8s",
            kubeconfig=config,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.system_nodes]),
        )
        self.register_outputs(
            {
                "vpcId": vpc.id,
                "clusterName": self.cluster.name,
                "privateSubnetIds": subnet_ids,
            }
        )


def _ca_data(value: object) -> str:
    """The certificate data of an EKS cluster's ``certificate_authority`` output (any shape)."""
    if isinstance(value, dict):
        return str(value.get("data", ""))
    data = getattr(value, "data", None)
    return str(data) if data is not None else ""
