"""The fault-tree structure every engine in this package reads.

A :class:`FaultTree` is a set of named :class:`BasicEvent` s (independent, with a probability
of being in the failed state) and named :class:`Gate` s over them; ``top`` names the gate (or
event) whose failure is quantified. Gates reference their arguments by name, so the structure
is a DAG: a gate or event may feed several gates (that sharing is what makes failures
correlated). ``TRUE``/``FALSE`` are reserved argument names for constants, which the compiler
uses when a dependency cannot fail or cannot be restored.

The Boolean semantics (``True`` = failed):

* ``and``: all arguments failed; ``or``: at least one;
* ``atleast`` with ``k``: at least ``k`` arguments failed (k-of-n);
* ``not``: its one argument is not failed; ``xor``: an odd number of arguments failed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

TRUE = "__true__"
FALSE = "__false__"
CONSTANTS = (TRUE, FALSE)


class GateOp(StrEnum):
    """Boolean connectives of a gate."""

    AND = "and"
    OR = "or"
    ATLEAST = "atleast"
    NOT = "not"
    XOR = "xor"


@dataclass(frozen=True)
class BasicEvent:
    """An independent failure event.

    ``probability`` is the probability that the event is in the failed state at a random
    time (its unavailability). ``repair_hours`` (mean time to restore), when known, turns it
    into a failure frequency: ``w = probability / repair_hours`` per hour, the steady-state
    frequency of an alternating renewal process with that unavailability.
    """

    name: str
    probability: float
    repair_hours: float | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.probability <= 1.0:
            raise ValueError(
                f"basic event {self.name!r}: probability {self.probability} not in [0, 1]"
            )
        if self.repair_hours is not None and self.repair_hours <= 0:
            raise ValueError(f"basic event {self.name!r}: repair_hours must be positive")

    @property
    def frequency_per_hour(self) -> float | None:
        """Failures per hour in steady state, when the repair time is known."""
        if self.repair_hours is None:
            return None
        return self.probability / self.repair_hours


@dataclass(frozen=True)
class Gate:
    """A named Boolean gate over events, gates and constants."""

    name: str
    op: GateOp
    args: tuple[str, ...]
    k: int | None = None

    def __post_init__(self) -> None:
        if not self.args:
            raise ValueError(f"gate {self.name!r} has no arguments")
        if self.op is GateOp.NOT and len(self.args) != 1:
            raise ValueError(f"not-gate {self.name!r} takes exactly one argument")
        if self.op is GateOp.ATLEAST:
            if self.k is None or not 1 <= self.k <= len(self.args):
                raise ValueError(
                    f"atleast-gate {self.name!r}: k={self.k} must be between 1 and {len(self.args)}"
                )
        elif self.k is not None:
            raise ValueError(f"gate {self.name!r}: only atleast-gates take k")


class FaultTreeError(ValueError):
    """The structure is not a valid fault tree (unknown name, cycle, no top)."""


@dataclass(frozen=True)
class FaultTree:
    """Basic events and gates with a top event; see the module docstring."""

    name: str
    top: str
    events: Mapping[str, BasicEvent]
    gates: Mapping[str, Gate] = field(default_factory=dict)

    def validate(self) -> None:
        """Raise :class:`FaultTreeError` on unknown names, clashes or cycles."""
        clash = sorted(set(self.events) & set(self.gates))
        if clash:
            raise FaultTreeError(
                f"{self.name}: names used for both a gate and an event: {clash[:5]}"
            )
        if self.top not in self.gates and self.top not in self.events:
            raise FaultTreeError(f"{self.name}: top event {self.top!r} is not defined")
        for gate in self.gates.values():
            for arg in gate.args:
                if arg not in self.gates and arg not in self.events and arg not in CONSTANTS:
                    raise FaultTreeError(
                        f"{self.name}: gate {gate.name!r} references undefined {arg!r}"
                    )
        self.topological_order()

    def topological_order(self) -> list[str]:
        """Gates reachable from the top, every gate after its arguments (iterative DFS)."""
        order: list[str] = []
        state: dict[str, int] = {}
        if self.top not in self.gates:
            return order
        stack: list[tuple[str, Iterator[str]]] = [(self.top, iter(self.gates[self.top].args))]
        state[self.top] = 1
        while stack:
            name, args = stack[-1]
            for arg in args:
                if arg not in self.gates:
                    continue
                seen = state.get(arg)
                if seen == 1:
                    raise FaultTreeError(f"{self.name}: gate {arg!r} is part of a cycle")
                if seen is None:
                    state[arg] = 1
                    stack.append((arg, iter(self.gates[arg].args)))
                    break
            else:
                stack.pop()
                state[name] = 2
                order.append(name)
        return order

    def event_order(self) -> list[str]:
        """Basic events in depth-first order of first appearance from the top.

        A good static BDD variable order: events that meet in the same gate end up close.
        """
        seen: set[str] = set()
        order: list[str] = []
        if self.top in self.events:
            return [self.top]
        visited: set[str] = set()
        stack = [self.top]
        while stack:
            name = stack.pop()
            if name in visited:
                continue
            visited.add(name)
            gate = self.gates[name]
            for arg in gate.args:
                if arg in self.events and arg not in seen:
                    seen.add(arg)
                    order.append(arg)
            for arg in reversed(gate.args):
                if arg in self.gates and arg not in visited:
                    stack.append(arg)
        return order
