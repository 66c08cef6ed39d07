"""InferenceCell: one cell's namespace and services on its region's cluster."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from cellguard.blueprints import manifests
from cellguard.blueprints._base import TOKEN_PREFIX
from cellguard.blueprints.k8s_objects import register
from cellguard.blueprints.model import CellPlan


class InferenceCell(pulumi.ComponentResource):
    """Namespace, priority class, artifact ConfigMap and per workload Deployment/Service/PDB/HPA."""

    def __init__(
        self,
        name: str,
        stack: str,
        cell: CellPlan,
        provider: k8s.Provider,
        artifact_bucket: pulumi.Input[str] | None,
        queue_depth: int,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}InferenceCell", name, None, opts)
        ns = register(f"{name}-ns", manifests.namespace(stack, cell.id), self, provider)
        priority = register(
            f"{name}-priority", manifests.priority_class(stack, cell.id), self, provider
        )
        deps: list[pulumi.Resource] = [ns, priority]
        if artifact_bucket is not None and any(w.model_cache for w in cell.workloads):
            data = manifests.config_map(
                stack, cell.id, manifests.ARTIFACTS_CONFIGMAP, {"bucket": "-"}
            )
            data["data"] = {"bucket": artifact_bucket}
            deps.append(register(f"{name}-artifacts", data, self, provider, [ns]))
        deployments: list[str] = []
        for w in cell.workloads:
            for obj in manifests.workload_objects(stack, cell.id, w, queue_depth):
                kind = str(obj["kind"]).lower()
                register(f"{name}-{w.component}-{kind}", obj, self, provider, deps)
            deployments.append(w.component)
        self.register_outputs({"namespace": cell.id, "deployments": deployments})
