"""KubeRay: RayService (a Ray Serve application on a Ray cluster) and RayCluster.

A RayService's ``serveConfigV2`` is YAML inside a string; it is read with the same line-aware
reader, its lines mapped back onto the manifest's (exactly for a ``|`` block, onto the key's line
otherwise). Each Ray Serve LLM config (``ray.serve.llm:build_openai_app`` with
``args.llm_configs``) becomes one model endpoint: the model from ``model_loading_config``,
replicas and their range from ``deployment_config``'s ``num_replicas`` / ``autoscaling_config``,
GPUs per replica from ``engine_kwargs`` (tensor x pipeline parallel size), the GPU type from
``accelerator_type`` or the GPU worker group's node constraints. Other Serve applications give
what their ``args``, ``runtime_env.env_vars`` and ``deployments`` say.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from functools import partial
from typing import Any

from cellguard.importers.classify import apply_pod, classify, set_kubernetes
from cellguard.importers.context import Context
from cellguard.importers.facts import LABEL_SERVED_NAME, Text, Workload
from cellguard.importers.manifests import Manifest, Origin, dig
from cellguard.importers.nodes import gpu_name
from cellguard.importers.pods import PodFacts, read_pod
from cellguard.models.loader.errors import KeyPath, SpecLoadError
from cellguard.models.loader.source import SourceMap, read_yaml

MAX_SERVE_NODES = 20_000
"""Most YAML nodes of an embedded Serve config."""


@dataclasses.dataclass
class Serve:
    """An embedded Serve config: its data and the manifest line of each of its lines."""

    data: Any
    source: SourceMap
    offset: int
    block: bool
    line: int

    def origin(self, file: str, path: KeyPath) -> Origin:
        """The manifest file and line of ``path`` inside the Serve config."""
        if not self.block:
            return Origin(file, self.line)
        pos, _ = self.source.locate(path)
        return Origin(file, pos.line + self.offset)


def _serve_config(ctx: Context, m: Manifest) -> Serve | None:
    text = m.get("spec", "serveConfigV2")
    if text is None:
        return None
    if not isinstance(text, str):
        ctx.integer(m, ("spec", "serveConfigV2"))  # records the type problem
        return None
    pos = m.position("spec", "serveConfigV2")
    indicator = m.line_text(pos.line)[pos.column - 1 : pos.column]
    block = indicator in ("|", ">")
    try:
        data, source = read_yaml(text, m.file, max_nodes=MAX_SERVE_NODES)
    except SpecLoadError as exc:
        for d in exc.diagnostics:
            line = d.line + pos.line if block else pos.line
            ctx.problems.add(
                dataclasses.replace(
                    d,
                    line=line,
                    path=("spec", "serveConfigV2", *d.path),
                    message=f"RayService {m.name!r} serveConfigV2: {d.message}",
                )
            )
        return None
    return Serve(data, source, pos.line, block, pos.line)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and 0 <= value <= 1_000_000:
        return value
    if isinstance(value, str) and value.isdigit() and len(value) < 7:
        return int(value)
    return None


def _other_accelerator(worker: PodFacts) -> bool:
    """Whether the workers run on Neuron (or other non-NVIDIA) devices: then a tensor parallel
    size counts those devices' cores, not GPUs."""
    return worker.gpus is None and worker.accelerator is not None


def _gpu_group(ctx: Context, m: Manifest, spec: KeyPath) -> tuple[PodFacts | None, int, KeyPath]:
    """The first worker group that asks for GPUs (else the first), its pod and its path."""
    groups = ctx.sequence(m, (*spec, "workerGroupSpecs"))
    chosen: tuple[PodFacts | None, int, KeyPath] = (None, -1, ())
    for i, group in enumerate(groups):
        if not isinstance(group, dict):
            continue
        path = (*spec, "workerGroupSpecs", i)
        pod = read_pod(m, (*path, "template"), ctx.problems)
        if pod.gpus is not None or pod.accelerator is not None:
            return pod, i, path
        if chosen[0] is None:
            chosen = (pod, i, path)
    return chosen


def _head(ctx: Context, m: Manifest, spec: KeyPath) -> PodFacts | None:
    if m.get(*spec, "headGroupSpec", "template") is None:
        return None
    return read_pod(m, (*spec, "headGroupSpec", "template"), ctx.problems)


