"""CG-RED-006: the recovery region offers every model the journey needs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from cellguard.assessments.startup import runs_on_gpu_nodes
from cellguard.models.components import ComponentBase
from cellguard.models.components.startup import Startup
from cellguard.models.enums import BackupScope, DataContent, DrStrategy, Hosting, RegionRole
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise, qualify
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.red._helpers import backup_scopes, has_copy
from cellguard.rules.builtin.red._recovery_gpus import region_gpus
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, passed, unknown
from cellguard.rules.predicates import DATA_KINDS, MODEL_KINDS, hosting

META = RuleMeta(
    id="CG-RED-006",
    title="The recovery region offers every model the journey needs",
    pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "Failing over to a recovery region only works if every model the journeys call can "
        "serve there. A model not already serving in the region needs three things, and the "
        "finding names the one that is missing or unknown: its artefacts there (custom, "
        "fine-tuned models exist only where they were created or copied: the store holding them, "
        "its start-up weights source or a store with contents model_artifacts, must run or be "
        "replicated there), serving capacity present (an endpoint running there), or else "
        "capacity obtainable within the journeys' RTO (GPUs held or bought there, "
        "capacity.recovery_purchase, plus the start-up time; GPUs bought during the outage are "
        "not guaranteed when a whole region's customers fail over at once). Managed base models "
        "are offered in some regions and not others."
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


def _artefact_stores(ctx: RuleContext, qid: str) -> list[str]:
    """Stores the model's artefacts come from: its start-up weights source and the data stores
    it calls that hold ``model_artifacts`` (qualified ids, sorted)."""
    stores: set[str] = set()
    startup = getattr(ctx.graph.component(qid), "startup", None)
    weights = startup.weights if isinstance(startup, Startup) else None
    if weights is not None and weights.component is not None:
        stores.add(qualify(weights.component, ctx.graph.stack_of(qid)))
    for edge in ctx.graph.dependencies(qid):
        if ctx.graph.kind(edge.target) not in DATA_KINDS:
            continue
        contents = getattr(ctx.graph.component(edge.target), "contents", None) or []
        if DataContent.MODEL_ARTIFACTS in contents:
            stores.add(edge.target)
    return sorted(stores)


def _copied_to(ctx: RuleContext, store: str, region: str) -> bool | None:
    """Whether ``store`` runs in ``region`` or has a cross-region copy (there or anywhere:
    ``replication.regions`` names it, or the copy's region is not stated); unknown (``None``)
    when the store is declared in a document that is not loaded."""
    try:
        comp = ctx.graph.component(store)
        own = ctx.graph.placement(store).regions
    except KeyError:
        return None
    if region in own:
        return True
    repl = getattr(comp, "replication", None)
    targets = list(getattr(repl, "regions", None) or [])
    scopes = backup_scopes(comp) or []
    if targets and region not in targets and BackupScope.CROSS_REGION.value not in scopes:
        return False
    return has_copy(comp, BackupScope.CROSS_REGION, own)


@dataclass
class _Gaps:
    """What the model lacks in one recovery region, in words and as evidence."""

    fails: list[str] = field(default_factory=list)
    unknowns: list[str] = field(default_factory=list)
    oks: list[str] = field(default_factory=list)
    artefacts: bool | None = None
    obtainable: bool | None = None
    evidence: dict[str, Evidence] = field(default_factory=dict)


def _artefacts(ctx: RuleContext, qid: str, tuned: bool | None, region: str, gaps: _Gaps) -> None:
    """Are the model's artefacts in ``region``? A custom model's exist only where they were
    created or copied; a base model's public weights can be fetched anywhere, unless the model
    starts from a store of the stack that has no copy there."""
    stack = ctx.graph.stack_of(qid)
    stores = _artefact_stores(ctx, qid)
    names = [localise(s, stack) for s in stores]
    gaps.evidence["artefact_stores"] = names
    copies = {name: _copied_to(ctx, s, region) for s, name in zip(stores, names, strict=True)}
    missing = [n for n, ok in copies.items() if ok is False]
    undeclared = [n for n, ok in copies.items() if ok is None]
    if missing:
        gaps.artefacts = False
        gaps.fails.append(f"its artefacts in {', '.join(missing)} have no copy in {region}")
    elif undeclared:
        gaps.unknowns.append(
            f"whether its artefacts in {', '.join(undeclared)} have a copy in {region} is "
            "unknown (backups, replication)"
        )
    elif names:
        gaps.artefacts = True
        gaps.oks.append(f"its artefacts are replicated to {region} ({', '.join(names)})")
    elif tuned:
        gaps.artefacts = False
        gaps.fails.append(
            f"no copy of its artefacts in {region} is declared (custom models exist only where "
            "they were created or copied; name the store that holds them with contents "
            "[model_artifacts])"
        )
    elif tuned is None:
        gaps.unknowns.append(
            "whether it is a custom model whose artefacts must be copied is unknown "
            "(model.fine_tuned)"
        )
    else:
        gaps.artefacts = True
        gaps.oks.append("its base weights can be fetched there")


def _capacity(ctx: RuleContext, qid: str, comp: ComponentBase, region: str, gaps: _Gaps) -> None:
    """Can serving capacity be obtained and started in ``region`` within the journeys' RTO?"""
    rtos = [
        (j.objectives.rto_minutes, j.id)
        for _, j in ctx.journeys_of(qid)
        if j.objectives.rto_minutes is not None
    ]
    if not runs_on_gpu_nodes(comp):
        gaps.unknowns.append(f"whether serving capacity can be created in {region} is not judged")
        return
    gpus = region_gpus(comp, ctx.component_target(qid).id, region)
    gaps.evidence.update(gpus.evidence)
    rto, journey = min(rtos) if rtos else (None, "")
    gaps.evidence["rto_minutes"] = rto
    if gpus.minutes is None:
        within = f"the {rto:g}-min RTO of {journey}" if rto is not None else "the RTO"
        gaps.unknowns.append(
            f"whether its GPUs can be obtained there within {within} is unknown ({gpus.lacking})"
        )
    elif rto is None:
        gaps.unknowns.append(
            f"{gpus.how}, and no journey using it sets an RTO (objectives.rto_minutes)"
        )
    elif gpus.minutes > rto:
        gaps.obtainable = False
        gaps.fails.append(f"{gpus.how}, beyond the {rto:g}-min RTO of {journey}")
    elif not gpus.start_known:
        gaps.unknowns.append(
            f"{gpus.how}, and its start-up time is unknown (serving.cold_start_seconds)"
        )
    else:
        gaps.obtainable = True
        block = " (while a Capacity Block is active there)" if gpus.capacity_block else ""
        gaps.oks.append(f"{gpus.how}{block}, within the {rto:g}-min RTO of {journey}")


def _gap_evidence(gaps: _Gaps) -> dict[str, Evidence]:
    """The three conditions of a recovery region and which of them is missing or unknown."""
    conditions: dict[str, bool | None] = {
        "artefacts replicated": gaps.artefacts,
        "serving capacity present": False,
        "capacity obtainable within RTO": gaps.obtainable,
    }
    return {
        "artefacts_replicated": gaps.artefacts,
        "serving_present": False,
        "obtainable_within_rto": gaps.obtainable,
        "missing": [k for k, v in conditions.items() if v is False],
        "unknown": [k for k, v in conditions.items() if v is None],
    }


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
                serving_present=True,
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
        if served_by is Hosting.BEDROCK and not tuned:
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
        yield _judge_gaps(ctx, qid, comp, tuned, missing, evidence)


def _judge_gaps(
    ctx: RuleContext,
    qid: str,
    comp: ComponentBase,
    tuned: bool | None,
    missing: list[str],
    evidence: dict[str, Evidence],
) -> Outcome:
    """A model not serving in a recovery region: its artefacts must be there and serving
    capacity obtainable within the RTO; the message names what is missing."""
    target = ctx.component_target(qid)
    fails: list[str] = []
    unknowns: list[str] = []
    oks: list[str] = []
    for region in missing:
        gaps = _Gaps()
        _artefacts(ctx, qid, tuned, region, gaps)
        _capacity(ctx, qid, comp, region, gaps)
        fails += gaps.fails
        unknowns += gaps.unknowns
        oks += gaps.oks
        evidence.update(gaps.evidence)
        evidence.update(_gap_evidence(gaps))
    kind = "fine-tuned" if tuned else "base" if tuned is False else "model.fine_tuned unset"
    head = (
        f"{target.id} ({kind}) has no endpoint serving it in the recovery region "
        f"{', '.join(missing)} (it runs in {', '.join(ctx.graph.placement(qid).regions) or 'no stated region'})"
    )
    field_ = ("placement", "regions")
    problems = fails or unknowns
    if problems:
        judged = "; ".join(oks) + ", but " if oks else ""
        text = f"{head}: {judged}" + "; ".join(problems) + "."
        return (failed if fails else unknown)(target, text, field_, **evidence)
    return passed(
        target,
        f"{head}, but it can be recovered there: " + "; ".join(oks) + ".",
        field_,
        **evidence,
    )


RULE = PythonRule(META, check)
