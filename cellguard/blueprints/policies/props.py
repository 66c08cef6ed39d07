"""Reading resource properties as the policy engine hands them over.

Properties arrive with the engine's (camelCase) names, as nested mappings and sequences that
``pulumi_policy`` wraps to raise ``UnknownValueError`` when a value is not known yet during a
preview; numbers arrive as floats. The helpers here walk them without assuming a shape, and
:class:`Resource` / :class:`StackResource` describe the argument objects structurally, so the
checks take ``pulumi_policy``'s objects and the tests' stand-ins alike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from pulumi_policy.proxy import UnknownValueError

from .tags import ROLE_TAG

Report = Callable[[str, str | None], None]
"""``pulumi_policy.ReportViolation``: a message and, for stack policies, the resource URN."""


class Resource(Protocol):
    """What a check reads of one resource (``ResourceValidationArgs`` or ``PolicyResource``)."""

    @property
    def resource_type(self) -> str:
        """The type token, e.g. ``aws:s3/bucket:Bucket``."""

    @property
    def props(self) -> Mapping[str, Any]:
        """Inputs (resource policies) or outputs (stack policies), camelCase."""

    @property
    def urn(self) -> str:
        """The resource's URN."""

    @property
    def name(self) -> str:
        """The resource's logical name."""


class StackResource(Resource, Protocol):
    """A resource of a stack policy, with its dependencies (``PolicyResource``)."""

    @property
    def dependencies(self) -> Sequence[StackResource]:
        """Resources this one depends on."""

    @property
    def property_dependencies(self) -> Mapping[str, Sequence[StackResource]]:
        """For each property, the resources its value came from."""


class StackArgs(Protocol):
    """``StackValidationArgs``: every resource of the stack."""

    @property
    def resources(self) -> Sequence[StackResource]:
        """The stack's resources."""


def get(value: object, *path: str) -> object:
    """The value at ``path`` inside nested mappings, or ``None`` where the path ends early."""
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def mapping(value: object) -> Mapping[str, Any]:
    """``value`` if it is a mapping, else an empty one."""
    return value if isinstance(value, Mapping) else {}


def items(value: object) -> list[Any]:
    """``value`` as a list if it is a sequence (not a string), else an empty list."""
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return list(value)
    return []


def is_true(value: object) -> bool:
    """Whether a boolean property is set to true (``True`` or the string ``"true"``)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def quantity(value: object) -> str | None:
    """A Kubernetes quantity in a canonical form (``1``, ``1.0`` and ``"1"`` agree)."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    return format(number.normalize(), "f")


def number(value: object) -> float | None:
    """A numeric property as a float, or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


def role(props: Mapping[str, Any]) -> str | None:
    """The ``cellguard:role`` tag of an AWS resource (``tags``, else provider ``tagsAll``)."""
    for key in ("tags", "tagsAll"):
        value = get(props, key, ROLE_TAG)
        if isinstance(value, str):
            return value
    return None


def known(props: Mapping[str, Any], key: str) -> object:
    """``props[key]``, or ``None`` when missing or not known yet (during a preview).

    Only for matching resources to each other, where an unknown value means "cannot tell";
    values a check judges are read directly, so an unknown one is reported by the engine.
    """
    try:
        return props.get(key)
    except UnknownValueError:
        return None


def selector_matches(selector: object, labels: Mapping[str, Any]) -> bool:
    """Whether a Kubernetes label selector selects pods with ``labels``.

    A missing selector selects nothing; an empty one (``{}``) selects everything. Supports
    ``matchLabels`` and ``matchExpressions`` (In, NotIn, Exists, DoesNotExist).
    """
    if not isinstance(selector, Mapping):
        return False
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for expression in items(selector.get("matchExpressions")):
        label = str(get(expression, "key"))
        operator = get(expression, "operator")
        values = items(get(expression, "values"))
        present = label in labels
        if operator == "In" and not (present and labels[label] in values):
            return False
        if operator == "NotIn" and present and labels[label] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
        if operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            return False
    return True


def depends_on(resource: StackResource, target: StackResource, prop: str) -> bool:
    """Whether ``resource``'s property ``prop`` was computed from ``target``.

    Uses the engine's property dependencies; when the engine recorded none for the resource,
    any dependency on ``target`` counts.
    """
    deps = resource.property_dependencies
    if deps:
        return any(dep.urn == target.urn for dep in deps.get(prop, ()))
    return any(dep.urn == target.urn for dep in resource.dependencies)