def _group_scaling(ctx: Context, w: Workload, m: Manifest, group: KeyPath) -> None:
    low = ctx.integer(m, (*group, "minReplicas"))
    high = ctx.integer(m, (*group, "maxReplicas"))
    count = ctx.integer(m, (*group, "replicas"))
    if count is not None:
        w.set(("replicas",), count, m.origin(*group, "replicas"), "worker pods")
    if low is not None and high is not None and high >= max(low, 1):
        origin = m.origin(*group, "maxReplicas")
        w.set(("autoscaling", "min"), low, m.origin(*group, "minReplicas"), "worker pods")
        w.set(("autoscaling", "max"), high, origin, "worker pods")


def _add_head(w: Workload, head: PodFacts) -> None:
    """What the head pod adds to a workload made from the worker pod: secrets, addresses."""
    w.secrets.extend(head.secrets)
    w.texts.extend(head.texts)
    w.config_refs.extend(head.config_refs)


def _llm_endpoint(
    ctx: Context, m: Manifest, serve: Serve, path: KeyPath, config: dict[str, Any], worker: PodFacts
) -> Workload:
    w = Workload(m, "model_endpoint")

    def at(*p: str | int) -> Origin:
        return serve.origin(m.file, (*path, *p))

    apply_pod(w, dataclasses.replace(worker, model=None, engine=None, served_name=None))
    w.facts.pop(("serving", "gpus_per_replica"), None)
    w.set(("hosting",), "self_hosted", m.origin("kind"), "Ray Serve on the cluster")
    w.set(("serving", "engine"), "vllm", at(), "Ray Serve LLM runs vLLM")
    loading = config.get("model_loading_config")
    loading = loading if isinstance(loading, dict) else {}
    source, model_id = loading.get("model_source"), loading.get("model_id")
    if isinstance(source, str) and source and not source.startswith(("s3://", "gs://", "/")):
        w.set(("model", "name"), source, at("model_loading_config", "model_source"))
    elif isinstance(model_id, str) and model_id:
        w.set(("model", "name"), model_id, at("model_loading_config", "model_id"))
    if isinstance(model_id, str) and model_id:
        w.set(("labels", LABEL_SERVED_NAME), model_id, at("model_loading_config", "model_id"))
    kwargs = config.get("engine_kwargs")
    kwargs = kwargs if isinstance(kwargs, dict) else {}
    tp = _int(kwargs.get("tensor_parallel_size")) or 1
    pp = _int(kwargs.get("pipeline_parallel_size")) or 1
    key = "tensor_parallel_size" if "tensor_parallel_size" in kwargs else None
    if not _other_accelerator(worker):
        w.set(
            ("serving", "gpus_per_replica"),
            tp * pp,
            at("engine_kwargs", key) if key else at(),
            f"tensor_parallel_size {tp} x pipeline_parallel_size {pp}",
        )
    for name, spec_path in (
        ("max_num_seqs", ("serving", "max_concurrency")),
        ("max_model_len", ("model", "context_tokens")),
    ):
        number = _int(kwargs.get(name))
        if number:
            w.set(spec_path, number, at("engine_kwargs", name))
    accelerator = config.get("accelerator_type")
    if isinstance(accelerator, str) and accelerator:
        w.set(("serving", "gpu"), gpu_name(accelerator), at("accelerator_type"), "accelerator_type")
    deployment = config.get("deployment_config")
    deployment = deployment if isinstance(deployment, dict) else {}
    _serve_scaling(w, deployment, partial(at, "deployment_config"))
    return w


def _serve_scaling(w: Workload, deployment: dict[str, Any], at: Callable[..., Origin]) -> None:
    scaling = deployment.get("autoscaling_config")
    count = _int(deployment.get("num_replicas"))
    if isinstance(scaling, dict):
        low = _int(scaling.get("min_replicas"))
        high = _int(scaling.get("max_replicas"))
        low = 1 if low is None else low
        if high is not None and high >= max(low, 1):
            w.set(("autoscaling", "min"), low, at("autoscaling_config", "min_replicas"))
            w.set(("autoscaling", "max"), high, at("autoscaling_config", "max_replicas"))
            w.set(("replicas",), low, at("autoscaling_config", "min_replicas"), "min_replicas")
    elif count is not None:
        w.set(("replicas",), count, at("num_replicas"))
        w.facts.pop(("autoscaling", "min"), None)
        w.facts.pop(("autoscaling", "max"), None)


