"""Objects that say something about workloads defined elsewhere.

HorizontalPodAutoscaler and KEDA ScaledObject (replica range and metric of their scale
target), PodDisruptionBudget and PriorityClass (recorded as component labels: the spec has no
key for them), Karpenter NodePool (GPU type, instance types, zones and capacity type of the pods
that land on it, and a shared ``gpu_node_pool`` domain), Service, Ingress and HTTPRoute (the
names workloads are reached by, and which are exposed), ConfigMap (values the pods read) and
Secret (checked for shape, never read: only names reach the spec).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from cellguard.importers.classify import apply_nodes
from cellguard.importers.context import Context
from cellguard.importers.facts import LABEL_PDB, LABEL_PRIORITY, Fact, Text, Workload
from cellguard.importers.manifests import Manifest, Origin
from cellguard.importers.nodes import EKS_PREFIXES, GPU_RESOURCE, ZONE_LABELS, region_of_zone
from cellguard.models.quoting import quoted

_GPU_WORDS = ("gpu", "dcgm")
_QUEUE_TRIGGERS = (
    "aws-sqs-queue",
    "rabbitmq",
    "kafka",
    "redis",
    "redis-streams",
    "azure-queue",
    "azure-servicebus",
    "gcp-pubsub",
    "nats-jetstream",
    "aws-kinesis-stream",
)


def _targets(ctx: Context, m: Manifest, path: tuple[str, ...]) -> list[Workload]:
    kind = ctx.text(m, (*path, "kind")) or "Deployment"
    name = ctx.text(m, (*path, "name"))
    return [
        w
        for w in ctx.workloads
        if w.manifest.kind == kind and w.manifest.name == name and w.namespace == m.namespace
    ]


def _metric(names: list[str]) -> str | None:
    text = " ".join(names).lower()
    if "cpu" in text:
        return "cpu"
    if any(word in text for word in _GPU_WORDS):
        return "gpu_utilisation"
    if "queue" in text or "waiting" in text or "pending" in text:
        return "queue_depth"
    if "latency" in text or "ttft" in text:
        return "latency"
    if "request" in text or "rps" in text:
        return "requests_per_second"
    if "concurren" in text or "running" in text or "inflight" in text:
        return "concurrency"
    return None


def _set_range(w: Workload, low: int, low_at: Origin, high: int, high_at: Origin, why: str) -> None:
    w.set(("autoscaling", "min"), low, low_at, why)
    w.set(("autoscaling", "max"), high, high_at, why)
    if low == 0:
        note = f"the {why} minimum is 0, scale to zero when idle: 1 counted while there is work"
        w.set(("replicas",), 1, low_at, note)
    else:
        w.set(("replicas",), low, low_at, f"the {why} minimum")


def read_hpa(ctx: Context, m: Manifest) -> None:
    """A HorizontalPodAutoscaler: the replica range and metric of its target."""
    high = ctx.integer(m, ("spec", "maxReplicas"), minimum=1)
    low = ctx.integer(m, ("spec", "minReplicas"))
    if high is None:
        return
    low_at = m.origin("spec", "minReplicas") if low is not None else m.origin("spec")
    low = 1 if low is None else low
    names: list[str] = []
    for metric in ctx.sequence(m, ("spec", "metrics")):
        if isinstance(metric, dict):
            names.extend(str(v) for v in _strings(metric))
    if m.get("spec", "targetCPUUtilizationPercentage") is not None:
        names.append("cpu")
    for w in _targets(ctx, m, ("spec", "scaleTargetRef")):
        _set_range(w, low, low_at, high, m.origin("spec", "maxReplicas"), "HPA")
        metric = _metric(names)
        if metric is not None:
            w.set(("autoscaling", "metric"), metric, m.origin("spec", "metrics"), "HPA metrics")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def read_scaled_object(ctx: Context, m: Manifest) -> None:
    """A KEDA ScaledObject: replica range (defaults 0 and 100), metric and trigger addresses."""
    low = ctx.integer(m, ("spec", "minReplicaCount"))
    high = ctx.integer(m, ("spec", "maxReplicaCount"), minimum=1)
    low_at = m.origin("spec", "minReplicaCount") if low is not None else m.origin("spec")
    high_at = m.origin("spec", "maxReplicaCount") if high is not None else m.origin("spec")
    low, high = (0 if low is None else low), (100 if high is None else high)
    triggers = ctx.sequence(m, ("spec", "triggers"))
    types = [t.get("type") for t in triggers if isinstance(t, dict)]
    metric = (
        "queue_depth"
        if any(t in _QUEUE_TRIGGERS for t in types)
        else _metric([s for t in triggers for s in _strings(t)])
    )
    for w in _targets(ctx, m, ("spec", "scaleTargetRef")):
        if high >= low:
            _set_range(w, low, low_at, high, high_at, "KEDA")
        if metric is not None:
            w.set(("autoscaling", "metric"), metric, m.origin("spec", "triggers"), "KEDA triggers")
        for i, trigger in enumerate(triggers):
            meta = trigger.get("metadata") if isinstance(trigger, dict) else None
            for key, value in meta.items() if isinstance(meta, dict) else []:
                if isinstance(value, str):
                    where = f"KEDA trigger {trigger.get('type')} {key}"
                    origin = m.origin("spec", "triggers", i, "metadata", key)
                    w.texts.append(Text(value, origin, where))


def _selects(selector: Any, labels: dict[str, str]) -> bool:
    if not isinstance(selector, dict) or not selector:
        return False
    match = selector.get("matchLabels", selector if "matchExpressions" not in selector else {})
    if not isinstance(match, dict):
        return False
    if any(labels.get(str(k)) != str(v) for k, v in match.items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        if not isinstance(expr, dict):
            return False
        key, values = str(expr.get("key")), expr.get("values") or []
        op = expr.get("operator")
        if (op == "In" and labels.get(key) not in values) or (op == "Exists" and key not in labels):
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
    return bool(match) or bool(selector.get("matchExpressions"))


def read_pdb(ctx: Context, m: Manifest) -> None:
    """A PodDisruptionBudget, as the ``k8s/pdb`` label of the workloads it selects."""
    selector = ctx.mapping(m, ("spec", "selector"))
    for key in ("minAvailable", "maxUnavailable"):
        value = m.get("spec", key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | str):
            ctx.integer(m, ("spec", key))
            return
        for w in ctx.workloads:
            if w.namespace == m.namespace and _selects(selector, w.pod_labels):
                w.set(("labels", LABEL_PDB), f"{key}={value}", m.origin("spec", key), m.name)
        return


def read_priority_classes(ctx: Context) -> None:
    """The value of each priority class a workload names, in its label's note."""
    values = {m.name: (m.get("value"), m.origin("value")) for m in ctx.objects("PriorityClass")}
    for w in ctx.workloads:
        fact = w.facts.get(("labels", LABEL_PRIORITY))
        if fact is not None and fact.value in values:
            value, _ = values[fact.value]
            if isinstance(value, int) and not isinstance(value, bool):
                w.facts[("labels", LABEL_PRIORITY)] = Fact(
                    fact.value, fact.origin, f"value {value}"
                )


