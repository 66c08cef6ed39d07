"""CG-TIM-007: retries along a journey's calls multiply load at most eight-fold."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.timeouts import (
    Amplification,
    Redelivery,
    journey_amplification,
    journey_redeliveries,
)
from cellguard.models.components.common import ServiceFields
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target, failed, passed, unknown

AMPLIFICATION_LIMIT = 8
"""Most load multiplication accepted along one path: one retry at each of three layers
(2 x 2 x 2). Two layers of three attempts (9x, the storm this rule exists for) fail."""

META = RuleMeta(
    id="CG-TIM-007",
    title="Retries along a journey's calls multiply load at most eight-fold",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.MEDIUM,
    applies_to=("journey",),
    rationale=(
        "Retries compose multiplicatively: when the deepest dependency of a path slows down, "
        "every layer above it times out and retries, so it receives the product of the "
        "attempts along the path. Three layers of three attempts send it 27 requests for "
        "every user request, exactly when it is least able to serve them, and latency grows "
        "with every round. Retrying at one layer, with a retry budget, keeps the factor small. "
        "A queue on the way to an awaited answer retries too: it redelivers a failing message "
        "up to its redrive policy's max_receive_count, and a visibility timeout shorter than "
        "the consumer's worst case hands the same message to a second consumer while the "
        "first still works, so each delivery may run twice. A caller that caps its retries with a retry budget (retries at most a share of its requests) or stops calling a failing dependency with a circuit breaker does not multiply a sustained failure: the path passes when its factor, counting such callers' calls as one attempt, is within the limit."
        ""
    ),
    source=(
        "Google SRE Book, 'Handling Overload' (retrying at one layer, per-request and per-client "
        "retry budgets); Amazon Builders' Library, 'Timeouts, retries, and backoff with jitter'"
    ),
    remediation=(
        "Retry at a single layer (usually the one nearest the user or the one nearest the "
        "failing dependency), set retries: 0 on the others, and cap retries with a retry "
        "budget and backoff with jitter. For a queue, declare a redrive policy with a small "
        "max_receive_count and a dead-letter queue, and set the visibility timeout above the "
        "consumer's worst case (timeouts x attempts of its calls)."
    ),
    action="limit-retries",
)


ROUTE_SHOWN = 6
"""Hops of a long path named in the message at each end; the evidence lists the whole path."""


def _route(hops: list[str], attempts: tuple[int, ...]) -> str:
    """``a -3x-> b -2x-> c``; a path of more than twice :data:`ROUTE_SHOWN` hops shows its
    first and last ones around ``... (N more hops) ...``."""
    steps = [f" -{n}x-> {hop}" for n, hop in zip(attempts, hops[1:], strict=True)]
    if len(steps) > 2 * ROUTE_SHOWN:
        hidden = len(steps) - 2 * ROUTE_SHOWN
        steps = [*steps[:ROUTE_SHOWN], f" ... ({hidden:,} more hops) ...", *steps[-ROUTE_SHOWN:]]
    return hops[0] + "".join(steps)


def _redelivered(queues: list[Redelivery], stack: str) -> str:
    """`` (questions redelivers up to 5 times, ...)`` for the queue hops, or nothing."""
    parts = []
    for q in queues:
        part = f"{localise(q.queue, stack)} delivers a failing message up to "
        part += (
            f"{q.deliveries} times" if q.deliveries is not None else "an unbounded number of times"
        )
        if q.duplicated:
            worst = (
                "unbounded"
                if q.consumer_worst_ms is None
                else f"{q.consumer_worst_ms / 1000:,.1f} s"
            )
            part += (
                f", twice each as its visibility timeout ({(q.visibility_ms or 0) / 1000:,.0f} s) "
                f"is below {localise(q.target, stack)}'s worst case ({worst})"
            )
        parts.append(part)
    return f" ({'; '.join(parts)})" if parts else ""


def _guard(ctx: RuleContext, qid: str) -> str | None:
    """The protection that stops ``qid``'s retries multiplying a sustained failure, if any."""
    comp = ctx.graph.component(qid)
    protections = comp.protections if isinstance(comp, ServiceFields) else None
    if protections is None:
        return None
    if protections.retry_budget:
        return "retry_budget"
    if protections.circuit_breaker:
        return "circuit_breaker"
    return None


