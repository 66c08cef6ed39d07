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

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome

CheckFunction = Callable[[RuleContext], Iterable[Outcome]]

PACK_MODULE_PREFIX = "cellguard_pack_"
"""Module names given to rule files imported from a ``--rules`` directory."""


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
        """The check function's module and name; for a ``--rules`` file, the file's path."""
        module_name = str(getattr(self.check, "__module__", None) or "?")
        name = getattr(self.check, "__qualname__", None) or type(self.check).__qualname__
        path = getattr(sys.modules.get(module_name), "__file__", None)
        if module_name.startswith(PACK_MODULE_PREFIX) and path:
            return str(path)
        return f"{module_name}.{name}"  # a functools.partial has no __qualname__

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        """Run the check function."""
        return self.check(ctx)
