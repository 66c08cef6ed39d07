"""Shared state of one import: the problems found, the workloads made, the objects set aside."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cellguard.importers.facts import Workload
from cellguard.importers.manifests import Manifest, Origin, Problems, type_problem
from cellguard.models.loader.errors import KeyPath


@dataclass
class Skipped:
    """An object the importer did not turn into spec values, and why."""

    key: str
    api_version: str
    origin: Origin
    reason: str


@dataclass
class Context:
    """Everything one ``import k8s`` run collects."""

    problems: Problems = field(default_factory=Problems)
    workloads: list[Workload] = field(default_factory=list)
    by_kind: dict[str, list[Manifest]] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    region: tuple[str, Origin] | None = None
    links: list[tuple[Workload, Workload, Origin, str]] = field(default_factory=list)
    """Calls an operator's object states without a service address (caller, callee, where,
    what says so): a Dynamo frontend routing to the graph's workers."""

    def objects(self, *kinds: str) -> list[Manifest]:
        """The manifests of the given kinds, in input order."""
        return [m for k in kinds for m in self.by_kind.get(k, [])]

    def integer(
        self, m: Manifest, path: KeyPath, *, minimum: int = 0, maximum: int = 1_000_000
    ) -> int | None:
        """A whole number at ``path`` of ``m``; ``None`` (and a problem) when it is not one."""
        value = m.get(*path)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            type_problem(m, path, value, "a whole number", self.problems)
            return None
        if not minimum <= value <= maximum:
            type_problem(
                m, path, value, f"a whole number from {minimum} to {maximum:,}", self.problems
            )
            return None
        return value

    def text(self, m: Manifest, path: KeyPath) -> str | None:
        """A non-empty string at ``path`` of ``m``; ``None`` (and a problem) for another type."""
        value = m.get(*path)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            type_problem(m, path, value, "a string", self.problems)
            return None
        return value

    def mapping(self, m: Manifest, path: KeyPath) -> dict[str, Any] | None:
        """A mapping at ``path`` of ``m``; ``None`` (and a problem) for another type."""
        value = m.get(*path)
        if value is None:
            return None
        if not isinstance(value, dict):
            type_problem(m, path, value, "a mapping", self.problems)
            return None
        return value

    def sequence(self, m: Manifest, path: KeyPath) -> list[Any]:
        """A list at ``path`` of ``m``; empty (and a problem) for another type."""
        value = m.get(*path)
        if value is None:
            return []
        if not isinstance(value, list):
            type_problem(m, path, value, "a list", self.problems)
            return []
        return value
