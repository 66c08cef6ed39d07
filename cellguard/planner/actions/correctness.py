"""Correct-output actions: guardrails, prompt validation and a versioned prompt store,
evaluation, gradual rollouts, chaos experiments, change management and GPU health.

What only people can do (pin an image by its digest, run the experiments, build the
evaluation set) is returned as a manual step, beside the spec change where there is one.
"""

from __future__ import annotations

from cellguard.models.components import Backup, Guardrail, Placement, PromptStore, Rollout
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.dependencies import Dependency
from cellguard.models.enums import (
    BackupScope,
    ChaosExperimentType,
    GuardrailCheck,
    GuardrailProvider,
    Hosting,
    RolloutStrategy,
    StoreEngine,
)
from cellguard.models.findings import Finding
from cellguard.models.practices import ChaosExperiment
from cellguard.models.stack import Stack
from cellguard.planner.actions._helpers import (
    component,
    free_id,
    journey_components,
    onto_route,
    qid_parts,
    regions_of,
    target_component,
)
from cellguard.planner.actions.redundancy import RETENTION_DAYS
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace

GUARDRAIL_CHECKS = (
    GuardrailCheck.INPUT_TOXICITY,
    GuardrailCheck.PROMPT_INJECTION,
    GuardrailCheck.PII,
    GuardrailCheck.OUTPUT_TOXICITY,
    GuardrailCheck.GROUNDING,
)
"""Input and output checks of a new guardrail (Amazon Bedrock Guardrails offers each)."""

GUARDRAIL_TIMEOUT_MS = 1_000
PROMPT_STORE_TIMEOUT_MS = 200
DEFAULT_PROMPT_TOKENS = 8_000
"""Prompt limit when no model on the journey declares its context window."""


def _entry(ctx: ActionContext, stack: str, journey: str) -> tuple[str, str]:
    return qid_parts(ctx.graph.entrypoint(stack, journey))


