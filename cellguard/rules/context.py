"""What a rule sees: the organisation graph plus the lookups most rules need, computed once."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cached_property

from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.models.business import Journey
from cellguard.models.components import ComponentBase
from cellguard.models.enums import ComponentKind, Criticality
from cellguard.models.findings import TargetKind
from cellguard.models.references import localise, split_reference
from cellguard.models.stack import Platform, Stack
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Target

TIER_ORDER = list(Criticality)
"""tier0 first: a lower index is more critical."""

_KIND_VALUES = frozenset(k.value for k in ComponentKind)

CRITICAL_TIERS = (Criticality.TIER0, Criticality.TIER1)
"""The tiers whose journeys get the stricter checks (cells, reserved capacity, chaos, ...)."""


class RuleContext:
    """Read-only view of one assessment run, shared by every rule."""

    def __init__(self, graph: StackGraph) -> None:
        """Wrap ``graph``; lookups are computed lazily and cached (the graph does not change
        once built)."""
        self.graph = graph
        self._selections: dict[frozenset[ComponentKind], list[tuple[str, ComponentBase]]] = {}
        self._targets: dict[str, Target] = {}
        self._dependency_targets: dict[tuple[str, str], Target] = {}
        self._journey_targets: dict[tuple[str, str], Target] = {}
        self._stack_targets: dict[str, Target] = {}

    def warm(self) -> None:
        """Make now the look-ups most rules share: this context's indexes. Before a forked
        child takes some of the rules (:mod:`.parallel`), so that it inherits them instead of
        making them again. The model fleets and journey latencies are not made here: the
        rules that read them stay in this process (:data:`.parallel.FLEET_RULES`), where the
        reports' figures read them too, and are made there while the child works."""
        _ = (
            self._index,
            self._dependency_index,
            self._journeys_by_component,
            self._journeys_by_entrypoint,
        )
        self.components()

    # -- documents ------------------------------------------------------------------------

    def stacks(self) -> list[Stack]:
        """Stack documents, sorted by name."""
        return sorted(self.graph.org.stacks, key=lambda s: s.name)

    def documents(self) -> list[Stack | Platform]:
        """Stack and platform documents, sorted by name."""
        return sorted((d.document for d in self.graph.org.documents), key=lambda d: d.name)

    def document(self, name: str) -> Stack | Platform:
        """The document called ``name``."""
        loaded = self.graph.org.by_name(name)
        if loaded is None:
            raise KeyError(f"no document {name!r}")
        return loaded.document

    # -- components -----------------------------------------------------------------------

    def components(self, *kinds: ComponentKind) -> Iterator[tuple[str, ComponentBase]]:
        """(qualified id, model) of every component of the given kinds (all if none), sorted.

        Each selection of kinds is listed once per run: most rules ask for theirs, and an
        organisation of 10,000 components made that 450,000 kind lookups.
        """
        wanted = frozenset(kinds)
        found = self._selections.get(wanted)
        if found is None:
            found = self._selections[wanted] = [
                (qid, comp) for qid, kind, comp in self._components if not wanted or kind in wanted
            ]
        return iter(found)

    @cached_property
    def _components(self) -> list[tuple[str, ComponentKind, ComponentBase]]:
        graph = self.graph
        return [(qid, graph.kind(qid), graph.component(qid)) for qid in graph.components()]

    def components_for(self, meta: RuleMeta) -> Iterator[tuple[str, ComponentBase]]:
        """The components of the kinds in ``meta.applies_to``, so a rule judges what it declares."""
        kinds = [ComponentKind(k) for k in meta.applies_to if k in _KIND_VALUES]
        return self.components(*kinds) if kinds else iter(())

    def component_target(self, qid: str) -> Target:
        """The :class:`Target` of component ``qid`` (one frozen object per component)."""
        found = self._targets.get(qid)
        if found is None:
            stack, cid = split_reference(qid, "")
            target = Target(TargetKind.COMPONENT, stack, cid, ("components", self._index[qid]))
            found = self._targets[qid] = target
        return found

    def journey_target(self, stack: str, journey_id: str) -> Target:
        """The :class:`Target` of a journey (one frozen object per journey: the rule engine
        finds a target it has judged before by identity)."""
        key = (stack, journey_id)
        found = self._journey_targets.get(key)
        if found is None:
            path = ("business", "journeys", self._journey_index[key])
            found = self._journey_targets[key] = Target(TargetKind.JOURNEY, stack, journey_id, path)
        return found

    def stack_target(self, stack: str) -> Target:
        """The :class:`Target` of a whole document (one frozen object per document)."""
        found = self._stack_targets.get(stack)
        if found is None:
            found = self._stack_targets[stack] = Target(TargetKind.STACK, stack, stack, ())
        return found

    def dependency_target(self, edge: DependencyEdge) -> Target:
        """The :class:`Target` of a dependency: the caller's ``depends_on`` entry."""
        key = (edge.source, edge.target)
        found = self._dependency_targets.get(key)
        if found is None:
            stack, caller = split_reference(edge.source, "")
            position = self._dependency_index[key]
            callee = localise(edge.target, stack)
            path = ("components", self._index[edge.source], "depends_on", position)
            target = Target(TargetKind.DEPENDENCY, stack, f"{caller}->{callee}", path)
            found = self._dependency_targets[key] = target
        return found

    @cached_property
    def _index(self) -> dict[str, int]:
        return {
            f"{doc.name}/{comp.id}": i
            for doc in self.documents()
            for i, comp in enumerate(doc.components)
        }

    @cached_property
    def _journey_index(self) -> dict[tuple[str, str], int]:
        return {(s.name, j.id): i for s in self.stacks() for i, j in enumerate(s.business.journeys)}

    @cached_property
    def _dependency_index(self) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        for doc in self.documents():
            for comp in doc.components:
                source = f"{doc.name}/{comp.id}"
                for i, dep in enumerate(comp.depends_on):
                    stack, cid = split_reference(dep.to, doc.name)
                    found[(source, f"{stack}/{cid}")] = i
        return found

    # -- journeys and business impact ------------------------------------------------------

    @cached_property
    def _journeys_by_component(self) -> dict[str, list[tuple[str, Journey]]]:
        found: dict[str, list[tuple[str, Journey]]] = {}
        for stack, journey in self._journeys:
            for qid in self.graph.journey_components(stack, journey.id):
                found.setdefault(qid, []).append((stack, journey))
        return found

    def journeys_of(self, qid: str) -> list[tuple[str, Journey]]:
        """(stack, journey) of every journey whose components include ``qid``, sorted."""
        return list(self._journeys_by_component.get(qid, []))

    def journeys(self) -> list[tuple[str, Journey]]:
        """Every (stack, journey), sorted."""
        return list(self._journeys)

    @cached_property
    def _journeys(self) -> list[tuple[str, Journey]]:
        return self.graph.journeys()

    def entered_at(self, qid: str) -> list[tuple[str, Journey]]:
        """(stack, journey) of every journey whose entrypoint is component ``qid``, sorted."""
        return list(self._journeys_by_entrypoint.get(qid, []))

    @cached_property
    def _journeys_by_entrypoint(self) -> dict[str, list[tuple[str, Journey]]]:
        found: dict[str, list[tuple[str, Journey]]] = {}
        for stack, journey in self._journeys:
            try:
                entry = self.graph.entrypoint(stack, journey.id)
            except KeyError:  # an entrypoint that is not a component enters nothing
                continue
            found.setdefault(entry, []).append((stack, journey))
        return found

    def top_tier(self, qid: str) -> Criticality | None:
        """The most critical tier of the journeys ``qid`` serves; ``None`` if it serves none."""
        tiers = [j.criticality for _, j in self.journeys_of(qid)]
        return min(tiers, key=TIER_ORDER.index) if tiers else None

    def serves_critical(self, qid: str) -> bool:
        """Whether ``qid`` is on a tier0 or tier1 journey."""
        return self.top_tier(qid) in CRITICAL_TIERS

    def critical_journeys(self, qid: str) -> list[tuple[str, Journey]]:
        """The tier0 and tier1 journeys ``qid`` is on, sorted."""
        return [(s, j) for s, j in self.journeys_of(qid) if j.criticality in CRITICAL_TIERS]

    def departments_of(self, qid: str) -> list[str]:
        """Departments (or stack names where none is declared) of journeys using ``qid``."""
        names = set()
        for stack, _ in self.journeys_of(qid):
            doc = self.document(stack)
            names.add(doc.metadata.effective_department or stack)
        return sorted(names)

    def stacks_using(self, qid: str) -> list[str]:
        """Stacks that call ``qid`` directly or reach it on a journey, including its own."""
        found = {stack for stack, _ in self.journeys_of(qid)}
        found.update(self.graph.stack_of(e.source) for e in self.graph.dependents(qid))
        return sorted(found)
