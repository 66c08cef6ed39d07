"""The metrics pipeline: an OpenTelemetry collector writing ``CellGuard/Inference`` (values only).

The collector (Helm chart ``opentelemetry-collector``, contrib image, one replica on the system
nodes) scrapes every vLLM pod of the stack (container port ``VLLM_PORT``) and the DCGM exporter,
renames the metrics the alarms and KEDA read, and writes them with the ``awsemf`` exporter to
CloudWatch in the cluster's region with the dimensions ``Stack`` and ``Cell`` (the pod's
namespace is its cell):

==============================  ==========================  =====================================
source metric                   CloudWatch metric           read by
==============================  ==========================  =====================================
``vllm:num_requests_waiting``   ``QueueDepth``              queue-depth alarm, KEDA scaler
``vllm:time_to_first_token_s``  ``TimeToFirstToken`` (s)    ttft-p99 alarm
``DCGM_FI_DEV_XID_ERRORS``      ``GpuXidErrors``            gpu-health alarm
==============================  ==========================  =====================================

``ErrorRate`` (percent of failed requests) is not derivable from vLLM's counters alone; the
cell's API publishes it (EMF), and the alarm treats missing data as not breaching.
"""

from __future__ import annotations

from typing import Any

from cellguard.blueprints.alarms import NAMESPACE

VLLM_PORT = 8000
DCGM_PORT = 9400
COLLECTOR_IMAGE = "otel/opentelemetry-collector-contrib"
RENAMES = {
    "vllm:num_requests_waiting": "QueueDepth",
    "vllm:time_to_first_token_seconds": "TimeToFirstToken",
    "DCGM_FI_DEV_XID_ERRORS": "GpuXidErrors",
}


def _scrape(job: str, keep: list[dict[str, Any]], cell_label: str) -> dict[str, Any]:
    return {
        "job_name": job,
        "scrape_interval": "30s",
        "kubernetes_sd_configs": [{"role": "pod"}],
        "relabel_configs": [
            *keep,
            {"source_labels": [cell_label], "target_label": "Cell"},
        ],
    }


def collector_values(stack: str) -> dict[str, Any]:
    """Helm values of the collector for ``stack`` (data only: the stack name is a label value)."""
    vllm_keep: list[dict[str, Any]] = [
        {
            "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_part_of"],
            "regex": "(.*)",
            "replacement": "$1",
            "target_label": "Stack",
        },
        {
            "source_labels": ["__meta_kubernetes_pod_container_port_number"],
            "regex": str(VLLM_PORT),
            "action": "keep",
        },
        {"source_labels": ["Stack"], "regex": _regex(stack), "action": "keep"},
    ]
    dcgm_keep: list[dict[str, Any]] = [
        {
            "source_labels": ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
            "regex": "dcgm-exporter",
            "action": "keep",
        },
        {"target_label": "Stack", "replacement": stack},
    ]
    transforms = [
        {"include": source, "action": "update", "new_name": target}
        for source, target in RENAMES.items()
    ]
    return {
        "mode": "deployment",
        "replicaCount": 1,
        "image": {"repository": COLLECTOR_IMAGE},
        "serviceAccount": {"create": True, "name": "cellguard-metrics"},
        "clusterRole": {
            "create": True,
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["pods", "nodes"],
                    "verbs": ["get", "list", "watch"],
                }
            ],
        },
        "nodeSelector": {"cellguard.io/role": "system"},
        "config": {
            "receivers": {
                "prometheus": {
                    "config": {
                        "scrape_configs": [
                            _scrape("vllm", vllm_keep, "__meta_kubernetes_namespace"),
                            _scrape("dcgm", dcgm_keep, "exported_namespace"),
                        ]
                    }
                }
            },
            "processors": {
                "batch": {},
                "metricstransform": {"transforms": transforms},
                "filter/cellguard": {
                    "metrics": {
                        "include": {"match_type": "strict", "metric_names": list(RENAMES.values())}
                    }
                },
            },
            "exporters": {
                "awsemf": {
                    "namespace": NAMESPACE,
                    "log_group_name": f"/cellguard/{stack}/metrics",
                    "dimension_rollup_option": "NoDimensionRollup",
                    "metric_declarations": [
                        {
                            "dimensions": [["Stack", "Cell"]],
                            "metric_name_selectors": list(RENAMES.values()),
                        }
                    ],
                }
            },
            "service": {
                "pipelines": {
                    "metrics": {
                        "receivers": ["prometheus"],
                        "processors": ["metricstransform", "filter/cellguard", "batch"],
                        "exporters": ["awsemf"],
                    }
                }
            },
        },
    }


def _regex(value: str) -> str:
    """``value`` as an anchored regular expression matching itself only."""
    import re

    return re.escape(value)
