"""Pools AWS imposes whose membership is not known, because a component leaves a key out.

:func:`~cellguard.assessments.placement.aws_pool_refs` puts a component in Lambda's
concurrency pool of its account and region when it says ``runtime: lambda``, and in a Bedrock
model's on-demand quota when it says ``hosting: bedrock`` and names its ``model``. A key left
out means "not declared", not "not a member" (issue 15 item 2): a service that does not
declare its ``runtime`` may be a Lambda function, and a Bedrock endpoint that does not name its
``model`` may draw on any model's quota. Such a component is a *possible* member:

* Lambda: a component with ``runtime`` (a service: app, gateway, router, agent, tool,
  guardrail, ingestion pipeline, model endpoint) that leaves it out, unless another key says
  what runs it: a model served by a provider (``hosting`` other than ``self_hosted``) or on a
  declared ``serving.gpu`` (Lambda has no GPUs), or a ``provider``, ``product`` or
  ``framework`` naming another managed service (:data:`MANAGED_NAMES`);
* Bedrock: a ``hosting: bedrock`` component without ``model``: a possible member of every
  model's pool in its account and region, and of one pool with every other such component.

Like the declared pools, only components placed in one region count. A pool is *uncertain*
when its known and possible members together are two or more and at least one is possible:
whether it is a shared domain at all, or how far it reaches, then depends on the missing key.
CG-RED-011 asks :func:`possible_single_points` whether such a pool, failing, would stop a
journey; if so its verdict cannot be PASS (UNKNOWN, or the FAIL that known single points give).
Shared GPUs (``serving.gpu_sharing``) are not here: a GPU is allocated to one endpoint unless
sharing is configured, so an absent ``gpu_sharing`` describes dedicated GPUs.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from cellguard.assessments.availability.compile import JourneyTree
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.placement import AWS_POOLS, DomainRef, _part, aws_pool_refs
from cellguard.models.components import ComponentBase
from cellguard.models.components.common import ServiceFields
from cellguard.models.components.inference import HostedModelFields
from cellguard.models.enums import MANAGED_SERVICE_RUNTIMES, GuardrailProvider, Hosting, Runtime

MANAGED_NAMES = frozenset(
    {r.value for r in MANAGED_SERVICE_RUNTIMES if r is not Runtime.LAMBDA}
    | {GuardrailProvider.BEDROCK_GUARDRAILS.value}
)
"""Values of ``provider``, ``product`` or ``framework`` that name a managed service other than
Lambda (``product: api_gateway``, ``provider: bedrock_guardrails``): the component is that
service, not a function."""

ANY_MODEL = "*"
"""The model part of the pool shared by Bedrock endpoints that name no model."""


@dataclass(frozen=True)
class UncertainPool:
    """A pool whose membership depends on keys left out."""

    ref: DomainRef
    known: tuple[str, ...]
    """Members by declaration (qualified ids)."""
    possible: tuple[str, ...]
    """Members if the key they leave out says so."""
    missing: tuple[str, ...]
    """``stack/id: key`` of each possible member."""

    @property
    def members(self) -> tuple[str, ...]:
        return self.known + self.possible


def _may_be_lambda(component: ComponentBase) -> bool:
    if not isinstance(component, ServiceFields) or component.runtime is not None:
        return False
    for name in ("provider", "product", "framework"):
        value = getattr(component, name, None)
        if str(getattr(value, "value", value)) in MANAGED_NAMES:
            return False
    if isinstance(component, HostedModelFields):
        serving = component.serving
        gpu = serving.gpu if serving is not None else None
        return component.hosting is Hosting.SELF_HOSTED and gpu is None
    return True


def _bedrock_without_model(component: ComponentBase) -> bool:
    return (
        isinstance(component, HostedModelFields)
        and component.hosting is Hosting.BEDROCK
        and component.model is None
    )


def uncertain_pools(graph: StackGraph) -> tuple[UncertainPool, ...]:
    """Every pool of ``graph`` with a possible member and two or more members in all."""
    cached = _CACHE.get(graph)
    if cached is not None:
        return cached
    known: dict[DomainRef, list[str]] = {}
    possible: dict[DomainRef, list[tuple[str, str]]] = {}
    anonymous: list[tuple[str, str]] = []  # (qid, where) of Bedrock endpoints naming no model
    for qid in graph.components():
        component, placement = graph.component(qid), graph.placement(qid)
        if len(placement.regions) != 1:
            continue
        for ref in aws_pool_refs(component, placement):
            known.setdefault(ref, []).append(qid)
        where = f"{_part(placement.account)}@{_part(placement.regions[0])}"
        if _may_be_lambda(component):
            ref = DomainRef.shared(AWS_POOLS, f"lambda-concurrency@{where}")
            possible.setdefault(ref, []).append((qid, "runtime"))
        elif _bedrock_without_model(component):
            anonymous.append((qid, where))
    for qid, where in anonymous:
        prefix = f"{AWS_POOLS}/bedrock-quota@{where}@"
        refs = [ref for ref in known if ref.id.startswith(prefix)]
        refs.append(DomainRef.shared(AWS_POOLS, f"bedrock-quota@{where}@{ANY_MODEL}"))
        for ref in refs:
            possible.setdefault(ref, []).append((qid, "model"))
    pools = []
    for ref in sorted(possible, key=lambda r: r.id):
        members = known.get(ref, [])
        maybe = possible[ref]
        if len(members) + len(maybe) >= 2:
            pools.append(
                UncertainPool(
                    ref,
                    tuple(members),
                    tuple(qid for qid, _ in maybe),
                    tuple(f"{qid}: {key}" for qid, key in maybe),
                )
            )
    result = tuple(pools)
    _CACHE[graph] = result
    return result


_CACHE: weakref.WeakKeyDictionary[StackGraph, tuple[UncertainPool, ...]] = (
    weakref.WeakKeyDictionary()
)


def fails_with(tree: FaultTree, forced: set[str]) -> bool:
    """Whether ``tree``'s top event occurs when no basic event has failed but the gates (or
    events) ``forced`` are failed."""
    value: dict[str, bool] = {TRUE: True, FALSE: False}
    for name in tree.events:
        value[name] = name in forced
    for name in tree.topological_order():
        gate = tree.gates[name]
        args = [value[a] for a in gate.args]
        if name in forced:
            value[name] = True
        elif gate.op is GateOp.AND:
            value[name] = all(args)
        elif gate.op is GateOp.OR:
            value[name] = any(args)
        elif gate.op is GateOp.ATLEAST:
            value[name] = sum(args) >= (gate.k or 1)
        elif gate.op is GateOp.NOT:
            value[name] = not args[0]
        else:
            value[name] = sum(args) % 2 == 1
    return value[tree.top]


def possible_single_points(graph: StackGraph, jt: JourneyTree) -> list[UncertainPool]:
    """The uncertain pools whose failure would stop the journey of ``jt``: a failed pool takes
    each member down in its one region (its ``down:<member>`` gate, which the compiler builds
    for every component on the journey, even one whose own failure has no prior)."""
    found = []
    on_journey = set(jt.components)
    for pool in uncertain_pools(graph):
        forced = {f"down:{qid}" for qid in pool.members if qid in on_journey}
        if forced and fails_with(jt.tree, forced):
            found.append(pool)
    return found


def unplaced_single_points(graph: StackGraph, jt: JourneyTree) -> list[str]:
    """Components of the journey of ``jt`` whose replicas run in zones the spec does not
    declare (``placement.zones`` left out) and whose loss would stop the journey: all their
    replicas may be in one zone, which would then be a single point (``zones: 1`` is one)."""
    found = []
    replicated = {
        info.component
        for info in jt.events.values()
        if info.kind == "replica" and info.component is not None
    }
    for qid in sorted(replicated):
        placement = graph.placement(qid)
        if placement.zones is not None or len(placement.regions) != 1:
            continue
        if fails_with(jt.tree, {f"down:{qid}"}):
            found.append(qid)
    return found
