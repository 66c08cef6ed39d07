"""CG-TIM-006: callers wait at least as long as their callees' own timeouts and retries."""

from __future__ import annotations

from collections.abc import Iterator

from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.timeouts import CallBudget, TimeoutCheck, timeout_check, worst_case_ms
from cellguard.models.findings import Evidence, FailureCategory, Pillar, Severity
from cellguard.models.references import localise
from cellguard.rules.base import PythonRule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, failed, passed, unknown

META = RuleMeta(
    id="CG-TIM-006",
    title="Callers wait at least as long as their callees' own timeouts and retries",
    pillar=Pillar.TIMELY_OUTPUT,
    category=FailureCategory.EXCESSIVE_LATENCY,
    severity=Severity.MEDIUM,
    applies_to=("dependency",),
    rationale=(
        "Timeouts must shrink down the call chain. When a caller gives up on a callee before "
        "the callee's own calls could have timed out and been retried, the callee keeps "
        "working for nobody, the caller reports a failure that the callee might have turned "
        "into a success, and a caller that retries stacks new work on a system that is "
        "already slow. A callee that waits on a call without any timeout can outlast every "
        "caller. The callee's worst case is the sum of its blocking calls' timeout x attempts "
        "(plus one timeout for a fallback)."
    ),
    source=(
        "Amazon Builders' Library, 'Timeouts, retries, and backoff with jitter'; Google SRE "
        "Book, 'Addressing Cascading Failures' (deadline propagation)"
    ),
    remediation=(
        "Give each caller a per-attempt timeout longer than the callee's worst case (its "
        "timeouts x attempts), or shorten the callee's timeouts and retries to fit inside the "
        "caller's; propagate deadlines so a callee stops when its caller has given up; set "
        "timeout_ms on every call the callee makes."
    ),
    action="align-timeouts",
)


def _call(budget: CallBudget, stack: str) -> dict[str, Evidence]:
    return {
        "to": localise(budget.target, stack),
        "timeout_ms": budget.timeout_ms,
        "attempts": budget.attempts,
        "fallback": localise(budget.fallback, stack) if budget.fallback else None,
        "worst_ms": budget.worst_ms,
    }


def _slowest(result: TimeoutCheck) -> str:
    unbounded = [c.target for c in result.callee_calls if c.worst_ms is None]
    if unbounded:
        return unbounded[0]
    return max(result.callee_calls, key=lambda c: (c.worst_ms or 0.0, c.target)).target


def _judge(ctx: RuleContext, edge: DependencyEdge) -> Outcome | None:
    target = ctx.dependency_target(edge)
    stack = target.stack
    caller, callee = localise(edge.source, stack), localise(edge.target, stack)
    result = timeout_check(ctx.graph, edge)
    if result.callee_loaded and not result.callee_calls:
        return None  # nothing downstream of the callee to invert
    evidence: dict[str, Evidence] = {
        "caller_timeout_ms": edge.timeout_ms,
        "caller_attempts": edge.attempts,
        "callee_worst_case_ms": result.callee_worst_ms,
        "callee_calls": [_call(c, stack) for c in result.callee_calls],
        "unbounded_calls": [localise(t, stack) for t in result.unbounded_calls],
        "path": [edge.source, edge.target] + ([_slowest(result)] if result.callee_calls else []),
    }
    if not result.callee_loaded:
        return unknown(
            target,
            f"{callee} is in a document that is not loaded, so its own timeouts are unknown.",
            (),
            **evidence,
        )
    if edge.timeout_ms is None:
        return unknown(
            target,
            f"{caller} declares no timeout for {callee} (timeout_ms), so whether it outlasts "
            f"the calls {callee} makes is unknown (without one at all, see CG-TIM-001).",
            (),
            **evidence,
        )
    worst = result.callee_worst_ms
    if result.inverted:
        if worst is None:
            unbounded = ", ".join(localise(t, stack) for t in result.unbounded_calls)
            why = f"{callee} waits on {unbounded} without a timeout, so it can outlast any caller"
        else:
            why = f"the calls {callee} makes may take {worst:,.0f} ms before they give up"
        return failed(
            target,
            f"{caller} gives up on {callee} after {edge.timeout_ms:,} ms per attempt, but "
            f"{why}: the caller's timeout fires first and its work is wasted.",
            ("timeout_ms",),
            **evidence,
        )
    undeclared = [c for c in result.callee_calls if not c.retries_declared]
    upper = worst_case_ms(c.at_most() for c in result.callee_calls)
    if undeclared and (upper is None or edge.timeout_ms < upper):
        names = ", ".join(localise(c.target, stack) for c in undeclared)
        return unknown(
            target,
            f"{caller} waits {edge.timeout_ms:,} ms per attempt for {callee}, at least the "
            f"{worst or 0:,.0f} ms the calls it makes take without retries; {callee} does not "
            f"declare how often it retries {names} (retries), and with retries they may take "
            "longer.",
            ("timeout_ms",),
            **evidence,
        )
    return passed(
        target,
        f"{caller} waits {edge.timeout_ms:,} ms per attempt for {callee}, at least the "
        f"{worst or 0:,.0f} ms the calls it makes may take.",
        ("timeout_ms",),
        **evidence,
    )


def check(ctx: RuleContext) -> Iterator[Outcome]:
    """Judge every blocking call whose callee makes blocking calls of its own."""
    edges = list(ctx.graph.dependency_edges())
    edges += [e for e in ctx.graph.unresolved if isinstance(e, DependencyEdge)]
    for edge in edges:
        if not edge.blocking:
            continue
        outcome = _judge(ctx, edge)
        if outcome is not None:
            yield outcome


RULE = PythonRule(META, check)
