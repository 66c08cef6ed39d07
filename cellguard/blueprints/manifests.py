"""Kubernetes objects of a cell, as plain manifests (no pulumi import).

Pure functions from blueprint-model workloads to the dicts Kubernetes stores; the components
register them with ``pulumi_kubernetes`` and the verifier validates the same shapes against the
OpenAPI schemas. Every string from the spec lands in a field value, never in code.

Conventions: a vLLM pod requests exactly its GPUs (requests = limits, Guaranteed QoS), tolerates
the GPU taint, selects its pool's nodes, spreads over zones with ``DoNotSchedule`` and over
hosts with ``ScheduleAnyway``, and has a startup probe sized from the spec's cold start, so that
liveness never kills a pod that is still loading weights.
"""

from __future__ import annotations

import math
from typing import Any

from cellguard.blueprints._base import LABEL_CELL, LABEL_COMPONENT, LABEL_PART_OF, LABEL_POOL
from cellguard.blueprints.model import Workload

Manifest = dict[str, Any]

ZONE_KEY = "topology.kubernetes.io/zone"
ZONE_ID_KEY = "topology.k8s.aws/zone-id"
MODEL_DIR = "/models"
HOST_CACHE = "/mnt/cellguard/models"
PULL_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.0"
ARTIFACTS_CONFIGMAP = "cellguard-artifacts"
PLACEHOLDER_ANNOTATION = "cellguard.io/placeholder-image"
PLACEHOLDER_NOTE = "the spec names no image; set image.reference and regenerate"
WEIGHTS_ACCOUNT = "model-weights"
"""Service account of vLLM pods that pull weights (Pod Identity: read the region's bucket)."""
SKIP_AWAIT = "pulumi.com/skipAwait"
HF_SECRET = "hf-token"
"""Secret (key ``token``) with a Hugging Face token, created from ``cellguard:huggingfaceToken``."""
SHM_LIMIT_GIB = 16
PULL_SCRIPT = (
    'src="s3://${ARTIFACT_BUCKET}/${WEIGHTS_PREFIX}"; '
    'until aws s3 ls "${src}config.json" >/dev/null 2>&1; do '
    'echo "waiting for the model weights at ${src} (upload them: see the project README)"; '
    "sleep 60; done; "
    'exec aws s3 sync --only-show-errors "${src}" "${WEIGHTS_DIR}"'
)


def labels(stack: str, cell: str, component: str) -> dict[str, str]:
    """Labels of every object of a workload."""
    return {LABEL_COMPONENT: component, LABEL_PART_OF: stack, LABEL_CELL: cell}


def _selector(cell: str, component: str) -> dict[str, str]:
    return {LABEL_COMPONENT: component, LABEL_CELL: cell}


def _meta(name: str, namespace: str | None, stack: str, cell: str, component: str) -> Manifest:
    meta: Manifest = {"name": name, "labels": labels(stack, cell, component)}
    if namespace is not None:
        meta["namespace"] = namespace
    return meta


def namespace(stack: str, cell: str) -> Manifest:
    """The cell's namespace."""
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": cell, "labels": {LABEL_PART_OF: stack, LABEL_CELL: cell}},
    }


def priority_class_name(cell: str) -> str:
    """Name of the cell's serving priority class (cluster-scoped)."""
    return f"cellguard-serving-{cell}"


def priority_class(stack: str, cell: str) -> Manifest:
    """A priority class above default workloads, so serving pods preempt batch work."""
    return {
        "apiVersion": "scheduling.k8s.io/v1",
        "kind": "PriorityClass",
        "metadata": {"name": priority_class_name(cell), "labels": {LABEL_PART_OF: stack}},
        "value": 100000,
        "globalDefault": False,
        "preemptionPolicy": "PreemptLowerPriority",
        "description": "Online inference serving of one cell",
    }


