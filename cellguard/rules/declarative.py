"""Declarative rules: attribute and connection checks over the graph, written in YAML.

A declarative rule is a YAML file holding the rule's metadata plus two conditions::

    id: CG-OBS-001
    title: Component metrics are collected
    ...                                   # the other RuleMeta fields
    applies_to: [stack]                   # component kinds, or stack (stacks and platforms) | journey
    when: {graph: kinds, contains: model_endpoint}       # optional; false -> NOT_APPLICABLE
    require: {attribute: practices.observability.metrics, equals: true}
    messages: {pass: ..., fail: ..., unknown: ...}

A condition is a leaf -- a value (``attribute: dotted.path`` on the target's model, or
``graph: <name>`` for a value computed from the graph, see :data:`GRAPH_VALUES`) compared with
exactly one operator -- or ``all`` / ``any`` / ``not`` over conditions. Logic is three-valued:
a missing value is unknown, and the rule reports UNKNOWN rather than guessing (Kleene logic:
``any`` is true if one branch is true, ``all`` false if one branch is false).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cellguard.models.enums import ComponentKind
from cellguard.models.findings import Evidence, Status
from cellguard.models.loader.errors import KeyPath
from cellguard.rules.context import RuleContext
from cellguard.rules.metadata import RuleMeta, control_character
from cellguard.rules.operands import MAX_LIST_ITEMS, MAX_OPERAND_NUMBER, operand_problem
from cellguard.rules.outcome import Outcome, Target
from cellguard.rules.predicates import runs_gpus
from cellguard.rules.templates import render, template_problems

OPERATORS = (
    "equals",
    "not_equals",
    "in",
    "not_in",
    "at_least",
    "at_most",
    "present",
    "non_empty",
    "contains",
)


class Condition(BaseModel):
    """One condition of a declarative rule."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    attribute: str | None = Field(
        None, pattern=r"^[a-z_][a-z0-9_]*(\.[a-z_][a-z0-9_]*)*$", max_length=200
    )
    graph: str | None = Field(None, max_length=40)
    equals: Any = None
    not_equals: Any = None
    in_: list[Any] | None = Field(None, alias="in", max_length=MAX_LIST_ITEMS)
    not_in: list[Any] | None = Field(None, max_length=MAX_LIST_ITEMS)
    at_least: float | None = Field(
        None, allow_inf_nan=False, ge=-MAX_OPERAND_NUMBER, le=MAX_OPERAND_NUMBER
    )
    at_most: float | None = Field(
        None, allow_inf_nan=False, ge=-MAX_OPERAND_NUMBER, le=MAX_OPERAND_NUMBER
    )
    present: bool | None = None
    non_empty: bool | None = None
    contains: Any = None
    all: list[Condition] | None = Field(None, min_length=1, max_length=MAX_LIST_ITEMS)
    any: list[Condition] | None = Field(None, min_length=1, max_length=MAX_LIST_ITEMS)
    not_: Condition | None = Field(None, alias="not")

    @field_validator("equals", "not_equals", "contains")
    @classmethod
    def _comparable(cls, value: Any) -> Any:
        problem = None if value is None else operand_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("in_", "not_in")
    @classmethod
    def _comparable_items(cls, values: list[Any] | None) -> list[Any] | None:
        for value in values or []:
            problem = operand_problem(value)
            if problem is not None:
                raise ValueError(f"an item: {problem}")
        return values

    @model_validator(mode="after")
    def _one_shape(self) -> Condition:
        combinators = [n for n in ("all", "any", "not_") if getattr(self, n) is not None]
        sources = [n for n in ("attribute", "graph") if getattr(self, n) is not None]
        ops = [n for n in OPERATORS if getattr(self, "in_" if n == "in" else n) is not None]
        if combinators:
            if len(combinators) > 1 or sources or ops:
                raise ValueError("a condition is either all/any/not or a leaf, not both")
            return self
        if len(sources) != 1:
            raise ValueError("a leaf condition needs exactly one of 'attribute' or 'graph'")
        if len(ops) != 1:
            raise ValueError(
                f"a leaf condition needs exactly one operator of: {', '.join(OPERATORS)}"
            )
        if self.graph is not None and self.graph not in GRAPH_VALUES:
            raise ValueError(
                f"unknown graph value {self.graph!r}; expected one of: {', '.join(sorted(GRAPH_VALUES))}"
            )
        return self

    def leaves(self) -> Iterator[Condition]:
        """Every leaf condition, depth first."""
        for _, leaf in self.located_leaves(()):
            yield leaf

    def located_leaves(self, path: KeyPath) -> Iterator[tuple[KeyPath, Condition]]:
        """Every leaf condition with its key path (``path`` being this condition's), depth first."""
        if self.not_ is not None:
            yield from self.not_.located_leaves((*path, "not"))
        elif self.all is not None or self.any is not None:
            name = "all" if self.all is not None else "any"
            for i, child in enumerate(self.all or self.any or []):
                yield from child.located_leaves((*path, name, i))
        else:
            yield path, self


