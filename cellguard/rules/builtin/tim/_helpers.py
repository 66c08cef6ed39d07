"""Helpers the timely-output rules share: edge labels, blocking reach and agent run lengths."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from cellguard.assessments.edges import DependencyEdge
from cellguard.assessments.graph import StackGraph
from cellguard.models.components import Agent
from cellguard.models.enums import ComponentKind
from cellguard.models.references import localise

LONG_AGENT_ITERATIONS = 5
"""An agent allowed more reasoning/tool iterations than this per request is long-running."""

LONG_AGENT_SECONDS = 30
"""An agent allowed a wall-clock budget above this (seconds) is long-running; 30 s is about
what API Gateway (29 s) and typical client and load-balancer timeouts let a caller wait."""


def a(word: str) -> str:
    """``word`` with its indefinite article: 'an agentic', 'a chat'."""
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


def edge_label(edge: DependencyEdge, stack: str) -> str:
    """``caller->callee`` of ``edge``, with ids relative to ``stack``."""
    return f"{localise(edge.source, stack)}->{localise(edge.target, stack)}"


def unresolved_calls(graph: StackGraph, callers: set[str]) -> list[DependencyEdge]:
    """Blocking calls from ``callers`` to components of documents that are not loaded."""
    return [
        e
        for e in graph.unresolved
        if isinstance(e, DependencyEdge) and e.source in callers and e.blocking
    ]


def blocking_reach(graph: StackGraph, start: str, stop: ComponentKind) -> set[str]:
    """Components reachable from ``start`` over blocking calls, not walking past ``stop`` kinds."""
    seen = {start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node != start and graph.kind(node) is stop:
            continue
        for edge in graph.dependencies(node):
            if edge.blocking and edge.target not in seen:
                seen.add(edge.target)
                queue.append(edge.target)
    return seen


@dataclass(frozen=True)
class AgentRun:
    """How long one request to an agent may run, from its declared stopping conditions."""

    max_iterations: int | None
    timeout_seconds: int | None

    @classmethod
    def of(cls, agent: Agent) -> AgentRun:
        """The declared bounds of ``agent``."""
        return cls(agent.max_iterations, agent.timeout_seconds)

    @property
    def unbounded(self) -> bool:
        """Neither an iteration cap nor a wall-clock budget is declared."""
        return self.max_iterations is None and self.timeout_seconds is None

    @property
    def long(self) -> bool:
        """Longer than a caller should wait for: many iterations, a long budget, or no bound."""
        return (
            self.unbounded
            or (self.max_iterations is not None and self.max_iterations > LONG_AGENT_ITERATIONS)
            or (self.timeout_seconds is not None and self.timeout_seconds > LONG_AGENT_SECONDS)
        )

    def describe(self) -> str:
        """The bounds in words: 'up to 25 iterations and 1500 s', or 'no iteration or time bound'."""
        parts = []
        if self.max_iterations is not None:
            parts.append(f"{self.max_iterations} iterations")
        if self.timeout_seconds is not None:
            parts.append(f"{self.timeout_seconds} s")
        return f"up to {' and '.join(parts)}" if parts else "no iteration or time bound"
