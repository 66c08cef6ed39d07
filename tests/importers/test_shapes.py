"""Shapes the fixtures do not cover: older Ray Serve configs, a RayCluster, service addresses."""

from __future__ import annotations

from pathlib import Path

import pytest

from cellguard.importers.dependencies import addresses
from cellguard.importers.k8s import import_k8s, read_k8s

RAY_APP = """\
apiVersion: ray.io/v1
kind: RayService
metadata: {name: mistral, namespace: serve}
spec:
  upgradeStrategy: {type: NewCluster}
  serveConfigV2: |
    applications:
      - name: vllm_app
        import_path: llm.build_app
        runtime_env:
          env_vars:
            MODEL_ID: mistralai/Mistral-7B-Instruct-v0.3
            TENSOR_PARALLELISM: "2"
        deployments:
          - name: VLLMDeployment
            num_replicas: 3
            ray_actor_options: {num_cpus: 4}
  rayClusterConfig:
    headGroupSpec:
      template:
        spec:
          containers: [{name: head, image: "rayproject/ray:2.40.0-py311-gpu"}]
    workerGroupSpecs:
      - groupName: gpu
        replicas: 3
        template:
          spec:
            nodeSelector: {nvidia.com/gpu.product: NVIDIA-L4}
            containers:
              - name: worker
                image: rayproject/ray:2.40.0-py311-gpu
                resources: {limits: {nvidia.com/gpu: 2}}
---
apiVersion: ray.io/v1
kind: RayCluster
metadata: {name: batch, namespace: serve}
spec:
  headGroupSpec:
    template:
      spec:
        containers: [{name: head, image: "rayproject/ray:2.40.0"}]
  workerGroupSpecs:
    - groupName: gpu
      replicas: 2
      minReplicas: 1
      maxReplicas: 8
      template:
        spec:
          containers:
            - name: worker
              image: rayproject/ray:2.40.0-gpu
              resources: {limits: {nvidia.com/gpu: 1}}
"""


def test_a_serve_application_with_env_vars_and_deployments(tmp_path: Path) -> None:
    path = tmp_path / "ray.yaml"
    path.write_text(RAY_APP, encoding="utf-8")
    imported = read_k8s([str(path)])
    service, cluster = imported.ctx.workloads
    assert service.component_kind == "model_endpoint"
    facts = {".".join(p): f.value for p, f in service.facts.items()}
    assert facts["model.name"] == "mistralai/Mistral-7B-Instruct-v0.3"
    assert facts["serving.gpus_per_replica"] == 2
    assert facts["serving.gpu"] == "L4"
    assert facts["replicas"] == 3
    assert facts["rollout.strategy"] == "blue_green"
    assert service.facts[("model", "name")].origin.line == 12
    assert service.facts[("replicas",)].origin.line == 16
    # a RayCluster without Serve: the GPU worker group's pods and their range
    assert cluster.component_kind == "training_job"
    cluster_facts = {".".join(p): f.value for p, f in cluster.facts.items()}
    assert cluster_facts["replicas"] == 2
    assert (cluster_facts["autoscaling.min"], cluster_facts["autoscaling.max"]) == (1, 8)
    draft = import_k8s([str(path)]).text
    assert "model_endpoint" in draft and "training_job" in draft


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("http://rag-llm.serving.svc.cluster.local:8000/v1", [("rag-llm", "serving")]),
        ("qdrant:6333", [("qdrant", None)]),
        ("redis://:pw@redis-master.data:6379/0", [("redis-master", "data")]),
        ("embed.ml.svc", [("embed", "ml")]),
        ("a=http://x:1,b=y.z.svc", [("x", None), ("y", "z")]),
        ("https://api.openai.com/v1", []),
        ("--port 8000 --host 0.0.0.0", []),
        ("plain words and a path /srv/data", []),
    ],
)
def test_service_addresses(text: str, found: list[tuple[str, str | None]]) -> None:
    assert [(name, ns) for name, ns, _ in addresses(text)] == found


def test_addresses_only_resolve_to_services_that_exist(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n"
        "    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
        "        - name: web\n          image: nginx:1\n"
        "          env:\n            - {name: A, value: 'http://localhost:8000'}\n"
        "            - {name: B, value: 'http://web:80'}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n",
        encoding="utf-8",
    )
    assert (
        read_k8s([str(path)]).calls == []
    )  # localhost is no Service; web calling itself is no edge
