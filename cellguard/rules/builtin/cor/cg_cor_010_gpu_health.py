"""CG-COR-010: self-hosted GPUs have GPU health checks and node auto-repair."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.enums import Hosting
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, not_applicable, verdict
from cellguard.rules.predicates import MODEL_KINDS, runs_gpus

META = RuleMeta(
    id="CG-COR-010",
    title="Self-hosted GPUs have GPU health checks and node auto-repair",
    pillar=Pillar.CORRECT_OUTPUT,
    category=FailureCategory.MISCONFIGURATION_AND_BUGS,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "GPUs fail often and partially: training Llama 3 on 16,384 H100s saw 419 unexpected "
        "interruptions in 54 days, 58.7% of them GPU-related. A GPU that falls off the bus or "
        "throws ECC errors keeps its pod scheduled and serves errors or garbage unless health "
        "checks detect it and the node is replaced automatically."
    ),
    source="The Llama 3 Herd of Models (Meta, 2024), section 3.3.4; GENREL03",
    remediation=(
        "Run DCGM health checks (or the EKS node monitoring agent) and enable node auto-repair; "
        "set health.gpu_health_checks and health.node_auto_repair to true. On a SageMaker "
        "endpoint, whose instances SageMaker runs, make the container's /ping fail when the GPU "
        "does (a tiny inference on it, or a DCGM health check) and set "
        "health.gpu_health_checks to true."
    ),
    action="enable-gpu-health",
)


SAGEMAKER_PING = (
    "AWS, 'Use your own inference code with hosting services' (SageMaker developer guide, "
    "docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-inference-code.html, checked "
    "2026-12-03)"
)
"""Where AWS documents an endpoint instance's health check: the container's ``/ping``. No AWS
page found documents GPU-fault detection for real-time endpoints (the hardware checks AWS
documents, InfraCheckConfig and HyperPod deep health checks, are for training jobs and
HyperPod clusters)."""


def _sagemaker(target: Target, checks: bool | None, repair: bool | None) -> Outcome:
    """A SageMaker endpoint: SageMaker runs the instances, so node auto-repair is not the
    user's to set; whether a GPU fault is detected rests on the container's ``/ping``."""
    return verdict(
        checks,
        target,
        passing=(
            f"{target.id} runs on SageMaker instances whose container health check (/ping, "
            "polled by SageMaker) detects GPU faults (health.gpu_health_checks)."
        ),
        failing=(
            f"{target.id} runs on SageMaker instances whose container health check (/ping) "
            "does not detect GPU faults (health.gpu_health_checks: false): a GPU that falls "
            "off the bus or throws ECC errors leaves its instance answering /ping and serving "
            "errors."
        ),
        missing=(
            f"{target.id} runs on SageMaker instances: AWS documents the container's /ping as "
            "an endpoint instance's health check and no GPU-fault detection of its own, so "
            "verify that /ping fails when the GPU does (a tiny inference on the GPU or a DCGM "
            "health check behind it, not a static 200)."
        ),
        field=("health",),
        gpu_health_checks=checks,
        node_auto_repair=repair,
        provider_health_check=f"container /ping: {SAGEMAKER_PING}",
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model endpoint and embedding model."""
    for qid, comp in ctx.components(*MODEL_KINDS):
        target = ctx.component_target(qid)
        if not runs_gpus(comp):
            yield not_applicable(target, f"{target.id} runs on a managed service, not our GPUs.")
            continue
        health = getattr(comp, "health", None)
        checks = health.gpu_health_checks if health else None
        repair = health.node_auto_repair if health else None
        if getattr(comp, "hosting", None) is Hosting.SAGEMAKER:
            yield _sagemaker(target, checks, repair)
            continue
        ok = None if checks is None or repair is None else (checks and repair)
        if checks is False or repair is False:
            ok = False
        missing = [
            name
            for name, value in (("GPU health checks", checks), ("node auto-repair", repair))
            if value is False
        ]
        yield verdict(
            ok,
            target,
            passing=f"{target.id} has GPU health checks and node auto-repair.",
            failing=f"{target.id} runs its own GPUs without {' and '.join(missing)}.",
            missing=f"{target.id} does not declare GPU health checks and node auto-repair (health).",
            field=("health",),
            gpu_health_checks=checks,
            node_auto_repair=repair,
        )


RULE = PythonRule(META, check)
