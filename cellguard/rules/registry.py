"""The rule registry: explicit registration, unique ids, selection by id or glob."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from fnmatch import fnmatchcase

from cellguard.rules.base import Rule


class RuleRegistryError(ValueError):
    """A rule could not be registered (duplicate id, not a rule); ``origin`` names the culprit."""

    def __init__(self, message: str, origin: str) -> None:
        super().__init__(message)
        self.origin = origin


class Registry:
    """An ordered set of rules keyed by id; iteration is by pillar, then id."""

    def __init__(self, rules: Iterable[Rule] = ()) -> None:
        """Register ``rules`` in order."""
        self._rules: dict[str, Rule] = {}
        for rule in rules:
            self.register(rule)

    def register(self, rule: Rule) -> None:
        """Add ``rule``; a second rule with the same id is an error naming both origins."""
        if not isinstance(rule, Rule):
            raise RuleRegistryError(
                f"{rule!r:.80} is not a rule (it needs 'meta', 'origin' and 'evaluate')",
                "(unknown)",
            )
        existing = self._rules.get(rule.meta.id)
        if existing is not None:
            raise RuleRegistryError(
                f"duplicate rule id {rule.meta.id}: defined by {existing.origin} and by {rule.origin}",
                rule.origin,
            )
        self._rules[rule.meta.id] = rule

    def __iter__(self) -> Iterator[Rule]:
        return iter(sorted(self._rules.values(), key=lambda r: r.meta.sort_key))

    def __len__(self) -> int:
        return len(self._rules)

    def __contains__(self, rule_id: object) -> bool:
        return rule_id in self._rules

    def get(self, rule_id: str) -> Rule | None:
        """The rule with this id (case-insensitive), if registered."""
        return self._rules.get(rule_id.upper())

    def ids(self) -> list[str]:
        """Every rule id, in iteration order."""
        return [r.meta.id for r in self]

    def select(
        self,
        select: Sequence[str] = (),
        ignore: Sequence[str] = (),
    ) -> Registry:
        """The rules matching any ``select`` pattern (all if none) and no ``ignore`` pattern.

        Patterns are rule ids or globs (``CG-RED-*``), matched case-insensitively.
        """
        chosen = []
        for rule in self:
            rid = rule.meta.id
            if select and not any(fnmatchcase(rid, p.upper()) for p in select):
                continue
            if any(fnmatchcase(rid, p.upper()) for p in ignore):
                continue
            chosen.append(rule)
        return Registry(chosen)

    def unmatched(self, patterns: Sequence[str]) -> list[str]:
        """Patterns that match no registered rule (likely typos)."""
        return [p for p in patterns if not any(fnmatchcase(i, p.upper()) for i in self._rules)]
