"""Nested families of private events, for the replica encodings of :mod:`.replicas`.

A nested family is built from independent *chain* events: the least likely member is
``E_1 = C_1 AND C_2 AND … AND C_s``, ``E_i = C_i AND E_{i+1}``, ``P(C_i) = P(E_i)/P(E_{i+1})``
(ratios of log-space probabilities from :mod:`.binomial`, no subtractions). The most likely
member ``E_s = C_s`` is a plain event ("3 or more of the 5 replicas of llm in use1-az1 down");
the others read "…, given 2 or more".

**Failure frequency.** cellguard's frequency is ``Σ_e I_B(e)·w_e`` over basic events, with
``w_e = P(e)/repair_e`` (for one event per replica, ``w = q/τ`` each). Let ``W_i`` be the rate
at which ``E_i`` begins, divided by ``P(E_i)``: for the zone thresholds ``E_i`` = "fewer than
``t_i`` up" begins when one of ``t_i`` replicas up fails, ``W_i = t_i·λ·P(X = t_i)/P(X < t_i)``
with ``λ = q/((1 − q)·τ)`` the failure rate of a replica that is up; when conditioning on the
zones, ``W_i = k·λ·P(Bin(N_i) = k)/g(N_i)``. Given everything else, the top depends on the
family only through which members hold, and ``C_i`` changes that only while ``E_{i+1}`` holds,
so ``I_B(C_i) = Σ_{j ≤ i} Δ_j·P(E_j)/P(C_i)`` with ``Δ_j`` the rise of the top's probability
when ``E_j`` begins. With ``repair(C_i) = 1/(W_i − W_{i+1})`` (``W_{s+1} = 0``), that is
``w(C_i)/P(C_i) = W_i − W_{i+1}``, the sum telescopes: ``Σ_i I_B(C_i)·w(C_i) = Σ_j Δ_j·P(E_j)·W_j``,
each member's true rate of beginning times its effect, as the per-replica sum gives. The
repair times are positive because ``W_i`` decreases along the family: binomials are log-concave
(thresholds) and ordered in ``n`` (conditioning). For ``k = 1`` the single member is "all
``n_j`` down" with ``repair = τ/n_j``, the first of ``n_j`` parallel repairs.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

from cellguard.assessments.faulttree.tree import FALSE, TRUE, GateOp


class Sink(Protocol):
    """Where the encoding puts its events and gates (the journey compiler)."""

    def basic(
        self, name: str, probability: float, repair_hours: float, label: str, order: int
    ) -> str:
        """Add a basic event of the component's replicas standing for ``order`` replica
        failures (at least; see :attr:`Level.order`); return its name."""
        ...

    def gate(self, name: str, op: GateOp, args: list[str]) -> str:
        """Add an AND/OR gate (one argument: that argument); return its name."""
        ...

    def zone(self, zone: str) -> str:
        """The zone's (shared) event."""
        ...


@dataclass(frozen=True)
class Level:
    """One member ``E_i`` of a nested family: names, labels and log figures."""

    event: str
    gate: str
    label: str
    given: str
    """What a smaller member's chain event is conditioned on (``", given …"``)."""
    log_p: float
    log_w: float
    order: int
    """Replica failures the member needs at least (``d`` for "``d`` or more down")."""


def chain(levels: list[Level], sink: Sink) -> list[str]:
    """Nodes of ``E_1 ⊆ … ⊆ E_s`` (``levels`` least likely first) from independent chain
    events; see the module docstring for their probabilities and repair times."""
    nodes: list[str] = [FALSE] * len(levels)
    above: Level | None = None
    above_node = TRUE
    for i in range(len(levels) - 1, -1, -1):
        level = levels[i]
        above_p = 0.0 if above is None else above.log_p
        above_w = -math.inf if above is None else above.log_w
        p = math.exp(level.log_p - above_p) if level.log_p > -math.inf else 0.0
        if p <= 0.0:
            break  # impossible, and so is every smaller member
        step = -math.expm1(above_w - level.log_w) * math.exp(level.log_w)
        repair = 1.0 / step if step > 0.0 else math.inf
        if above is None:
            nodes[i] = sink.basic(level.event, min(p, 1.0), repair, level.label, level.order)
        else:  # a cut set holding E_i holds the whole chain: the orders add up to E_i's
            name = f"{level.event}|{above.event.rpartition('#')[2]}"
            label = level.label + above.given
            order = level.order - above.order
            chain = sink.basic(name, min(p, 1.0), repair, label, order)
            nodes[i] = sink.gate(level.gate, GateOp.AND, [chain, above_node])
        above, above_node = level, nodes[i]
    return nodes
