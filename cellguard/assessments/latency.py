"""Latency budget of every journey: time to first token and end to end, against its objectives.

The budget walks the journey's required, blocking calls from the entrypoint (the calls that
decide whether it succeeds; optional calls are taken to be cached or cut short by their small
timeouts, and async work is not waited for), only those of its ``route`` when it declares one.
A journey awaiting an asynchronously produced answer (``answer``) also waits for the required
calls on the way to the answer's producer, a queue's p99 wait among them
(:mod:`.queue_wait`: Erlang C from the consumers' concurrency, the message rate and the
consumer's time), and then for the channel that carries the answer back (its own time, last
on the critical path). Over a push channel (``delivery`` websocket, subscription or stream)
the first token reaches the user with the producer's first token; otherwise with the whole
answer. A call that fewer than 1% of the journey's requests reach (its route's shares) does
not move the p99 and stays out. A component's time is its own plus its calls':

* **calls are sequential** by default: an orchestrator checks the guardrail, then retrieves,
  then generates, so the times add up. ``parallel=True`` takes the slowest call instead, for
  a caller known to fan out in parallel;
* **time to first token**: a streamed call (``mode: stream``) contributes the callee's time to
  first token; any other call its full time, since nothing reaches the user before it returns;
* **self-hosted and SageMaker models** (derived): the p99 wait for a batch slot, prefill of
  the journey's input tokens at the GPU's compute rate, and output tokens x time per token
  (the bandwidth-bound decode step, or the loaded step ``utilisation x concurrency / replica
  throughput`` if slower). A fleet whose queue is unstable at peak (utilisation >= 1) has no
  finite budget: it is *saturated*;
* **contention is counted once.** A serving engine batches continuously: a request joins the
  running batch as soon as one of the replica's ``concurrency`` slots is free, and from then
  on shares the replica's throughput with the others, so contention shows as a slower decode
  step (the loaded step above), not as a wait. The only wait is for a slot when all of them
  are taken: Erlang C over ``replicas x concurrency`` slots, each held for a full batch's
  time per request (``mean output tokens x concurrency / replica throughput``), which drains
  at the fleet's throughput and so saturates exactly where the utilisation reaches 1
  (:mod:`capacity`). The wait at the fleet's throughput with one request per replica (Erlang
  C over ``replicas`` servers, each serving a request at the replica's whole throughput) is
  the other way of counting the same contention: adding it to the loaded step counted the
  contention twice (at 95% of 3 replicas of 64 slots, 2,000 output tokens/s each, 300
  tokens per answer: 4.5 s of wait on top of a decode already slowed to 30 ms a token).
  Without a concurrency the replica is that single server and the step is not slowed;
* **managed models and embedding endpoints at or over their quota** (the demand on the quota
  of ``CG-CAP-013`` reaches it) are *saturated* as well: the provider throttles what goes over
  the quota and the callers' retries of throttled calls add to the load
  (:mod:`.quota_retries`), so no finite p99 describes the call;
* **everything else** takes the p99 prior of ``latency.yaml``, an assumption reported by name;
  kinds without a prior (agents, tools) are *unknown*.

Each component's own time is computed in :mod:`.latency_nodes`. Summing per-call p99s
over-states the p99 of the sum, so the budget is a conservative bound.
Retries and fallbacks are left out: they are the worst case of :mod:`timeouts`, not the p99.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from cellguard.assessments import iterative
from cellguard.assessments.capacity import fleet, rounded
from cellguard.assessments.demand import JourneyLoad
from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.iterative import Step
from cellguard.assessments.latency_nodes import (
    NodeTime,
    Span,
    over_quota,
    own_time,
    tpot_seconds,
    unknown_span,
)
from cellguard.assessments.queue_wait import queue_of, queue_wait
from cellguard.assessments.routes import JourneyRoute
from cellguard.models.enums import ComponentKind, DependencyMode
from cellguard.models.findings import Evidence
from cellguard.models.references import qualify

__all__ = [
    "LatencyRow",
    "NodeTime",
    "Span",
    "declared_order",
    "journey_time",
    "latency_row",
    "latency_rows",
    "over_quota",
    "own_time",
    "tpot_seconds",
]

_ROWS: WeakKeyDictionary[StackGraph, list[LatencyRow]] = WeakKeyDictionary()


@dataclass(frozen=True)
class LatencyRow:
    """The latency budget of one journey (``None`` budgets: unknown or saturated components).

    ``*_derived_ms`` is the part computed from the spec and hardware catalog alone, a lower
    bound of the budget; ``critical_path`` lists the components the budget adds up, in call
    order; ``queueing_p99_ms`` is the p99 wait for model replicas included in the budget.
    """

    stack: str
    journey: str
    ttft_budget_ms: float | None
    ttft_derived_ms: float
    ttft_objective_ms: int | None
    e2e_budget_ms: float | None
    e2e_derived_ms: float
    e2e_objective_ms: int | None
    queueing_p99_ms: float | None
    critical_path: tuple[str, ...]
    assumed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    saturated: tuple[str, ...] = ()
    model_sources: dict[str, Evidence] = field(default_factory=dict)

    @property
    def ttft_slack_ms(self) -> float | None:
        """Objective minus budget for time to first token (negative: over budget)."""
        if self.ttft_objective_ms is None or self.ttft_budget_ms is None:
            return None
        return self.ttft_objective_ms - self.ttft_budget_ms

    @property
    def e2e_slack_ms(self) -> float | None:
        """Objective minus budget end to end (negative: over budget)."""
        if self.e2e_objective_ms is None or self.e2e_budget_ms is None:
            return None
        return self.e2e_objective_ms - self.e2e_budget_ms

    def to_json(self) -> dict[str, Evidence]:
        """The row as JSON-ready data: fixed key order, milliseconds to 0.1."""
        return {
            "stack": self.stack,
            "journey": self.journey,
            "ttft_budget_ms": rounded(self.ttft_budget_ms, 1),
            "ttft_derived_ms": rounded(self.ttft_derived_ms, 1),
            "ttft_objective_ms": self.ttft_objective_ms,
            "ttft_slack_ms": rounded(self.ttft_slack_ms, 1),
            "e2e_budget_ms": rounded(self.e2e_budget_ms, 1),
            "e2e_derived_ms": rounded(self.e2e_derived_ms, 1),
            "e2e_objective_ms": self.e2e_objective_ms,
            "e2e_slack_ms": rounded(self.e2e_slack_ms, 1),
            "queueing_p99_ms": rounded(self.queueing_p99_ms, 1),
            "critical_path": list(self.critical_path),
            "assumed": list(self.assumed),
            "unknown": list(self.unknown),
            "saturated": list(self.saturated),
            "model_sources": dict(sorted(self.model_sources.items())),
        }


def declared_order(graph: StackGraph, qid: str) -> list[DependencyEdge]:
    """The resolved calls of ``qid`` in the order its ``depends_on`` declares them."""
    stack = graph.stack_of(qid)
    position = {qualify(dep.to, stack): i for i, dep in enumerate(graph.component(qid).depends_on)}
    return sorted(graph.dependencies(qid), key=lambda e: (position.get(e.target, 0), e.target))


TAIL = 0.01
"""Calls made by fewer than this share of a journey's requests leave its p99 budget."""
PUSHED = frozenset({"websocket", "subscription", "stream"})
"""Deliveries over which an asynchronous answer reaches the user token by token."""


