"""CG-TIM-008: the latency budget, queueing included, fits the journey's objectives."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from cellguard.assessments.capacity import QUOTA, fleet
from cellguard.assessments.latency import LatencyRow, latency_row
from cellguard.models.enums import Interaction
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.builtin.cap._capacity import missing_text, percent, quota_gaps, rate
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-TIM-008",
    title="The latency budget, queueing included, fits the journey's objectives",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.MEDIUM,
    applies_to=("journey",),
    rationale=(
        "A journey's time to first token and end-to-end latency are the sum of what its "
        "calls take: guardrail, retrieval, the queue in front of the GPUs, prefill and "
        "decoding. When that sum exceeds the objective at peak, no tuning of one component "
        "meets it; a GPU fleet at or above 100% utilisation has no finite wait at all, and "
        "neither has a managed model whose known peak demand reaches its quota: the provider "
        "throttles the excess and the callers' retries add to it. The budget uses derived "
        "figures (the Erlang C wait for a batch slot, prefill and decode from the GPU catalog, "
        "contention counted once as the slower decode step) and, for the rest, assumed p99 "
        "priors. A journey fails only when the derived figures alone break the objective or a "
        "call on its path is saturated; assumed ones can only make it UNKNOWN, and so does a "
        "managed model on the path whose quota is not known in full (no quota, a limit or who "
        "shares it left out, demand the spec leaves out): its calls may be throttled."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENPERF; Google SRE Workbook, 'Implementing SLOs'"
    ),
    remediation=(
        "Bring the budget under the objective: add GPU replicas until the queue is short, "
        "stream the model's answer, trim prompt tokens (prefill), run independent calls in "
        "parallel or cache them; raise the quota of a managed model the journeys exceed "
        "(CG-CAP-013); if the budget relies on assumed latencies, measure the real p99 of "
        "those components."
    ),
    action="fit-latency-budget",
)


def _ms(value: float) -> str:
    return f"{value:,.0f} ms"


def _judge(
    label: str,
    budget: float | None,
    derived: float,
    objective: int | None,
    row: LatencyRow,
    partial: list[str],
    saturation: str = "",
    quotas: Sequence[str] = (),
) -> tuple[str, str]:
    """('FAIL'|'UNKNOWN'|'PASS', words) for one objective.

    An objective that is not set is UNKNOWN: the journey's latency is not judged, not fine. A
    budget within the objective is a PASS only when every GPU fleet on the path knows all of
    its demand (``partial`` lists those that do not: their queue is a lower bound) and every
    managed model on it is known to stay within its quota (``quotas`` says why one is not).
    A model at or over its quota makes the journey *saturated* (``saturation`` says so with
    the figures): a FAIL, since the known demand alone exceeds the quota.
    """
    if objective is None:
        return "UNKNOWN", f"{label} has no objective"
    if row.saturated:
        return "FAIL", f"{label}: {saturation}"
    if derived > objective:
        return "FAIL", f"{label} of at least {_ms(derived)} exceeds the {_ms(objective)} objective"
    if budget is None:
        unknown_ = ", ".join(localise(q, row.stack) for q in row.unknown)
        return "UNKNOWN", f"{label} is unknown: no latency figure for {unknown_}"
    if budget > objective:
        return (
            "UNKNOWN",
            f"{label} of {_ms(budget)} exceeds the {_ms(objective)} objective only with "
            "assumed latencies",
        )
    if partial:
        return (
            "UNKNOWN",
            f"{label} of {_ms(budget)} is within {_ms(objective)} only for the demand declared "
            f"(the queue at {', '.join(partial)} leaves out journeys without peak_rps and "
            "output_tokens)",
        )
    if quotas:
        return (
            "UNKNOWN",
            f"{label} of {_ms(budget)} is within {_ms(objective)} only if no call is "
            f"throttled ({'; '.join(quotas)})",
        )
    return "PASS", f"{label} of {_ms(budget)} is within {_ms(objective)}"


def _saturation(ctx: RuleContext, row: LatencyRow) -> tuple[str, list[Evidence]]:
    """Why the saturated components of ``row`` have no finite wait, in words with their
    figures, and the figures of those over a quota (evidence ``over_quota``)."""
    queues: list[str] = []
    quotas: list[str] = []
    figures: list[Evidence] = []
    for qid in row.saturated:
        name = localise(qid, row.stack)
        model = fleet(ctx.graph, qid)
        if model is None or model.row.basis != QUOTA:
            queues.append(name)
            continue
        cap = model.row
        data = cap.to_json()
        figures.append(
            {
                "component": qid,
                **{
                    k: data[k]
                    for k in (
                        "unit",
                        "demand",
                        "supply",
                        "utilisation",
                        "retried_demand",
                        "utilisation_with_retries",
                        "shared_with",
                    )
                },
            }
        )
        shared = f", shared with {', '.join(cap.shared_with)}" if cap.shared_with else ""
        text = (
            f"{name} is over its quota at peak ({rate(cap.demand or 0.0, cap.unit)} is "
            f"{percent(cap.utilisation or 0.0)} of {rate(cap.supply or 0.0, cap.unit)}{shared}"
        )
        if cap.retried_demand and cap.utilisation_with_retries:
            text += (
                f"; with the callers' retries of throttled calls "
                f"{rate(cap.retried_demand, cap.unit)}, {percent(cap.utilisation_with_retries)}"
            )
        quotas.append(text + "), so its calls are throttled")
    words = list(quotas)
    if queues:
        words.append(f"{', '.join(queues)} is saturated at peak, so its queue grows without bound")
    return "; ".join(words), figures


def _partial_fleets(ctx: RuleContext, row: LatencyRow) -> list[str]:
    """GPU fleets on the journey's path whose demand leaves out journeys (their queue, and so
    the budget, is then a lower bound)."""
    found = []
    for qid in row.critical_path:
        model = fleet(ctx.graph, qid)
        if model is not None and model.row.basis != QUOTA and not model.row.demand_complete:
            found.append(localise(qid, row.stack))
    return found


def _open_quotas(ctx: RuleContext, row: LatencyRow) -> list[str]:
    """Managed models on the journey's path under a quota whose known demand stays below it
    but which may still be throttled: no quota declared, demand the spec leaves out, or a
    quota that leaves out a limit or who shares it (a budget within the objective is then
    not proven: the call may be throttled)."""
    found = []
    for qid in row.critical_path:
        model = fleet(ctx.graph, qid)
        if model is None or model.row.basis != QUOTA or qid in row.saturated:
            continue
        if model.row.supply is None:
            name = localise(qid, row.stack)
            if getattr(ctx.graph.component(qid), "quota", None) is None:
                found.append(f"{name} declares no quota")
            else:
                found.append(f"the quota of {name} is not checked: {missing_text(model.row)}")
        elif not model.row.demand_complete:
            found.append(f"the demand on the quota of {localise(qid, row.stack)} is incomplete")
        elif gaps := quota_gaps(ctx.graph.component(qid)):  # issue 15 item 2
            found.append(f"the quota of {localise(qid, row.stack)} leaves out {'; '.join(gaps)}")
    return found


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every journey's TTFT and end-to-end latency against its objectives (a batch
    journey has no first token to wait for: only its end-to-end latency is judged)."""
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        row = latency_row(ctx.graph, stack, journey.id)
        data = row.to_json()
        evidence: dict[str, Evidence] = {
            key: data[key]
            for key in (
                "ttft_budget_ms",
                "ttft_derived_ms",
                "ttft_objective_ms",
                "ttft_slack_ms",
                "e2e_budget_ms",
                "e2e_derived_ms",
                "e2e_objective_ms",
                "e2e_slack_ms",
                "queueing_p99_ms",
                "critical_path",
                "assumed",
                "unknown",
                "saturated",
                "model_sources",
            )
        }
        partial = _partial_fleets(ctx, row)
        if partial:
            evidence["demand_incomplete_at"] = list(partial)
        saturation, over_quota = _saturation(ctx, row)
        if over_quota:
            evidence["over_quota"] = over_quota
        quotas = _open_quotas(ctx, row)
        if quotas:
            evidence["quota_unproven"] = list(quotas)
        verdicts = []
        if journey.interaction is not Interaction.BATCH or row.ttft_objective_ms is not None:
            verdicts.append(
                _judge(
                    "time to first token",
                    row.ttft_budget_ms,
                    row.ttft_derived_ms,
                    row.ttft_objective_ms,
                    row,
                    partial,
                    saturation,
                    quotas,
                )
            )
        verdicts.append(
            _judge(
                "end-to-end latency",
                row.e2e_budget_ms,
                row.e2e_derived_ms,
                row.e2e_objective_ms,
                row,
                partial,
                saturation,
                quotas,
            )
        )
        statuses = {status for status, _ in verdicts}
        words = "; ".join(text for _, text in verdicts)
        both = len(verdicts) == 2 and all(t.endswith(f": {saturation}") for _, t in verdicts)
        if row.saturated and both:
            words = f"time to first token and end-to-end latency: {saturation}"
        path = " -> ".join(localise(q, stack) for q in row.critical_path)
        field = ("objectives",)
        if "FAIL" in statuses:
            yield failed(target, f"Journey {journey.id}: {words} (via {path}).", field, **evidence)
        elif "UNKNOWN" in statuses:
            yield unknown(target, f"Journey {journey.id}: {words}.", field, **evidence)
        else:
            yield passed(target, f"Journey {journey.id}: {words} (via {path}).", field, **evidence)


RULE = PythonRule(META, check)