def _probes(w: Workload) -> dict[str, Manifest]:
    path = "/health" if w.is_gpu else "/healthz"
    get = {"path": path, "port": w.port}
    return {
        "startupProbe": {
            "httpGet": get,
            "periodSeconds": 10,
            "failureThreshold": max(3, math.ceil(w.cold_start_seconds / 10) + 3),
        },
        "readinessProbe": {"httpGet": get, "periodSeconds": 5, "failureThreshold": 3},
        "livenessProbe": {"httpGet": get, "periodSeconds": 15, "failureThreshold": 4},
    }


def _resources(w: Workload) -> Manifest:
    """Requests = limits: the workload's CPU and memory (sized to fit its nodes) and GPUs."""
    amounts = {"cpu": f"{w.cpu_millis}m", "memory": f"{w.memory_mib}Mi"}
    if w.is_gpu:
        amounts["nvidia.com/gpu"] = str(w.gpus_per_replica)
    return {"requests": dict(amounts), "limits": dict(amounts)}


def _vllm_args(w: Workload) -> list[str]:
    args = ["--port", str(w.port), "--tensor-parallel-size", str(w.gpus_per_replica)]
    if w.quantization:
        args += ["--quantization", w.quantization]
    if w.model_cache:
        args += ["--model", f"{MODEL_DIR}/{w.component}"]
        if w.model_id:
            args += ["--served-model-name", w.model_id]
    elif w.model_id:
        args += ["--model", w.model_id]
        if w.model_revision:
            args += ["--revision", w.model_revision]
    return args


def weights_prefix(w: Workload) -> str:
    """Key prefix of the workload's weights in the artifact bucket (README: upload them there)."""
    return f"models/{w.component}/{w.model_revision or 'latest'}/"


def _prepull(w: Workload) -> Manifest:
    """Init container: wait until the pinned weights are in the region's artifact bucket (it is
    empty after the first ``pulumi up``), then copy them to the node cache. The script is fixed
    text; the bucket and prefix reach it as environment variables, never as code."""
    return {
        "name": "prepull-weights",
        "image": PULL_IMAGE,
        "command": ["/bin/sh", "-c"],
        "args": [PULL_SCRIPT],
        "env": [
            {
                "name": "ARTIFACT_BUCKET",
                "valueFrom": {"configMapKeyRef": {"name": ARTIFACTS_CONFIGMAP, "key": "bucket"}},
            },
            {"name": "WEIGHTS_PREFIX", "value": weights_prefix(w)},
            {"name": "WEIGHTS_DIR", "value": f"{MODEL_DIR}/{w.component}"},
        ],
        "resources": {
            "requests": {"cpu": "1", "memory": "1Gi"},
            "limits": {"cpu": "1", "memory": "1Gi"},
        },
        "volumeMounts": [{"name": "model-cache", "mountPath": MODEL_DIR}],
    }