def _queued(graph: StackGraph, qid: str, consumer: Span) -> Span:
    """The p99 wait of queue ``qid`` before a consumer taking ``consumer``'s time."""
    service = consumer.total_ms if consumer.complete else None
    wait = queue_wait(graph, qid, service)
    if wait.saturated:
        return Span(saturated=frozenset({qid}))
    if wait.wait_ms is None:
        return unknown_span(qid)
    return Span(derived_ms=wait.wait_ms, queueing_ms=wait.wait_ms)


def journey_time(
    graph: StackGraph,
    start: str,
    load: JourneyLoad,
    *,
    parallel: bool = False,
    route: JourneyRoute | None = None,
) -> tuple[NodeTime, list[str]]:
    """Time of a request entering at ``start``, and the components visited in call order
    (depth first, each component's calls in their declared order). With ``route``, the calls
    that count for the journey (:meth:`JourneyRoute.counts`); without, every required,
    blocking call."""
    combine: Callable[[Span, Span], Span] = Span.alongside if parallel else Span.then
    memo: dict[str, NodeTime] = {}
    order: list[str] = []
    counts = route.counts if route is not None else lambda e: e.on_required_path
    pushed = route is not None and route.delivery in PUSHED

    def visit(qid: str) -> Step[str, NodeTime]:
        """Time of ``qid`` with its required calls (memoised: the calls form a DAG); a
        recursive step of :func:`iterative.run`, so that a chain of any depth is timed."""
        if qid in memo:
            return memo[qid]
        order.append(qid)
        own = own_time(graph, qid, load)
        ttft, e2e = Span(), Span()
        queue = queue_of(graph, qid) is not None
        for edge in declared_order(graph, qid):
            if not counts(edge) or (route is not None and route.reach.get(edge.target, 1) < TAIL):
                continue
            child = yield edge.target
            answer = route is not None and (edge.source, edge.target) in route.answer_calls
            streams = edge.mode is DependencyMode.STREAM or (pushed and answer)
            first, whole = (child.ttft if streams else child.e2e), child.e2e
            if queue and answer:
                wait = _queued(graph, qid, child.e2e)
                first, whole = wait.then(first), wait.then(whole)
            ttft = combine(ttft, first)
            e2e = combine(e2e, whole)
        for pending in graph.unresolved:
            if (
                isinstance(pending, DependencyEdge)
                and pending.source == qid
                and pending.on_required_path
                and (route is None or route.takes(pending))
            ):
                ttft = combine(ttft, unknown_span(pending.target))
                e2e = combine(e2e, unknown_span(pending.target))
        memo[qid] = NodeTime(own.ttft.then(ttft), own.e2e.then(e2e))
        return memo[qid]

    return iterative.run(visit, start), order


