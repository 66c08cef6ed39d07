"""The calls a journey makes: its route, the share of requests taking each call, and the
asynchronous path to an awaited answer.

A journey without ``route`` takes every call its entrypoint reaches (``depends_on`` of any
mode), each by every request: today's reading, unchanged. A journey with ``route`` takes only
the calls listed: a call ``caller -> callee`` is taken when the caller is on the route (the
entrypoint, or a component reached over taken calls) and the route lists the callee (with
``from: caller``, or without ``from``: every call to it from the route). A fallback of a taken
call is on the route too (it serves when its primary fails), and so are its listed calls.

**Shares.** The share of a call is the share of the requests reaching its caller that make it
(default 1). The share of the journey's requests reaching a component is
``min(1, Σ share(caller) x share(call))`` over its taken calls: a component called from two
places counts both calls, which may over-state the reach of a request (never under-state it).
The entrypoint's share is 1; a component reached only through fallbacks has share 0 (its
load is failover demand, counted apart). Demand, capacity and latency use the shares.

**What counts for availability and latency.** A taken call counts when it is required and
blocking (:attr:`DependencyEdge.on_required_path`), as before; with ``answer`` declared, a
required call on the way from the entrypoint to the answer's producer counts too, asynchronous
or not (the user waits for what comes out at the end), and the answer's channel back is a
component the journey needs. Asynchronous calls off that way stay fire-and-forget. A share
below 1 does not weaken availability: a required call that fails fails the requests that make
it, and the journey counts as down (declare the dependency ``optional`` when it degrades
gracefully instead).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container
from dataclasses import dataclass, field
from typing import Protocol

from cellguard.assessments.edges import DependencyEdge
from cellguard.models.business import Journey
from cellguard.models.references import qualify


class StackGraph(Protocol):
    """What routes need of :class:`cellguard.assessments.graph.StackGraph` (which builds them:
    a protocol keeps the modules free of an import cycle)."""

    @property
    def nx(self) -> Container[str]:
        """The raw graph (membership of node ids)."""
        ...

    def journey(self, stack: str, journey_id: str) -> Journey:
        """Journey ``journey_id`` of ``stack``."""
        ...

    def entrypoint(self, stack: str, journey_id: str) -> str:
        """Qualified id of the journey's entrypoint."""
        ...

    def dependencies(self, qid: str) -> list[DependencyEdge]:
        """The calls ``qid`` makes, sorted by target."""
        ...


Key = tuple[str, str]
"""(source, target) of a dependency edge."""


@dataclass(frozen=True)
class RouteStep:
    """One call of a journey's route as reported: caller, callee, call share and reach."""

    source: str
    target: str
    share: float
    reach: float
    counts: bool
    """Whether the call decides the journey's availability and latency."""
    answer: bool = False
    """Whether the call is on the asynchronous way to the awaited answer."""


@dataclass(frozen=True)
class JourneyRoute:
    """The calls one journey takes and the share of its requests reaching each component."""

    stack: str
    journey: str
    entry: str
    declared: bool
    """Whether the journey declares ``route`` (else every reachable call is taken)."""
    taken: dict[Key, float] = field(default_factory=dict)
    """Taken calls and their shares, in depth-first order from the entrypoint."""
    edges: dict[Key, DependencyEdge] = field(default_factory=dict)
    """The dependency edge of each taken call."""
    listed: dict[str, dict[str | None, float]] = field(default_factory=dict)
    """Route items: callee -> caller (``None``: any caller on the route) -> share."""
    reach: dict[str, float] = field(default_factory=dict)
    """Share of the journey's requests reaching each component (entrypoint: 1)."""
    answer_calls: frozenset[Key] = frozenset()
    """Required calls on the way to the answer's producer that count although asynchronous."""
    producer: str | None = None
    channel: str | None = None
    delivery: str | None = None

    def share_of(self, source: str, target: str) -> float | None:
        """The share of the call ``source -> target`` if the route lists it (1 without a route)."""
        if not self.declared:
            return 1.0
        callers = self.listed.get(target)
        if callers is None:
            return None
        return callers.get(source, callers.get(None))

    def takes(self, edge: DependencyEdge) -> bool:
        """Whether the journey makes the call ``edge`` (its caller on the route or not)."""
        return self.share_of(edge.source, edge.target) is not None

    def counts(self, edge: DependencyEdge) -> bool:
        """Whether a failure of ``edge``'s callee (and fallback) takes the journey down."""
        if not self.takes(edge):
            return False
        if edge.on_required_path:
            return True
        return (edge.source, edge.target) in self.answer_calls

    @property
    def roots(self) -> tuple[str, ...]:
        """Where the journey's needs start: the entrypoint, then the answer's channel if any."""
        if self.channel is None or self.channel == self.entry:
            return (self.entry,)
        return (self.entry, self.channel)

    @property
    def components(self) -> list[str]:
        """Components the journey reaches (its route, fallbacks and answer channel), sorted."""
        found = set(self.reach)
        if self.channel is not None:
            found.add(self.channel)
        return sorted(found)

    def steps(self) -> list[RouteStep]:
        """The taken calls in depth-first order, with their shares and whether they count."""
        return [
            RouteStep(
                source,
                target,
                share,
                self.reach.get(target, 0.0),
                self.counts(self.edges[(source, target)]),
                (source, target) in self.answer_calls,
            )
            for (source, target), share in self.taken.items()
        ]


def _listed(graph: StackGraph, stack: str, journey_id: str) -> dict[str, dict[str | None, float]]:
    journey = graph.journey(stack, journey_id)
    listed: dict[str, dict[str | None, float]] = {}
    for call in journey.route or []:
        caller = qualify(call.caller, stack) if call.caller is not None else None
        listed.setdefault(qualify(call.to, stack), {})[caller] = call.share
    return listed


