"""The time to replace a failed replica that declares what it needs to start (issue 16 item 4).

A replica event's catalog prior gives an availability ``A0`` and a repair time ``r0`` (the
detection and rescheduling the prior assumes). Together they fix the replica's **failure
rate**, a property of the replica that the start-up does not change::

    λ = q0 / ((1 − q0) · r0),   q0 = 1 − A0

A replica that declares ``startup`` is replaced only once a new one has started
(:mod:`cellguard.assessments.startup`), and cannot start while a source it needs is down.
Its repair time becomes::

    r = r0 + start-up + Σ_s q_s · r_s

where the last term is the mean time a replacement waits for its start-up sources: a failure
at a random time finds source ``s`` down with probability ``q_s`` (its unavailability), and
then waits for the rest of that outage, of mean ``r_s`` (the source's repair time: exponential
outages have no memory). The replica's unavailability follows from the same failure rate::

    q = λ · r / (1 + λ · r)

so downtime and (through the overlap of longer repairs) the journey's failures per year move,
and the replica event's frequency ``q / r`` stays the rate ``λ`` times ``1 − q``.

Why a longer repair and not "k of n replicas failed AND the source down" in the cut sets: a
source being down does not fail a running replica, it only stops a replacement, so an AND in
the tree would count outages of the source that no replica failure meets. The mean wait keeps
the tree's size and its closed forms; what it leaves out is the correlation of several
replacements waiting for the same outage (second order: it needs two replica failures inside
one outage of the source). A component source uses its own prior (a service's regional event,
or one replica's figure for a source the team runs: a conservative choice for a replicated
one); an external source its declared ``availability`` and ``outage_hours``; a source without
figures is named and its wait left out (the repair is then a lower bound). Specs without
``startup`` keep the prior exactly. Only replica events change: a managed service's regional
event (a SageMaker endpoint, scope ``service``) is the provider's figure, whose replacements
of instances are inside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.assessments.availability.priors import Priors, Resolved
from cellguard.assessments.graph import StackGraph
from cellguard.assessments.startup import StartupTime, startup_time
from cellguard.models.catalog.availability import PriorScope
from cellguard.models.components.startup import Startup
from cellguard.models.references import qualify


@dataclass(frozen=True)
class Replacement:
    """A replica's repair time and unavailability once its start-up is counted."""

    repair_hours: float
    unavailability: float
    startup: StartupTime
    wait_hours: float
    unknown_sources: tuple[str, ...]
    text: str


def _h(value: float) -> str:
    return f"{value:.4g} h"


def replacement(graph: StackGraph, priors: Priors, qid: str, prior: Resolved) -> Replacement | None:
    """The replacement of one of ``qid``'s replicas (``None``: no ``startup`` declared)."""
    comp = graph.component(qid)
    started = startup_time(comp)
    startup = getattr(comp, "startup", None)
    if started is None or not isinstance(startup, Startup):
        return None
    stack = graph.stack_of(qid)
    wait = 0.0
    parts: list[str] = []
    unknown: list[str] = []
    for _, source in startup.sources():
        if source.component is not None:
            ref = qualify(source.component, stack)
            try:
                resolved = priors.component(ref)
            except KeyError:
                unknown.append(source.name)
                continue
            if not resolved.known:
                unknown.append(source.name)
                continue
            q_s, r_s = resolved.unavailability, resolved.repair_hours
        elif source.availability is not None and source.outage_hours is not None:
            q_s, r_s = (100.0 - source.availability) / 100.0, source.outage_hours
        else:
            unknown.append(source.name)
            continue
        wait += q_s * r_s
        parts.append(f"{source.name} {q_s:.3g} x {_h(r_s)}")
    q0, r0 = prior.unavailability, prior.repair_hours
    start_h = started.seconds / 3600.0
    repair = r0 + start_h + wait
    rate = q0 / ((1.0 - q0) * r0) if 0.0 < q0 < 1.0 else None
    q = q0 if rate is None else rate * repair / (1.0 + rate * repair)
    text = f"repair {_h(r0)} + start-up {_h(start_h)} ({started.arithmetic()})"
    if parts:
        text += f" + wait for start-up sources {_h(wait)} ({'; '.join(parts)})"
    if unknown:
        text += f" (outages of {', '.join(unknown)} unknown: left out)"
    text += f" = {_h(repair)}"
    return Replacement(repair, q, started, wait, tuple(unknown), text)


def replacement_of(graph: StackGraph, qid: str) -> Replacement | None:
    """:func:`replacement` of ``qid`` with the graph's priors, for a finding's evidence;
    ``None`` as well for a managed service's event (scope ``service``), which the fault tree
    keeps at the provider's figure (the module docstring)."""
    comp = graph.component(qid)
    if getattr(comp, "startup", None) is None:
        return None
    priors = Priors(graph)
    prior = priors.component(qid)
    if prior.scope is PriorScope.SERVICE:
        return None
    return replacement(graph, priors, qid, prior)


__all__ = ["Replacement", "replacement", "replacement_of"]
