"""CG-RED-006: the recovery region offers every model the journey needs."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components import ComponentBase
from cellguard.models.enums import DrStrategy, Hosting, RegionRole
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import MODEL_KINDS, hosting

META = RuleMeta(
    id="CG-RED-006",
    title="The recovery region offers every model the journey needs",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "Failing over to a recovery region only works if every model the journeys call exists "
        "there. Custom (fine-tuned) models exist only where they were created or copied to, and "
        "need an endpoint, instance quota and GPU capacity of their own in that region; managed "
        "base models are offered in some regions and not others; self-hosted models need GPUs "
        "that are not guaranteed to be available when a whole region's customers fail over at once."
    ),
    source="Generative AI Lens GENREL05 (distributed availability)",
    remediation=(
        "Deploy (or copy) each model into the recovery region and list it in the model's "
        "placement.regions: copy custom models and their artifacts, create the endpoint and "
        "raise its instance quota there; check that managed models are offered in the recovery "
        "region; reserve GPU capacity there for self-hosted models."
    ),
    action="deploy-model-in-recovery-region",
)


def _recovery_regions(ctx: RuleContext, qid: str) -> list[str]:
    """Recovery regions of the model's own document and of every stack whose journeys use it:
    ``practices.disaster_recovery.recovery_region`` and the regions whose ``role`` is recovery."""
    stacks = {ctx.graph.stack_of(qid)} | {stack for stack, _ in ctx.journeys_of(qid)}
    found = set()
    for name in stacks:
        doc = ctx.document(name)
        region = doc.practices.disaster_recovery.recovery_region
        if region is not None:
            found.add(region)
        found.update(r.name for r in doc.topology.regions if r.role is RegionRole.RECOVERY)
    return sorted(found)


def _without_dr_decision(ctx: RuleContext, qid: str) -> list[str]:
    """Stacks using the model that name no recovery region and do not declare ``strategy:
    none`` either (sorted)."""
    stacks = {ctx.graph.stack_of(qid)} | {stack for stack, _ in ctx.journeys_of(qid)}
    silent = []
    for name in sorted(stacks):
        doc = ctx.document(name)
        dr = doc.practices.disaster_recovery
        if dr.recovery_region is None and dr.strategy is not DrStrategy.NONE:
            silent.append(name)
    return silent


def _fine_tuned(comp: ComponentBase) -> bool | None:
    model = getattr(comp, "model", None)
    return model.fine_tuned if model is not None else None


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model endpoint and embedding model of a stack with a recovery region."""
    for qid, comp in ctx.components(*MODEL_KINDS):
        target = ctx.component_target(qid)
        recovery = _recovery_regions(ctx, qid)
        if not recovery:
            silent = _without_dr_decision(ctx, qid)
            if silent:
                yield unknown(
                    target,
                    f"No stack using {target.id} declares a recovery region, and "
                    f"{', '.join(silent)} do not say they have none "
                    "(practices.disaster_recovery: recovery_region, or strategy none), so "
                    "whether the model is there after a regional failover is unknown.",
                    (),
                    recovery_regions=[],
                    undecided=silent,
                )
            else:
                yield not_applicable(
                    target, f"No stack using {target.id} fails over to another region."
                )
            continue
        placed = list(ctx.graph.placement(qid).regions)
        missing = [r for r in recovery if r not in placed]
        served_by = hosting(comp)
        tuned = _fine_tuned(comp)
        evidence: dict[str, Evidence] = {
            "recovery_regions": recovery,
            "regions": placed,
            "hosting": served_by.value if served_by else None,
            "fine_tuned": tuned,
        }
        if not missing:
            yield passed(
                target,
                f"{target.id} already runs in the recovery region ({', '.join(recovery)}).",
                ("placement", "regions"),
                **evidence,
            )
            continue
        where = ", ".join(missing)
        if served_by is Hosting.EXTERNAL_API:
            yield passed(
                target,
                f"{target.id} is served by an external provider, independent of our regions; "
                f"it is reachable from {where}.",
                ("hosting",),
                **evidence,
            )
            continue
        if tuned:
            yield failed(
                target,
                f"{target.id} is a fine-tuned model that does not run in the recovery region "
                f"{where}: custom models exist only where they were created or copied, so "
                "failover there has no model to serve.",
                ("placement", "regions"),
                **evidence,
            )
            continue
        if served_by is Hosting.BEDROCK:
            profile = (
                " (it uses a cross-region inference profile, which may cover it)"
                if getattr(comp, "cross_region_inference", None)
                else ""
            )
            yield unknown(
                target,
                f"{target.id} is not placed in the recovery region {where}; whether the managed "
                f"model is offered there is unknown{profile}: cellguard has no model-availability "
                "catalog yet. Add the region to placement.regions once confirmed.",
                ("placement", "regions"),
                **evidence,
            )
            continue
        kind = "fine-tuned or base (model.fine_tuned unset)" if tuned is None else "base"
        yield unknown(
            target,
            f"{target.id} ({kind} model, {served_by.value if served_by else 'unknown hosting'}) "
            f"does not run in the recovery region {where}: its weights can be deployed there, "
            "but GPU capacity and instance quota in that region are not guaranteed.",
            ("placement", "regions"),
            **evidence,
        )


RULE = PythonRule(META, check)
