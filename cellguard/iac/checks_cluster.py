"""``--verify`` checks of the clusters and their GPU node groups.

:func:`check_eks_endpoint`: the Kubernetes provider connects from wherever ``pulumi up`` runs,
outside the VPC the same update creates, so the API endpoint must be public (nodes use the
private endpoint); the private-only requirement of earlier versions is withdrawn (issue 18).

:func:`check_instance_types`: a GPU node group (not a Capacity Block) offers two instance
types, so a zone short of one type still gets nodes (CG-CAP-002), unless the catalog has one
EC2 type only for its GPU at the GPUs one pod asks for (H100 with two GPUs per pod: only
p5.48xlarge), which is accepted and said so.
"""

from __future__ import annotations

from cellguard.blueprints.model import Blueprint
from cellguard.iac.mockrun import Capture
from cellguard.iac.nodes import NodeGroup, node_groups, pod_requests, selects
from cellguard.iac.verify_base import CheckResult, cluster_of, is_gpu, pod_spec, workloads
from cellguard.models.catalog.hardware import find_instance, instance_catalog
from cellguard.models.wording import plural


def check_eks_endpoint(cap: Capture, bp: Blueprint) -> CheckResult:
    """The API endpoint answers where ``pulumi up`` runs (the Kubernetes provider connects from
    outside the VPC the same update creates) and inside the VPC (nodes)."""
    clusters = cap.of_type("aws:eks/cluster:Cluster")
    bad = []
    cidrs: set[str] = set()
    for c in clusters:
        vpc = c.inputs.get("vpcConfig", {})
        if vpc.get("endpointPublicAccess") is False or vpc.get("endpointPrivateAccess") is not True:
            bad.append(c.name)
        cidrs.update(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"])
    return CheckResult(
        "eks-endpoint-reachable",
        bool(clusters) and not bad,
        f"{len(clusters) - len(bad)}/{len(clusters)} clusters with a public endpoint for the "
        f"Kubernetes provider (allowed from {sorted(cidrs)}) and private access for the nodes"
        + (f"; private-only or no private access: {bad}" if bad else ""),
    )


def _gpus_asked(cap: Capture, group: NodeGroup) -> int:
    """The most GPUs one pod that may land on the group asks for."""
    asked = [
        pod_requests(pod_spec(w))[2]
        for w in workloads(cap)
        if is_gpu(w)
        and cluster_of(cap, w) == group.cluster
        and any(
            selects(pod_spec(w), group.node_labels(z, group.instance_types[0])) for z in group.zones
        )
    ]
    return max(asked, default=1)


def check_instance_types(cap: Capture, bp: Blueprint) -> CheckResult:
    """GPU node groups (not Capacity Blocks) offer two instance types, or the only one the
    catalog has for their GPU at the GPUs one pod asks for."""
    groups = [
        g
        for g in node_groups(cap)
        if "cellguard.io/gpu-pool" in g.labels and g.capacity_type != "CAPACITY_BLOCK"
    ]
    bad: list[str] = []
    accepted: dict[str, list[str]] = {}
    for g in groups:
        if len(g.instance_types) >= 2:
            continue
        if not g.instance_types:
            bad.append(f"{g.name} (no instance type)")
            continue
        (only,) = g.instance_types
        found = find_instance(only)
        gpus = _gpus_asked(cap, g)
        others = sorted(
            t.name
            for t in instance_catalog().instance_types()
            if found is not None
            and t.platform == "ec2"
            and t.gpu == found.gpu
            and t.gpus >= gpus
            and t.name != only
        )
        if found is not None and not others:
            why = (
                f"{only} is the only EC2 type in the catalog with {found.gpu} and at least "
                f"{plural(gpus, 'GPU')} per pod"
            )
            accepted.setdefault(why, []).append(g.name)
        else:
            bad.append(f"{g.name} ({only}; the catalog also has {', '.join(others) or 'nothing'})")
    return CheckResult(
        "gpu-instance-types",
        not bad,
        f"{len(groups) - len(bad)}/{len(groups)} GPU node groups over >= 2 instance types"
        + (
            " or the only one there is: "
            + "; ".join(f"{why} ({', '.join(sorted(names))})" for why, names in accepted.items())
            if accepted
            else ""
        )
        + (f"; single-type: {'; '.join(bad)}" if bad else ""),
    )