class Messages(BaseModel):
    """What the rule says for each result; ``{target}`` and ``{stack}`` are substituted.

    Every template is checked completely here (see :mod:`cellguard.rules.templates`), so a
    rule that loads never fails to render a message.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    pass_: str = Field(alias="pass", min_length=3)
    fail: str = Field(min_length=3)
    unknown: str = Field(min_length=3)
    not_applicable: str = Field("The check does not apply to {target}.", min_length=3)

    @field_validator("pass_", "fail", "unknown", "not_applicable")
    @classmethod
    def _template(cls, text: str) -> str:
        problems = template_problems(text)
        where = control_character(text, multiline=True)
        if where is not None:
            problems.append(f"contains the control or invisible character {where}")
        if problems:
            raise ValueError("; ".join(problems))
        return text


class DeclarativeSpec(RuleMeta):
    """The whole YAML file: metadata plus conditions and messages."""

    when: Condition | None = None
    require: Condition
    messages: Messages


# -- values -------------------------------------------------------------------------------

Subject = Any
"""The model a condition reads: a component, a journey or a document."""

GraphValue = Callable[[RuleContext, Target], Any]


def _stacks_using(ctx: RuleContext, target: Target) -> Any:
    return len(ctx.stacks_using(f"{target.stack}/{target.id}"))


def _departments(ctx: RuleContext, target: Target) -> Any:
    return len(ctx.departments_of(f"{target.stack}/{target.id}"))


def _top_tier(ctx: RuleContext, target: Target) -> Any:
    tier = ctx.top_tier(f"{target.stack}/{target.id}")
    return tier.value if tier is not None else None


def _kinds(ctx: RuleContext, target: Target) -> Any:
    graph = ctx.graph
    if target.path and target.path[0] == "business":
        qids = graph.journey_components(target.stack, target.id)
    else:
        qids = graph.components(target.stack)
    return sorted({graph.kind(q).value for q in qids})


def _gpu_models(ctx: RuleContext, target: Target) -> Any:
    return sum(1 for q in ctx.graph.components(target.stack) if runs_gpus(ctx.graph.component(q)))


GRAPH_VALUES: dict[str, GraphValue] = {
    "stacks_using": _stacks_using,
    "departments": _departments,
    "top_tier": _top_tier,
    "kinds": _kinds,
    "gpu_models": _gpu_models,
}
"""Values computed from the graph: ``stacks_using`` and ``departments`` (counts, components),
``top_tier`` (the most critical journey tier a component serves), ``kinds`` (component kinds
on a journey, or in a stack), ``gpu_models`` (models in the stack served on the team's own or
SageMaker GPUs)."""


def read_attribute(subject: Subject, path: str) -> Any:
    """Follow a dotted path through models; ``None`` as soon as a step is missing."""
    value = subject
    for part in path.split("."):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def _plain(value: Any) -> Evidence:
    if isinstance(value, BaseModel):
        dumped: Evidence = value.model_dump(mode="json", exclude_none=True)
        return dumped
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def _compare(cond: Condition, value: Any) -> bool | None:
    """The leaf's verdict on ``value``; ``None`` (unknown) when it is missing or the operator
    does not apply to its type (checked at load where the type is known; total regardless)."""
    try:
        return _apply(cond, value)
    except (TypeError, ValueError):
        return None


def _apply(cond: Condition, value: Any) -> bool | None:
    if cond.present is not None:
        return (value is not None) is cond.present
    if cond.non_empty is not None:
        if value is None:
            return None
        return (len(value) > 0) is cond.non_empty
    if value is None:
        return None
    if cond.equals is not None:
        return bool(value == cond.equals)
    if cond.not_equals is not None:
        return bool(value != cond.not_equals)
    if cond.in_ is not None:
        return value in cond.in_
    if cond.not_in is not None:
        return value not in cond.not_in
    if cond.at_least is not None:
        return bool(value >= cond.at_least)
    if cond.at_most is not None:
        return bool(value <= cond.at_most)
    return bool(cond.contains in value)


@dataclass
class _Evaluation:
    ctx: RuleContext
    target: Target
    subject: Subject
    evidence: dict[str, Evidence]

    def run(self, cond: Condition) -> bool | None:
        if cond.all is not None:
            results = [self.run(c) for c in cond.all]
            return False if False in results else (None if None in results else True)
        if cond.any is not None:
            results = [self.run(c) for c in cond.any]
            return True if True in results else (None if None in results else False)
        if cond.not_ is not None:
            inner = self.run(cond.not_)
            return None if inner is None else not inner
        if cond.attribute is not None:
            value = read_attribute(self.subject, cond.attribute)
            self.evidence[cond.attribute] = _plain(value)
        else:
            assert cond.graph is not None
            value = GRAPH_VALUES[cond.graph](self.ctx, self.target)
            self.evidence[f"graph.{cond.graph}"] = _plain(value)
        return _compare(cond, value)


@dataclass(frozen=True)
class DeclarativeRule:
    """A rule read from a YAML file and run by the same engine as Python rules."""

    spec: DeclarativeSpec
    origin: str
    line: int = 1
    """The line of the rule's ``id`` in its file (for a duplicate id)."""
    meta: RuleMeta = field(init=False)
    """The metadata part of the spec (without conditions and messages), built once."""

    def __post_init__(self) -> None:
        """Split the metadata off the spec."""
        meta = RuleMeta.model_validate(self.spec.model_dump(include=set(RuleMeta.model_fields)))
        object.__setattr__(self, "meta", meta)

    def _subjects(self, ctx: RuleContext) -> Iterator[tuple[Target, Subject]]:
        scopes = set(self.spec.applies_to)
        if "stack" in scopes:
            for doc in ctx.documents():  # stacks and platforms: practices apply to both
                yield ctx.stack_target(doc.name), doc
        if "journey" in scopes:
            for stack_name, journey in ctx.journeys():
                yield ctx.journey_target(stack_name, journey.id), journey
        kinds = [ComponentKind(k) for k in scopes if k in ComponentKind.__members__.values()]
        if kinds:
            for qid, comp in ctx.components(*kinds):
                yield ctx.component_target(qid), comp

    def evaluate(self, ctx: RuleContext) -> Iterable[Outcome]:
        """Evaluate ``when`` then ``require`` on every subject."""
        spec = self.spec
        first = next(iter(spec.require.leaves()))
        field = tuple(first.attribute.split(".")) if first.attribute else ()
        for target, subject in self._subjects(ctx):
            evidence: dict[str, Evidence] = {}
            evaluation = _Evaluation(ctx, target, subject, evidence)
            words = {"target": target.id, "stack": target.stack}
            if spec.when is not None:
                applies = evaluation.run(spec.when)
                if applies is False:
                    yield Outcome(
                        Status.NOT_APPLICABLE, target, render(spec.messages.not_applicable, **words)
                    )
                    continue
                if applies is None:
                    yield Outcome(
                        Status.UNKNOWN,
                        target,
                        render(spec.messages.unknown, **words),
                        dict(evidence),
                        field,
                    )
                    continue
            result = evaluation.run(spec.require)
            status, text = (
                (Status.UNKNOWN, spec.messages.unknown)
                if result is None
                else (Status.PASS, spec.messages.pass_)
                if result
                else (Status.FAIL, spec.messages.fail)
            )
            yield Outcome(status, target, render(text, **words), dict(evidence), field)
