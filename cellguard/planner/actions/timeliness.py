"""Timely-output actions: timeouts that nest (callee < caller), retry budgets, streaming,
stopping conditions, asynchronous agents and semantic caches."""

from __future__ import annotations

from dataclasses import replace

from cellguard.assessments.capacity import QUOTA, fleet
from cellguard.assessments.latency import latency_row
from cellguard.assessments.timeouts import blocking_calls, worst_case_ms
from cellguard.models.components import Agent, Cache, Placement
from cellguard.models.dependencies import Dependency
from cellguard.models.enums import ComponentKind, DependencyMode, StoreEngine
from cellguard.models.findings import Finding
from cellguard.models.references import localise, qualify
from cellguard.models.wording import plural
from cellguard.planner.actions._helpers import (
    component,
    journey_components,
    onto_route,
    qid_parts,
    regions_of,
    target_component,
    wait_ms,
)
from cellguard.planner.actions.capacity import add_gpu_capacity, raise_model_quota
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Change, Edit, FindingRef
from cellguard.planner.workspace import Workspace

MAX_RETRIES = 1
"""Retries per call the planner leaves: one retry, so a path's attempts grow as 2^depth at most."""

MODEL_TIMEOUT_MS = 30_000
"""Timeout of a model call without one: long enough for a few hundred streamed tokens."""

SERVICE_TIMEOUT_MS = 2_000
"""Timeout of any other call without one."""

CACHE_TIMEOUT_MS = 100
"""Timeout of the lookup in a semantic cache (an in-memory vector search)."""


def _edge(finding: Finding) -> tuple[str, str, str]:
    """(stack, caller id, callee reference) of a dependency finding ``caller->callee``."""
    caller, _, callee = finding.target.partition("->")
    return finding.stack, caller, callee


def _dep_path(caller: str, callee: str) -> tuple[str, ...]:
    return ("components", caller, "depends_on", callee)


