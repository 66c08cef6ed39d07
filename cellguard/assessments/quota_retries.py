"""The load a throttled quota really sees: the callers' retries of the calls it rejects.

Below its quota a managed model answers every call; above it the provider rejects the excess
(HTTP 429) and the callers retry as their ``retries`` on the edge to the model say. Retried
calls draw on the same quota, so throttling feeds itself. With the quota full, it accepts
``Q`` per second of the attempts it is offered and rejects the rest at random, a share ``p``
of every attempt; a call of journey ``j`` (first calls ``D_j`` per second, ``r_j`` retries)
then makes ``1 + p + ... + p^r_j`` attempts and succeeds with probability ``1 - p^(r_j+1)``.
What the quota serves is what succeeds::

    Σ_j D_j (1 - p^(r_j+1)) = Q

whose left side falls from ``D = Σ D_j`` at ``p = 0`` to 0 at ``p = 1``, so when ``D > Q`` it
has one root ``p`` (found by bisection to 1e-12). The offered load is then ``Q / (1 - p)``
(the attempts, of which ``Q`` pass) and ``p^(r_j+1)`` of journey ``j``'s calls fail after all
their retries. Without retries ``p = 1 - Q/D`` and the offered load is ``D``: retries only
add load. At or below the quota nothing is rejected and retries add nothing.

Only retries the caller declares count (``retries`` set on the edge, 0 included); an edge
without them counts one attempt, so the figure is a lower bound and never better than the
truth. A journey calling the model from several callers takes the most attempts among them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cellguard.assessments.demand import JourneyLoad
from cellguard.assessments.graph import StackGraph

_TOLERANCE = 1e-12


@dataclass(frozen=True)
class Retried:
    """A quota's offered load with the callers' retries of throttled calls."""

    offered: float
    """Attempts per second offered to the quota (first calls and retries)."""
    rejected_share: float
    """Share ``p`` of the attempts the quota rejects."""
    most_attempts: int
    """The most attempts a caller makes (first call plus its retries)."""


def attempts_of(graph: StackGraph, qid: str, load: JourneyLoad) -> int:
    """The attempts a call of ``load``'s journey makes on ``qid``: one plus the retries its
    callers declare on their edges to it (the most among them), 1 when none declare any."""
    route = graph.route(load.stack, load.journey)
    found = [
        1 + edge.retries
        for (_, target), edge in route.edges.items()
        if target == qid and edge.retries_declared
    ]
    return max(found, default=1)


def with_retries(parts: Sequence[tuple[float, int]], quota: float) -> Retried | None:
    """The load offered to a quota of ``quota`` per second by callers making ``(first calls
    per second, attempts per call)``; ``None`` when the first calls fit in the quota (nothing
    is rejected) or there is no quota."""
    demand = sum(d for d, _ in parts)
    if quota <= 0 or demand <= quota:
        return None
    most = max(a for _, a in parts)

    def served(p: float) -> float:
        return sum(d * (1.0 - p**a) for d, a in parts)

    low, high = 0.0, 1.0
    while high - low > _TOLERANCE:
        mid = (low + high) / 2
        if served(mid) > quota:
            low = mid
        else:
            high = mid
    p = (low + high) / 2
    return Retried(quota / (1.0 - p), p, most)
