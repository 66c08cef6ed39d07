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

Summing per-call p99s over-states the p99 of the sum, so the budget is a conservative bound.
Retries and fallbacks are left out: they are the worst case of :mod:`timeouts`, not the p99.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from cellguard.assessments import iterative
from cellguard.assessments.capacity import OUTPUT_TPS, QUOTA, TOKENS_PS, Fleet, fleet, rounded
from cellguard.assessments.cold_load import cold_load_p99_ms
from cellguard.assessments.demand import JourneyLoad
from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.iterative import Step
from cellguard.assessments.queue_wait import queue_of, queue_wait
from cellguard.assessments.routes import JourneyRoute
from cellguard.models.business import DemandUnit
from cellguard.models.catalog.latency import component_prior, model_prior
from cellguard.models.components import ComponentBase
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import ComponentKind, DependencyMode, Hosting
from cellguard.models.findings import Evidence
from cellguard.models.references import qualify

_ROWS: WeakKeyDictionary[StackGraph, list[LatencyRow]] = WeakKeyDictionary()


@dataclass(frozen=True)
class Span:
    """Time spent in part of a journey, split by how it is known.

    ``derived_ms`` comes from the spec and the hardware catalog, ``assumed_ms`` from latency
    priors (the components in ``assumed``); ``unknown`` components have no figure and
    ``saturated`` ones no finite one. ``queueing_ms`` is the part of ``derived_ms`` spent
    waiting for a model replica.
    """

    derived_ms: float = 0.0
    assumed_ms: float = 0.0
    queueing_ms: float = 0.0
    assumed: frozenset[str] = frozenset()
    unknown: frozenset[str] = frozenset()
    saturated: frozenset[str] = frozenset()

    @property
    def total_ms(self) -> float:
        """Derived plus assumed time (a lower bound while anything is unknown)."""
        return self.derived_ms + self.assumed_ms

    @property
    def complete(self) -> bool:
        """Whether every component on it has a finite figure."""
        return not self.unknown and not self.saturated

    def then(self, other: Span) -> Span:
        """``self`` followed by ``other``: times add up."""
        return Span(
            self.derived_ms + other.derived_ms,
            self.assumed_ms + other.assumed_ms,
            self.queueing_ms + other.queueing_ms,
            self.assumed | other.assumed,
            self.unknown | other.unknown,
            self.saturated | other.saturated,
        )

    def alongside(self, other: Span) -> Span:
        """``self`` and ``other`` in parallel: the slower one's time, both ones' gaps."""
        slow = self if self.total_ms >= other.total_ms else other
        return Span(
            slow.derived_ms,
            slow.assumed_ms,
            slow.queueing_ms,
            self.assumed | other.assumed,
            self.unknown | other.unknown,
            self.saturated | other.saturated,
        )


@dataclass(frozen=True)
class NodeTime:
    """A component's time to first token and end-to-end time, its calls included."""

    ttft: Span
    e2e: Span


def _assumed(qid: str, ms: float) -> Span:
    return Span(assumed_ms=ms, assumed=frozenset({qid}))


def _unknown(qid: str) -> Span:
    return Span(unknown=frozenset({qid}))


def tpot_seconds(model: Fleet) -> float | None:
    """Time per output token of a GPU-served model at its peak operating point."""
    spec, row = model.replica, model.row
    floor = spec.decode_step_seconds() if spec is not None else None
    if floor is None or spec is None:
        return None
    if spec.concurrency and row.per_replica and row.utilisation is not None:
        return max(floor, min(row.utilisation, 1.0) * spec.concurrency / row.per_replica)
    return floor


