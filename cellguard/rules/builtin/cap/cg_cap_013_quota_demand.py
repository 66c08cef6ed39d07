"""CG-CAP-013: model quotas cover peak demand, teams sharing them and traffic failing over."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cellguard.assessments.capacity import CapacityRow, Fleet, rounded
from cellguard.assessments.demand import journeys_reaching
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.timeouts import Redelivery, journey_redeliveries
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._capacity import (
    judge_fleets,
    missing_text,
    percent,
    quota_gaps,
    rate,
    row_evidence,
)
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, passed, unknown

META = RuleMeta(
    id="CG-CAP-013",
    title="Model quotas cover peak demand, the teams sharing them and failover traffic",
    pillar=Pillar.SUFFICIENT_CAPACITY,
    category=FailureCategory.EXCESSIVE_LOAD,
    severity=Severity.HIGH,
    applies_to=("model_endpoint", "embedding_model"),
    rationale=(
        "A tokens- or requests-per-minute quota is a hard ceiling: above it the provider "
        "answers with throttling errors, whatever the journey's tier. Every journey that "
        "reaches the model draws on it, including other teams' journeys when the quota is "
        "shared, and a fallback model's quota must also absorb the traffic its primary can "
        "no longer carry after losing a zone or its region. Peak demand should stay within "
        "80% of the quota; with failover traffic added, within the quota itself. Above the "
        "quota, callers that retry throttled calls (the retries they declare) offer more load "
        "still, and the journeys' latency budgets fail (CG-TIM-008)."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENREL01-BP01; Well-Architected Reliability "
        "Pillar REL01-BP01 (aware of service quotas and constraints)"
    ),
    remediation=(
        "Request a quota increase or provisioned throughput sized for peak (and for the "
        "failover traffic of the models that fall back to this one), give each team its own "
        "quota, or spread load with a cross-region inference profile; declare the quota and "
        "every team sharing it under quota."
    ),
    action="raise-model-quota",
)

FIELDS = (
    "unit",
    "demand",
    "failover_demand",
    "supply",
    "utilisation",
    "target_utilisation",
    "shared_with",
    "retried_demand",
    "utilisation_with_retries",
    "journeys",
)


def _failover_utilisation(row: CapacityRow) -> float | None:
    if row.supply is None or row.supply <= 0 or row.failover_demand is None:
        return None
    return ((row.demand or 0.0) + row.failover_demand) / row.supply


def _redelivered(graph: StackGraph, qid: str) -> list[Redelivery]:
    """Queue hops of the journeys reaching ``qid`` whose consumer calls it (directly or not):
    a message that fails there, throttled, is delivered again (:mod:`..timeouts`)."""
    found: dict[tuple[str, str], Redelivery] = {}
    for stack, journey_id in journeys_reaching(graph, qid):
        route = graph.route(stack, journey_id)
        for hop in journey_redeliveries(graph, stack, journey_id):
            pending, seen = [hop.target], {hop.target}
            while pending:
                node = pending.pop()
                if node == qid:
                    found[(hop.queue, hop.target)] = hop
                    break
                for e in graph.dependencies(node):
                    if route.takes(e) and e.target not in seen:
                        seen.add(e.target)
                        pending.append(e.target)
    return [found[k] for k in sorted(found)]


def _judge(
    target: Target,
    model: Fleet,
    is_fallback: bool,
    undeclared: list[str],
    redelivered: Sequence[Redelivery] = (),
) -> Iterator[Outcome]:
    """Judge one quota against the demand on it, failover included; a quota that leaves out
    what a PASS needs (``undeclared``) cannot PASS. Queues upstream that redeliver a throttled
    message (``redelivered``) are named: throttling then feeds itself."""
    row = model.row
    with_failover = _failover_utilisation(row)
    evidence: dict[str, Evidence] = row_evidence(row, *FIELDS)
    evidence["utilisation_with_failover"] = rounded(with_failover, 3)
    evidence["missing"] = list(row.missing)
    if redelivered:
        evidence["redelivered_by"] = [
            {"queue": h.queue, "max_receive_count": h.deliveries, "factor": h.factor}
            for h in redelivered
        ]
    demand = rate(row.demand or 0.0, row.unit)
    shared = f", shared with {', '.join(row.shared_with)}" if row.shared_with else ""
    if row.supply is None or row.utilisation is None:
        yield unknown(
            target,
            f"{target.id} carries {demand} at peak but the spec lacks {missing_text(row)}.",
            ("quota",),
            **evidence,
        )
        return
    quota = f"its quota of {rate(row.supply, row.unit)}{shared}"
    problems = []
    if row.utilisation > row.target_utilisation:
        problems.append(
            f"peak demand of {demand} is {percent(row.utilisation)} of {quota} (target "
            f"{percent(row.target_utilisation)})"
        )
    if with_failover is not None and with_failover > 1 and row.failover_demand:
        problems.append(
            f"traffic failing over to it ({rate(row.failover_demand, row.unit)}) takes "
            f"it to {percent(with_failover)} of {quota if not problems else 'the quota'}"
        )
    if row.retried_demand and row.utilisation_with_retries and problems:
        attempts = row.throughput_basis.get("most_attempts")
        problems.append(
            f"its callers retry the throttled calls (up to {attempts} attempts), which "
            f"offers {rate(row.retried_demand, row.unit)}, {percent(row.utilisation_with_retries)}"
            " of the quota"
        )
    if redelivered and problems:
        queues = ", ".join(
            f"{localise(h.queue, target.stack)} (up to "
            + (f"{h.factor}x)" if h.deliveries is not None else "until it expires)")
            for h in redelivered
        )
        problems.append(f"each throttled message is delivered again by {queues}")
    if problems:
        yield failed(
            target,
            f"{target.id} will be throttled: {'; '.join(problems)}.",
            ("quota",),
            **evidence,
        )
    elif not row.demand_complete or (row.failover_demand is None and is_fallback) or undeclared:
        gaps = list(row.missing)
        if row.failover_demand is None and is_fallback:
            gaps.append("the failover demand of the models falling back to it")
        gaps += undeclared
        yield unknown(
            target,
            f"{target.id} runs at {percent(row.utilisation)} of {quota} for the demand "
            f"known, but the spec lacks {'; '.join(gaps)}.",
            ("quota",),
            **evidence,
        )
    elif not row.demand and not row.failover_demand:
        yield passed(
            target,
            f"{target.id} carries no journey's peak directly and no traffic fails over to "
            f"it after a zone or region loss of its primaries; {quota} is spare.",
            ("quota",),
            **evidence,
        )
    else:
        failover = (
            f", {percent(with_failover)} with failover traffic"
            if with_failover is not None and row.failover_demand
            else ""
        )
        yield passed(
            target,
            f"{target.id} runs at {percent(row.utilisation)} of {quota} at peak{failover}.",
            ("quota",),
            **evidence,
        )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every model under a managed-service quota."""
    fallbacks = {e.target for e in ctx.graph.fallback_edges()}

    yield from judge_fleets(
        ctx,
        lambda target, model: _judge(
            target,
            model,
            model.row.qid in fallbacks,
            quota_gaps(ctx.graph.component(model.row.qid)),
            _redelivered(ctx.graph, model.row.qid),
        ),
        quota=True,
        elsewhere="{target} runs on the team's GPUs (CG-CAP-011).",
    )


RULE = PythonRule(META, check)
