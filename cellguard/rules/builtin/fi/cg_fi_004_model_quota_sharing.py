"""CG-FI-004: model quotas are not shared across stacks or teams."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import Hosting, SharedDomainType
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.fi._helpers import (
    department,
    listing,
    not_shared,
    owned_by_platform,
    sharing,
    unresolved_outcomes,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, not_applicable, unknown
from cellguard.rules.predicates import MANAGED_HOSTING, MODEL_KINDS

META = RuleMeta(
    id="CG-FI-004",
    title="Model quotas are not shared across stacks or teams",
    pillar=Pillar.FAULT_ISOLATION,
    category=FailureCategory.SHARED_FATE,
    severity=Severity.MEDIUM,
    applies_to=("model_endpoint", "embedding_model", "stack"),
    rationale=(
        "Managed model quotas (tokens and requests per minute) are set per account, region and "
        "model. When several stacks or teams draw on one quota, one team's launch surge, retry "
        "storm or batch job throttles everyone else's journeys: a noisy neighbour turns into a "
        "shared outage, and gateway budgets are soft limits, not reservations. Two stacks calling "
        "the same Bedrock model in the same account and region share its on-demand quota even "
        "when neither says so."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL01-BP01 (scale and balance foundation "
        "model throughput as a function of utilization); Well-Architected Reliability Pillar REL "
        "1 (how do you manage service quotas and constraints?)"
    ),
    remediation=(
        "Give each stack a quota of its own: a separate account per stack or department, "
        "provisioned throughput, or hard per-team reservations enforced at the gateway; then "
        "declare quota.tokens_per_minute per stack, empty quota.shared_with, and take the model "
        "out of the shared account_quota domain."
    ),
    action="isolate-model-quota",
)


def _implicit_peers(ctx: RuleContext, qid: str, comp: HostedModelFields) -> list[str]:
    """Bedrock models of other documents with the same model, account and region."""
    if comp.hosting is not Hosting.BEDROCK or comp.model is None:
        return []
    mine = ctx.graph.placement(qid)
    stack = ctx.graph.stack_of(qid)
    peers: list[str] = []
    for other, candidate in ctx.components():
        if ctx.graph.stack_of(other) == stack or not isinstance(candidate, HostedModelFields):
            continue
        if candidate.hosting is not Hosting.BEDROCK or candidate.model is None:
            continue
        theirs = ctx.graph.placement(other)
        if (
            candidate.model.name == comp.model.name
            and theirs.account == mine.account
            and set(theirs.regions) & set(mine.regions)
        ):
            peers.append(other)
    return peers


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge the quota of every model, and every document calling models not loaded."""
    for qid, comp in ctx.components(*MODEL_KINDS):
        assert isinstance(comp, HostedModelFields)
        target = ctx.component_target(qid)
        quota = comp.quota
        share = sharing(ctx, qid, SharedDomainType.ACCOUNT_QUOTA)
        if comp.hosting not in MANAGED_HOSTING and quota is None and not share.domains:
            yield not_applicable(
                target,
                f"{target.id} runs on {comp.hosting.value} capacity, not under a declared "
                "managed-service quota.",
            )
            continue
        shared_with = [s for s in (quota.shared_with if quota else []) if s != target.stack]
        peers = _implicit_peers(ctx, qid, comp)
        stacks = sorted(set(share.stacks) | {ctx.graph.stack_of(p) for p in peers})
        departments = set(share.departments)
        for peer in peers:
            departments.add(department(ctx, ctx.graph.stack_of(peer)))
            departments.update(ctx.departments_of(peer))
        evidence: dict[str, Evidence] = {
            "tokens_per_minute": quota.tokens_per_minute if quota else None,
            "requests_per_minute": quota.requests_per_minute if quota else None,
            "shared_with": shared_with,
            "stacks": stacks,
            "departments": sorted(departments),
            "quota_domains": share.domains,
            "same_quota_in_other_stacks": peers,
        }
        consumers = set(stacks) | set(shared_with)
        if not owned_by_platform(ctx, target.stack):
            consumers.add(target.stack)
        how: list[str] = []
        if shared_with:
            how.append("as declared in quota.shared_with")
        elif share.peers and len(stacks) > 1:
            how.append(f"through quota domain {listing(share.domains)}")
        elif len(share.stacks) > 1:
            how.append("each calling it")
        if peers:
            how.append(
                f"{'and ' if how else 'as '}{listing(peers)} call the same model in the same "
                "account and region, which draws on the same on-demand quota"
            )
        if len(consumers) > 1:
            size = (
                f" ({quota.tokens_per_minute:,} tokens/min)"
                if quota and quota.tokens_per_minute
                else ""
            )
            depts = (
                f" of {len(departments)} departments ({listing(sorted(departments))})"
                if len(departments) > 1
                else ""
            )
            field = ("quota", "shared_with") if shared_with else ()
            yield failed(
                target,
                f"The quota of {target.id}{size} is shared by {len(consumers)} stacks or teams "
                f"({listing(sorted(consumers))}){depts}, {' '.join(how)}: one consumer's surge or "
                "retry storm throttles all of them.",
                field,
                **evidence,
            )
        elif quota is None and not share.domains:
            yield unknown(
                target,
                f"{target.id} is a managed model without a declared quota (quota): whether "
                "other stacks or teams draw on it cannot be judged.",
                ("quota",),
                **evidence,
            )
        elif quota is not None and not quota.sharing_declared and not share.domains:
            yield unknown(
                target,
                f"{target.id}'s quota does not say who else draws on it (quota.shared_with; [] "
                "when nobody does), and no other loaded stack is seen using it.",
                ("quota",),
                **evidence,
            )
        else:
            yield not_shared(ctx, target, stacks, f"The quota of {target.id}", evidence)
    yield from unresolved_outcomes(
        ctx, "any of them is a model whose quota is shared with other stacks"
    )


RULE = PythonRule(META, check)
