"""``--verify``'s add-on check: every add-on a captured resource relies on runs in its cluster.

What relies on what (Kubernetes and EKS documentation):

- a ``LoadBalancer`` Service annotated ``service.beta.kubernetes.io/aws-load-balancer-type:
  external`` (or ``nlb-ip``, or ``loadBalancerClass: service.k8s.aws/nlb``) and an ``alb``
  Ingress are acted on only by the AWS Load Balancer Controller;
- a pod requesting ``nvidia.com/gpu`` needs the NVIDIA device plugin (or the GPU operator),
  whose DaemonSet must reach the GPU node groups (its ``nodeSelector`` and ``tolerations``
  values, where set, against the groups' labels and taints);
- an HPA ``Resource``/``ContainerResource`` metric reads ``metrics.k8s.io`` (metrics-server); a
  ``Pods``/``Object`` metric reads ``custom.metrics.k8s.io`` (an adapter such as
  prometheus-adapter; KEDA serves only ``external.metrics.k8s.io``); an ``External`` metric reads
  ``external.metrics.k8s.io`` (KEDA or an adapter);
- a KEDA ``ScaledObject`` needs KEDA;
- an EKS Pod Identity association needs the ``eks-pod-identity-agent`` add-on;
- a StorageClass provisioned by ``ebs.csi.aws.com`` needs the EBS CSI driver.

An add-on counts as present in a cluster when a Helm release of one of its charts or an EKS
add-on of its name is captured for that cluster.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from cellguard.blueprints.model import Blueprint
from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.nodes import node_groups, selects, tolerates
from cellguard.iac.verify_base import CheckResult, cluster_of, ident, is_gpu, workloads

NAME = "addons-present"
LB_TYPE = "service.beta.kubernetes.io/aws-load-balancer-type"


@dataclass(frozen=True)
class AddOn:
    """An add-on: Helm charts or EKS add-on names that provide it."""

    title: str
    charts: frozenset[str] = frozenset()
    eks: frozenset[str] = frozenset()


ADDONS: dict[str, AddOn] = {
    "lb": AddOn("AWS Load Balancer Controller", frozenset({"aws-load-balancer-controller"})),
    "gpu": AddOn("NVIDIA device plugin", frozenset({"nvidia-device-plugin", "gpu-operator"})),
    "metrics": AddOn(
        "metrics-server (metrics.k8s.io)",
        frozenset({"metrics-server"}),
        frozenset({"metrics-server"}),
    ),
    "custom": AddOn(
        "a custom metrics adapter (custom.metrics.k8s.io: prometheus-adapter, kube-metrics-adapter)",
        frozenset({"prometheus-adapter", "kube-metrics-adapter"}),
    ),
    "external": AddOn(
        "an external metrics provider (external.metrics.k8s.io: KEDA, prometheus-adapter)",
        frozenset({"keda", "prometheus-adapter", "kube-metrics-adapter"}),
    ),
    "keda": AddOn("KEDA", frozenset({"keda"})),
    "pod-identity": AddOn("EKS Pod Identity agent", eks=frozenset({"eks-pod-identity-agent"})),
    "ebs": AddOn(
        "EBS CSI driver", frozenset({"aws-ebs-csi-driver"}), frozenset({"aws-ebs-csi-driver"})
    ),
}

METRIC_ADDON = {
    "Resource": "metrics",
    "ContainerResource": "metrics",
    "Pods": "custom",
    "Object": "custom",
    "External": "external",
}


def chart_name(release: CapturedResource) -> str:
    """A Helm release's chart name (the last path part of an ``oci://`` or repository path)."""
    return str(release.inputs.get("chart", "")).rstrip("/").rsplit("/", 1)[-1]


def installed(cap: Capture) -> dict[str | None, set[str]]:
    """Cluster -> Helm chart names and EKS add-on names installed in it."""
    out: dict[str | None, set[str]] = defaultdict(set)
    for r in cap.resources:
        if r.type in ("kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"):
            out[cluster_of(cap, r)].add(chart_name(r))
        elif r.type == "aws:eks/addon:Addon":
            out[str(r.inputs.get("clusterName"))].add(str(r.inputs.get("addonName")))
    return out


