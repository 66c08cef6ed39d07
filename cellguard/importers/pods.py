"""Pod templates: containers, GPUs, node constraints, zone spread, probes, model-server arguments.

:func:`read_pod` reads one pod template (or a bare pod spec) of a manifest into a
:class:`PodFacts`; the kind modules combine those (a LeaderWorkerSet has a leader and a worker
template, a Ray cluster a head and worker groups) into workload facts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cellguard.importers.engines import (
    MODEL_ENV,
    PP_ENV,
    SERVED_ENV,
    TP_ENV,
    ServerArgs,
    engine_of_image,
    is_embedding_image,
    parse_server,
)
from cellguard.importers.facts import Text
from cellguard.importers.manifests import Manifest, Origin, Problems, type_problem
from cellguard.importers.nodes import ACCELERATOR_RESOURCES, GPU_RESOURCE, ZONE_LABELS
from cellguard.models.loader.errors import KeyPath

_ENV_REF = re.compile(r"^\$[({]?([A-Za-z_][A-Za-z0-9_]*)[)}]?$")
_QUANTITY = re.compile(r"^\d{1,6}$")


@dataclass
class PodFacts:
    """What one pod template says."""

    path: KeyPath
    origin: Origin
    labels: dict[str, str] = field(default_factory=dict)
    image: tuple[str, Origin] | None = None
    gpus: tuple[int, Origin] | None = None
    accelerator: tuple[str, int, Origin] | None = None
    """An accelerator other than an NVIDIA GPU: (extended resource, count, origin)."""
    engine: tuple[str, Origin] | None = None
    embedding: bool = False
    model: tuple[str, Origin] | None = None
    served_name: tuple[str, Origin] | None = None
    tensor_parallel: tuple[int, Origin] | None = None
    pipeline_parallel: tuple[int, Origin] | None = None
    max_seqs: tuple[int, Origin] | None = None
    context: tuple[int, Origin] | None = None
    revision: tuple[str, Origin] | None = None
    precision: tuple[str, Origin] | None = None
    probes: tuple[str, Origin] | None = None
    env: dict[str, tuple[str, Origin]] = field(default_factory=dict)
    secrets: list[tuple[str, Origin]] = field(default_factory=list)
    config_refs: list[tuple[str, str | None, Origin, str]] = field(default_factory=list)
    """(ConfigMap name, key or None for envFrom, origin, env variable name)."""
    texts: list[Text] = field(default_factory=list)
    selectors: dict[str, tuple[list[str], Origin]] = field(default_factory=dict)
    tolerations: list[tuple[str, Origin]] = field(default_factory=list)
    zone_spread: tuple[str, Origin] | None = None
    priority_class: tuple[str, Origin] | None = None


def _str_list(m: Manifest, path: KeyPath, problems: Problems) -> list[tuple[str, int]]:
    value = m.get(*path)
    if value is None:
        return []
    if not isinstance(value, list):
        type_problem(m, path, value, "a list of strings", problems)
        return []
    out: list[tuple[str, int]] = []
    for i, item in enumerate(value):
        if isinstance(item, str):
            out.append((item, i))
        elif isinstance(item, int | float) and not isinstance(item, bool):
            out.append((str(item), i))
        else:
            type_problem(m, (*path, i), item, "a string", problems)
    return out


def gpu_count(
    m: Manifest, resources: KeyPath, problems: Problems, resource: str = GPU_RESOURCE
) -> tuple[int, Origin] | None:
    """GPUs (or devices of ``resource``) a container, or an operator's ``resources``, asks
    for: limits, else requests."""
    for part in ("limits", "requests"):
        path = (*resources, part, resource)
        value = m.get(*path)
        if value is None:
            continue
        if isinstance(value, bool) or not (
            (isinstance(value, int) and 0 <= value <= 1_000_000)
            or (isinstance(value, str) and _QUANTITY.match(value))
        ):
            what = "GPUs" if resource == GPU_RESOURCE else f"{resource} devices"
            type_problem(m, path, value, f"a whole number of {what}", problems)
            return None
        return int(value), m.origin(*path)
    return None


def accelerator_count(
    m: Manifest, resources: KeyPath, problems: Problems
) -> tuple[str, int, Origin] | None:
    """The first accelerator other than NVIDIA GPUs (Neuron, AMD, TPU, Gaudi) asked for."""
    for resource in ACCELERATOR_RESOURCES:
        found = gpu_count(m, resources, problems, resource)
        if found is not None and found[0] > 0:
            return resource, found[0], found[1]
    return None


def _containers(m: Manifest, spec: KeyPath, problems: Problems) -> list[KeyPath]:
    value = m.get(*spec, "containers")
    if value is None:
        return []
    if not isinstance(value, list):
        type_problem(m, (*spec, "containers"), value, "a list of containers", problems)
        return []
    paths: list[KeyPath] = []
    for i, item in enumerate(value):
        if isinstance(item, dict):
            paths.append((*spec, "containers", i))
        else:
            type_problem(m, (*spec, "containers", i), item, "a container (a mapping)", problems)
    return paths


def _main_container(m: Manifest, containers: list[KeyPath], problems: Problems) -> KeyPath | None:
    for path in containers:
        resources = (*path, "resources")
        if gpu_count(m, resources, Problems()) or accelerator_count(m, resources, Problems()):
            return path
    for path in containers:
        image = m.get(*path, "image")
        if isinstance(image, str) and engine_of_image(image):
            return path
    return containers[0] if containers else None


def _read_env(m: Manifest, container: KeyPath, pod: PodFacts, problems: Problems) -> None:
    env = m.get(*container, "env")
    if env is not None and not isinstance(env, list):
        type_problem(m, (*container, "env"), env, "a list of environment variables", problems)
        env = None
    for i, item in enumerate(env or []):
        path = (*container, "env", i)
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            type_problem(m, path, item, "a mapping with a name", problems)
            continue
        name = item["name"]
        value = item.get("value")
        origin = m.origin(*path, "value") if "value" in item else m.origin(*path)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            pod.env.setdefault(name, (str(value), origin))
            pod.texts.append(Text(str(value), origin, f"env {name}"))
            continue
        source = item.get("valueFrom")
        secret = dig_str(source, "secretKeyRef", "name")
        if secret is not None:
            pod.secrets.append((secret, m.origin(*path, "valueFrom", "secretKeyRef", "name")))
        config = dig_str(source, "configMapKeyRef", "name")
        if config is not None:
            key = dig_str(source, "configMapKeyRef", "key")
            pod.config_refs.append((config, key, m.origin(*path, "valueFrom"), name))
    env_from = m.get(*container, "envFrom")
    for i, item in enumerate(env_from if isinstance(env_from, list) else []):
        secret = dig_str(item, "secretRef", "name")
        if secret is not None:
            pod.secrets.append((secret, m.origin(*container, "envFrom", i, "secretRef", "name")))
        config = dig_str(item, "configMapRef", "name")
        if config is not None:
            pod.config_refs.append((config, None, m.origin(*container, "envFrom", i), "envFrom"))


def dig_str(value: Any, *path: str) -> str | None:
    """A string at ``path`` inside plain data, or ``None``."""
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value if isinstance(value, str) and value else None


def _resolve(text: str, env: dict[str, tuple[str, Origin]]) -> tuple[str, Origin | None]:
    """``$(MODEL_ID)`` / ``$MODEL_ID`` resolved from the container's environment."""
    match = _ENV_REF.match(text)
    if match and match.group(1) in env:
        value, origin = env[match.group(1)]
        return value, origin
    return text, None


