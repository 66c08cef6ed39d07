"""Timeout inversion and retry amplification along the call graph.

**Timeout inversion.** A caller that gives up on a callee before the callee could have finished
its own calls wastes the callee's work and, with retries, piles new attempts onto an already
slow system. The callee's worst case is the time its blocking calls may take before they all
give up: per call ``timeout x attempts``, plus one more ``timeout`` for the fallback when one is
declared; calls are taken in sequence (summed), or in parallel (the slowest) on request. A call
without a timeout is unbounded. The edge *caller -> callee* is **inverted** when the caller's
per-attempt timeout is shorter than the callee's worst case (or the worst case is unbounded).
Optional calls count (the callee waits for them all the same); async calls do not, and neither
do a training job's own calls: launching a job returns before the job reads its data.

**Retry amplification.** When every layer retries, one user request becomes the product of
the attempts along the path at the deepest layer: three layers of three attempts turn a failing
dependency's load 27-fold. The journey's amplification is the largest product over its
required, blocking paths (:meth:`StackGraph.required_paths`: the route's calls, and those on
the way to an awaited answer), reported with that path. A queue redelivers a message that
fails up to its ``max_receive_count`` times, and twice as often when its visibility timeout
is shorter than the consumer's worst case: that hop's factor multiplies the product too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from cellguard.assessments import iterative
from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.iterative import Step
from cellguard.assessments.queue_wait import queue_of
from cellguard.models.dependencies import MAX_RETRIES
from cellguard.models.enums import ComponentKind

MAX_ATTEMPTS = MAX_RETRIES + 1
"""Most attempts a call may make (first try plus :data:`MAX_RETRIES`)."""


@dataclass(frozen=True)
class CallBudget:
    """How long one blocking call of a component may take before the component gives up."""

    target: str
    timeout_ms: int | None
    attempts: int
    fallback: str | None = None
    retries_declared: bool = True
    """False when the spec leaves the call's ``retries`` out: ``attempts`` is then a lower
    bound (see :meth:`at_most`)."""

    @property
    def worst_ms(self) -> float | None:
        """``timeout x attempts`` (+ one timeout for a fallback); ``None`` without a timeout."""
        if self.timeout_ms is None:
            return None
        extra = self.timeout_ms if self.fallback is not None else 0
        return float(self.timeout_ms * self.attempts + extra)

    @classmethod
    def of(cls, edge: DependencyEdge) -> CallBudget:
        """The budget of a dependency edge."""
        return cls(
            edge.target, edge.timeout_ms, edge.attempts, edge.fallback, edge.retries_declared
        )

    def at_most(self) -> CallBudget:
        """This budget with the most attempts the spec allows where it does not declare the
        retries (:data:`MAX_ATTEMPTS`): the upper bound of its worst case."""
        return self if self.retries_declared else replace(self, attempts=MAX_ATTEMPTS)


def worst_case_ms(calls: Iterable[CallBudget], *, parallel: bool = False) -> float | None:
    """The longest a component waits on ``calls``: their sum (or maximum if ``parallel``).

    ``None`` means unbounded (a call without a timeout); no calls take 0 ms.
    """
    budgets = [c.worst_ms for c in calls]
    if any(b is None for b in budgets):
        return None
    known = [b for b in budgets if b is not None]
    if not known:
        return 0.0
    return max(known) if parallel else sum(known)


def is_inverted(caller_timeout_ms: float, callee_worst_ms: float | None) -> bool:
    """Whether a caller waiting ``caller_timeout_ms`` per attempt gives up before its callee."""
    return callee_worst_ms is None or caller_timeout_ms < callee_worst_ms


@dataclass(frozen=True)
class TimeoutCheck:
    """One blocking edge caller -> callee judged for inversion.

    ``callee_calls`` are the callee's blocking calls; ``callee_worst_ms`` their worst case
    (``None``: unbounded); ``callee_loaded`` is false when the callee's document is not loaded,
    so its calls are unknown.
    """

    edge: DependencyEdge
    callee_calls: tuple[CallBudget, ...]
    callee_worst_ms: float | None
    callee_loaded: bool = True

    @property
    def inverted(self) -> bool | None:
        """True or false; ``None`` when the caller has no timeout or the callee is unknown."""
        if self.edge.timeout_ms is None or not self.callee_loaded or not self.callee_calls:
            return None
        return is_inverted(self.edge.timeout_ms, self.callee_worst_ms)

    @property
    def unbounded_calls(self) -> tuple[str, ...]:
        """The callee's calls without a timeout."""
        return tuple(c.target for c in self.callee_calls if c.timeout_ms is None)


