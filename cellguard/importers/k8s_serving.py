"""Serving operators: LeaderWorkerSet, KServe InferenceService and NVIDIA NIMService.

- LeaderWorkerSet (multi-node serving): ``spec.replicas`` groups of ``size`` pods; a replica of
  the model is a group, so GPUs per replica are the leader's plus ``size - 1`` workers'. The model
  and engine come from the leader (it runs the API server), else the worker.
- InferenceService: the predictor's ``model`` container (or its ``containers``), replicas from
  ``minReplicas`` (default 1) and the range from ``maxReplicas``; the model from
  ``--model_id``/``--model``, else an ``hf://`` storage URI.
- NIMService: the model and its version from the NIM image (``nvcr.io/nim/meta/llama-3.1-8b-
  instruct:1.3.3`` serves ``meta/llama-3.1-8b-instruct``), replicas or the ``scale.hpa`` range,
  GPUs from ``resources``; a NIM cache or a PVC means the weights are cached near the node.
"""

from __future__ import annotations

from cellguard.importers.classify import MODEL_KINDS, apply_pod, classify, set_kubernetes
from cellguard.importers.context import Context
from cellguard.importers.facts import Text, Workload
from cellguard.importers.manifests import Manifest
from cellguard.importers.pods import PodFacts, gpu_count, read_container, read_pod
from cellguard.models.loader.errors import KeyPath
from cellguard.models.wording import plural


def _scaling(ctx: Context, w: Workload, m: Manifest, low: KeyPath, high: KeyPath) -> None:
    """``replicas`` from the minimum (default 1) and ``autoscaling`` when a maximum is given."""
    least = ctx.integer(m, low)
    most = ctx.integer(m, high, minimum=1)
    origin = m.origin(*low) if least is not None else m.origin(*low[:-1])
    note = "" if least is not None else "unset: the operator's default"
    least = 1 if least is None else least
    if most is not None and most >= least:
        w.set(("autoscaling", "min"), least, origin, note)
        w.set(("autoscaling", "max"), most, m.origin(*high))
        w.set(("replicas",), least, origin, note or "the autoscaling minimum")


