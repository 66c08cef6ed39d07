"""Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob, TrainJob)
and RayJob, as ``training_job`` components: platform, GPU type and instance types, and the
number of pods."""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.importers.classify import apply_pod
from cellguard.importers.context import Context
from cellguard.importers.facts import Workload
from cellguard.importers.manifests import Manifest, Origin
from cellguard.importers.nodes import EKS_PREFIXES
from cellguard.importers.pods import PodFacts, accelerator_count, gpu_count, read_pod
from cellguard.models.wording import plural

REPLICA_SPECS = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
}


def _accelerated(pod: PodFacts) -> bool:
    return pod.gpus is not None or pod.accelerator is not None


@dataclass
class _Gpus:
    """The GPUs of a job over its pods: ``gpus`` is all of them (the spec's GPUs of one job)."""

    total: int = 0
    parts: list[str] = field(default_factory=list)
    origin: Origin | None = None

    def add(self, pod: PodFacts, pods: int) -> None:
        if pod.gpus is None or not pod.gpus[0] or not pods:
            return
        self.total += pods * pod.gpus[0]
        self.parts.append(f"{plural(pods, 'pod')} x {pod.gpus[0]}")
        self.origin = self.origin or pod.gpus[1]

    def record(self, w: Workload) -> None:
        if self.total and self.origin is not None:
            w.set(("gpus",), self.total, self.origin, " + ".join(self.parts))


def _train_job(ctx: Context, w: Workload, m: Manifest) -> None:
    """A Kubeflow Trainer v2 TrainJob: nodes, GPUs per node, image and the pod overrides'
    node constraints (the runtime it references holds the rest, and is not read)."""
    trainer = ("spec", "trainer")
    pod = PodFacts(trainer, m.origin("spec"))
    overrides = ctx.sequence(m, ("spec", "podTemplateOverrides"))
    for i, item in enumerate(overrides):
        if isinstance(item, dict) and isinstance(item.get("spec"), dict):
            found = read_pod(m, ("spec", "podTemplateOverrides", i), ctx.problems)
            pod.selectors.update(found.selectors)
            pod.tolerations.extend(found.tolerations)
    gpus = gpu_count(m, (*trainer, "resourcesPerNode"), ctx.problems)
    pod.accelerator = accelerator_count(m, (*trainer, "resourcesPerNode"), ctx.problems)
    nodes = ctx.integer(m, (*trainer, "numNodes"), minimum=1)
    if nodes is not None:
        w.set(("replicas",), nodes, m.origin(*trainer, "numNodes"), "numNodes")
        if gpus is not None and gpus[0]:
            note = f"numNodes {nodes} x {gpus[0]} per node (resourcesPerNode)"
            w.set(("gpus",), nodes * gpus[0], gpus[1], note)
    _finish(ctx, w, pod, m)


def _finish(ctx: Context, w: Workload, pod: PodFacts, m: Manifest) -> None:
    apply_pod(w, pod)
    eks = any(k.startswith(EKS_PREFIXES) for k in pod.selectors)
    w.set(("platform",), "eks" if eks else "other", m.origin("kind"), m.kind)
    ctx.workloads.append(w)


def _ray_job(ctx: Context, w: Workload, m: Manifest) -> None:
    """A RayJob: its GPU worker group describes it; replicas are the worker pods."""
    spec = ("spec", "rayClusterSpec")
    groups = ctx.sequence(m, (*spec, "workerGroupSpecs"))
    chosen: PodFacts | None = None
    total = 0
    gpus = _Gpus()
    for i, group in enumerate(groups):
        if isinstance(group, dict):
            path = (*spec, "workerGroupSpecs", i)
            pod = read_pod(m, (*path, "template"), ctx.problems)
            count = ctx.integer(m, (*path, "replicas")) or 0
            total += count
            gpus.add(pod, count)
            if chosen is None or (_accelerated(pod) and not _accelerated(chosen)):
                chosen = pod
    if total:
        w.set(("replicas",), total, m.origin(*spec, "workerGroupSpecs"), "worker pods")
    gpus.record(w)
    _finish(ctx, w, chosen or PodFacts(spec, m.origin("spec")), m)


def read_training(ctx: Context, m: Manifest) -> None:
    """A Kubeflow job: the replica type that asks for GPUs (else the first) describes it."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    w = Workload(m, "training_job")
    if m.kind == "TrainJob":
        _train_job(ctx, w, m)
        return
    if m.kind == "RayJob":
        _ray_job(ctx, w, m)
        return
    specs_key = REPLICA_SPECS[m.kind]
    specs = ctx.mapping(m, ("spec", specs_key)) or {}
    chosen = None
    total = 0
    gpus = _Gpus()
    for role, replica in specs.items():
        if not isinstance(replica, dict):
            continue
        path = ("spec", specs_key, str(role))
        pod = read_pod(m, (*path, "template"), ctx.problems)
        count = ctx.integer(m, (*path, "replicas")) or 1
        total += count
        gpus.add(pod, count)
        if chosen is None or (_accelerated(pod) and not _accelerated(chosen)):
            chosen = pod
    if total:
        w.set(("replicas",), total, m.origin("spec", specs_key), "pods over all replica types")
    gpus.record(w)
    _finish(ctx, w, chosen or PodFacts(("spec",), m.origin("spec")), m)


KINDS = {
    **dict.fromkeys(REPLICA_SPECS, ("kubeflow.org/v1",)),
    "MPIJob": ("kubeflow.org/v1", "kubeflow.org/v2beta1"),
    "TrainJob": ("trainer.kubeflow.org/v1alpha1",),
    "RayJob": ("ray.io/v1", "ray.io/v1alpha1"),
}