def _gpu_model(qid: str, model: Fleet, load: JourneyLoad) -> NodeTime:
    if model.row.queue_saturated:
        saturated = Span(saturated=frozenset({qid}))
        return NodeTime(saturated, saturated)
    spec = model.replica
    wait = model.row.p99_wait_ms
    if model.row.unit not in (OUTPUT_TPS, TOKENS_PS):
        # counted in images, embeddings or requests: the answer comes whole, after the wait
        # for a replica and one request's service time (throughput_media)
        if wait is None or model.service_seconds is None:
            return NodeTime(_unknown(qid), _unknown(qid))
        whole = Span(derived_ms=wait + model.service_seconds * 1000, queueing_ms=wait)
        return NodeTime(whole, whole)
    prefill = spec.first_token_seconds(load.input_tokens) if spec else None
    if wait is None or prefill is None:
        return NodeTime(_unknown(qid), _unknown(qid))
    ttft = Span(derived_ms=wait + prefill * 1000, queueing_ms=wait)
    tpot = tpot_seconds(model)
    if tpot is None or load.output_tokens is None:
        return NodeTime(ttft, _unknown(qid))
    return NodeTime(ttft, ttft.then(Span(derived_ms=load.output_tokens * tpot * 1000)))


def _managed_model(qid: str, hosting: Hosting, load: JourneyLoad) -> NodeTime:
    prior = model_prior(hosting)
    if prior is None:
        return NodeTime(_unknown(qid), _unknown(qid))
    if load.unit is not DemandUnit.TOKENS and not load.output_tokens:
        # images, embeddings, audio or requests without tokens: the text model's prior
        # (time to first token, tokens per second) does not describe the call
        return NodeTime(_unknown(qid), _unknown(qid))
    ttft = _assumed(qid, prior.ttft_p99_ms)
    if load.output_tokens is None:
        return NodeTime(ttft, _unknown(qid))
    stream = load.output_tokens / prior.output_tokens_per_s * 1000
    return NodeTime(ttft, _assumed(qid, prior.ttft_p99_ms + stream))


def over_quota(graph: StackGraph, qid: str) -> bool:
    """Whether ``qid`` is a managed model or embedding endpoint whose quota its known peak
    demand reaches or exceeds (:mod:`capacity`, ``CG-CAP-013``): throttled, saturated."""
    model = fleet(graph, qid)
    if model is None or model.row.basis != QUOTA:
        return False
    return model.row.utilisation is not None and model.row.utilisation >= 1.0


def _provider(comp: ComponentBase) -> str | None:
    for name in ("provider", "engine"):
        value = getattr(comp, name, None)
        if value is not None:
            return str(value)
    return None


def own_time(graph: StackGraph, qid: str, load: JourneyLoad) -> NodeTime:
    """The time ``qid`` itself takes for one request of a journey with ``load``."""
    kind = graph.kind(qid)
    comp = graph.component(qid)
    hosting = comp.hosting if isinstance(comp, HostedModelFields) else None
    if over_quota(graph, qid):
        saturated = Span(saturated=frozenset({qid}))
        return NodeTime(saturated, saturated)
    if kind is ComponentKind.MODEL_ENDPOINT and hosting is not None:
        model = fleet(graph, qid)
        if hosting in (Hosting.SELF_HOSTED, Hosting.SAGEMAKER) and model is not None:
            time, cold = _gpu_model(qid, model, load), cold_load_p99_ms(comp)
            # a hosted model not resident is loaded first (cold_load: in the p99 above 1% misses)
            extra = _unknown(qid) if cold is None else Span(derived_ms=cold)
            return NodeTime(extra.then(time.ttft), extra.then(time.e2e))
        return _managed_model(qid, hosting, load)
    if kind is ComponentKind.EMBEDDING_MODEL and hosting in (
        Hosting.SELF_HOSTED,
        Hosting.SAGEMAKER,
    ):
        hosting = None  # self-hosted embedders take the kind's generic prior
    prior = component_prior(kind, provider=_provider(comp), hosting=hosting)
    span = _assumed(qid, prior.p99_ms) if prior is not None else _unknown(qid)
    return NodeTime(span, span)


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
        return _unknown(qid)
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
                ttft = combine(ttft, _unknown(pending.target))
                e2e = combine(e2e, _unknown(pending.target))
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
