"""Checks of EKS clusters and their GPU node groups.

A node group counts as a GPU node group when its AMI type is a GPU one (``*_GPU``,
``*_NVIDIA``), one of its instance types belongs to a GPU family (``p*``, ``g*``, ``gr*``) or
it carries an ``nvidia.com/gpu`` taint. EKS clusters default to a public endpoint and no private
one, so a cluster that sets neither fails.
"""

from __future__ import annotations

import re

from . import catalog
from .props import Report, Resource, get, is_true, items

GPU_INSTANCE = re.compile(r"^(p|g|gr)\d[a-z0-9-]*\.")
"""EC2 instance types with NVIDIA or AMD GPUs: the P and G families (G5g, Gr6 included)."""

GPU_AMI_MARKERS = ("GPU", "NVIDIA")


def instance_types(resource: Resource) -> list[str]:
    """The node group's instance types, as listed."""
    return [t for t in items(resource.props.get("instanceTypes")) if isinstance(t, str)]


def is_gpu_node_group(resource: Resource) -> bool:
    """Whether ``resource`` is an EKS managed node group for GPU nodes."""
    if resource.resource_type != catalog.NODE_GROUP_TYPE:
        return False
    ami = resource.props.get("amiType")
    if isinstance(ami, str) and any(marker in ami.upper() for marker in GPU_AMI_MARKERS):
        return True
    if any(GPU_INSTANCE.match(t) for t in instance_types(resource)):
        return True
    return any(get(t, "key") == "nvidia.com/gpu" for t in items(resource.props.get("taints")))


OPEN = "0.0.0.0/0"


def check_private_endpoint(args: Resource, report: Report) -> None:
    """Private endpoint on; a public endpoint only for listed CIDRs (not 0.0.0.0/0)."""
    if args.resource_type != catalog.EKS_CLUSTER_TYPE:
        return
    problems = []
    if not is_true(get(args.props, "vpcConfig", "endpointPrivateAccess")):
        problems.append("endpointPrivateAccess is not true")
    public = get(args.props, "vpcConfig", "endpointPublicAccess")
    if public is None or is_true(public):
        cidrs = [str(c) for c in items(get(args.props, "vpcConfig", "publicAccessCidrs"))]
        if not cidrs or OPEN in cidrs:
            problems.append(
                "the public endpoint (EKS defaults it to on) is open to 0.0.0.0/0 "
                "(publicAccessCidrs unset or 0.0.0.0/0)"
            )
    if problems:
        report(
            catalog.EKS_PRIVATE_ENDPOINT.message(
                f"EKS cluster {args.name}: {'; '.join(problems)}."
            ),
            None,
        )


def check_instance_types(args: Resource, report: Report) -> None:
    """A GPU node group allows at least two instance types."""
    if not is_gpu_node_group(args):
        return
    types = sorted(set(instance_types(args)))
    if len(types) < 2:
        shown = ", ".join(types) if types else "none (a launch template or the default)"
        report(
            catalog.GPU_NODE_GROUP_INSTANCE_TYPES.message(
                f"GPU node group {args.name} allows one instance type only: {shown}."
            ),
            None,
        )


def check_auto_repair(args: Resource, report: Report) -> None:
    """A GPU node group has node auto-repair enabled."""
    if not is_gpu_node_group(args):
        return
    if not is_true(get(args.props, "nodeRepairConfig", "enabled")):
        report(
            catalog.GPU_NODE_AUTO_REPAIR.message(
                f"GPU node group {args.name} does not enable node auto-repair."
            ),
            None,
        )