def _row(graph: StackGraph, stack: str, journey_id: str, parallel: bool) -> LatencyRow:
    journey = graph.journey(stack, journey_id)
    demand = journey.demand
    load = JourneyLoad(
        stack,
        journey_id,
        demand.peak_rps,
        demand.input_tokens,
        demand.output_tokens,
        demand=demand,
    )
    route = graph.route(stack, journey_id)
    time, order = journey_time(
        graph, graph.entrypoint(stack, journey_id), load, parallel=parallel, route=route
    )
    ttft, e2e = time.ttft, time.e2e
    if route.channel is not None:
        back = own_time(graph, route.channel, load)
        ttft, e2e = ttft.then(back.ttft), e2e.then(back.e2e)
        order.append(route.channel)
    sources: dict[str, Evidence] = {}
    for qid in order:
        model = fleet(graph, qid)
        if model is not None and graph.kind(qid) is ComponentKind.MODEL_ENDPOINT:
            sources[qid] = model.row.throughput_source
    return LatencyRow(
        stack=stack,
        journey=journey_id,
        ttft_budget_ms=ttft.total_ms if ttft.complete else None,
        ttft_derived_ms=ttft.derived_ms,
        ttft_objective_ms=journey.objectives.ttft_p99_ms,
        e2e_budget_ms=e2e.total_ms if e2e.complete else None,
        e2e_derived_ms=e2e.derived_ms,
        e2e_objective_ms=journey.objectives.latency_p99_ms,
        queueing_p99_ms=e2e.queueing_ms if not e2e.saturated else None,
        critical_path=tuple(order),
        assumed=tuple(sorted(e2e.assumed)),
        unknown=tuple(sorted(e2e.unknown | ttft.unknown)),
        saturated=tuple(sorted(e2e.saturated)),
        model_sources=sources,
    )


def latency_rows(graph: StackGraph) -> list[LatencyRow]:
    """One row per journey (calls taken in sequence), sorted by (stack, journey)."""
    cached = _ROWS.get(graph)
    if cached is None:
        cached = [_row(graph, stack, j.id, False) for stack, j in graph.journeys()]
        _ROWS[graph] = cached
    return list(cached)


def latency_row(graph: StackGraph, stack: str, journey_id: str) -> LatencyRow:
    """The row of one journey (see :func:`latency_rows`)."""
    for row in latency_rows(graph):
        if row.stack == stack and row.journey == journey_id:
            return row
    raise KeyError(f"no journey {journey_id!r} in stack {stack!r}")
