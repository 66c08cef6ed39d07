"""CG-TIM-008: the latency budget, queueing included, fits the journey's objectives."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.capacity import QUOTA, fleet
from cellguard.assessments.latency import LatencyRow, latency_row
from cellguard.models.enums import Interaction
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
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
        "meets it; and a GPU fleet at or above 100% utilisation has no finite wait at all. "
        "The budget uses derived figures (Erlang C queueing, prefill and decode from the GPU "
        "catalog) and, for the rest, assumed p99 priors. A journey fails only when the "
        "derived figures alone break the objective; assumed ones can only make it UNKNOWN."
    ),
    source=(
        "AWS Well-Architected Generative AI Lens GENPERF; Google SRE Workbook, 'Implementing SLOs'"
    ),
    remediation=(
        "Bring the budget under the objective: add GPU replicas until the queue is short, "
        "stream the model's answer, trim prompt tokens (prefill), run independent calls in "
        "parallel or cache them; if the budget relies on assumed latencies, measure the real "
        "p99 of those components."
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
) -> tuple[str, str]:
    """('FAIL'|'UNKNOWN'|'PASS', words) for one objective.

    An objective that is not set is UNKNOWN: the journey's latency is not judged, not fine. A
    budget within the objective is a PASS only when every GPU fleet on the path knows all of
    its demand (``partial`` lists those that do not: their queue is a lower bound).
    """
    if objective is None:
        return "UNKNOWN", f"{label} has no objective"
    if row.saturated:
        names = ", ".join(localise(q, row.stack) for q in row.saturated)
        return "FAIL", f"{label}: {names} is saturated at peak, so its queue grows without bound"
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
    return "PASS", f"{label} of {_ms(budget)} is within {_ms(objective)}"


def _partial_fleets(ctx: RuleContext, row: LatencyRow) -> list[str]:
    """GPU fleets on the journey's path whose demand leaves out journeys (their queue, and so
    the budget, is then a lower bound)."""
    found = []
    for qid in row.critical_path:
        model = fleet(ctx.graph, qid)
        if model is not None and model.row.basis != QUOTA and not model.row.demand_complete:
            found.append(localise(qid, row.stack))
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
            )
        )
        statuses = {status for status, _ in verdicts}
        words = "; ".join(text for _, text in verdicts)
        path = " -> ".join(localise(q, stack) for q in row.critical_path)
        field = ("objectives",)
        if "FAIL" in statuses:
            yield failed(target, f"Journey {journey.id}: {words} (via {path}).", field, **evidence)
        elif "UNKNOWN" in statuses:
            yield unknown(target, f"Journey {journey.id}: {words}.", field, **evidence)
        else:
            yield passed(target, f"Journey {journey.id}: {words} (via {path}).", field, **evidence)


RULE = PythonRule(META, check)
