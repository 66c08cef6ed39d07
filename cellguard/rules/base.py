"""The rule interface and the Python flavour of it.

A rule is anything with a :class:`RuleMeta` and an ``evaluate`` method that turns a
:class:`RuleContext` into outcomes. Python rules wrap a plain function::

    META = RuleMeta(id="CG-TIM-004", ...)

    def check(ctx: RuleContext) -> Iterator[Outcome]:
        ...

    RULE = PythonRule(META, check)

Declarative YAML rules (:mod:`cellguard.rules.declarative`) implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome

CheckFunction = Callable[[RuleContext], Iterable[Outcome]]


@runtime_checkable
class Rule(Protocol):
    """What the engine runs."""

    @property
    def meta(self) -> RuleMeta:
        """The rule's metadata."""
        ...

    @property
    def origin(self) -> str:
        """Where the rule was defined: a module or a file path (for error messages)."""
        ...

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        """Judge every target the rule applies to."""
        ...


@dataclass(frozen=True)
class PythonRule:
    """A rule implemented by a Python function."""

    meta: RuleMeta
    check: CheckFunction

    @property
    def origin(self) -> str:
        """The module that defines the check function."""
        return f"{self.check.__module__}.{self.check.__qualname__}"

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        """Run the check function."""
        return self.check(ctx)


def case_file(rule_id: str, directory: Path) -> Path:
    """Where the case file of ``rule_id`` lives in a pack directory's ``cases`` folder."""
    return directory / "cases" / f"{rule_id}.yaml"
