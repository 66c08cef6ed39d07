"""Handling code and data that come from rule packs: nothing a pack hands over is trusted.

A Python pack is arbitrary code. What it gives cellguard -- rule objects, their metadata,
the outcomes a rule yields and the exceptions it raises -- is checked and copied into
cellguard's own types here, inside the guard that turns a misbehaving pack into a load error
(exit 2) or an ERROR finding (exit 3), so that nothing of the pack's runs later: not a
property, an ``__iter__``, a ``__str__`` or ``__eq__``, and not ``SystemExit``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from cellguard.models.findings import Evidence, Status, TargetKind
from cellguard.models.loader.errors import SpecLoadError
from cellguard.rules.base import Rule
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import Outcome, Target
from cellguard.rules.templates import MAX_MESSAGE_CHARS, bounded

MAX_ORIGIN_CHARS = 500
"""Longest origin (file path or module name) of a rule."""

MAX_EVIDENCE_DEPTH = 16
"""Deepest nesting of a finding's evidence."""

MAX_EVIDENCE_ITEMS = 10_000
"""Most values in one finding's evidence, all levels together."""

MAX_KEY_PATH = 64
"""Longest key path of an outcome's target or field."""


def describe_exception(exc: BaseException) -> str:
    """``Type: message`` of an exception raised by pack code, bounded; never raises itself.

    A pydantic ``ValidationError`` (a ``RuleMeta`` built with bad values) is summarised on one
    line: ``invalid RuleMeta: id: ...; severity: ...``.
    """
    try:
        if isinstance(exc, ValidationError):
            return bounded(f"invalid {exc.title}: {validation_summary(exc)}", 600)
        name = type(exc).__name__
        text = str(exc)
    except KeyboardInterrupt:
        raise
    except BaseException:  # a __str__ that raises: still name the exception
        return f"{type(exc).__name__} (its message could not be printed)"
    return bounded(f"{name}: {text}" if text else name, 300)


def raised_at(exc: BaseException, file: str | None) -> int:
    """The line of ``file`` where ``exc`` was raised (its innermost frame there), else 1."""
    line, tb = 1, exc.__traceback__
    while tb is not None:
        if file is not None and tb.tb_frame.f_code.co_filename == file:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


@dataclass(frozen=True)
class CheckedRule:
    """A pack's rule with its metadata validated and frozen at load: the engine and the
    registry read these fields, never the pack's own (possibly changing) properties."""

    meta: RuleMeta
    origin: str
    rule: Rule

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        """Run the pack's rule (the engine guards the call and checks what it yields)."""
        return self.rule.evaluate(ctx)


