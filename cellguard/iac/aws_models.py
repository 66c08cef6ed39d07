"""Constraints of AWS API inputs, read from the service models that ``botocore`` ships.

``botocore.loaders.Loader().load_service_model(service, "service-2")`` gives a service's API
model: ``operations[OP]["input"]["shape"]`` names the request shape, and ``shapes[NAME]`` holds
each shape with its ``type`` (``structure`` with ``members``, ``list`` with ``member``, ``map``
with ``key`` and ``value``, ``string``, ``integer``, ...) and the constraints the service
enforces: ``min``/``max`` (length of a string, list or map; value of a number), ``pattern`` and
``enum``. A pattern must match the whole value, as the services apply it (``[\\w+=,.@-]+`` for an
IAM role name refuses a name with a space). Patterns Python's ``re`` cannot compile are counted,
not guessed.

A Pulumi input is checked against the shape of the API member it becomes
(:mod:`cellguard.iac.aws_inputs`). Nested Pulumi keys match member names case-insensitively
(``clusterConfig.instanceType`` -> ``ClusterConfig.InstanceType``); a Pulumi map becomes the API's
list of key/value structures (tags, CloudWatch dimensions) and a Pulumi list of named blocks the
API's map (FIS targets and actions). Keys without a member are Pulumi's own and are not checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

_SCALARS = ("string", "integer", "long", "float", "double")


@cache
def _loader() -> Any:
    import botocore.loaders

    return botocore.loaders.Loader()


@cache
def service_model(service: str) -> dict[str, Any]:
    """The ``service-2`` API model of one AWS service, as botocore ships it."""
    model: dict[str, Any] = _loader().load_service_model(service, "service-2")
    return model


def botocore_version() -> str:
    """The installed botocore's version (whose models are read)."""
    import botocore

    return str(botocore.__version__)


def shape(service: str, name: str) -> dict[str, Any]:
    """One shape of a service model (KeyError if the model has no such shape)."""
    found: dict[str, Any] = service_model(service)["shapes"][name]
    return found


def input_shape(service: str, operation: str) -> str:
    """The name of an operation's request shape (KeyError if the model has no such operation)."""
    return str(service_model(service)["operations"][operation]["input"]["shape"])


def _member(shape_def: dict[str, Any], key: str) -> str | None:
    """The member of a structure called ``key``, case-insensitively (None if it has none)."""
    members: dict[str, Any] = shape_def.get("members", {})
    if key in members:
        return str(members[key]["shape"])
    lowered = {m.lower(): m for m in members}
    name = lowered.get(key.lower())
    return str(members[name]["shape"]) if name else None


def resolve(service: str, root: str, path: str) -> str | None:
    """The shape at ``path`` below the shape ``root``: ``A.B[].C`` walks member ``A``, member
    ``B``, the elements of list ``B`` and their member ``C``; ``@Shape`` names a shape directly.
    None when the path leaves the model."""
    if path.startswith("@"):
        name = path[1:]
        return name if name in service_model(service)["shapes"] else None
    current: str | None = root
    for part in path.split("."):
        if current is None:
            return None
        many = part.endswith("[]")
        current = _member(shape(service, current), part.removesuffix("[]"))
        if many and current is not None:
            listed = shape(service, current)
            current = str(listed["member"]["shape"]) if listed.get("type") == "list" else None
    return current


@dataclass(frozen=True)
class Violation:
    """One input value outside what the API accepts."""

    path: str
    rule: str


@dataclass
class Tally:
    """What one walk checked: values with a constraint, and patterns that could not be read."""

    constrained: int = 0
    unreadable_patterns: set[str] = field(default_factory=set)
    violations: list[Violation] = field(default_factory=list)
    open_enums: frozenset[str] = frozenset()
    """``service:Shape`` of enums whose list lags the service: a value outside it must only
    end like every listed value does (``.search``)."""
    open_enum_values: set[str] = field(default_factory=set)


