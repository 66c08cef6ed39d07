"""NVIDIA Dynamo: the services of a DynamoGraphDeployment, one component each.

``spec.services`` maps a service name to its ``componentType`` (``frontend``, ``worker``,
``planner``, ...), ``replicas``, ``resources`` (GPUs per pod, as ``nvidia.com/gpu`` or Dynamo's
``gpu``), ``multinode.nodeCount`` (pods per replica), ``extraPodSpec`` (node selectors,
tolerations and the ``mainContainer``: image, command, arguments) and ``envFromSecret``. A
worker whose pods ask for GPUs or run an engine is a model endpoint (its model from ``--model``,
GPUs per replica = GPUs per pod x pods per replica); the frontend, Dynamo's OpenAI-compatible
HTTP router, is a gateway that calls every model endpoint of its graph (it finds them through
Dynamo's discovery, not through service addresses); other services (the planner) are apps.
"""

from __future__ import annotations

from cellguard.importers.classify import apply_pod, classify, set_kubernetes
from cellguard.importers.context import Context
from cellguard.importers.facts import Workload
from cellguard.importers.manifests import Manifest
from cellguard.importers.pods import (
    PodFacts,
    accelerator_count,
    gpu_count,
    read_container,
    read_pod,
)
from cellguard.models.loader.errors import KeyPath

KINDS = {"DynamoGraphDeployment": ("nvidia.com/v1alpha1",)}


def _pod(ctx: Context, m: Manifest, svc: KeyPath) -> PodFacts:
    extra = (*svc, "extraPodSpec")
    pod = (
        read_pod(m, extra, ctx.problems, bare=True)
        if ctx.mapping(m, extra) is not None
        else PodFacts(svc, m.origin(*svc))
    )
    if ctx.mapping(m, (*extra, "mainContainer")) is not None:
        read_container(m, (*extra, "mainContainer"), pod, ctx.problems)
    resources = (*svc, "resources")
    pod.gpus = gpu_count(m, resources, ctx.problems) or gpu_count(m, resources, ctx.problems, "gpu")
    pod.accelerator = accelerator_count(m, resources, ctx.problems) or pod.accelerator
    secret = ctx.text(m, (*svc, "envFromSecret"))
    if secret is not None:
        pod.secrets.append((secret, m.origin(*svc, "envFromSecret")))
    return pod


def _service(ctx: Context, m: Manifest, name: str) -> Workload:
    svc = ("spec", "services", name)
    pod = _pod(ctx, m, svc)
    role = (ctx.text(m, (*svc, "componentType")) or "").lower()
    if role == "frontend" or (not role and name.lower() == "frontend"):
        kind, role = "gateway", role or "frontend"
    elif role == "planner":
        kind = "app"
    else:
        kind = classify(pod, job=False)
    w = Workload(m, kind, suffix=name)
    if kind in ("gateway", "app") and role in ("frontend", "planner"):
        w.kind_why = f"Dynamo componentType {role}"
    nodes = ctx.integer(m, (*svc, "multinode", "nodeCount"), minimum=1) or 1
    per_replica = pod.gpus[0] * nodes if pod.gpus is not None and pod.gpus[0] else None
    apply_pod(w, pod, gpus_per_replica=per_replica)
    if per_replica and nodes > 1 and pod.gpus is not None:
        note = f"multinode.nodeCount {nodes} x {pod.gpus[0]} per pod"
        w.set(("serving", "gpus_per_replica"), per_replica, pod.gpus[1], note)
    set_kubernetes(w, m.origin("kind"), "NVIDIA Dynamo")
    count = ctx.integer(m, (*svc, "replicas"))
    if count is not None:
        w.set(("replicas",), count, m.origin(*svc, "replicas"))
    w.service_names |= {f"{m.name}-{name.lower()}"}
    return w


def read_dynamo(ctx: Context, m: Manifest) -> None:
    """A DynamoGraphDeployment: a component per service, the frontend calling the models."""
    services = ctx.mapping(m, ("spec", "services"))
    if services is None:
        return
    made = [
        _service(ctx, m, str(name)) for name, body in services.items() if isinstance(body, dict)
    ]
    models = [w for w in made if w.component_kind in ("model_endpoint", "embedding_model")]
    for front in (w for w in made if w.component_kind == "gateway"):
        for model in models:
            origin = m.origin("spec", "services", model.suffix)
            ctx.links.append((front, model, origin, "Dynamo graph: the frontend routes to it"))
    ctx.workloads.extend(made)
