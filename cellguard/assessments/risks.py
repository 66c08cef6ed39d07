"""The risk register read against the architecture: which journeys a risk touches, which of its
components have a control the spec proves, and how findings rank by risk.

A risk (``business.risks``) scores likelihood (rare 1 .. almost_certain 5) times severity
(minor 1 .. severe 4). It *touches* a journey when one of its components is among the
components the journey reaches (:meth:`StackGraph.journey_components`).

A **mitigating control** is one the spec can prove on that component; ``mitigation`` text is
not one (it is read by people, not checked). The controls counted:

* *redundancy*: the component keeps serving after losing a zone (replicas in two or more
  zones of every region it runs in, or a store deployed ``multi_az``) or runs in two or more
  regions;
* *callers degrade*: it has callers and every call to it has a ``fallback`` or is optional or
  asynchronous, so its failure does not fail its callers;
* *protections* on it: ``rate_limiting``, ``load_shedding`` or ``circuit_breaker`` set true;
* *tested backups*: a backup whose restore has been tested (``restore_tested: true``).
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

from cellguard.assessments.graph import StackGraph
from cellguard.models.business import Risk
from cellguard.models.findings import Evidence
from cellguard.models.references import qualify

_ROWS: WeakKeyDictionary[StackGraph, tuple[RiskRow, ...]] = WeakKeyDictionary()


@dataclass(frozen=True)
class RiskRow:
    """One risk of a stack's register with what the spec says about it.

    ``components`` are qualified ids of the components it names that the graph holds;
    ``controls`` maps each of them to the controls the spec proves (empty: none).
    """

    stack: str
    risk: Risk
    components: tuple[str, ...]
    journeys: tuple[str, ...]
    controls: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def id(self) -> str:
        """The risk's id."""
        return self.risk.id

    @property
    def uncontrolled(self) -> tuple[str, ...]:
        """Components of the risk without a control the spec proves."""
        return tuple(c for c, found in self.controls if not found)

    def to_json(self) -> dict[str, Evidence]:
        """JSON-ready data in a fixed key order."""
        return {
            "stack": self.stack,
            "id": self.risk.id,
            "description": self.risk.description,
            "likelihood": self.risk.likelihood.value,
            "severity": self.risk.severity.value,
            "score": self.risk.score,
            "severe_and_likely": self.risk.severe_and_likely,
            "components": list(self.components),
            "journeys": list(self.journeys),
            "controls": {c: list(found) for c, found in self.controls},
            "uncontrolled": list(self.uncontrolled),
            "mitigation": self.risk.mitigation,
        }


def controls(graph: StackGraph, qid: str) -> tuple[str, ...]:
    """The mitigating controls the spec proves on component ``qid`` (see the module doc)."""
    comp = graph.component(qid)
    placement = graph.placement(qid)
    found: list[str] = []
    counts = placement.replica_counts()
    if len(placement.regions) > 1:
        found.append(f"redundancy: {len(placement.regions)} regions")
    elif placement.zones_known and counts and all(len(c) > 1 for c in counts.values()):
        zones = min(len(c) for c in counts.values())
        found.append(f"redundancy: replicas in {zones} zones")
    elif getattr(comp, "multi_az", None) is True:
        found.append("redundancy: multi_az")
    calls = graph.dependents(qid)
    if calls and all(e.fallback is not None or not e.on_required_path for e in calls):
        found.append("callers degrade: every call has a fallback or is optional or async")
    protections = getattr(comp, "protections", None)
    if protections is not None:
        names = [
            n
            for n in ("rate_limiting", "load_shedding", "circuit_breaker")
            if getattr(protections, n)
        ]
        if names:
            found.append(f"protections: {', '.join(names)}")
    backups = getattr(comp, "backups", None) or []
    if any(getattr(b, "restore_tested", None) is True for b in backups):
        found.append("tested backups: restore_tested")
    return tuple(found)


def _journeys_touching(graph: StackGraph, components: set[str]) -> tuple[str, ...]:
    touched = [
        f"{stack}/{journey.id}"
        for stack, journey in graph.journeys()
        if components.intersection(graph.journey_components(stack, journey.id))
    ]
    return tuple(sorted(touched))


def risk_rows(graph: StackGraph) -> tuple[RiskRow, ...]:
    """Every risk of every loaded stack, sorted by score (highest first), stack and id."""
    cached = _ROWS.get(graph)
    if cached is not None:
        return cached
    rows: list[RiskRow] = []
    held = set(graph.components())
    for stack in graph.org.stacks:
        name = stack.metadata.name
        for risk in stack.business.risks:
            comps = tuple(sorted({q for c in risk.components if (q := qualify(c, name)) in held}))
            rows.append(
                RiskRow(
                    stack=name,
                    risk=risk,
                    components=comps,
                    journeys=_journeys_touching(graph, set(comps)),
                    controls=tuple((c, controls(graph, c)) for c in comps),
                )
            )
    result = tuple(sorted(rows, key=lambda r: (-r.risk.score, r.stack, r.risk.id)))
    _ROWS[graph] = result
    return result


def risk_by_component(graph: StackGraph) -> dict[str, int]:
    """Qualified component id -> the highest risk score naming it."""
    found: dict[str, int] = {}
    for row in risk_rows(graph):
        for qid in row.components:
            found[qid] = max(found.get(qid, 0), row.risk.score)
    return found


def risk_of_target(ranks: dict[str, int], stack: str, kind: str, target: str) -> int:
    """The highest risk score on a finding's target: its component, or either end of its
    dependency (0 for other targets or components named by no risk)."""
    if kind == "component":
        return ranks.get(qualify(target, stack), 0)
    if kind == "dependency":
        caller, _, callee = target.partition("->")
        return max(ranks.get(qualify(caller, stack), 0), ranks.get(qualify(callee, stack), 0))
    return 0
