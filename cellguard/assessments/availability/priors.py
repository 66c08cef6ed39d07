"""The probability and repair time of every failure domain and component event.

Resolution order for each number: the spec's override (``topology.availability``, a shared
domain's ``availability``, a component's ``availability``), else the catalog prior
(:mod:`cellguard.models.catalog.availability`). Accounts, regions and zones are global, so
when several documents override the same one, the first document (organisation order) wins.
Every resolved value remembers where it came from, for the evidence of findings, and what
kind of figure it is (:class:`~cellguard.models.catalog.availability.PriorBasis`, or ``spec``
for a figure the spec states).

A component with neither an ``availability`` in the spec nor a catalog prior is *unknown*
(:attr:`Resolved.known` false): it is compiled as if it never failed on its own (its zones,
region and account still fail it), so its journeys' figures are upper bounds, and the
analysis reports them as unproven, naming the key to set (``availability``). No replica
availability is invented for it.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from enum import Enum

from cellguard.assessments.graph import StackGraph
from cellguard.assessments.placement import DomainKind, DomainRef, pool_type
from cellguard.assessments.spec_fields import field_or_none
from cellguard.models.catalog.availability import (
    ComponentAttributes,
    ComponentPrior,
    PriorScope,
    availability_catalog,
    component_prior,
    shared_domain_prior,
)
from cellguard.models.components import ComponentBase

SPEC_BASIS = "spec"
"""The basis of a figure the spec states (a component's or domain's ``availability``)."""

UNKNOWN_REPAIR_HOURS = 1.0
"""Repair time of an unknown component's event (its probability is 0: it only keeps the
failure frequency defined)."""


@dataclass(frozen=True)
class Resolved:
    """A probability of being down, its mean repair time and where the figure comes from."""

    availability: float
    repair_hours: float
    source: str
    scope: PriorScope = PriorScope.REPLICA
    basis: str = SPEC_BASIS
    """``sla``, ``design``, ``estimate``, ``assumption`` (catalog) or ``spec``."""
    known: bool = True
    """False for a component without a prior: ``availability`` is then a placeholder (100)."""

    @property
    def unavailability(self) -> float:
        """Probability of being down at a random time."""
        return (100.0 - self.availability) / 100.0


def _value(raw: object) -> str | None:
    if raw is None:
        return None
    return raw.value if isinstance(raw, Enum) else str(raw)


def attributes(comp: ComponentBase) -> ComponentAttributes:
    """The attributes of ``comp`` that catalog priors are matched on."""
    multi_az = getattr(comp, "multi_az", None)
    return ComponentAttributes(
        hosting=_value(getattr(comp, "hosting", None)),
        engine=_value(getattr(comp, "engine", None)),
        runtime=_value(getattr(comp, "runtime", None)),
        provider=_value(getattr(comp, "provider", None)),
        product=_value(getattr(comp, "product", None)),
        framework=_value(getattr(comp, "framework", None)),
        multi_az=multi_az if isinstance(multi_az, bool) else None,
    )


def _matched(comp: ComponentBase) -> tuple[object, ...]:
    """The values :func:`attributes` reads, as a key (without building the model)."""
    multi_az = field_or_none(comp, "multi_az")
    names = ("hosting", "engine", "runtime", "provider", "product", "framework")
    return (
        *(_value(field_or_none(comp, name)) for name in names),
        multi_az if isinstance(multi_az, bool) else None,
    )


class Priors:
    """Resolves domain and component priors for one organisation graph."""

    def __init__(self, graph: StackGraph) -> None:
        """Collect the spec's overrides from every loaded document."""
        self.graph = graph
        self._domains: dict[DomainRef, Resolved] = {}
        self._components: dict[str, Resolved] = {}
        self._catalog: dict[tuple[object, ...], ComponentPrior | None] = {}
        catalog = availability_catalog().domains
        for loaded in graph.org.documents:
            doc = loaded.document
            overrides = doc.topology.availability
            where = f"{doc.name}: topology.availability"
            refs: list[tuple[DomainRef, float | None, DomainKind]] = []
            refs += [
                (DomainRef.account(a), overrides.account, DomainKind.ACCOUNT)
                for a in doc.topology.accounts
            ]
            for region in doc.topology.regions:
                refs.append((DomainRef.region(region.name), overrides.region, DomainKind.REGION))
                refs += [(DomainRef.zone(z), overrides.zone, DomainKind.ZONE) for z in region.zones]
            refs += [
                (DomainRef.cell(doc.name, c.id), overrides.cell, DomainKind.CELL)
                for c in doc.topology.cells
            ]
            for ref, override, kind in refs:
                prior = getattr(catalog, kind.value)
                if override is not None and ref not in self._domains:
                    self._domains[ref] = Resolved(override, prior.repair_hours, where)
            for shared in doc.topology.shared_domains:
                ref = DomainRef.shared(doc.name, shared.id)
                prior = shared_domain_prior(shared.type.value)
                if shared.availability is not None:
                    self._domains[ref] = Resolved(
                        shared.availability,
                        prior.repair_hours,
                        f"{doc.name}: topology.shared_domains[{shared.id}].availability",
                    )
                else:
                    self._domains[ref] = Resolved(
                        prior.availability,
                        prior.repair_hours,
                        prior.source.cite(),
                        basis=prior.basis.value,
                    )

    def domain(self, ref: DomainRef) -> Resolved:
        """The prior of failure domain ``ref``."""
        found = self._domains.get(ref)
        if found is not None:
            return found
        if (
            ref.kind is DomainKind.SHARED
        ):  # a pool AWS imposes, shared GPUs, or declared in a document not loaded
            prior = shared_domain_prior(pool_type(ref) or "other")
        else:
            prior = getattr(availability_catalog().domains, ref.kind.value)
        resolved = Resolved(
            prior.availability, prior.repair_hours, prior.source.cite(), basis=prior.basis.value
        )
        self._domains[ref] = resolved
        return resolved

    @classmethod
    def of(cls, graph: StackGraph) -> Priors:
        """The priors of ``graph``, resolved once for every analysis of it (journey figures,
        prior provenance)."""
        found = _OF_GRAPH.get(graph)
        if found is None:
            found = _OF_GRAPH[graph] = cls(graph)
        return found

    def component(self, qid: str) -> Resolved:
        """The prior of one replica (scope ``replica``) or one region of the service; for a
        component without one, an unknown placeholder (:attr:`Resolved.known` false)."""
        found = self._components.get(qid)
        if found is None:
            found = self._components[qid] = self._component(qid)
        return found

    def _component(self, qid: str) -> Resolved:
        comp = self.graph.component(qid)
        matched = _matched(comp)
        if matched not in self._catalog:  # components of a kind mostly match alike
            self._catalog[matched] = component_prior(attributes(comp))
        prior = self._catalog[matched]
        if comp.availability is not None:
            return Resolved(
                comp.availability,
                prior.repair_hours if prior is not None else UNKNOWN_REPAIR_HOURS,
                f"{qid}: availability",
                prior.scope if prior is not None else PriorScope.REPLICA,
            )
        if prior is None:
            return Resolved(
                100.0,
                UNKNOWN_REPAIR_HOURS,
                f"no prior: set {qid}: availability",
                PriorScope.REPLICA,
                basis="unknown",
                known=False,
            )
        return Resolved(
            prior.availability,
            prior.repair_hours,
            prior.source.cite(),
            prior.scope,
            basis=prior.basis.value,
        )


_OF_GRAPH: weakref.WeakKeyDictionary[StackGraph, Priors] = weakref.WeakKeyDictionary()