def _requirements(ctx: Context, m: Manifest) -> dict[str, tuple[list[str], Origin]]:
    spec = ("spec", "template", "spec")
    found: dict[str, tuple[list[str], Origin]] = {}
    for i, req in enumerate(ctx.sequence(m, (*spec, "requirements"))):
        if isinstance(req, dict) and req.get("operator") == "In":
            key, values = req.get("key"), req.get("values")
            if isinstance(key, str) and isinstance(values, list):
                found[key] = ([str(v) for v in values], m.origin(*spec, "requirements", i))
    labels = m.get("spec", "template", "metadata", "labels")
    for key, value in labels.items() if isinstance(labels, dict) else []:
        found.setdefault(str(key), ([str(value)], m.origin("spec", "template", "metadata")))
    return found


def read_node_pools(ctx: Context) -> None:
    """Karpenter NodePools: node facts for the workloads that land on them."""
    for m in ctx.objects("NodePool"):
        requirements = _requirements(ctx, m)
        taints = ctx.sequence(m, ("spec", "template", "spec", "taints"))
        taint_keys = {t.get("key") for t in taints if isinstance(t, dict)}
        for key in ZONE_LABELS:
            for zone in requirements.get(key, ([], None))[0]:
                region = region_of_zone(zone)
                if region is not None and ctx.region is None:
                    ctx.region = (region, requirements[key][1])
        for w in ctx.workloads:
            if not _lands_on(w, m, requirements, taint_keys):
                continue
            probe = Workload(m, w.component_kind)
            apply_nodes(probe, requirements)
            for path, fact in probe.facts.items():
                if path != ("runtime",) or ("runtime",) not in w.facts:
                    w.facts.setdefault(path, fact)
            if not any(name == m.name for name, _ in w.node_pools):
                w.node_pools.append((m.name, m.origin("metadata", "name")))
            on_eks = any(k.startswith(EKS_PREFIXES) for k in requirements)
            if w.value(("platform",)) == "other" and on_eks:
                w.set(("platform",), "eks", m.origin("metadata", "name"), f"NodePool {m.name}")


