"""Cold loads and the hot set of a model endpoint hosting several models (issue 17 item 3).

An endpoint's ``serving.hosted_models`` share its GPU pool. A request whose model is not
resident waits for a **cold load**: ``size_gb / load_gb_per_s`` seconds from the source (S3, a
model store) into the GPUs. That wait is paid by the share ``1 - hit_ratio`` of requests (the
miss ratio), so it moves the p99 exactly when more than 1% of requests miss (the same tail
:mod:`latency` leaves calls out below): the p99 budget then includes the whole cold load; at
or below 1% it includes none. Which hosted group a journey's request targets is not declared,
so the budget takes the slowest cold load among the groups that miss more than 1% (a
conservative bound, like the rest of the budget). The mean cost, ``miss ratio x load time``,
is reported alongside.

The **hot set** is what each replica must keep resident to reach the hit ratios declared:
``access.hot_models`` of every group, or ``count x hit_ratio`` rounded up where it is left
out (the figure under uniform access, labelled an estimate: a skewed pattern needs fewer).
A single model declared without ``access`` is always resident.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cellguard.models.components.hosted import HostedModels

MISS_TAIL = 0.01
"""A miss ratio above this share of requests puts the cold load into the p99."""


def hosted_models(comp: object) -> tuple[HostedModels, ...]:
    """The ``serving.hosted_models`` of ``comp`` (empty for components without them)."""
    serving = getattr(comp, "serving", None)
    return tuple(getattr(serving, "hosted_models", None) or ())


@dataclass(frozen=True)
class ColdLoad:
    """The cold load of one hosted group: its miss ratio and load time (``None``: no
    bandwidth declared)."""

    name: str
    miss_ratio: float
    load_seconds: float | None

    @property
    def in_p99(self) -> bool:
        """Whether more than :data:`MISS_TAIL` of requests pay it."""
        return round(self.miss_ratio, 9) > MISS_TAIL

    @property
    def expected_ms(self) -> float | None:
        """Mean cost per request: miss ratio x load time, ms."""
        return None if self.load_seconds is None else self.miss_ratio * self.load_seconds * 1000


def cold_loads(comp: object) -> tuple[ColdLoad, ...]:
    """One :class:`ColdLoad` per hosted group that can miss (hit ratio below 1)."""
    found = []
    for group in hosted_models(comp):
        miss = 1.0 - group.hit_ratio
        if miss <= 0:
            continue
        seconds = group.size_gb / group.load_gb_per_s if group.load_gb_per_s else None
        found.append(ColdLoad(group.name, miss, seconds))
    return tuple(found)


def cold_load_p99_ms(comp: object) -> float | None:
    """The cold load in the p99 budget, ms: 0 when no group misses more than
    :data:`MISS_TAIL`, the slowest such group's load time otherwise, ``None`` (unknown) when
    one of them declares no ``load_gb_per_s``."""
    tail = [c for c in cold_loads(comp) if c.in_p99]
    if any(c.load_seconds is None for c in tail):
        return None
    return max((c.load_seconds or 0.0 for c in tail), default=0.0) * 1000


@dataclass(frozen=True)
class HotSet:
    """The models each replica keeps resident: per group (name, models, GB), and whether any
    count is the uniform-access estimate."""

    groups: tuple[tuple[str, int, float], ...]
    estimated: tuple[str, ...]

    @property
    def gb(self) -> float:
        """GPU memory the hot set takes on one replica, GB."""
        return sum(size for _, _, size in self.groups)

    @property
    def models(self) -> int:
        """Models resident on one replica."""
        return sum(n for _, n, _ in self.groups)


def hot_models(group: HostedModels) -> tuple[int, bool]:
    """Models of ``group`` a replica keeps resident, and whether that is an estimate."""
    access = group.access
    if access is None:
        return group.count, False
    if access.hot_models is not None:
        return access.hot_models, False
    exact = access.hit_ratio in (0.0, 1.0) or group.count == 1
    return math.ceil(round(group.count * access.hit_ratio, 9)), not exact


def hot_set(comp: object) -> HotSet | None:
    """The hot set of ``comp``; ``None`` when it hosts no declared models."""
    groups = hosted_models(comp)
    if not groups:
        return None
    rows, estimated = [], []
    for group in groups:
        n, guess = hot_models(group)
        rows.append((group.name, n, n * group.size_gb))
        if guess:
            estimated.append(group.name)
    return HotSet(tuple(rows), tuple(estimated))