def shown(value: object, limit: int = 60) -> str:
    """A value for a message: its repr, a long string cut to its first ``limit`` characters."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}..."
    return repr(value)


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        return None


def _common_suffix(values: list[str]) -> str:
    """The longest ending every value shares."""
    reversed_values = [v[::-1] for v in values]
    out = []
    for chars in zip(*reversed_values, strict=False):
        if len(set(chars)) != 1:
            break
        out.append(chars[0])
    return "".join(out)[::-1]


def _enum(s: dict[str, Any], key: str, value: str, path: str, tally: Tally) -> None:
    members = [str(m) for m in s["enum"]]
    if value in members:
        return
    if key in tally.open_enums:
        suffix = _common_suffix(members)
        if value.endswith(suffix):
            tally.open_enum_values.add(f"{value} ({key})")
            return
        tally.violations.append(
            Violation(path, f"{shown(value)} does not end in {suffix!r} like every {key} value")
        )
        return
    tally.violations.append(Violation(path, f"{shown(value)} is not one of {members}"))


def _scalar(s: dict[str, Any], key: str, value: object, path: str, tally: Tally) -> None:
    keys = {"min", "max", "pattern", "enum"} & s.keys()
    if not keys:
        return
    kind = s.get("type")
    if kind == "string":
        if not isinstance(value, str):
            return
        tally.constrained += 1
        size = len(value)
        if "enum" in s:
            _enum(s, key, value, path, tally)
        if "min" in s and size < int(s["min"]):
            tally.violations.append(
                Violation(path, f"{shown(value)} is {size} characters, shorter than {s['min']}")
            )
        if "max" in s and size > int(s["max"]):
            tally.violations.append(
                Violation(path, f"{shown(value)} is {size} characters, longer than {s['max']}")
            )
        if "pattern" in s:
            regex = _compiled(str(s["pattern"]))
            if regex is None:
                tally.unreadable_patterns.add(str(s["pattern"]))
            elif regex.fullmatch(value) is None:
                tally.violations.append(
                    Violation(path, f"{shown(value)} does not match the pattern {s['pattern']}")
                )
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    tally.constrained += 1
    if "min" in s and value < s["min"]:
        tally.violations.append(Violation(path, f"{value} is below the minimum {s['min']}"))
    if "max" in s and value > s["max"]:
        tally.violations.append(Violation(path, f"{value} is above the maximum {s['max']}"))


def _as_key_values(s: dict[str, Any], service: str, value: dict[str, Any]) -> list[Any] | None:
    """A Pulumi map as the API's list of key/value structures (``[{Key: k, Value: v}]``)."""
    element = shape(service, str(s["member"]["shape"]))
    members = element.get("members", {})
    key = next((m for m in ("Key", "Name", "key", "name") if m in members), None)
    val = next((m for m in ("Value", "value") if m in members), None)
    if element.get("type") != "structure" or key is None or val is None:
        return None
    return [{key: k, val: v} for k, v in value.items()]


def _as_map(value: list[Any]) -> dict[str, Any] | None:
    """A Pulumi list of ``{key, value}`` pairs or of named blocks as the API's map."""
    if not all(isinstance(v, dict) for v in value):
        return None
    if all(set(v) == {"key", "value"} for v in value):
        return {str(v["key"]): v["value"] for v in value}
    if all("name" in v for v in value):
        return {str(v["name"]): {k: x for k, x in v.items() if k != "name"} for v in value}
    return None


def check_value(service: str, shape_name: str, value: Any, path: str, tally: Tally) -> None:
    """Check ``value`` (a Pulumi input at ``path``) against a shape and everything below it."""
    s = shape(service, shape_name)
    kind = s.get("type")
    if kind in _SCALARS:
        _scalar(s, f"{service}:{shape_name}", value, path, tally)
        return
    if kind == "list" and isinstance(value, dict):
        converted = _as_key_values(s, service, value)
        if converted is None:
            return
        value = converted
    if kind == "map" and isinstance(value, list):
        mapped = _as_map(value)
        if mapped is None:
            return
        value = mapped
    if kind in ("list", "map") and isinstance(value, list | dict):
        size = len(value)
        if {"min", "max"} & s.keys():
            tally.constrained += 1
        if "min" in s and size < int(s["min"]):
            tally.violations.append(Violation(path, f"{size} entries, fewer than {s['min']}"))
        if "max" in s and size > int(s["max"]):
            tally.violations.append(Violation(path, f"{size} entries, more than {s['max']}"))
    if kind == "list" and isinstance(value, list):
        for i, item in enumerate(value):
            check_value(service, str(s["member"]["shape"]), item, f"{path}[{i}]", tally)
    elif kind == "map" and isinstance(value, dict):
        for k, v in value.items():
            check_value(service, str(s["key"]["shape"]), k, f"{path}.{k} (key)", tally)
            check_value(service, str(s["value"]["shape"]), v, f"{path}.{k}", tally)
    elif kind == "structure" and isinstance(value, dict):
        for k, v in value.items():
            member = _member(s, k)
            if member is not None:
                check_value(service, member, v, f"{path}.{k}", tally)
