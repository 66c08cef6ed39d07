"""Kubeflow training jobs (PyTorchJob, TFJob, MPIJob, XGBoostJob, PaddleJob, JAXJob, TrainJob)
and RayJob, as ``training_job`` components: platform, GPU type and instance types, and the
number of pods."""

from __future__ import annotations

from cellguard.importers.classify import apply_pod
from cellguard.importers.context import Context
from cellguard.importers.facts import Workload
from cellguard.importers.manifests import Manifest
from cellguard.importers.nodes import EKS_PREFIXES
from cellguard.importers.pods import PodFacts, read_pod

REPLICA_SPECS = {
    "PyTorchJob": "pytorchReplicaSpecs",
    "TFJob": "tfReplicaSpecs",
    "MPIJob": "mpiReplicaSpecs",
    "XGBoostJob": "xgbReplicaSpecs",
    "PaddleJob": "paddleReplicaSpecs",
    "JAXJob": "jaxReplicaSpecs",
}


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
    for i, group in enumerate(groups):
        if isinstance(group, dict):
            path = (*spec, "workerGroupSpecs", i)
            pod = read_pod(m, (*path, "template"), ctx.problems)
            total += ctx.integer(m, (*path, "replicas")) or 0
            if chosen is None or (pod.gpus and not chosen.gpus):
                chosen = pod
    if total:
        w.set(("replicas",), total, m.origin(*spec, "workerGroupSpecs"), "worker pods")
    _finish(ctx, w, chosen or PodFacts(spec, m.origin("spec")), m)


def read_training(ctx: Context, m: Manifest) -> None:
    """A Kubeflow job: the replica type that asks for GPUs (else the first) describes it."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    w = Workload(m, "training_job")
    if m.kind == "TrainJob":
        trainer = ("spec", "trainer")
        pod = PodFacts(trainer, m.origin("spec"))
        nodes = ctx.integer(m, (*trainer, "numNodes"), minimum=1)
        if nodes is not None:
            w.set(("replicas",), nodes, m.origin(*trainer, "numNodes"), "numNodes")
        _finish(ctx, w, pod, m)
        return
    if m.kind == "RayJob":
        _ray_job(ctx, w, m)
        return
    specs_key = REPLICA_SPECS[m.kind]
    specs = ctx.mapping(m, ("spec", specs_key)) or {}
    chosen = None
    total = 0
    for role, replica in specs.items():
        if not isinstance(replica, dict):
            continue
        path = ("spec", specs_key, str(role))
        pod = read_pod(m, (*path, "template"), ctx.problems)
        total += ctx.integer(m, (*path, "replicas")) or 1
        if chosen is None or (pod.gpus and not chosen.gpus):
            chosen = pod
    if total:
        w.set(("replicas",), total, m.origin("spec", specs_key), "pods over all replica types")
    _finish(ctx, w, chosen or PodFacts(("spec",), m.origin("spec")), m)


KINDS = {
    **dict.fromkeys(REPLICA_SPECS, ("kubeflow.org/v1",)),
    "MPIJob": ("kubeflow.org/v1", "kubeflow.org/v2beta1"),
    "TrainJob": ("trainer.kubeflow.org/v1alpha1",),
    "RayJob": ("ray.io/v1", "ray.io/v1alpha1"),
}