def _walk(
    graph: StackGraph, entry: str, route: JourneyRoute
) -> tuple[dict[Key, float], dict[Key, DependencyEdge], dict[str, float]]:
    """Taken calls (depth first from the entrypoint, fallbacks followed), their edges and the
    reach shares."""
    taken: dict[Key, float] = {}
    edges: dict[Key, DependencyEdge] = {}
    followed: set[str] = {entry}
    direct: set[str] = {entry}  # reached over calls, not only as a fallback
    pending = [iter(graph.dependencies(entry))]
    while pending:
        edge = next(pending[-1], None)
        if edge is None:
            pending.pop()
            continue
        share = route.share_of(edge.source, edge.target)
        if share is None:
            continue
        taken[(edge.source, edge.target)] = share
        edges[(edge.source, edge.target)] = edge
        if edge.source in direct:
            direct.add(edge.target)
        nexts = [edge.target]
        if edge.fallback is not None and edge.fallback in graph.nx:
            nexts.append(edge.fallback)
        for node in nexts:
            if node not in followed:
                followed.add(node)
                pending.append(iter(graph.dependencies(node)))
    # a node first reached as a fallback and later over a call: direct by the fixpoint below
    changed = True
    while changed:
        changed = False
        for source, target in taken:
            if source in direct and target not in direct:
                direct.add(target)
                changed = True
    reach = _shares(entry, taken, direct) if route.declared else dict.fromkeys(direct, 1.0)
    for node in followed - direct:
        reach[node] = 0.0
    return taken, edges, reach


def _shares(entry: str, taken: dict[Key, float], direct: set[str]) -> dict[str, float]:
    """``min(1, Σ reach(caller) x share)`` over the taken calls among ``direct`` components; a
    cycle of calls gives each of its components the largest figure entering it."""
    callers: dict[str, list[tuple[str, float]]] = {}
    for (source, target), share in taken.items():
        if source in direct and target in direct and target != entry:
            callers.setdefault(target, []).append((source, share))
    # Kahn's order over the calls; what a cycle leaves is settled by relaxation
    indegree = {node: len(callers.get(node, [])) for node in direct}
    out: dict[str, list[str]] = {}
    for target, sources in callers.items():
        for source, _ in sources:
            out.setdefault(source, []).append(target)
    reach = {entry: 1.0}
    ready = deque(sorted(n for n, d in indegree.items() if d == 0))
    while ready:
        node = ready.popleft()
        if node != entry:
            reach[node] = min(1.0, sum(reach.get(s, 0.0) * w for s, w in callers.get(node, [])))
        for target in out.get(node, []):
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    rest = sorted(n for n in direct if n not in reach)
    for _ in range(len(rest) + 1):  # Bellman-Ford-like: bounded passes over the cycles
        for node in rest:
            total = sum(reach.get(s, 0.0) * w for s, w in callers.get(node, []))
            reach[node] = max(reach.get(node, 0.0), min(1.0, total))
    return reach


def _answer_calls(entry: str, edges: dict[Key, DependencyEdge], producer: str) -> frozenset[Key]:
    """Required taken calls on the way from the entrypoint to ``producer``, without cycles.

    A call counts when its caller is reached from the entrypoint and its callee reaches the
    producer (over taken calls); calls out of the producer and back into the entrypoint do
    not, and a depth-first walk drops the calls that would close a cycle.
    """
    required = {key for key, edge in edges.items() if edge.required}
    into: dict[str, list[str]] = {}
    for source, target in required:
        into.setdefault(target, []).append(source)
    leads = {producer}
    queue = deque([producer])
    while queue:
        node = queue.popleft()
        for source in into.get(node, []):
            if source not in leads:
                leads.add(source)
                queue.append(source)
    if entry not in leads:
        return frozenset()
    candidates: dict[str, list[str]] = {}
    for source, target in sorted(required):
        if source != producer and target != entry and target in leads:
            candidates.setdefault(source, []).append(target)
    found: set[Key] = set()
    on_path = {entry}
    done: set[str] = set()
    pending = [(entry, iter(candidates.get(entry, [])))]
    while pending:
        node, targets = pending[-1]
        following = next(targets, None)
        if following is None:
            pending.pop()
            on_path.discard(node)
            done.add(node)
            continue
        target = following
        if target in on_path:
            continue  # closes a cycle: the way to the answer does not go round
        found.add((node, target))
        if target not in done:
            on_path.add(target)
            pending.append((target, iter(candidates.get(target, []))))
    return frozenset(found)


def journey_route(graph: StackGraph, stack: str, journey_id: str) -> JourneyRoute:
    """The :class:`JourneyRoute` of journey ``journey_id`` of ``stack``."""
    journey = graph.journey(stack, journey_id)
    entry = graph.entrypoint(stack, journey_id)
    declared = journey.route is not None
    base = JourneyRoute(
        stack, journey_id, entry, declared, listed=_listed(graph, stack, journey_id)
    )
    taken, edges, reach = _walk(graph, entry, base)
    answer = journey.answer
    producer = channel = delivery = None
    calls: frozenset[Key] = frozenset()
    if answer is not None:
        producer = qualify(answer.producer, stack)
        channel = qualify(answer.channel, stack)
        delivery = answer.delivery.value
        if producer in graph.nx:
            calls = _answer_calls(entry, edges, producer)
        if channel not in graph.nx:
            channel = None
    return JourneyRoute(
        stack,
        journey_id,
        entry,
        declared,
        taken,
        edges,
        base.listed,
        reach,
        calls,
        producer,
        channel,
        delivery,
    )