def add_guardrail(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-001: the entrypoint calls a guardrail (the stack's own, or a new one)."""
    stack, journey = finding.stack, finding.target
    s, eid = _entry(ctx, stack, journey)
    if s != stack:
        return manual("add-guardrail", finding, f"Put a guardrail on {journey}'s path.")
    doc = ws.document(stack)
    existing = next((c for c in doc.components if isinstance(c, Guardrail)), None)
    edits: list[Edit] = []
    entry = component(ws, stack, eid)
    if existing is None:
        gid = free_id(ws, stack, "guardrail")
        guard = Guardrail(
            id=gid,
            kind="guardrail",
            description="Input and output checks around every model call",
            provider=GuardrailProvider.BEDROCK_GUARDRAILS,
            checks=list(GUARDRAIL_CHECKS),
            fail_open=False,
            placement=Placement(regions=regions_of(ws, stack, entry)),
        )
        edits += ws.add(stack, ("components",), guard)
        what = (
            f"a new Amazon Bedrock guardrail {gid} ({', '.join(c.value for c in GUARDRAIL_CHECKS)})"
        )
    else:
        gid = existing.id
        what = f"the stack's guardrail {gid}"
    if not any(d.to == gid for d in entry.depends_on):
        dep = Dependency(to=gid, timeout_ms=GUARDRAIL_TIMEOUT_MS, retries=1)
        edits += ws.add(stack, ("components", eid, "depends_on"), dep)
    edits += onto_route(ws, stack, journey, gid)
    text = f"{eid} (where {journey} enters) calls {what} before and after the model, fail-closed."
    return change("add-guardrail", finding, text, edits)


def add_prompt_validation(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-002: the entrypoint rejects prompts longer than the smallest context allows."""
    stack, journey = finding.stack, finding.target
    s, eid = _entry(ctx, stack, journey)
    if s not in ws.documents:
        return manual("add-prompt-validation", finding, f"Validate prompt length on {journey}.")
    contexts: list[int] = []
    for qid in journey_components(ctx, stack, journey):
        comp = ctx.graph.component(qid)
        if isinstance(comp, HostedModelFields) and comp.model and comp.model.context_tokens:
            contexts.append(comp.model.context_tokens)
    doc = ws.document(stack)
    out = 0
    if isinstance(doc, Stack):
        found = next((j for j in doc.business.journeys if j.id == journey), None)
        out = (found.demand.output_tokens or 0) if found else 0
    limit = (min(contexts) - out) if contexts else DEFAULT_PROMPT_TOKENS
    path = ("components", eid, "protections", "input_validation", "max_prompt_tokens")
    edits = ws.set(s, path, max(limit, 1))
    source = (
        "the smallest model context on the journey minus its output tokens"
        if contexts
        else ("a default: no model on the journey declares its context window")
    )
    return change(
        "add-prompt-validation",
        finding,
        f"{eid} rejects prompts over {limit:,} tokens ({source}).",
        edits,
    )


def add_versioned_prompt_store(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-003: a versioned DynamoDB prompt store, backed up, read by the entrypoints."""
    stack = finding.stack
    doc = ws.document(stack)
    if not isinstance(doc, Stack):
        return []
    pid = free_id(ws, stack, "prompts")
    entries = sorted({_entry(ctx, stack, j.id) for j in doc.business.journeys})
    regions = sorted(
        {r for s, e in entries if s == stack for r in regions_of(ws, stack, component(ws, s, e))}
    )
    store = PromptStore(
        id=pid,
        kind="prompt_store",
        description="Published prompt versions (immutable), read with a local cache",
        engine=StoreEngine.DYNAMODB,
        versioning=True,
        placement=Placement(regions=regions or None),
        backups=[
            Backup(scope=scope, every_minutes=every, retention_days=RETENTION_DAYS)
            for scope, every in (
                (BackupScope.SAME_REGION, 5),
                (BackupScope.CROSS_REGION, 60),
                (BackupScope.CROSS_ACCOUNT, 1440),
            )
        ],
    )
    edits = ws.add(stack, ("components",), store)
    for s, eid in entries:
        if s == stack:
            dep = Dependency(to=pid, timeout_ms=PROMPT_STORE_TIMEOUT_MS, retries=1, optional=True)
            edits += ws.add(stack, ("components", eid, "depends_on"), dep)
    for j in doc.business.journeys:
        edits += onto_route(ws, stack, j.id, pid)
    text = (
        f"Add {pid}: versioned prompts in DynamoDB (point-in-time recovery every 5 min, hourly "
        "cross-region and daily cross-account copies), read by the entrypoints as a soft "
        "dependency (a cached version serves when it is down)."
    )
    return change("add-versioned-prompt-store", finding, text, edits) + manual(
        "add-versioned-prompt-store", finding, f"Move the prompts of {stack} from code into {pid}."
    )


def use_canary_rollout(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-006: canary rollouts with automatic rollback on alarm."""
    rollout = Rollout(strategy=RolloutStrategy.CANARY, automatic_rollback=True)
    edits = ws.set(finding.stack, ("components", finding.target, "rollout"), rollout)
    return change(
        "use-canary-rollout",
        finding,
        f"{finding.target}: canary rollout, rolled back automatically when its alarms fire.",
        edits,
    )


def pin_versions(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-007: a digest cannot be invented: a manual step."""
    comp = target_component(ws, finding)
    image = getattr(comp, "image", None)
    what = f"image {image.reference}" if image is not None else "its image"
    return manual(
        "pin-versions",
        finding,
        f"Pin {finding.target}'s {what} by digest (repo@sha256:..., e.g. from `aws ecr "
        "describe-images`) and its model by revision (model.pinned_version).",
    )


def add_chaos_experiments(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-008: AZ power interruption, pod kill, GPU node loss and region isolation."""
    stack = finding.stack
    doc = ws.document(stack)
    gpus = any(
        isinstance(c, HostedModelFields) and c.serving is not None and c.serving.gpu
        for c in doc.components
    )
    multi = len(doc.topology.regions) > 1
    types = [ChaosExperimentType.AZ_POWER_INTERRUPTION, ChaosExperimentType.POD_KILL]
    if gpus:
        types.append(ChaosExperimentType.GPU_NODE_LOSS)
    if multi:
        types.append(ChaosExperimentType.REGION_ISOLATION)
    experiments = [ChaosExperiment(type=t) for t in types]
    edits = ws.set(stack, ("practices", "chaos", "experiments"), experiments)
    names = ", ".join(t.value for t in types)
    return change(
        "add-chaos-experiments",
        finding,
        f"Chaos experiments (AWS FIS templates, alarms as stop conditions): {names}.",
        edits,
    ) + manual(
        "add-chaos-experiments",
        finding,
        f"Run the {stack} experiments on a schedule and record each last_run.",
    )


def enforce_ci_cd_rollback(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-009: every change through CI/CD, no hand edits, a tested rollback."""
    stack = finding.stack
    path = ("practices", "change_management")
    edits = ws.set(stack, (*path, "ci_cd"), True)
    edits += ws.set(stack, (*path, "manual_prod_changes"), False)
    edits += ws.set(stack, (*path, "rollback"), True)
    return change(
        "enforce-ci-cd-rollback",
        finding,
        "Production changes only through CI/CD (the generated Pulumi project), with rollback.",
        edits,
    ) + manual(
        "enforce-ci-cd-rollback",
        finding,
        f"Remove hand-edit access to {stack}'s production (break-glass only) and rehearse rollback.",
    )


def enable_gpu_health(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-010: DCGM health checks and node auto-repair; on SageMaker, whose instances
    SageMaker runs, a container /ping that fails when the GPU does (issue 17 item 6 review)."""
    stack, cid = finding.stack, finding.target
    edits = ws.set(stack, ("components", cid, "health", "gpu_health_checks"), True)
    if getattr(target_component(ws, finding), "hosting", None) is Hosting.SAGEMAKER:
        return change(
            "enable-gpu-health",
            finding,
            f"{cid}: a container /ping that fails when the GPU does (a tiny inference on it, "
            "or a DCGM health check), so SageMaker's health check sees GPU faults.",
            edits,
        )
    edits += ws.set(stack, ("components", cid, "health", "node_auto_repair"), True)
    return change(
        "enable-gpu-health",
        finding,
        f"{cid}: DCGM GPU health checks and EKS node auto-repair.",
        edits,
    )


def add_tool_schema(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-COR-011: a typed tool interface."""
    edits = ws.set(finding.stack, ("components", finding.target, "interface", "typed"), True)
    return change(
        "add-tool-schema",
        finding,
        f"{finding.target}: typed input/output schema, validated.",
        edits,
    )


def make_guardrail_fail_closed(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-COR-012: a guardrail that is down blocks requests."""
    edits = ws.set(finding.stack, ("components", finding.target, "fail_open"), False)
    return change("make-guardrail-fail-closed", finding, f"{finding.target} fails closed.", edits)


def _evaluation(action: str, flag: str, words: str, step: str) -> Action:
    def act(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
        edits = ws.set(finding.stack, ("practices", "evaluation", flag), True)
        return change(action, finding, words, edits) + manual(action, finding, step)

    act.__doc__ = f"Set practices.evaluation.{flag}."
    return act


add_offline_evaluation = _evaluation(
    "add-offline-evaluation",
    "offline",
    "Offline evaluation against a golden set gates every model, prompt and retrieval change.",
    "Build the golden evaluation set and the CI gate that runs it.",
)
add_online_evaluation = _evaluation(
    "add-online-evaluation",
    "online_feedback",
    "Production answers are evaluated online (sampled LLM-as-judge and user feedback).",
    "Wire sampled online evaluation and alert on its scores.",
)


ACTIONS: dict[str, Action] = {
    "add-guardrail": add_guardrail,
    "add-prompt-validation": add_prompt_validation,
    "add-versioned-prompt-store": add_versioned_prompt_store,
    "use-canary-rollout": use_canary_rollout,
    "pin-versions": pin_versions,
    "add-chaos-experiments": add_chaos_experiments,
    "enforce-ci-cd-rollback": enforce_ci_cd_rollback,
    "enable-gpu-health": enable_gpu_health,
    "add-tool-schema": add_tool_schema,
    "make-guardrail-fail-closed": make_guardrail_fail_closed,
    "add-offline-evaluation": add_offline_evaluation,
    "add-online-evaluation": add_online_evaluation,
}
"""Correct-output actions by id."""