def _apply_server(
    m: Manifest, container: KeyPath, pod: PodFacts, args: ServerArgs, items: list[KeyPath]
) -> None:
    def at(index: int) -> Origin:
        return m.origin(*items[index]) if 0 <= index < len(items) else m.origin(*container)

    if args.engine and pod.engine is None:
        pod.engine = (args.engine, m.origin(*container, "command"))
    if args.model is not None:
        value, env_origin = _resolve(args.model[0], pod.env)
        pod.model = (value, env_origin or at(args.model[1]))
    if args.served_name is not None:
        value, env_origin = _resolve(args.served_name[0], pod.env)
        pod.served_name = (value, env_origin or at(args.served_name[1]))
    for name in ("tensor_parallel", "pipeline_parallel", "max_seqs", "context"):
        found: tuple[int, int] | None = getattr(args, name)
        if found is not None:
            setattr(pod, name, (found[0], at(found[1])))
    if args.revision is not None:
        pod.revision = (args.revision[0], at(args.revision[1]))
    if args.precision is not None:
        pod.precision = (args.precision[0], at(args.precision[1]))
    pod.embedding = pod.embedding or args.embedding


def _server_from_env(pod: PodFacts) -> None:
    for name in MODEL_ENV:
        if pod.model is None and name in pod.env and not pod.env[name][0].startswith("/"):
            pod.model = pod.env[name]
    for name in SERVED_ENV:
        if pod.served_name is None and name in pod.env:
            pod.served_name = pod.env[name]
    for names, attr in ((TP_ENV, "tensor_parallel"), (PP_ENV, "pipeline_parallel")):
        for name in names:
            value = pod.env.get(name)
            if getattr(pod, attr) is None and value and value[0].isdigit() and len(value[0]) < 7:
                setattr(pod, attr, (int(value[0]), value[1]))


def read_container(m: Manifest, container: KeyPath, pod: PodFacts, problems: Problems) -> None:
    """Read one container (image, environment, command line, GPUs, probes) into ``pod``."""
    image = m.get(*container, "image")
    if isinstance(image, str) and image:
        pod.image = (image, m.origin(*container, "image"))
        engine = engine_of_image(image)
        if engine:
            pod.engine = (engine, m.origin(*container, "image"))
        pod.embedding = is_embedding_image(image)
    elif image is not None:
        type_problem(m, (*container, "image"), image, "an image reference (a string)", problems)
    _read_env(m, container, pod, problems)
    items: list[KeyPath] = []
    texts: list[tuple[str, int]] = []
    for part in ("command", "args"):
        for text, i in _str_list(m, (*container, part), problems):
            texts.append((text, len(items)))
            items.append((*container, part, i))
            pod.texts.append(Text(text, m.origin(*container, part, i), part))
    _apply_server(m, container, pod, parse_server(texts), items)
    _server_from_env(pod)
    gpus = gpu_count(m, (*container, "resources"), problems)
    if gpus is not None:
        pod.gpus = gpus
    pod.accelerator = accelerator_count(m, (*container, "resources"), problems)
    kinds = [p for p in ("liveness", "readiness", "startup") if f"{p}Probe" in m.get(*container)]
    first = next((f"{p}Probe" for p in ("readiness", "liveness", "startup") if p in kinds), None)
    pod.probes = (
        (",".join(kinds), m.origin(*container, first))
        if first
        else ("none", m.origin(*container, "name"))
    )


