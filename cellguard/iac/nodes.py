"""EKS managed node groups as the scheduler sees them: labels, taints, zones and allocatable.

Allocatable is the instance's vCPUs and memory from the instance catalog
(``cellguard/models/catalog/instances.yaml``) minus what the EKS AMI keeps from pods, as
``nodeadm`` computes it (awslabs/amazon-eks-ami, ``nodeadm/internal/kubelet/config.go``):

- kube-reserved CPU: 6 % of the first core, 1 % of the second, 0.5 % of the third and fourth,
  0.25 % of every further core (``getCPUMillicoresToReserve``, integer millicores);
- kube-reserved memory: ``11 MiB x maxPods + 255 MiB`` (``GetMemoryMebibytesToReserve``);
- the kubelet's hard eviction threshold ``memory.available: 100Mi``.

``maxPods`` is taken at the cap Amazon EKS enforces on managed node groups without a custom AMI
(EKS user guide, "How maxPods is determined"): 110 for instances with fewer than 30 vCPUs, 250
otherwise. The ENI-based value (``eni-max-pods.txt``) is at most that cap for these groups, so
the reservation used here is the largest the node can have and allocatable the smallest: a pod
that fits here fits the real node. GPUs are the catalog's count when the group runs an NVIDIA
AMI, else none. Memory the kernel keeps (``MemTotal`` below the nominal size) is not subtracted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from cellguard.iac.mockrun import Capture, CapturedResource
from cellguard.iac.verify_base import GPU, by_mock_reference
from cellguard.models.catalog.hardware import find_instance, instance_catalog

EVICTION_MIB = 100
MAX_PODS_SMALL, MAX_PODS_LARGE, LARGE_VCPUS = 110, 250, 30
NVIDIA_AMIS = re.compile(r"NVIDIA|_GPU$")
ZONE_ID = "topology.k8s.aws/zone-id"
ZONE = "topology.kubernetes.io/zone"
INSTANCE_TYPE = "node.kubernetes.io/instance-type"
TAINT_EFFECTS = {"NO_SCHEDULE": "NoSchedule", "NO_EXECUTE": "NoExecute"}
"""EKS taint effects that keep pods off a node (``PREFER_NO_SCHEDULE`` only discourages)."""

_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL: dict[str, Decimal] = {
    suffix: Decimal(f"1e{exponent}")
    for suffix, exponent in (("n", -9), ("u", -6), ("m", -3), ("k", 3), ("M", 6), ("G", 9))
}
_DECIMAL |= {"T": Decimal("1e12"), "P": Decimal("1e15"), "E": Decimal("1e18")}


def quantity(value: object) -> Decimal | None:
    """A Kubernetes resource quantity (``2900m``, ``10240Mi``, ``1.5``, ``2e3``) as a number of
    base units (cores, bytes, devices); None if it is not one."""
    text = str(value).strip()
    for suffix, factor in _BINARY.items():
        if text.endswith(suffix):
            text, scale = text[: -len(suffix)], Decimal(factor)
            break
    else:
        suffix = text[-1:] if text[-1:] in _DECIMAL and not text[-2:-1].isalpha() else ""
        scale = _DECIMAL[suffix] if suffix else Decimal(1)
        text = text[: -len(suffix)] if suffix else text
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number * scale if number.is_finite() else None


def reserved_cpu_m(vcpus: int) -> int:
    """Millicores kube-reserved on a node with ``vcpus`` cores (nodeadm's integer arithmetic)."""
    total = vcpus * 1000
    out = 0
    bands = ((0, 1000, 600), (1000, 2000, 100), (2000, 4000, 50), (4000, total, 25))
    for start, end, per_10000 in bands:
        if total > start:
            out += (min(total, end) - start) * per_10000 // 10000
    return out


def max_pods(vcpus: int) -> int:
    """The maxPods cap EKS sets on a managed node group's nodes (no custom AMI)."""
    return MAX_PODS_SMALL if vcpus < LARGE_VCPUS else MAX_PODS_LARGE


@dataclass(frozen=True)
class Allocatable:
    """What pods may request on one node: millicores, MiB, GPUs and the pod count."""

    cpu_m: int
    memory_mib: int
    gpus: int
    pods: int

    def holds(self, cpu_m: int, memory_mib: int, gpus: int) -> int:
        """How many pods of that size one node holds."""
        fits = [self.pods]
        for have, want in ((self.cpu_m, cpu_m), (self.memory_mib, memory_mib), (self.gpus, gpus)):
            if want:
                fits.append(have // want)
        return max(0, min(fits))

    def least(self, other: Allocatable) -> Allocatable:
        """The smaller of two allocatables, resource by resource."""
        return Allocatable(
            min(self.cpu_m, other.cpu_m),
            min(self.memory_mib, other.memory_mib),
            min(self.gpus, other.gpus),
            min(self.pods, other.pods),
        )


def allocatable(instance_type: str, nvidia: bool) -> Allocatable | None:
    """Allocatable of one node of ``instance_type`` (None: not in the catalog)."""
    shape = instance_catalog().shape(instance_type)
    if shape is None:
        return None
    vcpus, memory_gib = shape
    found = find_instance(instance_type)
    memory = memory_gib * 1024 - (11 * max_pods(vcpus) + 255) - EVICTION_MIB
    gpus = found.gpus if found is not None and nvidia else 0
    return Allocatable(vcpus * 1000 - reserved_cpu_m(vcpus), memory, gpus, max_pods(vcpus))


@dataclass(frozen=True)
class Taint:
    """A node taint that keeps pods off (``NoSchedule`` or ``NoExecute``)."""

    key: str
    value: str
    effect: str


@dataclass(frozen=True)
class NodeGroup:
    """One EKS managed node group, read from its captured inputs."""

    name: str
    cluster: str
    zones: tuple[str, ...]
    instance_types: tuple[str, ...]
    labels: dict[str, str]
    taints: tuple[Taint, ...]
    min_size: int
    nvidia: bool
    capacity_type: str
    resource: CapturedResource = field(compare=False, repr=False)

    def node_labels(self, zone: str, instance_type: str) -> dict[str, str]:
        """The labels a node of this group in ``zone`` of ``instance_type`` carries."""
        return {
            **self.labels,
            ZONE_ID: zone,
            INSTANCE_TYPE: instance_type,
            "eks.amazonaws.com/capacityType": self.capacity_type,
            "kubernetes.io/os": "linux",
        }


def _zone_of_subnet(cap: Capture, subnet_id: object) -> str | None:
    subnet = by_mock_reference(cap, subnet_id)
    if subnet is None or subnet.type != "aws:ec2/subnet:Subnet":
        return None
    zone = subnet.inputs.get("availabilityZoneId") or subnet.inputs.get("availabilityZone")
    return str(zone) if zone else None


def _launch_template_type(cap: Capture, group: CapturedResource) -> str | None:
    spec = group.inputs.get("launchTemplate") or {}
    template = by_mock_reference(cap, spec.get("id")) or next(
        (
            t
            for t in cap.of_type("aws:ec2/launchTemplate:LaunchTemplate")
            if spec.get("name") and t.inputs.get("name") == spec.get("name")
        ),
        None,
    )
    found = template.inputs.get("instanceType") if template is not None else None
    return str(found) if found else None


def node_groups(cap: Capture) -> list[NodeGroup]:
    """Every captured managed node group, with its zones (from its subnets) and instance types
    (its own, else its launch template's)."""
    out = []
    for g in cap.of_type("aws:eks/nodeGroup:NodeGroup"):
        types = [str(t) for t in g.inputs.get("instanceTypes") or []]
        if not types and (from_template := _launch_template_type(cap, g)):
            types = [from_template]
        zones = [_zone_of_subnet(cap, s) for s in g.inputs.get("subnetIds") or []]
        taints = tuple(
            Taint(str(t.get("key")), str(t.get("value", "")), TAINT_EFFECTS[str(t.get("effect"))])
            for t in g.inputs.get("taints") or []
            if str(t.get("effect")) in TAINT_EFFECTS
        )
        scaling = g.inputs.get("scalingConfig") or {}
        out.append(
            NodeGroup(
                name=g.name,
                cluster=str(g.inputs.get("clusterName")),
                zones=tuple(sorted({z for z in zones if z})),
                instance_types=tuple(types),
                labels={str(k): str(v) for k, v in (g.inputs.get("labels") or {}).items()},
                taints=taints,
                min_size=int(scaling.get("minSize", scaling.get("desiredSize", 0)) or 0),
                nvidia=bool(NVIDIA_AMIS.search(str(g.inputs.get("amiType", "")))),
                capacity_type=str(g.inputs.get("capacityType", "ON_DEMAND")),
                resource=g,
            )
        )
    return out


def tolerates(tolerations: list[dict[str, object]], taint: Taint) -> bool:
    """Whether one of a pod's tolerations tolerates ``taint`` (Kubernetes' matching rules)."""
    for t in tolerations:
        if t.get("effect") not in (None, "", taint.effect):
            continue
        operator = t.get("operator", "Equal")
        key = t.get("key")
        if operator == "Exists" and key in (None, "", taint.key):
            return True
        if operator == "Equal" and key == taint.key and str(t.get("value", "")) == taint.value:
            return True
    return False


def _expression(expr: dict[str, object], labels: dict[str, str]) -> bool:
    key, op = str(expr.get("key")), expr.get("operator")
    values = [str(v) for v in expr.get("values") or []]  # type: ignore[attr-defined]
    present = key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and values:
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def selects(pod: dict[str, object], labels: dict[str, str]) -> bool:
    """Whether a pod's nodeSelector and required node affinity admit a node with ``labels``."""
    selector = pod.get("nodeSelector") or {}
    if any(labels.get(str(k)) != str(v) for k, v in selector.items()):  # type: ignore[attr-defined]
        return False
    affinity = (pod.get("affinity") or {}).get("nodeAffinity") or {}  # type: ignore[attr-defined]
    required = affinity.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    terms = required.get("nodeSelectorTerms") or []
    if not terms:
        return True
    return any(
        all(_expression(e, labels) for e in term.get("matchExpressions") or []) for term in terms
    )


def pod_requests(pod: dict[str, object]) -> tuple[int, int, int]:
    """(millicores, MiB, GPUs) a pod requests: the containers' sum or the largest init
    container, whichever is larger per resource; a limit stands in for a missing request."""

    def of(container: dict[str, object]) -> tuple[Decimal, Decimal, Decimal]:
        res = container.get("resources") or {}
        asked = {**(res.get("limits") or {}), **(res.get("requests") or {})}  # type: ignore[attr-defined]
        cpu = quantity(asked.get("cpu", 0)) or Decimal(0)
        mem = quantity(asked.get("memory", 0)) or Decimal(0)
        gpu = quantity(asked.get(GPU, 0)) or Decimal(0)
        return cpu, mem, gpu

    main = [of(c) for c in pod.get("containers") or []]  # type: ignore[attr-defined]
    init = [of(c) for c in pod.get("initContainers") or []]  # type: ignore[attr-defined]
    totals = [sum((m[i] for m in main), Decimal(0)) for i in range(3)]
    peaks = [max([m[i] for m in init], default=Decimal(0)) for i in range(3)]
    cpu, mem, gpu = (max(t, p) for t, p in zip(totals, peaks, strict=True))
    return (
        int((cpu * 1000).to_integral_value(rounding="ROUND_CEILING")),
        int((mem / 2**20).to_integral_value(rounding="ROUND_CEILING")),
        int(gpu.to_integral_value(rounding="ROUND_CEILING")),
    )
