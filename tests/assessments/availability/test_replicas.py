"""Replicas in closed form: the aggregated encodings against the per-replica tree they replace.

The reference builder below is the per-replica encoding cellguard used before (one event per
replica, OR'ed with its zone, under an ``atleast(n − k + 1)`` gate); it lives here only, as the
oracle. Two components share the zones, so the zones' shared fate is part of every check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.availability import replicas as rep
from cellguard.assessments.availability.replicas import ReplicaSet, replica_body, replica_groups
from cellguard.assessments.faulttree.importance import analyse
from cellguard.assessments.faulttree.tree import FALSE, TRUE, BasicEvent, FaultTree, Gate, GateOp

ZONES = ("az1", "az2", "az3", "az4")
ZONE_REPAIR = 3.0


@dataclass
class TreeSink:
    """Collects what an encoding adds, as a fault tree."""

    zone_p: dict[str, float]
    events: dict[str, BasicEvent] = field(default_factory=dict)
    gates: dict[str, Gate] = field(default_factory=dict)

    def basic(
        self, name: str, probability: float, repair_hours: float, label: str, order: int = 1
    ) -> str:
        assert name not in self.events and name not in self.gates
        assert order >= 1
        self.events[name] = BasicEvent(name, probability, repair_hours, label)
        return name

    def gate(self, name: str, op: GateOp, args: list[str]) -> str:
        assert args
        if len(args) == 1:
            return args[0]
        assert name not in self.gates and name not in self.events, name
        self.gates[name] = Gate(name, op, tuple(args))
        return name

    def zone(self, zone: str) -> str:
        name = f"zone:{zone}"
        self.events[name] = BasicEvent(name, self.zone_p[zone], ZONE_REPAIR)
        return name


def per_replica_body(rs: ReplicaSet, zones: tuple[str, ...], sink: TreeSink) -> str:
    """The old encoding: one event per replica, round-robin over ``zones``."""
    n, k = rs.total, rs.need
    if k == 0:
        return FALSE
    if n < k:
        return TRUE
    args: list[str] = []
    for i in range(n):
        replica = sink.basic(f"ref:{rs.component}#{i + 1}", rs.q, rs.repair_hours, "")
        if zones:
            replica = sink.gate(
                f"ref-down:{rs.component}#{i + 1}",
                GateOp.OR,
                [replica, sink.zone(zones[i % len(zones)])],
            )
        args.append(replica)
    need = n - k + 1
    name = f"ref-body:{rs.component}"
    if need == 1:
        return sink.gate(name, GateOp.OR, args)
    if need == n:
        return sink.gate(name, GateOp.AND, args)
    sink.gates[name] = Gate(name, GateOp.ATLEAST, tuple(args), need)
    return name


@dataclass(frozen=True)
class Case:
    """Two components sharing zones, an extra event and how their bodies combine."""

    a: tuple[int, int, float, tuple[str, ...]]
    b: tuple[int, int, float, tuple[str, ...]]
    zone_p: dict[str, float]
    op: GateOp
    extra: float


def _replica_set(name: str, spec: tuple[int, int, float, tuple[str, ...]]) -> ReplicaSet:
    n, k, q, zones = spec
    return ReplicaSet(name, "r1", replica_groups(zones, n), k, q, 2.0 if name == "a" else 7.5)


def build(case: Case, aggregated: bool) -> tuple[FaultTree, bool]:
    """The case's tree with the aggregated encoding, or the per-replica reference."""
    sink = TreeSink(case.zone_p)
    exact = True
    bodies: list[str] = []
    for name, spec in (("a", case.a), ("b", case.b)):
        rs = _replica_set(name, spec)
        if aggregated:
            node, ok = replica_body(rs, sink)
            exact = exact and ok
        else:
            node = per_replica_body(rs, spec[3], sink)
        bodies.append(node)
    sink.basic("extra", case.extra, 11.0, "")
    sink.gates["top"] = Gate("top", case.op, (bodies[0], bodies[1], "extra"))
    tree = FaultTree("case", "top", dict(sink.events), dict(sink.gates))
    tree.validate()
    return tree, exact


PROBABILITY = st.one_of(
    st.floats(min_value=1e-4, max_value=0.95), st.sampled_from([0.001, 0.01, 0.5])
)


@st.composite
def replicas(draw: st.DrawFn) -> tuple[int, int, float, tuple[str, ...]]:
    n = draw(st.integers(1, 8))
    k = draw(st.integers(1, n))
    m = draw(st.integers(0, len(ZONES)))
    zones = tuple(draw(st.permutations(ZONES))[:m])
    return n, k, draw(PROBABILITY), zones


CASES = st.builds(
    Case,
    replicas(),
    replicas(),
    st.fixed_dictionaries(dict.fromkeys(ZONES, PROBABILITY)),
    st.sampled_from([GateOp.OR, GateOp.AND]),
    st.sampled_from([0.0, 1e-3, 0.2]),
)


def _close(a: float | None, b: float | None) -> bool:
    assert a is not None and b is not None
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)


def _same_as_reference(case: Case) -> None:
    tree, exact = build(case, aggregated=True)
    ref, _ = build(case, aggregated=False)
    got, want = analyse(tree), analyse(ref)
    assert exact
    assert _close(got.probability, want.probability), (got.probability, want.probability)
    assert _close(got.frequency_per_year, want.frequency_per_year), (
        got.frequency_per_year,
        want.frequency_per_year,
    )
    # The zones' importances are properties of the same function of the shared events.
    mine = {i.event: i for i in got.importances}
    for importance in want.importances:
        if importance.event.startswith("zone:"):
            assert math.isclose(
                mine[importance.event].birnbaum, importance.birnbaum, rel_tol=1e-9, abs_tol=1e-15
            )


@settings(max_examples=300, derandomize=True, deadline=None)
@given(CASES)
def test_aggregated_tree_equals_the_per_replica_tree(case: Case) -> None:
    _same_as_reference(case)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(CASES)
def test_conditioning_on_the_zones_equals_the_per_replica_tree(case: Case) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rep, "THRESHOLD_BUDGET", 0)  # every multi-zone k-of-n conditions
        _same_as_reference(case)


@settings(max_examples=150, derandomize=True, deadline=None)
@given(CASES, st.sampled_from([0, 10**6]))
def test_the_bound_is_an_upper_bound_and_says_so(case: Case, budget: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(rep, "THRESHOLD_BUDGET", 0)
        patch.setattr(rep, "CONDITIONING_BUDGET", 0)
        patch.setattr(rep, "BOUND_BUDGET", budget)  # 0: only "no zone down" is conditioned on
        tree, exact = build(case, aggregated=True)
    ref, _ = build(case, aggregated=False)
    got, want = analyse(tree).probability, analyse(ref).probability
    specs = [(replica_groups(zones, n), n, k) for n, k, _, zones in (case.a, case.b)]
    assert exact is not any(len(groups) > 1 and 1 < k < n for groups, n, k in specs)
    assert got >= want * (1 - 1e-12)  # coherent: a larger body probability, a larger top
    if budget and all(len({g.count for g in groups}) == 1 for groups, _, _ in specs):
        assert _close(got, want)  # equal zones, every zone state: the bound is exact
