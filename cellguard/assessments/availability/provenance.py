"""What a journey's availability rests on: the kinds of prior behind it, and what has none.

Every basic event of a journey's tree takes its probability from a prior whose *basis* is an
SLA credit threshold (``sla``), a provider's design figure (``design``), a cellguard estimate
or assumption, or a figure the spec states (``spec``); see
:mod:`cellguard.models.catalog.availability`. An SLA is the monthly uptime below which the
provider owes credits, not a measurement, so a journey whose unavailability comes mostly from
SLA-based events has a figure that is a contractual floor rather than an expectation.

The share of a basis is exact: ``1 − U₀ / U``, with ``U`` the journey's unavailability and
``U₀`` the unavailability once every event of that basis is set to never fail (quantified
with the same BDD engine). It is the part of ``U`` those priors account for; shares of
different bases need not add up to 1 (events of different bases can fail the journey only
together).

A component on the journey without a prior (:attr:`.priors.Resolved.known` false) is listed in
:attr:`JourneyProvenance.unknown`: the journey's figure treats it as never failing on its own,
so it is an upper bound and the journey's availability is unproven until the spec sets the
component's ``availability``.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, replace

from cellguard.assessments.availability.compile import JourneyTree
from cellguard.assessments.availability.journeys import (
    FIGURES_KEPT,
    journey_availability,
    journey_result,
    sig,
)
from cellguard.assessments.availability.priors import Priors, Resolved
from cellguard.assessments.availability.shapes import Memo, shape_of
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FaultTree
from cellguard.assessments.faulttree.variants import probabilities
from cellguard.assessments.graph import StackGraph
from cellguard.models.findings import Evidence

BASES = ("sla", "design", "estimate", "assumption", "spec")
"""The bases reported, in this order."""

MOSTLY = 0.5
"""A journey rests *mostly* on SLA-based priors when they account for more than this share."""

QUANTIFY_SECONDS = 10.0
"""Time limit of each re-quantification (a bound beyond it: the share is then not shown)."""


@dataclass(frozen=True)
class JourneyProvenance:
    """The priors behind one journey's availability."""

    stack: str
    journey: str
    shares: dict[str, float]
    """Basis -> share of the unavailability its events account for (bases present only)."""
    unknown: tuple[str, ...]
    """Components on the journey without a prior (qualified ids, sorted)."""

    @property
    def sla_share(self) -> float:
        """Share of the unavailability that SLA-based priors account for."""
        return self.shares.get("sla", 0.0)

    @property
    def mostly_sla(self) -> bool:
        """Whether SLA credit thresholds account for most of the unavailability."""
        return self.sla_share > MOSTLY

    @property
    def proven(self) -> bool:
        """Whether every component on the journey has a prior (else the figure is a bound)."""
        return not self.unknown

    def summary(self) -> str:
        """One line for a table: ``mostly SLA: SLA 87%, assumption 12%; no prior: shop/api``
        (shares under 0.5% left out)."""
        parts = [f"{_name(b)} {v:.0%}" for b in BASES if (v := self.shares.get(b, 0.0)) >= 0.005]
        text = ", ".join(parts) if parts else "–"
        if self.mostly_sla:
            text = "mostly SLA: " + text
        if self.unknown:
            text += "; no prior: " + ", ".join(self.unknown)
        return text

    def to_json(self) -> dict[str, Evidence]:
        """The journey's prior provenance, for evidence and the JSON report."""
        return {
            "prior_shares": {b: sig(v, 4) for b, v in self.shares.items()},
            "mostly_sla": self.mostly_sla,
            "proven": self.proven,
            "components_without_prior": list(self.unknown),
        }


def _name(basis: str) -> str:
    return "SLA" if basis == "sla" else basis


def _basis(priors: Priors, jt: JourneyTree, event: str) -> Resolved | None:
    info = jt.events.get(event)
    if info is None:
        return None
    if info.domain is not None:
        return priors.domain(info.domain)
    if info.component is not None:
        return priors.component(info.component)
    return None


def _without(tree: FaultTree, events: set[str]) -> FaultTree:
    """``tree`` with ``events`` set to never fail."""
    changed = {
        name: replace(event, probability=0.0) if name in events else event
        for name, event in tree.events.items()
    }
    return FaultTree(tree.name, tree.top, changed, dict(tree.gates))


_RESTS: Memo[tuple[float, ...]] = Memo(FIGURES_KEPT)
""":func:`_rests` by the tree's shape and the ranks of each set's events."""


def _rests(tree: FaultTree, sets: list[set[str]]) -> list[float] | None:
    """The probability of ``tree`` with the events of each of ``sets`` set to never fail (of a
    tree of the same shape with the same events set, when there was one), ``None`` when
    :func:`~cellguard.assessments.faulttree.variants.probabilities` does not serve the tree
    (that depends on the clock too, so it is not remembered)."""
    shape = shape_of(tree)
    key = (shape.key, tuple(shape.ranks(events) for events in sets))
    found = _RESTS.get(key)
    if found is None:
        rests = probabilities(
            tree, [dict.fromkeys(events, 0.0) for events in sets], time_limit=QUANTIFY_SECONDS
        )
        if rests is None:
            return None
        found = _RESTS.keep(key, tuple(rests))
    return list(found)


def _provenance(graph: StackGraph, priors: Priors, stack: str, journey: str) -> JourneyProvenance:
    jt, result = journey_result(graph, stack, journey)
    unknown = tuple(sorted(c for c in jt.components if not priors.component(c).known))
    by_basis: dict[str, set[str]] = {}
    for name in jt.tree.events:
        resolved = _basis(priors, jt, name)
        if resolved is not None and resolved.known:
            by_basis.setdefault(resolved.basis, set()).add(name)
    shares: dict[str, float] = {}
    total = result.unavailability
    if total > 0:
        present = [b for b in BASES if by_basis.get(b)]
        rests = _rests(jt.tree, [by_basis[b] for b in present])
        for i, basis in enumerate(present):
            if rests is not None:
                rest = rests[i]
            else:
                quantified = quantify(
                    _without(jt.tree, by_basis[basis]), time_limit=QUANTIFY_SECONDS
                )
                if not quantified.exact:
                    continue
                rest = quantified.probability
            shares[basis] = max(0.0, min(1.0, 1.0 - rest / total))
    return JourneyProvenance(stack, journey, shares, unknown)


_CACHE: weakref.WeakKeyDictionary[StackGraph, dict[tuple[str, str], JourneyProvenance]] = (
    weakref.WeakKeyDictionary()
)


def journey_provenance(graph: StackGraph) -> dict[tuple[str, str], JourneyProvenance]:
    """The prior provenance of every journey, by ``(stack, journey)`` (cached per graph)."""
    cached = _CACHE.get(graph)
    if cached is not None:
        return cached
    priors = Priors.of(graph)
    out = {
        (r.stack, r.journey): _provenance(graph, priors, r.stack, r.journey)
        for r in journey_availability(graph)
    }
    _CACHE[graph] = out
    return out