def blocking_calls(graph: StackGraph, qid: str) -> list[CallBudget]:
    """Budgets of every blocking call ``qid`` makes, into loaded documents or not, sorted."""
    edges = [e for e in graph.dependencies(qid) if e.blocking]
    edges += [
        e
        for e in graph.unresolved
        if isinstance(e, DependencyEdge) and e.source == qid and e.blocking
    ]
    return [CallBudget.of(e) for e in sorted(edges, key=lambda e: e.target)]


def timeout_check(
    graph: StackGraph, edge: DependencyEdge, *, parallel: bool = False
) -> TimeoutCheck:
    """Judge ``edge`` (resolved or not) for inversion."""
    if edge.target not in graph.nx:
        return TimeoutCheck(edge, (), None, callee_loaded=False)
    if graph.kind(edge.target) is ComponentKind.TRAINING_JOB:
        return TimeoutCheck(edge, (), 0.0)  # the launch returns before the job's own calls
    calls = tuple(blocking_calls(graph, edge.target))
    return TimeoutCheck(edge, calls, worst_case_ms(calls, parallel=parallel))


AMPLIFICATION_CAP = 10**15
"""Largest retry amplification computed exactly; beyond it the factor is "more than 1e15"
(no system survives it, and the exact product over a chain of thousands of hops would be an
integer too long to print)."""


@dataclass(frozen=True)
class Amplification:
    """The worst retry amplification from a start component.

    ``path`` is the components from the start, ``attempts`` the attempts of each hop
    (one fewer than the path), ``factor`` their product. ``complete`` is false when the path
    ends in a call into a document that is not loaded, so the factor may be higher.
    """

    factor: int
    path: tuple[str, ...]
    attempts: tuple[int, ...]
    complete: bool = True
    capped: bool = False
    """True when the product passed :data:`AMPLIFICATION_CAP`: ``factor`` is then the cap and
    the real factor is larger (the product along thousands of hops has thousands of digits)."""

    @property
    def text(self) -> str:
        """The factor for humans: ``27``, or ``more than 1e15`` when capped."""
        return (
            f"more than {AMPLIFICATION_CAP:.0e}".replace("e+", "e")
            if self.capped
            else str(self.factor)
        )

    @property
    def figure(self) -> int | float:
        """The factor as data: the integer, or the cap as a float when capped."""
        return float(AMPLIFICATION_CAP) if self.capped else self.factor


def amplification(attempts: Iterable[int]) -> int:
    """The load multiplication of ``attempts`` per hop along a path: their product."""
    product = 1
    for n in attempts:
        if n < 1:
            raise ValueError("every hop makes at least one attempt")
        product *= n
    return product


Calls = Callable[[str], Sequence[tuple[str, int, bool]]]
"""Outgoing required calls of a component: (target, attempts, target loaded)."""


def worst_amplification(start: str, calls: Calls) -> Amplification:
    """The path from ``start`` with the largest product of attempts (ties: first in call order;
    products past :data:`AMPLIFICATION_CAP` count as the cap).

    ``calls`` lists a component's required, blocking calls; the call graph they form must be
    acyclic, as the loader guarantees for required calls.
    """
    memo: dict[str, Amplification] = {}

    def best(node: str) -> Step[str, Amplification]:
        """The worst path from ``node`` (memoised); a recursive step of :func:`iterative.run`,
        so that a chain of any depth is followed."""
        if node in memo:
            return memo[node]
        result = Amplification(1, (node,), ())
        complete = True
        for target, attempts, loaded in calls(node):
            if loaded:
                tail = yield target
            else:
                tail = Amplification(1, (target,), (), complete=False)
            complete = complete and tail.complete
            factor = attempts * tail.factor
            capped = tail.capped or factor > AMPLIFICATION_CAP
            factor = min(factor, AMPLIFICATION_CAP)
            if factor > result.factor or (factor == result.factor and len(result.path) == 1):
                path, hops = (node, *tail.path), (attempts, *tail.attempts)
                result = Amplification(factor, path, hops, capped=capped)
        memo[node] = replace(result, complete=complete)
        return memo[node]

    return iterative.run(best, start)


