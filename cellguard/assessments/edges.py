"""Edge types of the organisation graph: dependencies and fallbacks, with qualified ids."""

from __future__ import annotations

from dataclasses import dataclass

from cellguard.models.dependencies import Dependency, on_required_path
from cellguard.models.enums import DependencyMode
from cellguard.models.references import qualify

DEPENDS_ON = "depends_on"
FALLBACK = "fallback"
MEMBER_OF = "member_of"
PART_OF = "part_of"
COMPONENT = "component"
DOMAIN = "domain"


@dataclass(frozen=True)
class DependencyEdge:
    """A call from ``source`` to ``target`` (qualified component ids) and how it is made.

    :attr:`required` is ``not optional``; whether an async call blocks a journey is left to the
    analyses (see :attr:`blocking`). ``fallback`` is the qualified id of the component called
    when ``target`` fails, if any.
    """

    source: str
    target: str
    timeout_ms: int | None
    retries: int
    attempts: int
    mode: DependencyMode
    optional: bool
    fallback: str | None
    shed_on_failover: float = 0.0
    """Share of this call's demand the design accepts to shed while ``fallback`` serves in
    place of ``target`` (0 when not declared: none)."""
    retries_declared: bool = True
    """Whether the spec says how often the caller retries (``retries``, 0 included). Without
    it ``retries`` is 0 for the arithmetic, but rules whose verdict would improve with fewer
    retries treat the number as unknown."""

    @property
    def required(self) -> bool:
        """Not optional: the caller needs the callee (or its fallback)."""
        return not self.optional

    @property
    def blocking(self) -> bool:
        """Whether the caller waits for the callee (sync or stream)."""
        return self.mode is not DependencyMode.ASYNC

    @property
    def on_required_path(self) -> bool:
        """Required and blocking: the caller fails when the callee (and its fallback) fails."""
        return on_required_path(optional=self.optional, mode=self.mode)


@dataclass(frozen=True)
class FallbackEdge:
    """``source`` calls ``target`` when one of ``primaries`` fails (qualified ids, sorted)."""

    source: str
    target: str
    primaries: tuple[str, ...]


def edge_key(edge: DependencyEdge | FallbackEdge) -> tuple[str, str]:
    """Sort key of an edge: (source, target)."""
    return (edge.source, edge.target)


def dependency_edge(stack: str, source: str, dep: Dependency) -> DependencyEdge:
    """The :class:`DependencyEdge` of ``dep``, declared by component ``source`` of ``stack``."""
    return DependencyEdge(
        source=source,
        target=qualify(dep.to, stack),
        timeout_ms=dep.timeout_ms,
        retries=dep.retries,
        attempts=dep.attempts,
        mode=dep.mode,
        optional=dep.optional,
        fallback=qualify(dep.fallback, stack) if dep.fallback is not None else None,
        shed_on_failover=dep.shed_on_failover or 0.0,
        retries_declared="retries" in dep.model_fields_set,
    )