def deployment(stack: str, cell: str, w: Workload) -> Manifest:
    """The workload's Deployment."""
    match = _selector(cell, w.component)
    container: Manifest = {
        "name": w.component,
        "image": w.image,
        "ports": [{"name": "http", "containerPort": w.port}],
        "resources": _resources(w),
        **_probes(w),
    }
    pod: Manifest = {
        "priorityClassName": priority_class_name(cell),
        "terminationGracePeriodSeconds": 60,
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": ZONE_KEY,
                "whenUnsatisfiable": "DoNotSchedule",
                "labelSelector": {"matchLabels": match},
            },
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": match},
            },
        ],
        "affinity": {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [
                        {
                            "matchExpressions": [
                                {"key": ZONE_ID_KEY, "operator": "In", "values": w.zones}
                            ]
                        }
                    ]
                }
            }
        },
        "containers": [container],
    }
    if w.is_gpu:
        container["args"] = _vllm_args(w)
        pod["tolerations"] = [
            {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
        ]
        pod["nodeSelector"] = {LABEL_POOL: w.gpu_pool or w.component}
        pod["volumes"] = [
            {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": f"{SHM_LIMIT_GIB}Gi"}}
        ]
        container["volumeMounts"] = [{"name": "dshm", "mountPath": "/dev/shm"}]
        container["env"] = [
            {
                "name": "HF_TOKEN",
                "valueFrom": {
                    "secretKeyRef": {"name": HF_SECRET, "key": "token", "optional": True}
                },
            }
        ]
        if w.model_cache:
            pod["serviceAccountName"] = WEIGHTS_ACCOUNT
            pod["initContainers"] = [_prepull(w)]
            pod["volumes"].append(
                {
                    "name": "model-cache",
                    "hostPath": {"path": f"{HOST_CACHE}", "type": "DirectoryOrCreate"},
                }
            )
            container["volumeMounts"].append({"name": "model-cache", "mountPath": MODEL_DIR})
    elif w.args:
        container["args"] = list(w.args)
    if w.calls_aws and not w.model_cache:
        pod["serviceAccountName"] = w.component  # its own Pod Identity role (aws_reads)
    meta = _meta(w.component, cell, stack, cell, w.component)
    annotations: dict[str, str] = {}
    if w.placeholder:
        annotations[PLACEHOLDER_ANNOTATION] = PLACEHOLDER_NOTE
    if w.model_cache:
        # the pods wait for weights nobody has uploaded yet at the first `pulumi up`
        annotations[SKIP_AWAIT] = "true"
    if annotations:
        meta["annotations"] = annotations
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            # no ``replicas``: the autoscaler owns the count (an update would reset it); a new
            # Deployment starts at one pod and the autoscaler raises it to its minimum
            "selector": {"matchLabels": match},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1},
            },
            "template": {"metadata": {"labels": labels(stack, cell, w.component)}, "spec": pod},
        },
    }


def service(stack: str, cell: str, w: Workload, load_balancer: bool = False) -> Manifest:
    """A Service in front of the pods (an internal NLB for the router)."""
    meta = _meta(w.component, cell, stack, cell, w.component)
    spec: Manifest = {
        "selector": _selector(cell, w.component),
        "ports": [{"name": "http", "port": 80, "targetPort": w.port}],
        "type": "ClusterIP",
    }
    if load_balancer:
        spec["type"] = "LoadBalancer"
        meta["annotations"] = {
            "service.beta.kubernetes.io/aws-load-balancer-type": "external",
            "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
            "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
        }
    return {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": spec}


GATEWAY = "cell-gateway"
"""Service of a cell's entry workload that the routers of every region reach (internal NLB)."""
PRIVATE_RANGES = ["10.0.0.0/8"]
"""The stack's VPCs (10.<region index>.0.0/16): who may reach a cell gateway."""


def gateway(stack: str, cell: str, w: Workload) -> Manifest:
    """The cell's gateway: an internal NLB (AWS Load Balancer Controller) to its entry workload,
    reachable from every region's VPC over the peering (see ``cell_network``)."""
    meta = _meta(GATEWAY, cell, stack, cell, w.component)
    meta["annotations"] = {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
    }
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta,
        "spec": {
            "type": "LoadBalancer",
            "selector": _selector(cell, w.component),
            "ports": [{"name": "http", "port": 80, "targetPort": w.port}],
            "loadBalancerSourceRanges": list(PRIVATE_RANGES),
        },
    }


def service_account(stack: str, cell: str, name: str) -> Manifest:
    """A service account (Pod Identity associations name it with the namespace)."""
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": name, "namespace": cell, "labels": {LABEL_PART_OF: stack}},
    }


def secret(stack: str, cell: str, name: str) -> Manifest:
    """An Opaque Secret without data (the component sets ``stringData`` from a config secret)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": name, "namespace": cell, "labels": {LABEL_PART_OF: stack}},
    }


def config_map(stack: str, cell: str, name: str, data: dict[str, str]) -> Manifest:
    """A ConfigMap holding ``data`` (cell map, artifact bucket name)."""
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": cell,
            "labels": {LABEL_PART_OF: stack, LABEL_CELL: cell},
        },
        "data": data,
    }
