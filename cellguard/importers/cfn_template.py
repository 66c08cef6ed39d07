"""A CloudFormation template's parameters, conditions and intrinsic functions, evaluated.

:class:`Template` resolves a value of the template as far as the template and the
``--parameter K=V`` values given say: a ``Ref`` to a parameter is its given value or its
default, a ``Ref`` or ``Fn::GetAtt`` to a resource is a :class:`ResourceRef`, ``Fn::If`` takes the
branch of a condition that can be evaluated (``Fn::Equals``, ``Fn::Not``, ``Fn::And``,
``Fn::Or``, ``Condition``), ``Fn::Sub``, ``Fn::Join``, ``Fn::Select``, ``Fn::Split`` and
``Fn::FindInMap`` are computed from what is known. Anything else (``Fn::ImportValue``,
``Fn::GetAZs``, pseudo parameters, an unset parameter without a default) is an
:class:`Unknown` that says why, so the draft can write a placeholder instead of a guess.
A ``Ref`` or ``Fn::GetAtt`` naming nothing the template declares is an input error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from cellguard.importers.manifests import Origin, dig
from cellguard.models.loader.errors import Diagnostic, KeyPath
from cellguard.models.loader.source import SourceMap
from cellguard.models.quoting import quoted

PSEUDO = (
    "AWS::AccountId",
    "AWS::NotificationARNs",
    "AWS::NoValue",
    "AWS::Partition",
    "AWS::Region",
    "AWS::StackId",
    "AWS::StackName",
    "AWS::URLSuffix",
)
_SUB_VAR = re.compile(r"\$\{(?!!)([^}]*)\}")
MAX_RESOLVE_DEPTH = 64
"""Deepest nesting of intrinsic functions evaluated."""


@dataclass(frozen=True)
class Unknown:
    """A value the template leaves open, and why (for the placeholder's comment)."""

    why: str
    shape: str = ""
    """An ``Fn::Sub`` string with what is known substituted and ``*`` for the rest
    (``763104351884.dkr.ecr.*.amazonaws.com/djl-inference:0.28.0-lmi``): enough to read a
    repository or a model id from, never a value for the spec."""


@dataclass(frozen=True)
class ResourceRef:
    """A ``Ref`` or ``Fn::GetAtt`` to another resource of the template."""

    logical_id: str
    attribute: str = ""


@dataclass
class Template:
    """One template's data, positions and given parameters."""

    file: str
    data: dict[str, Any]
    source: SourceMap
    given: dict[str, str] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    """Parameters some resolved value came from."""

    def section(self, name: str) -> dict[str, Any]:
        """A top-level section (``Parameters``, ``Resources``, ...) or ``{}``."""
        value = self.data.get(name)
        return value if isinstance(value, dict) else {}

    def origin(self, path: KeyPath) -> Origin:
        """The file and line of ``path`` (or of its nearest recorded ancestor)."""
        pos, _ = self.source.locate(path)
        return Origin(self.file, pos.line)

    def problem(self, path: KeyPath, message: str, **kw: Any) -> None:
        """Record an input error at ``path``."""
        self.problems.append(self.source.diagnostic(path, message, code="cfn-value", **kw))

    # -- references -------------------------------------------------------------------------

    def check_references(self) -> None:
        """Every ``Ref``, ``Fn::GetAtt`` and ``${X}`` of ``Fn::Sub`` names something declared."""
        known = set(self.section("Parameters")) | set(self.section("Resources")) | set(PSEUDO)
        stack: list[tuple[Any, KeyPath]] = [(self.data.get("Resources"), ("Resources",))]
        stack.append((self.data.get("Outputs"), ("Outputs",)))
        stack.append((self.data.get("Conditions"), ("Conditions",)))
        while stack:
            value, path = stack.pop()
            if isinstance(value, list):
                stack.extend((v, (*path, i)) for i, v in enumerate(value))
            if not isinstance(value, dict):
                continue
            names: list[tuple[str, KeyPath]] = []
            if isinstance(value.get("Ref"), str) and len(value) == 1:
                names.append((value["Ref"], (*path, "Ref")))
            attr = value.get("Fn::GetAtt")
            if isinstance(attr, list) and attr and isinstance(attr[0], str):
                names.append((attr[0], (*path, "Fn::GetAtt")))
            sub = value.get("Fn::Sub")
            text = sub[0] if isinstance(sub, list) and sub else sub
            if isinstance(text, str):
                local = (
                    set(sub[1])
                    if isinstance(sub, list) and len(sub) > 1 and isinstance(sub[1], dict)
                    else set()
                )
                for var in _SUB_VAR.findall(text):
                    name = var.split(".", 1)[0]
                    if name not in local and var not in known:
                        names.append((name, (*path, "Fn::Sub")))
            for name, where in names:
                if name not in known:
                    self.problem(
                        where,
                        f"reference to {quoted(name, escape=True)}, which the template does "
                        "not declare",
                        expected="the name of a parameter, a resource or a pseudo parameter",
                        suggestion="declare it under Parameters or Resources, or fix the name",
                    )
            stack.extend((v, (*path, k)) for k, v in value.items())

    # -- evaluation -------------------------------------------------------------------------

    def parameter(self, name: str) -> Any:
        """A parameter's value: given with ``--parameter``, else its default, else unknown."""
        if name in self.given:
            self.used.add(name)
            return self.given[name]
        declared = self.section("Parameters").get(name)
        if isinstance(declared, dict) and "Default" in declared:
            self.used.add(name)
            return declared["Default"]
        return Unknown(f"parameter {name} has no default; pass --parameter {name}=VALUE")

    def condition(self, name: str, depth: int = 0) -> bool | None:
        """The truth of a named condition; ``None`` when it cannot be evaluated."""
        if name not in self.section("Conditions") or depth > MAX_RESOLVE_DEPTH:
            return None
        value = self.resolve(self.section("Conditions")[name], depth + 1)
        return value if isinstance(value, bool) else None

    def resolve(self, value: Any, depth: int = 0) -> Any:
        """``value`` with its intrinsic functions evaluated as far as they can be."""
        if depth > MAX_RESOLVE_DEPTH:
            return Unknown("intrinsic functions nested too deeply")
        if isinstance(value, list):
            return [self.resolve(v, depth + 1) for v in value]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref" or key == "Condition" or key.startswith("Fn::"):
                return self._function(key, arg, depth + 1)
        return {k: self.resolve(v, depth + 1) for k, v in value.items()}

    def _function(self, key: str, arg: Any, depth: int) -> Any:
        if key == "Ref":
            if not isinstance(arg, str):
                return Unknown("a Ref to something other than a name")
            if arg in self.section("Resources"):
                return ResourceRef(arg)
            if arg in PSEUDO:
                return Unknown(f"{arg} is only known when the stack is deployed")
            return self.parameter(arg)
        if key == "Condition":
            truth = self.condition(arg, depth) if isinstance(arg, str) else None
            return truth if truth is not None else Unknown(f"condition {arg} cannot be evaluated")
        if key == "Fn::GetAtt":
            parts = arg if isinstance(arg, list) else str(arg).split(".", 1)
            if len(parts) == 2 and isinstance(parts[0], str):
                return ResourceRef(parts[0], str(self.resolve(parts[1], depth)))
            return Unknown("an Fn::GetAtt not of the form [Resource, Attribute]")
        args = self.resolve(arg, depth) if key != "Fn::If" else arg
        return self._compute(key, args, depth)

    def _compute(self, key: str, args: Any, depth: int) -> Any:
        if key == "Fn::If" and isinstance(args, list) and len(args) == 3:
            truth = self.condition(args[0], depth) if isinstance(args[0], str) else None
            if truth is None:
                return Unknown(f"condition {args[0]} cannot be evaluated from the parameters")
            return self.resolve(args[1] if truth else args[2], depth)
        if _has_unknown(args):
            return next(_unknowns(args))
        if key == "Fn::Equals" and isinstance(args, list) and len(args) == 2:
            return str(args[0]) == str(args[1])
        if key == "Fn::Not" and isinstance(args, list) and len(args) == 1:
            return not args[0] if isinstance(args[0], bool) else Unknown("Fn::Not of a non-boolean")
        if (
            key in ("Fn::And", "Fn::Or")
            and isinstance(args, list)
            and all(isinstance(a, bool) for a in args)
        ):
            return all(args) if key == "Fn::And" else any(args)
        if (
            key == "Fn::Join"
            and isinstance(args, list)
            and len(args) == 2
            and isinstance(args[1], list)
            and all(_is_text(a) for a in args[1])
        ):
            return str(args[0]).join(str(a) for a in args[1])
        if (
            key == "Fn::Select"
            and isinstance(args, list)
            and len(args) == 2
            and isinstance(args[1], list)
            and str(args[0]).isdigit()
            and int(str(args[0])) < len(args[1])
        ):
            return args[1][int(str(args[0]))]
        if (
            key == "Fn::Split"
            and isinstance(args, list)
            and len(args) == 2
            and all(isinstance(a, str) for a in args)
            and args[0]
        ):
            return args[1].split(args[0])
        if key == "Fn::FindInMap" and isinstance(args, list) and len(args) >= 3:
            found = dig(self.section("Mappings"), tuple(str(a) for a in args[:3]))
            if found is not None:
                return self.resolve(found, depth)
        if key == "Fn::Sub":
            return self._sub(args)
        return Unknown(f"{key} is only known when the stack is deployed")

    def _sub(self, args: Any) -> Any:
        text, local = (
            (args[0], args[1]) if isinstance(args, list) and len(args) == 2 else (args, {})
        )
        if not isinstance(text, str) or not isinstance(local, dict):
            return Unknown("an Fn::Sub that is not a string")
        pieces: list[str] = []
        unknown: Unknown | None = None
        last = 0
        for match in _SUB_VAR.finditer(text):
            name = match.group(1)
            if name in local:
                value = local[name]
            elif name in self.section("Resources") or "." in name or name in PSEUDO:
                value = Unknown(f"${{{name}}} is only known when the stack is deployed")
            else:
                value = self.parameter(name)
            if not _is_text(value):
                value = value if isinstance(value, Unknown) else Unknown(f"${{{name}}}")
                unknown = unknown or value
                value = "*"
            pieces.extend((text[last : match.start()], str(value)))
            last = match.end()
        pieces.append(text[last:])
        joined = "".join(pieces).replace("${!", "${")
        return Unknown(unknown.why, joined) if unknown is not None else joined


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _unknowns(value: Any) -> Any:
    if isinstance(value, Unknown | ResourceRef):
        yield (
            value
            if isinstance(value, Unknown)
            else Unknown(
                f"the {value.logical_id} resource's {value.attribute or 'id'} is only known when "
                "the stack is deployed"
            )
        )
    elif isinstance(value, list):
        for v in value:
            yield from _unknowns(v)


def _has_unknown(value: Any) -> bool:
    return next(_unknowns(value), None) is not None