def _bounded(
    ctx: RuleContext,
    target: Target,
    stack: str,
    journey_id: str,
    worst: Amplification,
    guarded: Amplification,
) -> Outcome:
    """PASS: the worst path's retries are capped by retry budgets or circuit breakers."""
    hops = [localise(q, stack) for q in worst.path]
    guards = {
        localise(q, stack): guard
        for q, n in zip(worst.path, worst.attempts, strict=False)
        if n > 1 and (guard := _guard(ctx, q)) is not None
    }
    named = ", ".join(f"{q} ({g.replace('_', ' ')})" for q, g in guards.items())
    return passed(
        target,
        f"Journey {journey_id} could multiply load {worst.text}-fold along "
        f"{_route(hops, worst.attempts)}, but {named} cap their retries under a sustained "
        f"failure: at most {guarded.text}x, within {AMPLIFICATION_LIMIT}x.",
        (),
        amplification=worst.figure,
        sustained_amplification=guarded.figure,
        limit=AMPLIFICATION_LIMIT,
        path=list(worst.path),
        attempts=list(worst.attempts),
        guards=guards,
        complete=guarded.complete,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge the worst path of every journey."""
    for stack, journey in ctx.journeys():
        target = ctx.journey_target(stack, journey.id)
        worst = journey_amplification(ctx.graph, stack, journey.id)
        hops = [localise(q, stack) for q in worst.path]
        route = _route(hops, worst.attempts)
        queues = journey_redeliveries(ctx.graph, stack, journey.id)
        undeclared = sorted({localise(q.queue, stack) for q in queues if q.deliveries is None})
        if worst.factor > AMPLIFICATION_LIMIT and not undeclared:
            guarded = journey_amplification(
                ctx.graph, stack, journey.id, lambda q: _guard(ctx, q) is not None
            )
            if guarded.factor <= AMPLIFICATION_LIMIT and guarded.complete:
                yield _bounded(ctx, target, stack, journey.id, worst, guarded)
                continue
        evidence: dict[str, Evidence] = {
            "amplification": worst.figure,
            "limit": AMPLIFICATION_LIMIT,
            "path": list(worst.path),
            "attempts": list(worst.attempts),
            "complete": worst.complete,
        }
        if queues:
            evidence["redelivery"] = [
                {
                    "queue": q.queue,
                    "consumer": q.target,
                    "max_receive_count": q.deliveries,
                    "visibility_timeout_ms": q.visibility_ms,
                    "consumer_worst_ms": q.consumer_worst_ms,
                    "duplicated": q.duplicated,
                    "factor": q.factor,
                }
                for q in queues
            ]
        if worst.factor > AMPLIFICATION_LIMIT:
            yield failed(
                target,
                f"Journey {journey.id} multiplies load {worst.text}-fold along {route}: "
                f"{worst.text} requests reach {hops[-1]} for every failing user request"
                + _redelivered(queues, stack)
                + ".",
                (),
                **evidence,
            )
        elif undeclared:
            yield unknown(
                target,
                f"Journey {journey.id} waits on {', '.join(undeclared)}, which declares no "
                "redrive policy (max_receive_count): a failing message is redelivered until it "
                f"expires, so its retry amplification is at least {worst.text}x.",
                (),
                **evidence,
            )
        elif not worst.complete:
            yield unknown(
                target,
                f"Journey {journey.id} calls into documents that are not loaded; its retry "
                f"amplification is at least {worst.text}x.",
                (),
                **evidence,
            )
        else:
            yield passed(
                target,
                f"Journey {journey.id}'s worst path multiplies load {worst.text}x"
                + (f" ({route})" if worst.attempts else "")
                + f", within {AMPLIFICATION_LIMIT}x.",
                (),
                **evidence,
            )


RULE = PythonRule(META, check)
