"""Model fallback: a caller whose model is down or out of capacity answers from another model
(CG-CAP-010), the stack's own or a new managed one."""

from __future__ import annotations

from cellguard.models.catalog.media import find_media_model
from cellguard.models.components import ComponentBase, ModelEndpoint, ModelInfo, Placement
from cellguard.models.enums import ComponentKind, Hosting
from cellguard.models.findings import Finding
from cellguard.models.stack import Stack
from cellguard.planner.actions._helpers import regions_of
from cellguard.planner.context import Action, ActionContext, change, manual
from cellguard.planner.model import ActionResult, Edit
from cellguard.planner.workspace import Workspace

FALLBACK_MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0"
"""The managed model a new fallback endpoint serves: a small Amazon Bedrock model, pinned by
its dated model id (Amazon Bedrock user guide, 'Supported foundation models')."""


def _size_fallback(finding: Finding, caller: str, callee: str) -> list[ActionResult]:
    """A manual step for a fallback too small for its primary's failure (CG-CAP-010's
    evidence): the capacity it needs, or the shedding that would make it fit."""
    ev = finding.evidence
    demand, own, supply = ev.get("failover_demand"), ev.get("own_demand"), ev.get("fallback_supply")
    unit, fallback = ev.get("unit"), ev.get("fallback")
    text = (
        f"Size {fallback} for {callee} down entirely: it must carry {ev.get('carried')} {unit} "
        f"against {supply} {unit}. Raise its quota (or replicas) to cover that"
    )
    if all(isinstance(v, int | float) for v in (demand, own, supply)) and demand:
        assert isinstance(demand, int | float) and isinstance(own, int | float)
        assert isinstance(supply, int | float)
        least = 1 - (supply - own) / demand
        if 0 < least < 1:
            text += (
                f", or shed at least {least:.0%} of the traffic failing over (rate limits by "
                f"tier) and declare it as shed_on_failover on {caller}'s call to {callee}"
            )
    return manual("add-model-fallback", finding, text + ".")


def _work(comp: ComponentBase | None) -> str | None:
    """The unit a model's work is counted in when it is a catalogued non-LLM model (images,
    embeddings); ``None`` for a language model or an unknown one."""
    model = getattr(comp, "model", None)
    found = find_media_model(model.name) if model is not None else None
    return str(found.unit) if found is not None else None


def add_model_fallback(ws: Workspace, finding: Finding, ctx: ActionContext) -> list[ActionResult]:
    """CG-CAP-010: fall back to another model of the stack, or to a new managed small model;
    a fallback too small for its primary's failure gets a manual sizing step."""
    stack = finding.stack
    caller, _, callee = finding.target.partition("->")
    if finding.evidence.get("fallback") is not None:
        return _size_fallback(finding, caller, callee)
    doc = ws.document(stack)
    callee_comp = doc.component(callee)
    work = _work(callee_comp)
    candidates = [
        c.id
        for c in doc.components
        if c.kind == ComponentKind.MODEL_ENDPOINT.value
        and c.id not in (callee, caller)
        and not any(d.to == callee for d in c.depends_on)
        and _work(c) == work  # a text model cannot stand in for an image model
    ]
    edits: list[Edit] = []
    if candidates:
        fallback, how = candidates[0], f"the stack's other model {candidates[0]}"
    elif work is not None:
        return manual(
            "add-model-fallback",
            finding,
            f"Give {caller} a fallback for {callee} that does the same work ({work}): a second "
            f"endpoint of the same model on another instance type or in another region, "
            "declared as the call's fallback; a managed text model cannot stand in for it.",
        )
    elif not isinstance(doc, Stack):
        return manual(
            "add-model-fallback",
            finding,
            f"Give {caller} a fallback model for {callee}; a platform's fallback would share "
            "its quota across every team, so each team should choose its own.",
        )
    else:
        fallback = f"{callee}-fallback"[:63]
        regions = regions_of(ws, stack, callee_comp) if callee_comp is not None else None
        endpoint = ModelEndpoint(
            id=fallback,
            kind="model_endpoint",
            description=f"Managed fallback for {callee}: a smaller model, degraded but available",
            hosting=Hosting.BEDROCK,
            model=ModelInfo(name=FALLBACK_MODEL, pinned_version=FALLBACK_MODEL.rsplit("-", 1)[-1]),
            placement=Placement(regions=regions),
        )
        edits += ws.add(stack, ("components",), endpoint)
        how = f"a new Amazon Bedrock endpoint {fallback} ({FALLBACK_MODEL})"
    edits += ws.set(stack, ("components", caller, "depends_on", callee, "fallback"), fallback)
    text = f"{caller} falls back to {how} when {callee} is down or out of capacity."
    out = change("add-model-fallback", finding, text, edits)
    if out and not candidates:
        out += manual(
            "add-model-fallback",
            finding,
            f"Request a Bedrock quota for {fallback} that covers {callee}'s peak, and evaluate "
            "its answers on the golden set before relying on it.",
        )
    return out


ACTIONS: dict[str, Action] = {"add-model-fallback": add_model_fallback}
"""Model-fallback actions by id."""
