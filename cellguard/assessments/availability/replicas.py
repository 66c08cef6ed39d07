"""The failure of a component's replicas in one region, in closed form: no event per replica.

A self-run component has ``n`` identical replicas in a region, spread round-robin over its
``m`` zones (``n_j`` in zone ``j``), each down independently with probability ``q`` and mean
repair time ``τ``; it needs ``k`` of them up (``min_healthy_replicas``). With ``Z_j`` the
zone's event (shared with every other component in the zone) and ``X_j ~ Bin(n_j, 1 − q)`` the
replicas of zone ``j`` that are up, the region's *body* fails when ``Σ_{j: Z_j up} X_j < k``.

Only the zone events are shared; everything else about the replicas is private to the body.
So an encoding is exact as long as, for every state of the zones, the body fails with the
right probability, and its private events are independent of everything outside it. The
encodings below are exact in that sense, coherent (no negation), and their size does not
depend on ``n``:

* **Zone thresholds** (used when the recursion below has at most :data:`THRESHOLD_BUDGET`
  terms, and always for ``k = 1``, about ``2m`` terms, or a single zone, one term): per zone
  the nested events ``F_{j,t}`` = "fewer than ``t`` of its ``n_j`` replicas up"
  (``F_{j,1} ⊆ F_{j,2} ⊆ …``; ``t`` up to ``min(k, n_j)``, only the thresholds the recursion
  uses), and ``G(j, r)`` = "zones ``j..m`` provide fewer than ``r`` replicas up"::

      G(j, r) = G(j+1, r) AND  AND_{t=1..min(r, n_j)} ( Z_j OR F_{j,t} OR G(j+1, r−t) )

  with ``G(·, r ≤ 0)`` false and ``G(j, r)`` true when the zones ``j..m`` hold fewer than
  ``r`` replicas (derivation: for ``Y_j`` the zone's replicas up, or 0 when it is down,
  ``Y_j + rest < r`` iff for every ``t ≤ Y_j``, ``rest < r − t``; the terms for ``t > r``
  are implied by ``t = r``). The body is ``G(1, k)``. For ``k = 1`` this is
  ``AND_j (Z_j OR F_{j,1})`` with ``P(F_{j,1}) = q^{n_j}``; a zone with one replica has the
  replica itself as its only event (named ``replica:<component>@<region>#<i>`` as before).
* **Any replica down** (``k = n``): ``OR_j (Z_j OR F_{j,n_j})``, ``P = 1 − (1 − q)^{n_j}``.
* **Conditioning on the zones** (a larger ``k``): with ``N`` the replicas in the zones that
  are up, the body fails with probability ``g(N) = P(Bin(N, 1 − q) < k)``, which decreases
  in ``N``. One nested family of private events ``A(N) ⊆ A(N')`` for ``N > N'``
  (``P(A(N)) = g(N)``) and the zone recursion ``B(i, s) = (Z_i AND B(i+1, s)) OR
  B(i+1, s + n_i)``, ``B(m+1, s) = A(s)`` (true when ``s < k``), give the body as
  ``B(1, 0)``: its size is the number of distinct partial sums (``O(m³)`` at worst, ``m²/2``
  when every zone holds the same number), independent of ``n`` and ``k``.
* **Bound**: when even that exceeds :data:`CONDITIONING_BUDGET` (unequal numbers of
  replicas over more than about 50 zones, equal ones over more than about 77), every zone is
  counted with the smallest ``n_j`` and zone states with ``d`` or more zones down count as
  failed (``d = m`` up to 54 zones, ``d = BOUND_BUDGET // m`` beyond): fewer replicas and
  more failed states can only fail more often, so the result is an upper bound of about
  :data:`BOUND_BUDGET` gates, and the assessment says it is not exact (``exact: false``, and
  the label of the events). It is never a silent approximation.

Nested families of private events and the repair times that keep the failure frequency
exact are built by :mod:`.nested`. Every event says what it stands for ("2 or more of the 5
replicas of llm in use1-az1 (us-east-1) down", "…, given 1 or more") and how many replica
failures that is at least (its order in cut sets), so that importances, cut sets and single
points of failure read as they did with one event per replica.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cellguard.assessments.availability.binomial import log_below, log_pmf
from cellguard.assessments.availability.nested import Level, Sink, chain
from cellguard.assessments.faulttree.tree import FALSE, TRUE, GateOp
from cellguard.assessments.placement import round_robin

THRESHOLD_BUDGET = 400
"""Most terms (OR gates) of the zone-threshold recursion; beyond it the body conditions on the
zones. Its terms are at most ``m·k·min(k, max n_j)``."""

CONDITIONING_BUDGET = 3000
"""Most gates of the conditioning recursion before the bound is used instead."""

BOUND_BUDGET = 3000
"""About the most gates of the bound (``m·d``; at least ``m``)."""


@dataclass(frozen=True)
class Group:
    """The replicas of one component and region in one zone (``zone`` None: zones unknown)."""

    zone: str | None
    count: int
    first: int
    """Number (1-based, round-robin order) of the group's first replica."""


