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
QUEUE_METRIC = "vllm:num_requests_waiting"
MODEL_DIR = "/models"
HOST_CACHE = "/mnt/cellguard/models"
PULL_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.27.0"
ARTIFACTS_CONFIGMAP = "cellguard-artifacts"
PLACEHOLDER_ANNOTATION = "cellguard.io/placeholder-image"
PLACEHOLDER_NOTE = "the spec names no image; set image.reference and regenerate"


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
    if w.is_gpu:
        amounts = {
            "cpu": str(4 * w.gpus_per_replica),
            "memory": f"{32 * w.gpus_per_replica}Gi",
            "nvidia.com/gpu": str(w.gpus_per_replica),
        }
    else:
        amounts = {"cpu": "1", "memory": "2Gi"}
    return {"requests": dict(amounts), "limits": dict(amounts)}


def _vllm_args(w: Workload) -> list[str]:
    args = ["--port", str(w.port), "--tensor-parallel-size", str(w.gpus_per_replica)]
    if w.model_cache:
        args += ["--model", f"{MODEL_DIR}/{w.component}"]
        if w.model_id:
            args += ["--served-model-name", w.model_id]
    elif w.model_id:
        args += ["--model", w.model_id]
        if w.model_revision:
            args += ["--revision", w.model_revision]
    return args


def _prepull(w: Workload) -> Manifest:
    """Init container: copy the pinned weights from the artifact bucket to the node cache once."""
    revision = w.model_revision or "latest"
    return {
        "name": "prepull-weights",
        "image": PULL_IMAGE,
        "command": ["aws"],
        "args": [
            "s3",
            "sync",
            "--only-show-errors",
            f"s3://$(ARTIFACT_BUCKET)/models/{w.component}/{revision}/",
            f"{MODEL_DIR}/{w.component}",
        ],
        "env": [
            {
                "name": "ARTIFACT_BUCKET",
                "valueFrom": {"configMapKeyRef": {"name": ARTIFACTS_CONFIGMAP, "key": "bucket"}},
            }
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
        if w.model_cache:
            pod["initContainers"] = [_prepull(w)]
            pod["volumes"] = [
                {
                    "name": "model-cache",
                    "hostPath": {"path": f"{HOST_CACHE}", "type": "DirectoryOrCreate"},
                }
            ]
            container["volumeMounts"] = [{"name": "model-cache", "mountPath": MODEL_DIR}]
    elif w.args:
        container["args"] = list(w.args)
    meta = _meta(w.component, cell, stack, cell, w.component)
    if w.placeholder:
        meta["annotations"] = {PLACEHOLDER_ANNOTATION: PLACEHOLDER_NOTE}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": w.replicas,
            "selector": {"matchLabels": match},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 1},
            },
            "template": {"metadata": {"labels": labels(stack, cell, w.component)}, "spec": pod},
        },
    }


def min_available(w: Workload) -> int:
    """Pods that must stay up during voluntary disruptions: all but one zone's share."""
    if w.replicas <= 1:
        return 1
    per_zone = max(1, math.ceil(w.replicas / max(1, len(w.zones))))
    return max(1, w.replicas - per_zone)


def pod_disruption_budget(stack: str, cell: str, w: Workload) -> Manifest:
    """A PDB keeping all but one zone's share of the pods through drains."""
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(w.component, cell, stack, cell, w.component),
        "spec": {
            "minAvailable": min_available(w),
            "selector": {"matchLabels": _selector(cell, w.component)},
        },
    }


def autoscaler(stack: str, cell: str, w: Workload, queue_depth: int) -> Manifest:
    """autoscaling/v2 HPA: vLLM on waiting requests per pod, other services on CPU."""
    if w.queue_autoscaling:
        metric: Manifest = {
            "type": "Pods",
            "pods": {
                "metric": {"name": QUEUE_METRIC},
                "target": {"type": "AverageValue", "averageValue": str(max(1, queue_depth // 2))},
            },
        }
    else:
        metric = {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70},
            },
        }
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": _meta(w.component, cell, stack, cell, w.component),
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": w.component},
            "minReplicas": w.replicas,
            "maxReplicas": max(w.replicas, w.max_replicas),
            "metrics": [metric],
            "behavior": {"scaleDown": {"stabilizationWindowSeconds": 600}},
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


def workload_objects(stack: str, cell: str, w: Workload, queue_depth: int) -> list[Manifest]:
    """Deployment, Service, PDB and HPA of one workload."""
    return [
        deployment(stack, cell, w),
        service(stack, cell, w),
        pod_disruption_budget(stack, cell, w),
        autoscaler(stack, cell, w, queue_depth),
    ]