def align_timeouts(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-006: the callee retries at most once; the caller waits out the callee's calls."""
    stack, caller, callee = _edge(finding)
    callee_stack, callee_id = qid_parts(qualify(callee, stack))
    edits: list[Edit] = []
    if callee_stack in ws.documents:
        for call in component(ws, callee_stack, callee_id).depends_on:
            if call.retries > MAX_RETRIES and call.on_required_path:
                edits += ws.set(
                    callee_stack, (*_dep_path(callee_id, call.to), "retries"), MAX_RETRIES
                )
    calls = [
        c.__class__(c.target, c.timeout_ms, min(c.attempts, MAX_RETRIES + 1), c.fallback)
        for c in blocking_calls(ctx.graph, f"{callee_stack}/{callee_id}")
    ]
    worst = worst_case_ms(calls)
    if worst is None:
        return manual("align-timeouts", finding, f"Give every call {callee} makes a timeout.")
    dep = next((d for d in component(ws, stack, caller).depends_on if d.to == callee), None)
    if dep is None:
        return []
    needed = wait_ms(worst)
    if dep.timeout_ms is None or dep.timeout_ms < needed:
        edits += ws.set(stack, (*_dep_path(caller, callee), "timeout_ms"), needed)
    text = (
        f"{callee} retries each call at most {plural(MAX_RETRIES, 'time')}, so its calls take "
        f"at most {worst:,.0f} ms; {caller} waits {max(needed, dep.timeout_ms or 0):,} ms for it "
        "(callee's worst case + 10%)."
    )
    return change("align-timeouts", finding, text, edits)


def add_call_timeout(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-001: a timeout on the call (models 30 s, other services 2 s)."""
    stack, caller, callee = _edge(finding)
    qid = qualify(callee, stack)
    model = qid in ctx.graph.nx and ctx.graph.kind(qid) in (
        ComponentKind.MODEL_ENDPOINT,
        ComponentKind.EMBEDDING_MODEL,
    )
    value = MODEL_TIMEOUT_MS if model else SERVICE_TIMEOUT_MS
    edits = ws.set(stack, (*_dep_path(caller, callee), "timeout_ms"), value)
    return change(
        "add-call-timeout", finding, f"{caller} waits at most {value:,} ms for {callee}.", edits
    )


def limit_retries(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-007: at most one retry per call on the journey's paths."""
    stack, journey = finding.stack, finding.target
    edits: list[Edit] = []
    for qid in journey_components(ctx, stack, journey):
        s, cid = qid_parts(qid)
        if s not in ws.documents:
            continue
        for dep in component(ws, s, cid).depends_on:
            if dep.retries > MAX_RETRIES:
                edits += ws.set(s, (*_dep_path(cid, dep.to), "retries"), MAX_RETRIES)
    text = (
        f"Every call on {journey} retries at most {plural(MAX_RETRIES, 'time')} (a retry budget)."
    )
    return change("limit-retries", finding, text, edits)


def _steps_to(
    ctx: ActionContext, stack: str, journey: str, ends: set[str]
) -> list[tuple[str, str]]:
    """The calls (caller, callee) on the journey's required paths that end in ``ends``, in
    the order of the first sorted path through each; found per call, not per path (a lattice
    has exponentially many paths)."""
    edges = ctx.graph.required_edges(stack, journey)
    callers: dict[str, list[str]] = {}
    for edge in edges:
        callers.setdefault(edge.target, []).append(edge.source)
    leaves = {e.target for e in edges} - {e.source for e in edges}
    leaves |= {ctx.graph.entrypoint(stack, journey)} - {e.source for e in edges}
    reaching = leaves & ends
    pending = list(reaching)
    while pending:
        for caller in callers.get(pending.pop(), []):
            if caller not in reaching:
                reaching.add(caller)
                pending.append(caller)
    return [(e.source, e.target) for e in edges if e.target in reaching]


def stream_model_responses(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-TIM-002: stream every hop from the entrypoint to the model."""
    stack, journey = finding.stack, finding.target
    edits: list[Edit] = []
    models = {
        q
        for q in journey_components(ctx, stack, journey)
        if ctx.graph.kind(q) is ComponentKind.MODEL_ENDPOINT
    }
    for a, b in _steps_to(ctx, stack, journey, models):
        s, cid = qid_parts(a)
        if s not in ws.documents:
            continue
        for dep in component(ws, s, cid).depends_on:
            if qualify(dep.to, s) == b and dep.mode is DependencyMode.SYNC:
                edits += ws.set(s, (*_dep_path(cid, dep.to), "mode"), DependencyMode.STREAM)
    return change(
        "stream-model-responses",
        finding,
        f"Stream the model's answer through every hop of {journey}.",
        edits,
    )


def add_agent_stopping_condition(
    ws: Workspace, finding: Finding, ctx: ActionContext
) -> list[ActionResult]:
    """CG-TIM-004: at most 10 iterations and 120 s per request."""
    stack, cid = finding.stack, finding.target
    comp = target_component(ws, finding)
    edits: list[Edit] = []
    if getattr(comp, "max_iterations", None) is None:
        edits += ws.set(stack, ("components", cid, "max_iterations"), 10)
    if getattr(comp, "timeout_seconds", None) is None:
        edits += ws.set(stack, ("components", cid, "timeout_seconds"), 120)
    return change(
        "add-agent-stopping-condition",
        finding,
        f"{cid}: stop after 10 iterations or 120 s and hand over to a human.",
        edits,
    )


def run_agents_async(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-003: run the agent asynchronously; callers are notified when it is done."""
    stack = finding.stack
    comp = ws.document(stack).component(finding.target)
    if not isinstance(comp, Agent):
        return manual(
            "run-agents-async",
            finding,
            f"Run the long agentic work of {finding.target} asynchronously (queue + callback).",
        )
    edits = ws.set(stack, ("components", finding.target, "execution"), "async")
    return change(
        "run-agents-async",
        finding,
        f"{finding.target} runs asynchronously: callers get a job id and a callback.",
        edits,
    ) + manual(
        "run-agents-async",
        finding,
        f"Give callers of {finding.target} a way to receive the result (callback, WebSocket or polling).",
    )


def add_semantic_cache(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-005: a semantic cache the entrypoint asks first (a soft dependency)."""
    stack, journey = finding.stack, finding.target
    entry = ctx.graph.entrypoint(stack, journey)
    s, eid = qid_parts(entry)
    if s != stack:
        return manual("add-semantic-cache", finding, f"Put a semantic cache in front of {journey}.")
    cid = f"{eid}-semantic-cache"
    edits: list[Edit] = []
    doc = ws.document(stack)
    if doc.component(cid) is None:
        entry_comp = component(ws, stack, eid)
        place = entry_comp.placement or Placement()
        cache = Cache(
            id=cid,
            kind="cache",
            description=f"Semantic cache of {journey} answers (vector similarity over prompts)",
            engine=StoreEngine.ELASTICACHE,
            semantic=True,
            ttl_seconds=3600,
            placement=Placement(
                regions=regions_of(ws, stack, entry_comp),
                zones=place.zones,
                cells=place.cells,
                account=place.account,
            ),
            replicas=3,
        )
        edits += ws.add(stack, ("components",), cache)
    if not any(d.to == cid for d in component(ws, stack, eid).depends_on):
        dep = Dependency(to=cid, timeout_ms=CACHE_TIMEOUT_MS, optional=True)
        edits += ws.add(stack, ("components", eid, "depends_on"), dep)
    edits += onto_route(ws, stack, journey, cid)
    text = (
        f"Add {cid} (ElastiCache vector search, 1 h TTL) that {eid} asks first with a "
        f"{CACHE_TIMEOUT_MS} ms timeout; a miss or an outage falls through to the model."
    )
    return change("add-semantic-cache", finding, text, edits)


def fit_latency_budget(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-TIM-008: a saturated model gets capacity, a managed model throttled at its quota a
    higher quota (tuning latency cannot fix throttling); anything else is a design decision."""
    stack, journey = finding.stack, finding.target
    out: list[ActionResult] = []
    saturated = set(latency_row(ctx.graph, stack, journey).saturated)
    throttled: list[str] = []
    for qid in journey_components(ctx, stack, journey):
        model = fleet(ctx.graph, qid)
        if model is None:
            continue
        s, cid = qid_parts(qid)
        if model.row.basis == QUOTA:
            if qid in saturated:
                throttled.append(localise(qid, stack))
                if s in ws.documents:
                    found = raise_model_quota(ws, replace(finding, stack=s, target=cid), ctx)
                    out += [_as_latency(r, finding) for r in found if isinstance(r, Change)]
            continue
        if not (model.row.queue_saturated or (model.row.utilisation or 0) > 0.8):
            continue
        if s not in ws.documents:
            continue
        for r in add_gpu_capacity(ws, replace(finding, stack=s, target=cid), ctx):
            if isinstance(r, Change):
                out.append(_as_latency(r, finding))
    if throttled:
        over = " and ".join(f"{name} is over its quota" for name in throttled)
        out += manual(
            "fit-latency-budget",
            finding,
            f"{journey} misses its latency objective because {over} at peak: throttled calls "
            "wait and are retried whatever the latency design, so raise the quota first "
            "(request the increase in Service Quotas and wait for approval), then see whether "
            "the latency still misses.",
        )
    if out:
        return out
    return manual(
        "fit-latency-budget",
        finding,
        f"Shorten {journey}'s critical path (a smaller or faster model, fewer sequential calls, "
        "streaming) or relax its latency objective.",
    )


def _as_latency(result: Change, finding: Finding) -> Change:
    """A change another action proposed, made for this latency finding."""
    return replace(result, action="fit-latency-budget", finding=FindingRef.of(finding))


ACTIONS: dict[str, Action] = {
    "align-timeouts": align_timeouts,
    "add-call-timeout": add_call_timeout,
    "limit-retries": limit_retries,
    "stream-model-responses": stream_model_responses,
    "add-agent-stopping-condition": add_agent_stopping_condition,
    "run-agents-async": run_agents_async,
    "add-semantic-cache": add_semantic_cache,
    "fit-latency-budget": fit_latency_budget,
}
"""Timely-output actions by id."""
