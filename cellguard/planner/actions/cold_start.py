"""The cold-start action (CG-CAP-004), by where the model runs.

A node-local weights cache, images pre-pulled onto nodes and a warm pool of nodes are levers of
a fleet the team runs (EKS or Kubernetes, EC2, ECS on EC2). A SageMaker endpoint has none of
them to set: SageMaker provisions its instances. Its own levers, as documented (checked
2026-12-03):

- inference components: data caching (``InferenceComponentDataCacheConfig.EnableCaching``:
  "the endpoint caches the model artifacts and container image on each instance it provisions
  for the inference component", so copies deploy faster during auto scaling;
  https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_InferenceComponentDataCacheConfig.html),
  a minimum copy count (Application Auto Scaling's minimum capacity of
  ``sagemaker:inference-component:DesiredCopyCount``) and managed instance scaling's
  ``MinInstanceCount``, which keep copies and instances in service
  (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ProductionVariantManagedInstanceScaling.html);
- multi-model endpoints: models stay cached in memory and on disk and are unloaded only when
  the container runs out of memory or disk for a newly targeted model (``ModelCacheSetting``
  Enabled, the default; https://docs.aws.amazon.com/sagemaker/latest/dg/multi-model-caching.html),
  so steady traffic keeps a hot model resident; the instance count is kept by the variant's
  auto scaling minimum (``sagemaker:variant:DesiredInstanceCount``);
- serverless endpoints (CPU only, so never judged by CG-CAP-004): provisioned concurrency
  (https://aws.amazon.com/blogs/machine-learning/announcing-provisioned-concurrency-for-amazon-sagemaker-serverless-inference/).

A fleet of EC2 instances (EC2, or ECS on EC2) has EC2 Auto Scaling warm pools of
pre-initialised instances (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using-warm-pool.html).

None of SageMaker's levers is a spec key yet, so for SageMaker the action is a manual step naming them; the
finding stays until the team measures the shorter cold start (``serving.cold_start_seconds``) or
declares the cache it turned on.
"""

from __future__ import annotations

from cellguard.models.enums import Hosting, Runtime
from cellguard.models.findings import Finding
from cellguard.planner.actions._helpers import target_component
from cellguard.planner.context import ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace

ACTION = "reduce-cold-start"

_FLEET_WORDS = {
    Runtime.EC2: (
        "weights on instance storage or baked into the AMI, the serving image baked into the "
        "AMI and an EC2 Auto Scaling warm pool of pre-initialised GPU instances, so a new "
        "replica starts from a prepared instance"
    ),
    Runtime.ECS: (
        "weights on instance storage or baked into the container instances' AMI, the serving "
        "image baked into it too and an EC2 Auto Scaling warm pool for the cluster's Auto "
        "Scaling group (ECS_WARM_POOLS_CHECK), so a new task starts on a prepared GPU instance"
    ),
}
"""How the three levers read on a fleet of EC2 instances; Kubernetes is the default."""

_KUBERNETES_WORDS = (
    "node-local model cache, pre-pulled images and a warm pool of GPU nodes, so a new replica "
    "loads weights from local disk on a running node"
)


def _multi_model(comp: object) -> bool:
    """Whether the endpoint loads models on demand (a hosted group of several models)."""
    serving = getattr(comp, "serving", None)
    return any(h.count > 1 for h in getattr(serving, "hosted_models", None) or [])


def _sagemaker_step(cid: str, comp: object) -> str:
    if _multi_model(comp):
        return (
            f"{cid} is a SageMaker multi-model endpoint: SageMaker offers no node cache or warm "
            "pool to set (serving.model_cache and serving.warm_pool cannot be turned on). Its "
            "levers: keep enough instances in service that a surge needs no new one (the "
            "variant's auto scaling minimum), scale out earlier on SageMaker's high-resolution "
            "metrics, and keep hot models resident through their traffic (the endpoint unloads "
            "a cached model only when a newly targeted one needs its memory or disk; "
            "ModelCacheSetting Enabled, the default). Then measure a new instance's time to "
            "serve into serving.cold_start_seconds."
        )
    return (
        f"{cid} runs on a SageMaker endpoint: SageMaker offers no node cache or warm pool to "
        "set. Host the model as an inference component with data caching on "
        "(InferenceComponentDataCacheConfig EnableCaching: model artefacts and the container "
        "image cached on each instance the endpoint provisions for it, then declare "
        "serving.model_cache: true), keep a minimum copy count and managed instance scaling's "
        "MinInstanceCount so copies and instances stay in service, and measure the new "
        "cold start into serving.cold_start_seconds."
    )


def reduce_cold_start(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-004: the cold-start levers of the model's runtime (module docstring)."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    if getattr(comp, "hosting", None) is Hosting.SAGEMAKER:
        return manual(ACTION, finding, _sagemaker_step(cid, comp))
    runtime = getattr(comp, "runtime", None)
    words = (
        _FLEET_WORDS.get(runtime, _KUBERNETES_WORDS)
        if isinstance(runtime, Runtime)
        else (_KUBERNETES_WORDS)
    )
    edits: list[Edit] = []
    for flag in ("model_cache", "image_prepull", "warm_pool"):
        edits += ws.set(stack, ("components", cid, "serving", flag), True)
    return change(ACTION, finding, f"{cid}: {words}.", edits)


__all__ = ["reduce_cold_start"]
