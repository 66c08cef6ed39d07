"""Compile a journey into a fault tree whose top event is "the journey is down".

The structure, over independent basic events (``True`` = failed):

* ``journey-down = down(entrypoint) OR down(channel)``, the channel being the component that
  carries an awaited asynchronous answer back (``answer.channel``), when the journey has one;
* ``down(c) = self(c) OR any(dependency_down(c, d))`` for every call ``d`` of ``c`` that the
  journey takes (its ``route``; every call without one) and that is required and blocking, or
  a required call on the way to the producer of an awaited answer
  (:meth:`~cellguard.assessments.routes.JourneyRoute.counts`; optional calls, calls off the
  route and fire-and-forget async calls drop out);
* ``dependency_down(c, d) = down(d) AND down(fallback)`` when the call has a fallback;
* ``self(c) = AND over c's regions r of region_down(c, r)``: a component serves while any of
  its regions does (callers fail over between regions);
* ``region_down(c, r) = account OR region r OR its cell in r OR shared domains OR body``;
* ``body`` is one ``service`` event for a managed regional service, or for self-run
  replicas "fewer than ``k`` of the ``n`` replicas in the region up, counting none in a zone
  that is down" with ``k = min_healthy_replicas`` (default 1). It is encoded in closed form
  (:mod:`.replicas`): events per zone group of replicas, never one per replica, so the tree's
  size does not depend on ``n``; a zone holding a single replica keeps that replica's event
  (``replica:<component>@<region>#<i>``). A component that declares ``startup`` has its
  replicas' repair time and unavailability from :mod:`.startup_repair` (replacement waits for
  the new replica to start and for its start-up sources).

Failure domains (account, region, zone, cell, shared domain) are single events shared by
every component in them, across stacks: that shared fate is what makes the result correct
for replicated stacks. A component shared by several stacks is one set of events too.

Modelling choices, stated so that figures can be checked by hand: a celled component's
figure is that of one user's cell (the first cell of the component in each region); a fallback
that leads back to a component being compiled counts as unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cellguard.assessments import iterative
from cellguard.assessments.availability.priors import Priors, Resolved
from cellguard.assessments.availability.replicas import ReplicaSet, replica_body, replica_groups
from cellguard.assessments.availability.startup_repair import replacement
from cellguard.assessments.faulttree.tree import TRUE, BasicEvent, FaultTree, Gate, GateOp
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.iterative import Step
from cellguard.assessments.placement import DomainRef
from cellguard.assessments.routes import JourneyRoute
from cellguard.models.catalog.availability import PriorScope


@dataclass(frozen=True)
class EventInfo:
    """What a basic event of a compiled tree stands for."""

    name: str
    kind: str
    """``account``, ``region``, ``zone``, ``cell``, ``shared``, ``service`` or ``replica`` (one
    replica, or a group of a component's replicas in a zone or region: see the label)."""
    label: str
    source: str
    domain: DomainRef | None = None
    component: str | None = None
    region: str | None = None
    order: int = 1
    """How many replica failures the event stands for at least ("all 3 replicas of llm in
    use1-az1 down": 3): the order it adds to a cut set. 1 for every other event."""


@dataclass
class JourneyTree:
    """A journey's fault tree and what its events mean."""

    stack: str
    journey: str
    tree: FaultTree
    events: dict[str, EventInfo] = field(default_factory=dict)
    components: tuple[str, ...] = ()
    bounded: tuple[str, ...] = ()
    """Components (``qid@region``) whose replicas are an upper bound, not exact
    (:mod:`.replicas`): the tree's probability is then an upper bound too."""


class _ReplicaSink:
    """Adds the events and gates of one component's replicas in one region to a compiler."""

    def __init__(self, compiler: _Compiler, replicas: ReplicaSet, source: str) -> None:
        self.compiler = compiler
        self.replicas = replicas
        self.source = source

    def basic(
        self, name: str, probability: float, repair_hours: float, label: str, order: int
    ) -> str:
        info = EventInfo(
            name,
            "replica",
            label,
            self.source,
            component=self.replicas.component,
            region=self.replicas.region,
            order=order,
        )
        return self.compiler.basic(name, probability, repair_hours, info)

    def gate(self, name: str, op: GateOp, args: list[str]) -> str:
        return self.compiler.gate(name, op, args)

    def zone(self, zone: str) -> str:
        return self.compiler.domain(DomainRef.zone(zone))


class _Compiler:
    def __init__(self, graph: StackGraph, priors: Priors, route: JourneyRoute) -> None:
        self.graph = graph
        self.priors = priors
        self.route = route
        self.events: dict[str, BasicEvent] = {}
        self.info: dict[str, EventInfo] = {}
        self.gates: dict[str, Gate] = {}
        self.in_progress: set[str] = set()
        self.visited: list[str] = []
        self.bounded: list[str] = []

    def event(self, name: str, resolved: Resolved, info: EventInfo) -> str:
        return self.basic(name, resolved.unavailability, resolved.repair_hours, info)

    def basic(self, name: str, probability: float, repair_hours: float, info: EventInfo) -> str:
        if name not in self.events:
            self.events[name] = BasicEvent(name, probability, repair_hours, info.label)
            self.info[name] = info
        return name

    def domain(self, ref: DomainRef) -> str:
        resolved = self.priors.domain(ref)
        label = f"{ref.kind.value} {ref.id} down"
        return self.event(
            ref.node_id,
            resolved,
            EventInfo(ref.node_id, ref.kind.value, label, resolved.source, ref),
        )

    def gate(self, name: str, op: GateOp, args: list[str], k: int | None = None) -> str:
        if len(args) == 1 and op in (GateOp.AND, GateOp.OR):
            return args[0]
        if name not in self.gates:
            self.gates[name] = Gate(name, op, tuple(args), k)
        return name

    def body(self, qid: str, region: str, zones: tuple[str, ...], prior: Resolved) -> str:
        comp = self.graph.component(qid)
        if prior.scope is PriorScope.SERVICE:
            name = f"service:{qid}@{region}"
            info = EventInfo(
                name,
                "service",
                f"{qid} down in {region}",
                prior.source,
                component=qid,
                region=region,
            )
            return self.event(name, prior, info)
        n = self.graph.placement(qid).replicas
        k = 1 if comp.min_healthy_replicas is None else comp.min_healthy_replicas
        q, repair, source = prior.unavailability, prior.repair_hours, prior.source
        replaced = replacement(self.graph, self.priors, qid, prior)
        if replaced is not None:
            q, repair = replaced.unavailability, replaced.repair_hours
            source = f"{source}; {replaced.text}"
        replicas = ReplicaSet(qid, region, replica_groups(zones, n), k, q, repair)
        node, exact = replica_body(replicas, _ReplicaSink(self, replicas, source))
        if not exact:
            self.bounded.append(f"{qid}@{region}")
        return node

    def self_down(self, qid: str) -> str:
        placement = self.graph.placement(qid)
        prior = self.priors.component(qid)
        regions: list[str] = []
        for region in placement.regions:
            args = [
                self.domain(DomainRef.account(placement.account)),
                self.domain(DomainRef.region(region)),
            ]
            cells = [c for c in placement.cells_refs() if self._cell_region(c) == region]
            if cells:
                args.append(self.domain(cells[0]))
            args += [self.domain(ref) for ref in placement.shared]
            zones = placement.zones.get(region, ()) if placement.zones is not None else ()
            args.append(self.body(qid, region, zones, prior))
            regions.append(self.gate(f"region-down:{qid}@{region}", GateOp.OR, args))
        return self.gate(f"self-down:{qid}", GateOp.AND, regions)

    def _cell_region(self, cell: DomainRef) -> str | None:
        parents = self.graph.parents(cell)
        return parents[0].id if parents else None

    def down(self, qid: str) -> str:
        """The gate of "``qid`` is down", built depth first without Python's call stack
        (:mod:`cellguard.assessments.iterative`: a chain of any length compiles)."""
        return iterative.run(self._down, qid)

    def _down(self, qid: str) -> Step[str, str]:
        """:meth:`down` as a recursive step: ``yield`` a component for its gate."""
        name = f"down:{qid}"
        if name in self.gates:
            return name
        if qid in self.in_progress:
            return TRUE
        self.in_progress.add(qid)
        self.visited.append(qid)
        args = [self.self_down(qid)]
        for edge in self.graph.dependencies(qid):
            if not self.route.counts(edge):
                continue
            target = yield edge.target
            if edge.fallback is not None and self._known(edge.fallback):
                alt = yield edge.fallback
                target = self.gate(
                    f"dependency-down:{qid}->{edge.target}", GateOp.AND, [target, alt]
                )
            args.append(target)
        self.in_progress.discard(qid)
        self.gates[name] = Gate(name, GateOp.OR, tuple(args))
        return name

    def _known(self, qid: str) -> bool:
        try:
            self.graph.component(qid)
        except KeyError:
            return False
        return True


def compile_journey(
    graph: StackGraph, stack: str, journey_id: str, priors: Priors | None = None
) -> JourneyTree:
    """The fault tree of journey ``journey_id`` of ``stack`` (top: ``journey-down``)."""
    route = graph.route(stack, journey_id)
    compiler = _Compiler(graph, priors or Priors(graph), route)
    needs = tuple(compiler.down(root) for root in route.roots)
    top = "journey-down"
    compiler.gates[top] = Gate(top, GateOp.OR, tuple(dict.fromkeys(needs)))
    tree = FaultTree(f"{stack}/{journey_id}", top, dict(compiler.events), dict(compiler.gates))
    tree.validate()
    return JourneyTree(
        stack,
        journey_id,
        tree,
        compiler.info,
        tuple(sorted(compiler.visited)),
        tuple(dict.fromkeys(compiler.bounded)),
    )