def read_lws(ctx: Context, m: Manifest) -> None:
    """A LeaderWorkerSet: one replica of the model per group of ``size`` pods."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    template = ("spec", "leaderWorkerTemplate")
    if ctx.mapping(m, template) is None:
        return
    size = ctx.integer(m, (*template, "size"), minimum=1) or 1
    worker = read_pod(m, (*template, "workerTemplate"), ctx.problems)
    leader = (
        read_pod(m, (*template, "leaderTemplate"), ctx.problems)
        if m.get(*template, "leaderTemplate") is not None
        else worker
    )
    main = leader if leader.engine or leader.model or not worker.gpus else worker
    per_group = (leader.gpus[0] if leader.gpus else 0) + (size - 1) * (
        worker.gpus[0] if worker.gpus else 0
    )
    w = Workload(m, classify(main, job=False))
    apply_pod(w, main, gpus_per_replica=per_group or None)
    if per_group and (worker.gpus or leader.gpus):
        origin = (worker.gpus or leader.gpus or (0, m.origin("spec")))[1]
        note = f"leader {leader.gpus[0] if leader.gpus else 0} + {plural(size - 1, 'worker')}"
        note += f" x {worker.gpus[0] if worker.gpus else 0}" if size > 1 else ""
        w.set(("serving", "gpus_per_replica"), per_group, origin, note)
    if worker is not main:
        w.secrets.extend(worker.secrets)
        w.texts.extend(worker.texts)
        w.tolerations.extend(worker.tolerations)
    set_kubernetes(w, m.origin("kind"), "LeaderWorkerSet")
    count = ctx.integer(m, ("spec", "replicas"))
    if count is not None:
        w.set(("replicas",), count, m.origin("spec", "replicas"), f"groups of {size} pods")
    else:
        w.set(("replicas",), 1, m.origin("spec"), "spec.replicas unset: the default")
    strategy = ctx.text(m, ("spec", "rolloutStrategy", "type"))
    if strategy == "RollingUpdate" or strategy is None:
        origin = m.origin("spec", "rolloutStrategy") if strategy else m.origin("spec")
        w.set(("rollout", "strategy"), "rolling", origin, "" if strategy else "the default")
    w.pod_labels["leaderworkerset.sigs.k8s.io/name"] = m.name
    ctx.workloads.append(w)


def _hf_model(uri: str) -> str | None:
    return uri.removeprefix("hf://") if uri.startswith("hf://") and len(uri) > 5 else None


_GENERATION_TASKS = ("text_generation", "text2text_generation")


def _huggingface_backend(pod: PodFacts) -> tuple[str, str]:
    """The engine of KServe's Hugging Face runtime: vLLM for text generation unless
    ``--backend`` names another (its documented default; other tasks run on Transformers)."""
    words = " ".join(t.text for t in pod.texts if t.where in ("args", "command"))
    toks = words.replace("=", " ").split()
    backend = toks[toks.index("--backend") + 1] if "--backend" in toks[:-1] else None
    task = toks[toks.index("--task") + 1] if "--task" in toks[:-1] else None
    if backend is not None:
        return ("vllm" if backend == "vllm" else "other"), f"--backend {backend}"
    if task is not None and task not in _GENERATION_TASKS:
        return "other", f"--task {task}: the runtime's Transformers backend"
    return "vllm", "KServe's Hugging Face runtime serves text generation with vLLM by default"


def read_inference_service(ctx: Context, m: Manifest) -> None:
    """A KServe InferenceService: its predictor."""
    predictor = ("spec", "predictor")
    if ctx.mapping(m, predictor) is None:
        return
    pod = read_pod(m, predictor, ctx.problems, bare=True)
    if ctx.mapping(m, (*predictor, "model")) is not None:
        model_container = PodFacts(predictor, m.origin(*predictor, "model"))
        read_container(m, (*predictor, "model"), model_container, ctx.problems)
        for attr in ("image", "engine", "model", "served_name", "tensor_parallel", "max_seqs"):
            if getattr(model_container, attr) is not None:
                setattr(pod, attr, getattr(model_container, attr))
        pod.gpus = model_container.gpus or pod.gpus
        pod.accelerator = model_container.accelerator or pod.accelerator
        pod.embedding = pod.embedding or model_container.embedding
        pod.probes = model_container.probes
        pod.texts.extend(model_container.texts)
        pod.secrets.extend(model_container.secrets)
        pod.env.update(model_container.env)
        runtime = ctx.text(m, (*predictor, "model", "runtime")) or ""
        fmt = ctx.text(m, (*predictor, "model", "modelFormat", "name")) or ""
        for name in ("vllm", "tgi", "triton"):
            if name in runtime.lower() or name in fmt.lower():
                pod.engine = (name, m.origin(*predictor, "model", "modelFormat"))
        uri = ctx.text(m, (*predictor, "model", "storageUri"))
        if pod.model is None and uri and _hf_model(uri):
            pod.model = (_hf_model(uri) or uri, m.origin(*predictor, "model", "storageUri"))
    w = Workload(m, classify(pod, job=False))
    if w.component_kind == "app" and m.get(*predictor, "model") is not None:
        w.component_kind = "model_endpoint"
    apply_pod(w, pod)
    fmt = ctx.text(m, (*predictor, "model", "modelFormat", "name")) or ""
    if fmt.lower() == "huggingface" and pod.engine is None and w.component_kind in MODEL_KINDS:
        engine, note = _huggingface_backend(pod)
        w.set(("serving", "engine"), engine, m.origin(*predictor, "model", "modelFormat"), note)
    set_kubernetes(w, m.origin("kind"), "KServe")
    _scaling(ctx, w, m, (*predictor, "minReplicas"), (*predictor, "maxReplicas"))
    if ("replicas",) not in w.facts:
        least = ctx.integer(m, (*predictor, "minReplicas"))
        origin = m.origin(*predictor, "minReplicas") if least is not None else m.origin(*predictor)
        w.set(("replicas",), 1 if least is None else least, origin, "minReplicas")
    w.service_names |= {m.name, f"{m.name}-predictor", f"{m.name}-predictor-default"}
    ctx.workloads.append(w)


def _nim_model(repository: str) -> str | None:
    """``meta/llama-3.1-8b-instruct`` of ``nvcr.io/nim/meta/llama-3.1-8b-instruct``."""
    marker = "nvcr.io/nim/"
    return repository[len(marker) :] if repository.startswith(marker) else None


def read_nim_service(ctx: Context, m: Manifest) -> None:
    """An NVIDIA NIMService."""
    spec = ("spec",)
    if ctx.mapping(m, spec) is None:
        return
    pod = read_pod(m, spec, ctx.problems, bare=True)
    repository = ctx.text(m, (*spec, "image", "repository"))
    tag = ctx.text(m, (*spec, "image", "tag"))
    if isinstance(m.get(*spec, "image", "tag"), int | float):
        tag = str(m.get(*spec, "image", "tag"))
    if repository is not None:
        image = f"{repository}:{tag}" if tag else repository
        pod.image = (image, m.origin(*spec, "image", "repository"))
        pod.engine = ("nim", m.origin(*spec, "image", "repository"))
        pod.embedding = any(p in repository.lower() for p in ("embed", "nv-embedqa"))
        model = _nim_model(repository)
        if model is not None:
            pod.model = (model, m.origin(*spec, "image", "repository"))
    gpus = gpu_count(m, (*spec, "resources"), ctx.problems)
    pod.gpus = gpus or pod.gpus
    secret = ctx.text(m, (*spec, "authSecret"))
    if secret is not None:
        pod.secrets.append((secret, m.origin(*spec, "authSecret")))
    env = ctx.sequence(m, (*spec, "env"))
    for i, item in enumerate(env):
        if isinstance(item, dict) and isinstance(item.get("value"), str):
            pod.texts.append(
                Text(item["value"], m.origin(*spec, "env", i), f"env {item.get('name')}")
            )
    w = Workload(m, "embedding_model" if pod.embedding else "model_endpoint")
    apply_pod(w, pod)
    if tag and tag != "latest" and pod.model is not None:
        w.set(("model", "pinned_version"), tag, m.origin(*spec, "image", "tag"), "the NIM tag")
    set_kubernetes(w, m.origin("kind"), "NIM operator")
    for cache in (("storage", "nimCache"), ("storage", "pvc"), ("nimCache",)):
        if m.get(*spec, *cache) is not None:
            w.set(("serving", "model_cache"), True, m.origin(*spec, *cache), "/".join(cache))
            break
    hpa = (*spec, "scale", "hpa")
    if m.get(*spec, "scale", "enabled") is True and m.get(*hpa) is not None:
        _scaling(ctx, w, m, (*hpa, "minReplicas"), (*hpa, "maxReplicas"))
    if ("replicas",) not in w.facts:
        count = ctx.integer(m, (*spec, "replicas"))
        origin = m.origin(*spec, "replicas") if count is not None else m.origin(*spec)
        w.set(("replicas",), 1 if count is None else count, origin, "" if count else "default")
    name = ctx.text(m, (*spec, "expose", "service", "name"))
    w.service_names |= {m.name} | ({name} if name else set())
    ctx.workloads.append(w)


KINDS = {
    "LeaderWorkerSet": ("leaderworkerset.x-k8s.io/v1",),
    "InferenceService": ("serving.kserve.io/v1beta1",),
    "NIMService": ("apps.nvidia.com/v1alpha1",),
}
