"""InferenceCell: one cell's namespace and services on its region's cluster.

A cell whose vLLM pods pull weights gets the ``model-weights`` service account and a Pod
Identity role that may read its own region's artifact bucket (issue 18, blocker 8); a
``hf-token`` Secret is created from ``cellguard:huggingfaceToken`` when it is set (gated models
on the Hugging Face hub).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from cellguard.blueprints import manifests, scaling
from cellguard.blueprints._base import TOKEN_PREFIX
from cellguard.blueprints.aws_reads import reads_policy
from cellguard.blueprints.identity import bucket_reader, pod_role
from cellguard.blueprints.k8s_objects import register
from cellguard.blueprints.model import Blueprint, CellPlan


@dataclass(frozen=True)
class CellContext:
    """What a cell needs from its region: providers, cluster, bucket and secrets."""

    k8s_provider: k8s.Provider
    aws_provider: aws.Provider
    cluster_name: pulumi.Output[str]
    bucket: aws.s3.Bucket | None
    hf_token: pulumi.Output[str] | None
    queue_depth: int
    blueprint: Blueprint | None = None


class InferenceCell(pulumi.ComponentResource):
    """Namespace, priority class, artifact ConfigMap and per workload Deployment/Service/PDB/HPA."""

    def __init__(
        self,
        name: str,
        stack: str,
        cell: CellPlan,
        ctx: CellContext,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(f"{TOKEN_PREFIX}InferenceCell", name, None, opts)
        provider = ctx.k8s_provider
        ns = register(f"{name}-ns", manifests.namespace(stack, cell.id), self, provider)
        priority = register(
            f"{name}-priority", manifests.priority_class(stack, cell.id), self, provider
        )
        deps: list[pulumi.Resource] = [ns, priority]
        if ctx.bucket is not None and any(w.model_cache for w in cell.workloads):
            data = manifests.config_map(
                stack, cell.id, manifests.ARTIFACTS_CONFIGMAP, {"bucket": "-"}
            )
            data["data"] = {"bucket": ctx.bucket.bucket}
            deps.append(register(f"{name}-artifacts", data, self, provider, [ns]))
            account = manifests.service_account(stack, cell.id, manifests.WEIGHTS_ACCOUNT)
            deps.append(register(f"{name}-weights-sa", account, self, provider, [ns]))
            pod_role(
                f"{name}-weights",
                self,
                ctx.aws_provider,
                ctx.cluster_name,
                cell.id,
                manifests.WEIGHTS_ACCOUNT,
                ctx.bucket.arn.apply(bucket_reader),
            )
        if ctx.hf_token is not None and any(w.is_gpu for w in cell.workloads):
            secret = manifests.secret(stack, cell.id, manifests.HF_SECRET)
            secret["stringData"] = {"token": ctx.hf_token}
            deps.append(register(f"{name}-hf-token", secret, self, provider, [ns]))
        self.gateway: pulumi.CustomResource | None = None
        entry = next((w for w in cell.workloads if not w.is_gpu), None)
        if not cell.implicit and entry is not None:
            self.gateway = register(
                f"{name}-gateway", manifests.gateway(stack, cell.id, entry), self, provider, deps
            )
        for w in cell.workloads:
            document = reads_policy(ctx.blueprint, w, cell.region) if ctx.blueprint else None
            if document is None or w.model_cache:
                continue
            account = manifests.service_account(stack, cell.id, w.component)
            deps.append(register(f"{name}-{w.component}-sa", account, self, provider, [ns]))
            pod_role(
                f"{name}-{w.component}",
                self,
                ctx.aws_provider,
                ctx.cluster_name,
                cell.id,
                w.component,
                document,
            )
        deployments: list[str] = []
        for w in cell.workloads:
            for obj in scaling.workload_objects(stack, cell.id, w, ctx.queue_depth, cell.region):
                kind = str(obj["kind"]).lower()
                register(f"{name}-{w.component}-{kind}", obj, self, provider, deps)
            deployments.append(w.component)
        self.register_outputs({"namespace": cell.id, "deployments": deployments})