def _app_endpoint(
    ctx: Context, m: Manifest, serve: Serve, path: KeyPath, app: dict[str, Any], worker: PodFacts
) -> Workload:
    """A Serve application that is not a Ray Serve LLM app: what its args and env say."""

    def at(*p: str | int) -> Origin:
        return serve.origin(m.file, (*path, *p))

    env = dig(app, ("runtime_env", "env_vars"))
    env = env if isinstance(env, dict) else {}
    args = app.get("args") if isinstance(app.get("args"), dict) else {}
    assert isinstance(args, dict)
    merged = dataclasses.replace(worker, model=None, engine=None)
    for name in ("MODEL_ID", "MODEL_NAME", "MODEL"):
        if isinstance(env.get(name), str):
            merged.model = (env[name], at("runtime_env", "env_vars", name))
            break
    if isinstance(args.get("model"), str):
        merged.model = (args["model"], at("args", "model"))
    text = repr(app).lower()
    accelerated = worker.gpus is not None or worker.accelerator is not None
    kind = classify(merged, job=False) if merged.model or accelerated else "app"
    if "vllm" in text:
        merged.engine = ("vllm", at("import_path"))
        kind = "model_endpoint"
    w = Workload(m, kind)
    apply_pod(w, merged)
    for names, key in ((("TENSOR_PARALLELISM",), "tensor"), (("tensor-parallel-size",), "args")):
        source = env if key == "tensor" else args
        value = _int(source.get(names[0]))
        where = ("runtime_env", "env_vars", names[0]) if key == "tensor" else ("args", names[0])
        if value and kind == "model_endpoint" and not _other_accelerator(worker):
            w.set(("serving", "gpus_per_replica"), value, at(*where), "tensor parallel size")
    deployments = app.get("deployments")
    for i, deployment in enumerate(deployments if isinstance(deployments, list) else []):
        if isinstance(deployment, dict):
            _serve_scaling(w, deployment, partial(at, "deployments", i))
            gpus = _int(dig(deployment, ("ray_actor_options", "num_gpus")))
            if gpus and kind == "model_endpoint" and not _other_accelerator(worker):
                origin = at("deployments", i, "ray_actor_options", "num_gpus")
                w.set(("serving", "gpus_per_replica"), gpus, origin, "num_gpus")
    for env_name, value in env.items():
        if isinstance(value, str):
            w.texts.append(Text(value, at("runtime_env", "env_vars", env_name), env_name))
    return w


def read_ray(ctx: Context, m: Manifest) -> None:
    """A RayService (one endpoint per Serve application or LLM config) or a RayCluster."""
    if ctx.mapping(m, ("spec",)) is None:
        return
    cluster = ("spec", "rayClusterConfig") if m.kind == "RayService" else ("spec",)
    worker, _, group = _gpu_group(ctx, m, cluster)
    head = _head(ctx, m, cluster)
    base = worker or head or PodFacts((), m.origin("spec"))
    serve = _serve_config(ctx, m) if m.kind == "RayService" else None
    made: list[Workload] = []
    apps = dig(serve.data, ("applications",)) if serve is not None else None
    for a, app in enumerate(apps if isinstance(apps, list) else []):
        if not isinstance(app, dict) or serve is None:
            continue
        configs = dig(app, ("args", "llm_configs"))
        if isinstance(configs, list) and configs:
            for c, config in enumerate(configs):
                if isinstance(config, dict):
                    path = ("applications", a, "args", "llm_configs", c)
                    made.append(_llm_endpoint(ctx, m, serve, path, config, base))
        else:
            made.append(_app_endpoint(ctx, m, serve, ("applications", a), app, base))
    if not made:
        w = Workload(m, classify(base, job=m.kind == "RayCluster"))
        apply_pod(w, base)
        if group:
            _group_scaling(ctx, w, m, group)
        made.append(w)
    upgrade = ctx.text(m, ("spec", "upgradeStrategy", "type")) if m.kind == "RayService" else None
    for i, w in enumerate(made):
        if head is not None and head is not base:
            _add_head(w, head)
        set_kubernetes(w, m.origin("kind"), m.kind)
        if m.kind == "RayService" and upgrade in (None, "NewCluster"):
            origin = m.origin("spec", "upgradeStrategy", "type") if upgrade else m.origin("spec")
            note = "NewCluster" if upgrade else "KubeRay's default upgrade, NewCluster"
            w.set(
                ("rollout", "strategy"), "blue_green", origin, f"{note}: traffic moves once ready"
            )
        w.service_names |= {m.name, f"{m.name}-serve-svc", f"{m.name}-head-svc"}
        if len(made) > 1:
            name = w.value(("labels", LABEL_SERVED_NAME)) or w.value(("model", "name"))
            w.suffix = str(name or i + 1)
        ctx.workloads.append(w)


KINDS = {
    "RayService": ("ray.io/v1", "ray.io/v1alpha1"),
    "RayCluster": ("ray.io/v1", "ray.io/v1alpha1"),
}