@dataclass(frozen=True)
class Redelivery:
    """How often a queue may hand one message to its consumer ``target``.

    ``deliveries`` is the queue's ``max_receive_count`` (``None``: no redrive policy declared,
    so a failing message is redelivered until it expires); ``duplicated`` is true when the
    visibility timeout is shorter than the consumer's worst case (its blocking calls'
    ``timeout x attempts``, unbounded without timeouts): the message reappears while the
    consumer still works on it, and every delivery may run twice.
    """

    queue: str
    target: str
    deliveries: int | None
    visibility_ms: float | None
    consumer_worst_ms: float | None
    duplicated: bool

    @property
    def factor(self) -> int:
        """The load multiplication of the hop (1 for an undeclared redrive: a lower bound)."""
        return (self.deliveries or 1) * (2 if self.duplicated else 1)


def redelivery(graph: StackGraph, edge: DependencyEdge) -> Redelivery | None:
    """The :class:`Redelivery` of ``edge`` when its caller is a queue, else ``None``."""
    queue = queue_of(graph, edge.source)
    if queue is None:
        return None
    worst = None
    if edge.target in graph.nx:
        worst = worst_case_ms(blocking_calls(graph, edge.target))
    visibility = (
        queue.visibility_timeout_seconds * 1000.0
        if queue.visibility_timeout_seconds is not None
        else None
    )
    duplicated = visibility is not None and (worst is None or visibility < worst)
    return Redelivery(
        edge.source, edge.target, queue.max_receive_count, visibility, worst, duplicated
    )


def journey_amplification(
    graph: StackGraph,
    stack: str,
    journey_id: str,
    bounded: Callable[[str], bool] | None = None,
) -> Amplification:
    """The worst retry amplification over the calls that decide the journey (its route's
    required, blocking calls and those on the way to an awaited answer). A queue's hop counts
    its redeliveries (:func:`redelivery`).

    ``bounded(qid)`` true says that ``qid``'s retries cannot multiply a sustained failure (a
    retry budget caps them at a share of its requests, or a circuit breaker stops calling):
    its calls then count as one attempt each (a queue's redeliveries still count).
    """
    loaded: set[str] = set()  # the loaded components, listed when an unresolved call needs it
    route = graph.route(stack, journey_id)

    def is_loaded(qid: str) -> bool:
        if not loaded:
            loaded.update(graph.components())
        return qid in loaded

    def calls(qid: str) -> list[tuple[str, int, bool]]:
        """Deciding calls of ``qid``, into loaded documents or not."""
        single = bounded is not None and bounded(qid)
        found = []
        for e in graph.dependencies(qid):
            if route.counts(e):
                again = redelivery(graph, e)
                tries = 1 if single else e.attempts
                found.append((e.target, tries * (again.factor if again else 1), True))
        found += [
            (e.target, 1 if single else e.attempts, is_loaded(e.target))
            for e in graph.unresolved
            if isinstance(e, DependencyEdge)
            and e.source == qid
            and e.on_required_path
            and route.takes(e)
        ]
        return found

    return worst_amplification(graph.entrypoint(stack, journey_id), calls)


def journey_redeliveries(graph: StackGraph, stack: str, journey_id: str) -> list[Redelivery]:
    """The queue hops among the calls that decide the journey, in call order."""
    found = []
    for e in graph.required_edges(stack, journey_id):
        again = redelivery(graph, e)
        if again is not None:
            found.append(again)
    return found