def replica_groups(zones: tuple[str, ...], n: int) -> tuple[Group, ...]:
    """How round-robin places ``n`` replicas over ``zones`` (zones with none left out)."""
    if not zones:
        return (Group(None, n, 1),) if n > 0 else ()
    return tuple(Group(z, count, zones.index(z) + 1) for z, count in round_robin(zones, n))


@dataclass(frozen=True)
class ReplicaSet:
    """A component's replicas in one region and what its callers need of them."""

    component: str
    region: str
    groups: tuple[Group, ...]
    need: int
    """``k``: replicas that must be up (1 ≤ k ≤ n)."""
    q: float
    repair_hours: float

    @property
    def total(self) -> int:
        """``n``: the replicas in the region."""
        return sum(g.count for g in self.groups)


def _and(args: list[str]) -> list[str] | None:
    """Arguments of an AND without ``TRUE``; ``None`` when one is ``FALSE``."""
    return None if FALSE in args else [a for a in args if a != TRUE]


def _or(args: list[str]) -> list[str] | None:
    """Arguments of an OR without ``FALSE``; ``None`` when one is ``TRUE``."""
    return None if TRUE in args else [a for a in args if a != FALSE]


class _Encoder:
    def __init__(self, rs: ReplicaSet, sink: Sink) -> None:
        self.rs = rs
        self.sink = sink
        # log λ: the failure rate per hour of a replica that is up (-inf: it never fails)
        self.log_rate = (
            math.log(rs.q) - math.log1p(-rs.q) - math.log(rs.repair_hours)
            if rs.q > 0.0
            else -math.inf
        )
        self.top = f"replicas-down:{rs.component}@{rs.region}"

    def _log_w(self, count: int, t: int, log_p: float) -> float:
        """``log(t·λ·P(Bin(count) = t) / P)``: ``W`` of a family member (module docstring)."""
        if log_p == -math.inf or self.log_rate == -math.inf:
            return -math.inf
        return math.log(t) + self.log_rate + log_pmf(t, count, self.rs.q) - log_p

    def gate(self, name: str, op: GateOp, args: list[str] | None) -> str:
        """A gate over simplified arguments (``None``: the absorbing constant)."""
        if args is None:
            return TRUE if op is GateOp.OR else FALSE
        if not args:
            return FALSE if op is GateOp.OR else TRUE
        return self.sink.gate(name, op, args)

    def zone_args(self, group: Group) -> list[str]:
        return [] if group.zone is None else [self.sink.zone(group.zone)]

    def zone_levels(self, group: Group, thresholds: list[int]) -> list[Level]:
        """``F_t`` = "fewer than ``t`` of the group's replicas up", ``thresholds`` ascending."""
        rs, n = self.rs, group.count
        place = "" if group.zone is None else f"/{group.zone}"
        where = f"in {rs.region}" if group.zone is None else f"in {group.zone} ({rs.region})"
        levels: list[Level] = []
        for t in thresholds:
            down = n - t + 1
            if n == 1:
                event = f"replica:{rs.component}@{rs.region}#{group.first}"
                zone = "" if group.zone is None else f" in {group.zone}"
                label = f"{rs.component} replica {group.first} in {rs.region}{zone} down"
            else:
                event = f"replicas:{rs.component}@{rs.region}{place}#down>={down}"
                if down == n:
                    what = f"all {n} replicas"
                elif down == 1:
                    what = f"any of the {n} replicas"
                else:
                    what = f"{down} or more of the {n} replicas"
                label = f"{what} of {rs.component} {where} down"
            log_p = log_below(t, n, rs.q)
            levels.append(
                Level(
                    event,
                    f"replicas-down:{rs.component}@{rs.region}{place}#down>={down}",
                    label,
                    f", given {down} or more",
                    log_p,
                    self._log_w(n, t, log_p),
                    down,
                )
            )
        return levels

    def any_down(self) -> str:
        """``k = n``: any zone or any replica down."""
        args: list[str] = []
        for group in self.rs.groups:
            [node] = chain(self.zone_levels(group, [group.count]), self.sink)
            args += [node, *self.zone_args(group)]
        return self.gate(self.top, GateOp.OR, _or(args))

    def threshold_plan(
        self,
    ) -> tuple[dict[tuple[int, int], list[tuple[int, int]]], list[set[int]]] | None:
        """The recursion ``G(j, r)``: for each reachable ``(j, r)`` its terms ``(t, r − t)``
        (``t = 0``: ``G(j+1, r)`` alone) and the thresholds used per zone; ``None`` when it
        would have more than :data:`THRESHOLD_BUDGET` terms."""
        groups = self.rs.groups
        cap = [0] * (len(groups) + 1)
        for j in range(len(groups) - 1, -1, -1):
            cap[j] = cap[j + 1] + groups[j].count
        used: list[set[int]] = [set() for _ in groups]
        plan: dict[tuple[int, int], list[tuple[int, int]]] = {}
        size = 0
        stack = [(0, self.rs.need)]
        while stack:
            j, r = stack.pop()
            if (j, r) in plan:
                continue
            # terms whose other zones cannot make up the rest are true: t >= r - cap[j+1]
            low, high = max(0, r - cap[j + 1]), min(r, groups[j].count)
            size += high - low + 1
            if size > THRESHOLD_BUDGET and len(groups) > 1 and self.rs.need > 1:
                return None
            plan[(j, r)] = [(t, r - t) for t in range(low, high + 1)]
            used[j].update(range(max(low, 1), high + 1))
            stack += [(j + 1, r - t) for t in range(low, high + 1) if r - t > 0]
        return plan, used

    def thresholds(
        self, plan: dict[tuple[int, int], list[tuple[int, int]]], used: list[set[int]]
    ) -> str:
        """``G(1, k)`` over per-zone threshold chains."""
        rs, groups = self.rs, self.rs.groups
        below: list[dict[int, str]] = []
        for group, ts in zip(groups, used, strict=True):
            ordered = sorted(ts)
            below.append(
                dict(zip(ordered, chain(self.zone_levels(group, ordered), self.sink), strict=True))
            )
        built: dict[tuple[int, int], str] = {}
        where = f"{rs.component}@{rs.region}"
        for j, r in sorted(plan, key=lambda key: -key[0]):  # deeper zones first
            args: list[str] = []
            for t, rest in sorted(plan[(j, r)], key=lambda term: term[0] == 0):  # zone j first
                child = built[(j + 1, rest)] if rest > 0 else FALSE
                if t == 0:
                    args.append(child)
                else:
                    term = _or([below[j][t], *self.zone_args(groups[j]), child])
                    args.append(
                        self.gate(f"fewer-than-{r}-up:{where}#{j + 1}/{t}", GateOp.OR, term)
                    )
            name = self.top if (j, r) == (0, rs.need) else f"fewer-than-{r}-up:{where}#{j + 1}"
            built[(j, r)] = self.gate(name, GateOp.AND, _and(args))
        return built[(0, rs.need)]

    def conditioning_plan(self, weights: list[int], budget: int | None) -> list[set[int]] | None:
        """Sums of replicas in the zones up among the first ``i`` zones, for each ``i``
        (``None`` beyond ``budget``)."""
        sums: list[set[int]] = [{0}]
        size = 0
        for w in weights:
            sums.append({s + d for s in sums[-1] for d in (0, w)})
            size += len(sums[-1])
            if budget is not None and size > budget:
                return None
        return sums

    def bound(self, weights: list[int]) -> str:
        """An upper bound: every zone counted with the fewest replicas any holds, and the
        zone states with ``d`` or more zones down counted as failed (``d`` as large as
        :data:`BOUND_BUDGET` allows, at least 1), in ``m·d`` gates."""
        low, m = min(weights), len(weights)
        most = max(1, min(m, BOUND_BUDGET // m))
        sums = [{up * low for up in range(max(0, i - most + 1), i + 1)} for i in range(m + 1)]
        note = f"; upper bound: every zone counted with {low} replicas"
        if most < m:
            note += f", {most} or more zones down counted as failed"
        return self.conditioning([low] * m, sums, note)

    def conditioning(self, weights: list[int], sums: list[set[int]], note: str) -> str:
        """``B(1, 0)``: the zone states by the replicas they leave, over one nested family."""
        rs = self.rs
        k, n = rs.need, sum(weights)
        finals = sorted((s for s in sums[-1] if s >= k), reverse=True)  # least likely first
        levels: list[Level] = []
        for big_n in finals:
            log_p = log_below(k, big_n, rs.q)
            when = "all zones up" if big_n == n else f"the zones up holding {big_n} of {n}"
            levels.append(
                Level(
                    f"replicas:{rs.component}@{rs.region}#up<{k}-of-{big_n}",
                    f"replicas-up<{k}-of-{big_n}:{rs.component}@{rs.region}",
                    f"fewer than {k} of {big_n} replicas of {rs.component} in {rs.region} up "
                    f"({when}){note}",
                    f", given fewer than {k} of {big_n} up",
                    log_p,
                    self._log_w(big_n, k, log_p),
                    big_n - k + 1,
                )
            )
        final = dict(zip(finals, chain(levels, self.sink), strict=True))
        zones = [self.sink.zone(g.zone) for g in rs.groups if g.zone is not None]
        built = {s: final.get(s, TRUE) for s in sums[-1]}
        where = f"{rs.component}@{rs.region}"
        for i in range(len(weights) - 1, -1, -1):
            layer: dict[int, str] = {}
            for s in sums[i]:
                lost = self.gate(
                    f"replicas-down:{where}#zone{i + 1}-down-{s}",
                    GateOp.AND,
                    _and([zones[i], built.get(s, TRUE)]),  # absent: pruned by the bound
                )
                name = self.top if i == 0 else f"replicas-down:{where}#zone{i + 1}-{s}"
                layer[s] = self.gate(name, GateOp.OR, _or([lost, built[s + weights[i]]]))
            built = layer
        return built[0]


def replica_body(rs: ReplicaSet, sink: Sink) -> tuple[str, bool]:
    """The node that fails when fewer than ``rs.need`` replicas are up, and whether it is
    exact (see the module docstring for the encodings)."""
    n, k = rs.total, rs.need
    if k <= 0:
        return FALSE, True
    if n < k or rs.q >= 1.0:
        return TRUE, True
    enc = _Encoder(rs, sink)
    if k == n:
        return enc.any_down(), True
    planned = enc.threshold_plan()  # always for k = 1 and for one zone (or zones unknown)
    if planned is not None:
        return enc.thresholds(*planned), True
    weights = [g.count for g in rs.groups]
    sums = enc.conditioning_plan(weights, CONDITIONING_BUDGET)
    if sums is not None:
        return enc.conditioning(weights, sums, ""), True
    return enc.bound(weights), False