def _lands_on(
    w: Workload, pool: Manifest, requirements: dict[str, Any], taint_keys: set[Any]
) -> bool:
    if any(name == pool.name for name, _ in w.node_pools):
        return True
    own = {k: v for k, (v, _) in w.node_selector.items()}
    if (
        own
        and all(
            key in requirements and set(values) <= set(requirements[key][0])
            for key, values in own.items()
            if not key.startswith("topology.kubernetes.io/")
        )
        and any(key in requirements for key in own)
    ):
        return True
    tolerated = {k for k, _ in w.tolerations} - {GPU_RESOURCE}
    return bool(tolerated & {k for k in taint_keys if isinstance(k, str)})


def read_services(ctx: Context) -> None:
    """Service names onto the workloads they select; exposed ones from their type."""
    for m in ctx.objects("Service"):
        selector = m.get("spec", "selector")
        kind = m.get("spec", "type")
        for w in ctx.workloads:
            if w.namespace != m.namespace or not isinstance(selector, dict) or not selector:
                continue
            if all(w.pod_labels.get(str(k)) == str(v) for k, v in selector.items()):
                w.service_names.add(m.name)
                if kind in ("LoadBalancer", "NodePort") and w.exposed is None:
                    w.exposed = Fact(f"Service {m.name} ({kind})", m.origin("spec", "type"))


def _backends(value: Any) -> list[tuple[str, tuple[str | int, ...]]]:
    """(service name, path) of every Ingress / HTTPRoute backend inside ``value``."""
    found: list[tuple[str, tuple[str | int, ...]]] = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        if isinstance(item, dict):
            service = item.get("service")
            if isinstance(service, dict) and isinstance(service.get("name"), str):
                found.append((service["name"], (*path, "service", "name")))
            if isinstance(item.get("serviceName"), str):
                found.append((item["serviceName"], (*path, "serviceName")))
            if "backendRefs" in item and isinstance(item["backendRefs"], list):
                for i, ref in enumerate(item["backendRefs"]):
                    if isinstance(ref, dict) and isinstance(ref.get("name"), str):
                        found.append((ref["name"], (*path, "backendRefs", i, "name")))
            stack.extend((v, (*path, k)) for k, v in item.items())
        elif isinstance(item, list):
            stack.extend((v, (*path, i)) for i, v in enumerate(item))
    return found


def read_ingresses(ctx: Context) -> None:
    """Workloads behind an Ingress or HTTPRoute are exposed."""
    for m in ctx.objects("Ingress", "HTTPRoute"):
        for name, path in _backends(m.get("spec")):
            for w in ctx.workloads:
                if w.namespace == m.namespace and name in w.service_names and w.exposed is None:
                    w.exposed = Fact(f"{m.kind} {m.name}", m.origin("spec", *path))


_BASE64 = re.compile(r"^[A-Za-z0-9+/\r\n]*={0,2}\s*$")


def check_secrets(ctx: Context) -> None:
    """Secrets are never read into the spec; a value of ``data`` that is not base64 is an error."""
    for m in ctx.objects("Secret"):
        data = ctx.mapping(m, ("data",)) or {}
        for key, value in data.items():
            if value is None:
                continue
            ok = isinstance(value, str) and _BASE64.match(value) is not None
            if ok:
                try:
                    base64.b64decode("".join(str(value).split()), validate=True)
                except (binascii.Error, ValueError):
                    ok = False
            if not ok:
                ctx.problems.add(
                    m.diagnostic(
                        ("data", key),
                        f"Secret {quoted(m.name)}: the value of {quoted(str(key))} is not base64",
                        code="k8s-secret",
                        expected="base64-encoded bytes (Kubernetes rejects anything else)",
                        suggestion="put plain text under stringData, or encode it: base64 -w0",
                    )
                )


def config_values(ctx: Context) -> dict[tuple[str, str], list[tuple[str, str, Origin]]]:
    """(namespace, ConfigMap name) -> (key, value, origin) of every string value."""
    found: dict[tuple[str, str], list[tuple[str, str, Origin]]] = {}
    for m in ctx.objects("ConfigMap"):
        data = ctx.mapping(m, ("data",)) or {}
        found[(m.namespace, m.name)] = [
            (str(k), v, m.origin("data", k)) for k, v in data.items() if isinstance(v, str)
        ]
    return found