def validation_summary(exc: ValidationError) -> str:
    """The first few errors of ``exc`` as ``key.path: message`` on one line."""
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        message = err["msg"].removeprefix("Value error, ")
        parts.append(f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {message}")
    return "; ".join(parts)


def checked_rule(item: Any, origin: str) -> CheckedRule:
    """``item`` as a :class:`CheckedRule`, or a :class:`SpecLoadError` naming ``origin``.

    The metadata is validated again from its field values, so a ``RuleMeta`` built with
    ``model_construct`` (bypassing validation) or altered afterwards is caught here.
    """
    if isinstance(item, CheckedRule):
        return item
    if not isinstance(item, Rule):
        shown = bounded(repr(item), 80)
        raise SpecLoadError.at(
            origin,
            1,
            1,
            f"{shown} is not a rule (it needs 'meta', 'origin' and 'evaluate')",
            code="rule-type",
        )
    meta = item.meta
    if not isinstance(meta, RuleMeta):
        raise SpecLoadError.at(
            origin,
            1,
            1,
            f"a rule's meta must be a RuleMeta, not {type(meta).__name__}",
            code="rule-type",
        )
    fields = {name: getattr(meta, name) for name in RuleMeta.model_fields}
    try:
        valid = RuleMeta.model_validate(fields)
    except ValidationError as exc:
        raise SpecLoadError.at(
            origin,
            1,
            1,
            bounded(f"invalid rule metadata: {validation_summary(exc)}", 600),
            code="rule-meta",
        ) from None
    where = item.origin
    if not isinstance(where, str):
        raise SpecLoadError.at(origin, 1, 1, "a rule's origin must be a string", code="rule-type")
    if not callable(getattr(item, "evaluate", None)):
        raise SpecLoadError.at(origin, 1, 1, "a rule's evaluate must be callable", code="rule-type")
    return CheckedRule(valid, bounded(where, MAX_ORIGIN_CHARS), item)


# -- outcomes -----------------------------------------------------------------------------


def _key_path(value: Any, what: str) -> tuple[str | int, ...]:
    if not isinstance(value, tuple) or len(value) > MAX_KEY_PATH:
        raise TypeError(f"the outcome's {what} must be a tuple of at most {MAX_KEY_PATH} keys")
    return tuple(_key(part, what) for part in value)


def _key(part: Any, what: str) -> str | int:
    if type(part) is int:
        return int(part)
    if isinstance(part, str):
        return str.__str__(part)
    raise TypeError(f"the outcome's {what} holds {type(part).__name__}, not a key or an index")


def _text(value: Any, what: str, limit: int) -> str:
    if not isinstance(value, str):
        raise TypeError(f"the outcome's {what} must be a string, not {type(value).__name__}")
    return bounded(str.__str__(value), limit)


class _Budget:
    """Counts the evidence values copied, so a huge or cyclic structure stops early."""

    def __init__(self) -> None:
        self.left = MAX_EVIDENCE_ITEMS

    def take(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise ValueError(f"the outcome's evidence holds over {MAX_EVIDENCE_ITEMS:,} values")


def plain_evidence(value: Any, budget: _Budget, depth: int = 0) -> Evidence:
    """A copy of ``value`` made of plain ``str``, ``int``, ``float``, ``bool``, ``None``,
    lists and dicts (enum members become their values); bounded in size and depth."""
    budget.take()
    if depth > MAX_EVIDENCE_DEPTH:
        raise ValueError(f"the outcome's evidence nests over {MAX_EVIDENCE_DEPTH} levels")
    if value is None or type(value) is bool:
        return value
    if isinstance(value, str):
        return bounded(str.__str__(value), MAX_MESSAGE_CHARS)
    if isinstance(value, int) and not isinstance(value, bool):
        return int.__int__(value) if abs(int.__int__(value)) < 10**18 else float(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, Mapping):
        return {
            _text(k, "evidence key", 200): plain_evidence(v, budget, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, Sequence):
        return [plain_evidence(v, budget, depth + 1) for v in value]
    raise TypeError(f"the outcome's evidence holds {type(value).__name__}, not a JSON value")


def checked_outcome(outcome: object) -> Outcome:
    """A copy of ``outcome`` made of cellguard's own types, or TypeError/ValueError."""
    if not isinstance(outcome, Outcome):
        raise TypeError(f"the rule yielded {bounded(repr(outcome), 80)}, not an Outcome")
    target = outcome.target
    if not isinstance(target, Target):
        raise TypeError("the outcome's target must be a Target")
    evidence = outcome.evidence
    if not isinstance(evidence, Mapping):
        raise TypeError("the outcome's evidence must be a mapping")
    budget = _Budget()
    return Outcome(
        status=Status(outcome.status),
        target=Target(
            TargetKind(target.kind),
            _text(target.stack, "target stack", 500),
            _text(target.id, "target id", 1000),
            _key_path(target.path, "target path"),
        ),
        message=_text(outcome.message, "message", MAX_MESSAGE_CHARS),
        evidence={
            _text(k, "evidence key", 200): plain_evidence(v, budget) for k, v in evidence.items()
        },
        field=_key_path(outcome.field, "field"),
    )


MAX_OUTCOMES_PER_TARGET = 10
"""A pack's rule may yield at most this many outcomes per possible target (plus 1,000)."""


def outcomes_of(rule: Rule, ctx: RuleContext) -> Iterable[object]:
    """The outcomes of ``rule``; a pack's rule's are checked and copied (see
    :func:`checked_outcome`) and their number bounded."""
    produced = rule.evaluate(ctx)
    if not isinstance(rule, CheckedRule):
        return produced
    return _checked(produced, ctx)


def _checked(produced: Iterable[Outcome], ctx: RuleContext) -> Iterator[Outcome]:
    graph = ctx.graph
    targets = len(graph.stacks()) + len(graph.journeys()) + len(graph.components())
    limit = MAX_OUTCOMES_PER_TARGET * (targets + len(graph.dependency_edges())) + 1000
    for count, outcome in enumerate(produced, start=1):
        if count > limit:
            raise ValueError(f"the rule yielded over {limit:,} outcomes (a runaway generator?)")
        yield checked_outcome(outcome)
