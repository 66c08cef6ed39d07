"""MEF expressions: parameters and the formulas that give a basic event its probability.

A ``<define-basic-event>`` may hold any expression of the Open-PSA MEF (section 5), and
``<define-parameter>`` names one for reuse. :class:`Expressions` evaluates them to a number:

* constants ``<float value>``, ``<int value>``, ``<bool value>``, ``<pi/>`` and
  ``<system-mission-time/>`` (the mission time, 8760 hours unless the caller gives another, as
  in SCRAM);
* ``<parameter name>`` references (cycles, unknown names and duplicates are errors);
* arithmetic ``add``, ``sub``, ``mul``, ``div``, ``neg``, ``abs``, ``min``, ``max``,
  ``mean``, ``exp``, ``log``, ``log10``, ``sqrt``, ``pow``;
* the MEF's built-in distributions ``exponential`` (lambda, t), ``GLM`` (gamma, lambda, mu,
  t), ``Weibull`` (alpha, beta, t0, t) and ``periodic-test`` in its four-argument form
  (lambda, tau, theta, t: instant test and repair);
* random deviates, evaluated at their mean as a point estimate (as SCRAM does):
  ``uniform-deviate`` (min, max), ``normal-deviate`` (mean, sigma), ``lognormal-deviate``
  (mean, error factor, level; or mu, sigma of the log), ``gamma-deviate`` (k, theta) and
  ``beta-deviate`` (alpha, beta); their parameters are checked as SCRAM's ``Validate``
  checks them (min below max, sigma, k, theta, alpha, beta and a lognormal mean positive, an
  error factor over 1, a level in (0, 1)), so an impossible distribution is never read as its
  formal mean.

Anything else (``histogram``, ``if``/``switch``, comparisons, extern functions, the 5- and
11-argument ``periodic-test``) is refused naming the element and its line. Every intermediate
value must be a finite number (``1e308 * 10`` and ``exp(1e6)`` are errors, never ``inf``), so
a probability is never NaN. Evaluation uses an explicit stack: neither nesting nor a chain of
10,000 parameters can exhaust Python's recursion limit. The functions themselves are in
:mod:`.mef_functions`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from cellguard.assessments.faulttree.mef_functions import NON_NEGATIVE, OPERATIONS
from cellguard.assessments.faulttree.mef_xml import MefError, Node, cut, shown, tag_shown

MISSION_TIME = 8760.0
"""Default ``<system-mission-time/>``, in hours (one year; SCRAM's default)."""

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
_IGNORED = ("label", "attributes")

_CONSTANTS = ("float", "int", "bool", "pi", "system-mission-time", "parameter")
# units of <define-parameter unit=...> (the MEF's, as SCRAM lists them): read as written ...
_UNITS = ("bool", "int", "float", "hours", "hours-1", "demands")
# ... and those that would need converting to hours: refused, saying how to convert
_CONVERT = {
    "years": 'give the value in hours (years * 8760) with unit="hours"',
    "years-1": 'give the rate per hour (per year / 8760) with unit="hours-1"',
    "fit": 'give the rate per hour (1 FIT = 1e-9 per hour) with unit="hours-1"',
}
SUPPORTED = ", ".join(_CONSTANTS + tuple(OPERATIONS))
"""The expression elements read, for messages."""


@dataclass(slots=True)
class _Frame:
    """One expression being evaluated: its node, its arguments' values so far, what is left."""

    node: Node
    children: Iterator[Node]
    base: str
    values: list[float] = field(default_factory=list)
    parameter: str | None = None  # set when this frame is a parameter's body


class Expressions:
    """Parameters of one MEF file, and the evaluation of expressions that may use them."""

    def __init__(
        self,
        path: str,
        resolve: Callable[[str, str], str],
        mission_time: float = MISSION_TIME,
    ) -> None:
        self.path = path
        self.resolve = resolve  # (scope, reference) -> parameter id
        self.mission_time = mission_time
        self.definitions: dict[str, tuple[Node, str]] = {}  # id -> (definition, its scope)
        self.values: dict[str, float] = {}
        self.active: set[str] = set()  # parameters being evaluated (to find cycles)

    def error(self, message: str, node: Node) -> MefError:
        """A :class:`MefError` at the line of ``node``."""
        return MefError(self.path, message, node.line)

    def body(self, node: Node, what: str) -> Node:
        """The one expression inside ``node`` (a definition or a CCF distribution/factor)."""
        body = [child for child in node.children if child.tag not in _IGNORED]
        if len(body) != 1:
            found = ", ".join(tag_shown(child.tag) for child in body[:3]) or "nothing"
            raise self.error(
                f"{what} must hold exactly one expression, found {found}; expected e.g. "
                '<float value="1e-3"/> or <exponential>...</exponential>',
                node,
            )
        return body[0]

    def define(self, name: str, node: Node, scope: str) -> None:
        """Record ``<define-parameter>`` ``node`` as parameter ``name`` (evaluated on use)."""
        if name in self.definitions:
            first = self.definitions[name][0].line
            raise self.error(
                f"parameter {shown(name)} is defined twice (first at line {first}); remove one",
                node,
            )
        self.body(node, f"parameter {shown(name)}")
        self._unit(name, node)
        self.definitions[name] = (node, scope)

    def _unit(self, name: str, node: Node) -> None:
        """Check the ``unit`` of parameter ``name``: rates and times are read in hours, so a
        value in years or FIT would be off by 8,760 or 10^9 if read as written."""
        unit = node.get("unit")
        if unit is None or unit in _UNITS:
            return
        if unit in _CONVERT:
            raise self.error(
                f"parameter {shown(name)} has unit={shown(unit)}; cellguard reads rates and "
                f"times in hours (the mission time is in hours), so {_CONVERT[unit]}",
                node,
            )
        raise self.error(
            f"parameter {shown(name)} has unit={shown(unit)}, not a unit of the MEF; expected "
            f"one of {', '.join((*_UNITS, *_CONVERT))}",
            node,
        )

    def probability(self, expression: Node, what: str, scope: str) -> float:
        """The value of ``expression``, checked to be a probability in [0, 1]."""
        value = self.evaluate(expression, what, scope)
        if not 0.0 <= value <= 1.0:
            raise self.error(
                f"{what}: the expression evaluates to {value!r}, not a probability in [0, 1]; "
                "check its rates, times and units (mission time "
                f"{self.mission_time!r} hours)",
                expression,
            )
        return value + 0.0

    def evaluate(self, expression: Node, what: str, scope: str) -> float:
        """The finite value of ``expression`` (an element inside ``what``, written in
        ``scope``: the path of its fault tree and components)."""
        stack: list[_Frame] = []
        self.active.clear()
        result = self._push(expression, what, stack, scope)
        while stack:
            frame = stack[-1]
            if result is not None:
                frame.values.append(result)
                result = None
            child = next(frame.children, None)
            if child is not None:
                if child.tag in _IGNORED:
                    continue
                result = self._push(child, what, stack, frame.base)
                continue
            stack.pop()
            if frame.parameter is not None:
                value = frame.values[0]
                self.values[frame.parameter] = value
                self.active.discard(frame.parameter)
                result = value
            else:
                result = self._apply(frame, what)
        assert result is not None
        return result

    def _push(self, node: Node, what: str, stack: list[_Frame], scope: str) -> float | None:
        """The value of leaf ``node``, or None after pushing a frame to evaluate it."""
        tag = node.tag
        if tag in OPERATIONS:
            stack.append(_Frame(node, iter(node.children), scope))
            return None
        if tag == "parameter":
            if node.children:
                raise self.error(f"<parameter> in {what} must be empty", node.children[0])
            name = self.resolve(scope, node.get("name") or "")
            if name in self.values:
                return self.values[name]
            if name not in self.definitions:
                known = ", ".join(shown(n) for n in sorted(self.definitions)[:5]) or "none"
                raise self.error(
                    f"{what}: parameter {shown(name)} is not defined; expected a "
                    f"<define-parameter name={shown(name)}> (defined: {known})",
                    node,
                )
            definition, inner_scope = self.definitions[name]
            if name in self.active:
                chain = [f.parameter for f in stack if f.parameter is not None]
                cycle = [*chain[chain.index(name) :], name]
                shown_cycle = " -> ".join(cut(n) for n in cycle[:6])
                raise self.error(
                    f"{what}: parameter {shown(name)} is part of a cycle ({shown_cycle}"
                    f"{' ...' if len(cycle) > 6 else ''}); a parameter cannot depend on itself",
                    definition,
                )
            inner = self.body(definition, f"parameter {shown(name)}")
            stack.append(_Frame(definition, iter((inner,)), inner_scope, parameter=name))
            self.active.add(name)
            return None
        if node.children and tag in _CONSTANTS:
            raise self.error(f"{tag_shown(tag)} in {what} must be empty", node.children[0])
        return self._constant(node, what)

    def _constant(self, node: Node, what: str) -> float:
        """The value of a leaf: float, int, bool, pi or system-mission-time."""
        tag = node.tag
        if tag == "pi":
            return math.pi
        if tag == "system-mission-time":  # the caller's: --mission-time inf is no time
            return self._finite(self.mission_time, node, what)
        raw = node.get("value")
        text = "" if raw is None else raw.strip()
        found = "no value" if raw is None else f"value {shown(raw)}"
        if tag == "float":
            if not _NUMBER.fullmatch(text):
                raise self.error(
                    f"{what}: <float> has {found}, not a finite decimal number such as 0.001 "
                    "or 1e-3",
                    node,
                )
            return self._finite(float(text), node, what)
        if tag == "int":
            if not _INTEGER.fullmatch(text):
                raise self.error(
                    f"{what}: <int> has {found}, not an integer of at most 18 digits such as 20",
                    node,
                )
            return float(int(text))
        if tag == "bool":
            if text.lower() not in ("true", "false"):
                raise self.error(f"{what}: <bool> has {found}; expected true or false", node)
            return 1.0 if text.lower() == "true" else 0.0
        raise self.error(
            f"{what}: unsupported expression {tag_shown(tag)}; cellguard reads {SUPPORTED}",
            node,
        )

    def _apply(self, frame: _Frame, what: str) -> float:
        """Apply the operation of ``frame`` to its evaluated arguments."""
        tag = frame.node.tag
        low, high, function = OPERATIONS[tag]
        count = len(frame.values)
        if count < low or (high is not None and count > high):
            expected = str(low) if low == high else f"{low} to {high}" if high else f"{low} or more"
            hint = " (cellguard reads its 4-argument form)" if tag == "periodic-test" else ""
            raise self.error(
                f"{what}: <{tag}> takes {expected} arguments, found {count}{hint}", frame.node
            )
        for name, value in zip(NON_NEGATIVE.get(tag, ()), frame.values, strict=False):
            if value < 0.0:
                raise self.error(
                    f"{what}: <{tag}> argument {name} is {value!r}; rates and times cannot be "
                    "negative",
                    frame.node,
                )
        if tag == "GLM" and frame.values[0] > 1.0:
            raise self.error(
                f"{what}: <GLM> argument gamma (a probability) is {frame.values[0]!r}, more than 1",
                frame.node,
            )
        try:
            value = function(frame.values)
        except (ArithmeticError, ValueError) as exc:
            raise self.error(
                f"{what}: <{tag}> cannot be evaluated ({exc}); check the magnitudes and signs "
                "of its arguments",
                frame.node,
            ) from None
        return self._finite(value, frame.node, what)

    def _finite(self, value: float, node: Node, what: str) -> float:
        if not math.isfinite(value):
            raise self.error(
                f"{what}: {tag_shown(node.tag)} evaluates to {value!r}, not a finite number; "
                "check the magnitudes of its arguments",
                node,
            )
        return value


def house_value(node: Node, name: str, error: Callable[[str, Node], MefError]) -> bool:
    """The value of ``<define-house-event>`` ``node``: one ``<constant>`` or ``<bool>`` true
    or false, false when it holds none (as in SCRAM)."""
    body = [child for child in node.children if child.tag not in _IGNORED]
    if not body:
        return False
    raw = body[0].get("value")
    value = (raw or "").strip().lower()
    if len(body) != 1 or body[0].tag not in ("constant", "bool") or value not in ("true", "false"):
        found = ", ".join(tag_shown(child.tag) for child in body[:3])
        raise error(
            f'house event {shown(name)}: expected one <constant value="true"/> or '
            f'<constant value="false"/>, found {found}'
            + ("" if raw is None else f" value={shown(raw)}"),
            node,
        )
    return value == "true"