def _read_scheduling(m: Manifest, spec: KeyPath, pod: PodFacts, problems: Problems) -> None:
    selector = m.get(*spec, "nodeSelector")
    if isinstance(selector, dict):
        for key, value in selector.items():
            if isinstance(value, str | int | float) and not isinstance(value, bool):
                pod.selectors[key] = ([str(value)], m.origin(*spec, "nodeSelector", key))
    elif selector is not None:
        type_problem(m, (*spec, "nodeSelector"), selector, "a mapping of labels", problems)
    terms_path = (
        *spec,
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
    )
    terms = m.get(*terms_path)
    for t, term in enumerate(terms if isinstance(terms, list) else []):
        expressions = term.get("matchExpressions") if isinstance(term, dict) else None
        for e, expr in enumerate(expressions if isinstance(expressions, list) else []):
            if not isinstance(expr, dict) or expr.get("operator") != "In":
                continue
            key, values = expr.get("key"), expr.get("values")
            if isinstance(key, str) and isinstance(values, list):
                strings = [str(v) for v in values if isinstance(v, str | int)]
                known = pod.selectors.get(key, ([], m.origin(*terms_path)))[0]
                origin = m.origin(*terms_path, t, "matchExpressions", e, "values")
                pod.selectors[key] = (sorted(set(known) | set(strings)), origin)
    tolerations = m.get(*spec, "tolerations")
    for i, item in enumerate(tolerations if isinstance(tolerations, list) else []):
        key = dig_str(item, "key")
        if key is not None:
            pod.tolerations.append((key, m.origin(*spec, "tolerations", i)))
    _read_spread(m, spec, pod)
    priority = m.get(*spec, "priorityClassName")
    if isinstance(priority, str) and priority:
        pod.priority_class = (priority, m.origin(*spec, "priorityClassName"))


def _read_spread(m: Manifest, spec: KeyPath, pod: PodFacts) -> None:
    constraints = m.get(*spec, "topologySpreadConstraints")
    for i, item in enumerate(constraints if isinstance(constraints, list) else []):
        if isinstance(item, dict) and item.get("topologyKey") in ZONE_LABELS:
            how = item.get("whenUnsatisfiable", "DoNotSchedule")
            kind = "required" if how == "DoNotSchedule" else "preferred"
            if pod.zone_spread is None or kind == "required":
                pod.zone_spread = (kind, m.origin(*spec, "topologySpreadConstraints", i))
    anti = (*spec, "affinity", "podAntiAffinity")
    for mode, kind in (
        ("requiredDuringSchedulingIgnoredDuringExecution", "anti-affinity"),
        ("preferredDuringSchedulingIgnoredDuringExecution", "preferred"),
    ):
        terms = m.get(*anti, mode)
        for i, term in enumerate(terms if isinstance(terms, list) else []):
            inner = term.get("podAffinityTerm", term) if isinstance(term, dict) else None
            weaker = pod.zone_spread is None or pod.zone_spread[0] == "preferred"
            if isinstance(inner, dict) and inner.get("topologyKey") in ZONE_LABELS and weaker:
                pod.zone_spread = (kind, m.origin(*anti, mode, i))


def read_pod(m: Manifest, template: KeyPath, problems: Problems, *, bare: bool = False) -> PodFacts:
    """Read the pod template at ``template`` (a pod spec itself when ``bare``)."""
    spec = template if bare else (*template, "spec")
    pod = PodFacts(spec, m.origin(*template))
    if m.get(*spec) is not None and not isinstance(m.get(*spec), dict):
        type_problem(m, spec, m.get(*spec), "a pod spec (a mapping)", problems)
        return pod
    labels = m.get(*template, "metadata", "labels") if not bare else None
    if isinstance(labels, dict):
        pod.labels = {str(k): str(v) for k, v in labels.items() if isinstance(v, str | int)}
    containers = _containers(m, spec, problems)
    main = _main_container(m, containers, problems)
    if main is not None:
        read_container(m, main, pod, problems)
        total = 0
        for other in containers:
            if other != main:
                found = gpu_count(m, (*other, "resources"), problems)
                total += found[0] if found else 0
                _read_env(m, other, pod, problems)
        if total and pod.gpus is not None:
            pod.gpus = (pod.gpus[0] + total, pod.gpus[1])
    _read_scheduling(m, spec, pod, problems)
    return pod
