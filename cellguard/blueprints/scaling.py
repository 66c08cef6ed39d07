"""Autoscaling and disruption budgets of a workload (plain manifests, no pulumi import).

- vLLM workloads scale on queue depth with a KEDA ``ScaledObject``: the ``aws-cloudwatch``
  scaler reads ``CellGuard/Inference`` ``QueueDepth`` of the cell (summed over its pods each
  minute, written by the metrics collector) with the KEDA operator's Pod Identity, and KEDA owns
  the HPA it creates (named like the workload). Other services scale on CPU with an
  autoscaling/v2 HPA served by metrics-server.
- Deployments carry no ``replicas`` (:func:`cellguard.blueprints.manifests.deployment`): the
  autoscaler's minimum is the spec's replicas, and an update no longer resets what it scaled to.
- PodDisruptionBudgets keep all but one zone's share of the pods, and always allow at least one
  pod to be evicted, so node drains and managed node group upgrades proceed one pod at a time.
"""

from __future__ import annotations

import math

from cellguard.blueprints.alarms import NAMESPACE
from cellguard.blueprints.manifests import Manifest, _meta, _selector, deployment, service
from cellguard.blueprints.model import Workload

QUEUE_METRIC = "QueueDepth"
SCALED_OBJECT = "ScaledObject"


def min_available(w: Workload) -> int:
    """Pods that must stay up during voluntary disruptions: all but one zone's share, and at
    most ``replicas - 1`` (0 for one replica: a single pod never blocks a drain)."""
    per_zone = max(1, math.ceil(w.replicas / max(1, len(w.zones))))
    return max(0, min(w.replicas - per_zone, w.replicas - 1))


def pod_disruption_budget(stack: str, cell: str, w: Workload) -> Manifest:
    """A PDB keeping all but one zone's share of the pods through drains (``maxUnavailable: 1``
    for a single replica, whose eviction the budget must allow)."""
    keep = min_available(w)
    budget: Manifest = {"minAvailable": keep} if keep >= 1 else {"maxUnavailable": 1}
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _meta(w.component, cell, stack, cell, w.component),
        "spec": {**budget, "selector": {"matchLabels": _selector(cell, w.component)}},
    }


def autoscaler(stack: str, cell: str, w: Workload, queue_depth: int, region: str) -> Manifest:
    """KEDA ScaledObject on the queue for vLLM, an autoscaling/v2 HPA on CPU otherwise."""
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 600}}
    if w.queue_autoscaling:
        return {
            "apiVersion": "keda.sh/v1alpha1",
            "kind": SCALED_OBJECT,
            "metadata": _meta(w.component, cell, stack, cell, w.component),
            "spec": {
                "scaleTargetRef": {"name": w.component},
                "minReplicaCount": w.replicas,
                "maxReplicaCount": max(w.replicas, w.max_replicas),
                "pollingInterval": 30,
                "advanced": {
                    "horizontalPodAutoscalerConfig": {"name": w.component, "behavior": behavior}
                },
                "triggers": [
                    {
                        "type": "aws-cloudwatch",
                        "metricType": "AverageValue",
                        "metadata": {
                            "namespace": NAMESPACE,
                            "metricName": QUEUE_METRIC,
                            "dimensionName": "Stack;Cell",
                            "dimensionValue": f"{stack};{cell}",
                            "metricStat": "Sum",
                            "metricStatPeriod": "60",
                            "targetMetricValue": str(max(1, queue_depth // 2)),
                            "minMetricValue": "0",
                            "awsRegion": region,
                            "identityOwner": "operator",
                        },
                    }
                ],
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
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": 70},
                    },
                }
            ],
            "behavior": behavior,
        },
    }


def workload_objects(
    stack: str, cell: str, w: Workload, queue_depth: int, region: str
) -> list[Manifest]:
    """Deployment, Service, PDB and autoscaler of one workload."""
    return [
        deployment(stack, cell, w),
        service(stack, cell, w),
        pod_disruption_budget(stack, cell, w),
        autoscaler(stack, cell, w, queue_depth, region),
    ]
