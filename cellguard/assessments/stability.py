"""Static stability: how many replicas survive a zone loss, and how many a region needs.

Pure arithmetic shared by the capacity model (:mod:`capacity`) and the remediation planner.
Replicas of a region are spread round-robin over its zones, as
:meth:`EffectivePlacement.replica_counts` places them; losing a zone loses the replicas in it.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

TARGET_UTILISATION = 0.8
"""Highest peak utilisation a fleet should run at, before and after losing a zone or region.

Above it queueing delay grows steeply (the M/M/c wait scales with 1 / (1 - utilisation), so
80% -> 90% doubles it), and nothing is left for forecast error or a slow replica."""

_EPS = 1e-9


def replicas_after_zone_loss(replica_zones: list[str]) -> int:
    """Replicas left after losing the zone that holds most of ``replica_zones`` (one per replica)."""
    return survivors_of_zone_loss(list(Counter(replica_zones).values()))


def survivors_of_zone_loss(counts: Sequence[int]) -> int:
    """Replicas left after losing the zone that holds most, from the replicas per zone."""
    return sum(counts) - max(counts, default=0)


def replicas_for_static_stability(
    demand: float,
    per_replica: float,
    *,
    zones: int,
    regions: int = 1,
    target_utilisation: float = TARGET_UTILISATION,
) -> int | None:
    """Fewest replicas per region that keep utilisation at or below ``target_utilisation``
    after losing the largest zone of a region and, with ``regions > 1``, a whole region.

    ``demand`` and ``per_replica`` are in the same unit (e.g. output tokens/s); demand is split
    evenly over ``regions``, each with ``zones`` zones filled round-robin. Returns ``None`` when
    no replica count is enough: a single zone per region loses everything with its zone. At
    least one replica per region is returned for any positive ``per_replica``.
    """
    if per_replica <= 0 or zones < 1 or regions < 1 or not 0 < target_utilisation <= 1:
        raise ValueError("per_replica, zones, regions and target_utilisation must be positive")
    if zones == 1:
        return None
    need = max(demand, 0.0) / (per_replica * target_utilisation)
    # Survivors of a zone loss: n - ceil(n / zones) = floor(n (zones - 1) / zones), an integer,
    # so they must reach k = ceil(share); the least such n is ceil(k zones / (zones - 1)).
    k = max(math.ceil(need / regions - _EPS), 0)
    n = max(1, -(-k * zones // (zones - 1)))
    if regions > 1:
        n = max(n, math.ceil(need / (regions - 1) - _EPS))
    return n