@dataclass
class _Needs:
    """(cluster, add-on key) -> what needs it."""

    by: dict[tuple[str | None, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, cluster: str | None, addon: str, what: str) -> None:
        self.by[(cluster, addon)].append(what)


def _kubernetes_needs(cap: Capture, needs: _Needs) -> None:
    for r in cap.of_type("kubernetes:core/v1:Service"):
        spec, meta = r.inputs.get("spec", {}), r.inputs.get("metadata", {})
        annotations = meta.get("annotations") or {}
        lb = annotations.get(LB_TYPE) in ("external", "nlb-ip")
        if spec.get("type") == "LoadBalancer" and (
            lb or spec.get("loadBalancerClass") == "service.k8s.aws/nlb"
        ):
            needs.add(cluster_of(cap, r), "lb", f"Service {ident(r)}")
    for r in cap.of_type("kubernetes:networking.k8s.io/v1:Ingress"):
        spec, meta = r.inputs.get("spec", {}), r.inputs.get("metadata", {})
        annotations = meta.get("annotations") or {}
        if "alb" in (spec.get("ingressClassName"), annotations.get("kubernetes.io/ingress.class")):
            needs.add(cluster_of(cap, r), "lb", f"Ingress {ident(r)}")
    for w in workloads(cap):
        if is_gpu(w):
            needs.add(cluster_of(cap, w), "gpu", f"{w.inputs.get('kind')} {ident(w)}")
    for r in cap.of_type("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"):
        for m in r.inputs.get("spec", {}).get("metrics") or []:
            addon = METRIC_ADDON.get(str(m.get("type")))
            if addon:
                needs.add(cluster_of(cap, r), addon, f"HPA {ident(r)} ({m.get('type')} metric)")
    for r in cap.of_type("kubernetes:keda.sh/v1alpha1:ScaledObject"):
        needs.add(cluster_of(cap, r), "keda", f"ScaledObject {ident(r)}")
    for r in cap.of_type("kubernetes:storage.k8s.io/v1:StorageClass"):
        if r.inputs.get("provisioner") == "ebs.csi.aws.com":
            needs.add(cluster_of(cap, r), "ebs", f"StorageClass {r.inputs['metadata'].get('name')}")


def _aws_needs(cap: Capture, needs: _Needs) -> None:
    for r in cap.of_type("aws:eks/podIdentityAssociation:PodIdentityAssociation"):
        what = (
            f"Pod Identity association {r.inputs.get('namespace')}/{r.inputs.get('serviceAccount')}"
        )
        needs.add(str(r.inputs.get("clusterName")), "pod-identity", what)
    for r in cap.of_type("aws:eks/addon:Addon"):
        if r.inputs.get("podIdentityAssociations"):
            what = f"add-on {r.inputs.get('addonName')}'s Pod Identity association"
            needs.add(str(r.inputs.get("clusterName")), "pod-identity", what)


def _device_plugin_reach(cap: Capture) -> list[str]:
    """GPU node groups a device-plugin release's nodeSelector or tolerations keep it off."""
    out = []
    for release in cap.of_type("kubernetes:helm.sh/v3:Release"):
        if chart_name(release) not in ADDONS["gpu"].charts:
            continue
        values = release.inputs.get("values") or {}
        pod = {k: values[k] for k in ("nodeSelector", "affinity") if k in values}
        cluster = cluster_of(cap, release)
        for g in node_groups(cap):
            if g.cluster != cluster or not g.nvidia:
                continue
            labels = g.node_labels(
                g.zones[0] if g.zones else "", g.instance_types[0] if g.instance_types else ""
            )
            kept_off = "tolerations" in values and not all(
                tolerates(list(values["tolerations"]), t) for t in g.taints
            )
            if kept_off or not selects(pod, labels):
                out.append(
                    f"{chart_name(release)} ({cluster}) does not reach GPU node group {g.name}"
                )
    return out


def check_addons(cap: Capture, bp: Blueprint) -> CheckResult:
    """Every add-on a captured resource relies on is installed in its cluster."""
    needs = _Needs()
    _kubernetes_needs(cap, needs)
    _aws_needs(cap, needs)
    have = installed(cap)
    present: dict[str, int] = defaultdict(int)
    missing = []
    for (cluster, key), what in sorted(needs.by.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        addon = ADDONS[key]
        if (addon.charts | addon.eks) & have.get(cluster, set()):
            present[key] += len(what)
        else:
            more = f" and {len(what) - 2} more" if len(what) > 2 else ""
            missing.append(
                f"cluster {cluster}: {addon.title} missing for {', '.join(what[:2])}{more}"
            )
    unreached = _device_plugin_reach(cap)
    counts = ", ".join(f"{ADDONS[k].title} for {n}" for k, n in sorted(present.items()))
    parts = [f"{sum(present.values())} resources rely on add-ons present in their cluster"]
    if counts:
        parts[0] += f": {counts}"
    parts.extend(missing)
    parts.extend(unreached)
    return CheckResult(NAME, not missing and not unreached, "; ".join(parts))
