"""The semantic half of the MEF reader: definitions and formulas into gates and events.

:class:`Reader` walks the :class:`.mef_xml.Node` tree of a MEF file and checks every value
before it is used: names are visible characters without surrounding spaces, at most
:data:`MAX_NAME` long and not the reserved constants; ``min`` is an integer between 1 and the
number of arguments (never ``int()`` of an unbounded string); a probability is a decimal number
in [0, 1] (``nan``, ``inf``, ``1e999`` and ``0_1`` are refused). Formulas and containers are
read with explicit stacks, so no nesting depth can exhaust Python's recursion limit. Every
error is a :class:`.mef_xml.MefError` at the line of the element concerned.

Names are resolved through :mod:`.mef_scope` (components); derived connectives are rewritten
by :mod:`.mef_derived`; probability expressions and parameters are evaluated by
:mod:`.mef_expr` once the whole file is read (a parameter may be defined after its use); CCF
groups (:mod:`.mef_ccf`) and house events are applied by :func:`.mef.read_mef` after the walk.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from cellguard.assessments.faulttree.mef_ccf import CcfGroup, read_group
from cellguard.assessments.faulttree.mef_derived import DERIVED, derived
from cellguard.assessments.faulttree.mef_expr import MISSION_TIME, Expressions, house_value
from cellguard.assessments.faulttree.mef_scope import CONTAINERS, Scopes
from cellguard.assessments.faulttree.mef_xml import MefError, Node, cut, shown, tag_shown
from cellguard.assessments.faulttree.tree import CONSTANTS, FALSE, TRUE, Gate, GateOp

MAX_NAME = 1_000
"""Longest gate or event name read, in characters."""

_OPS = {op.value: op for op in GateOp}
_CONNECTIVES = (*_OPS, *DERIVED)
_ARG_TAGS = ("gate", "basic-event", "event", "house-event")
_EVENT_TYPES = ("gate", "basic-event", "house-event")
_IGNORED = ("label", "attributes")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_INFINITE = {sign + word for sign in ("", "+", "-") for word in ("inf", "infinity")}
_FORMULAS = (
    "and, or, not, xor, atleast, nand, nor, iff, imply, cardinality, gate, basic-event, event, "
    "house-event, constant"
)
_DEFINITIONS = (
    "define-fault-tree, define-component, model-data, define-gate, define-basic-event, "
    "define-house-event, define-parameter or define-CCF-group"
)


def _name_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a gate or event name, or None."""
    if len(name) > MAX_NAME:
        return f"is {len(name):,} characters long; names have at most {MAX_NAME:,}"
    if name != name.strip():
        return "starts or ends with a space; remove it"
    bad = next((c for c in name if not c.isprintable()), None)
    if bad is not None:
        return f"contains the invisible or control character U+{ord(bad):04X}; remove it"
    if name in CONSTANTS:
        return "is reserved for cellguard's constants; rename it"
    return None


class Reader:
    """The state of one read: gates and events so far, and where each was written."""

    def __init__(self, path: str, root: Node, mission_time: float = MISSION_TIME) -> None:
        self.path = path
        self.root = root
        self.scopes = Scopes(path, root)
        self.expressions = Expressions(path, self.scopes.resolve, mission_time)
        self.scope = ""  # path of the container being read
        self.private = False
        self.pending: list[tuple[str, Node, str]] = []  # events with expressions to evaluate
        self.houses: dict[str, bool] = {}
        self.house_nodes: dict[str, Node] = {}
        self.referenced_houses: dict[str, Node] = {}
        self.ccf_groups: list[CcfGroup] = []
        self.ccf_members: dict[str, Node] = {}
        self.gates: dict[str, Gate] = {}
        self.gate_nodes: dict[str, Node] = {}
        self.events: dict[str, float] = {}
        self.event_nodes: dict[str, Node] = {}
        self.labels: dict[str, str] = {}
        self.referenced_events: dict[str, Node] = {}  # name -> first reference
        self.untyped: dict[str, Node] = {}
        self.referenced_gates: dict[str, tuple[str, Node]] = {}
        self.anonymous: set[str] = set()
        self.counter = 0
        self.taken: set[str] = set()  # every name in the file: anonymous gates avoid them
        stack = [root]
        while stack:
            node = stack.pop()
            name = node.get("name")
            if name is not None:
                self.taken.add(name)
            stack.extend(node.children)
        self.taken.update(self.scopes.by_path.values())

    def error(self, message: str, node: Node) -> MefError:
        """A :class:`MefError` at the line of ``node``."""
        return MefError(self.path, message, node.line)

    def name(self, node: Node, owner: str | None) -> str:
        """The checked ``name`` attribute of ``node`` (an argument of gate ``owner``)."""
        raw = node.get("name")
        where = f" in gate {shown(owner)}" if owner is not None else ""
        if not raw:
            raise self.error(
                f'{tag_shown(node.tag)} without a name{where}; expected name="..."', node
            )
        problem = _name_problem(raw)
        if problem is not None:
            raise self.error(f"{tag_shown(node.tag)}{where}: name {shown(raw)} {problem}", node)
        return raw

    def defined(self, node: Node) -> str:
        """The name in the tree of the element ``node`` defines (its path when private)."""
        self.name(node, None)
        return self.scopes.name(node, self.scope, self.private)

    def argument(self, node: Node, owner: str) -> str | None:
        """The name ``node`` stands for in gate ``owner``; None for a formula (and, or, ...)."""
        tag = node.tag
        if tag in _CONNECTIVES:
            return None
        if tag in _ARG_TAGS:
            name = self.scopes.resolve(self.scope, self.name(node, owner))
            kind = node.get("type") if tag == "event" else tag
            if kind is not None and kind not in _EVENT_TYPES:
                raise self.error(
                    f"<event name={shown(name)}> in gate {shown(owner)} has type "
                    f"{shown(kind)}; expected gate, basic-event or house-event",
                    node,
                )
            if node.children:
                raise self.error(
                    f"<{tag} name={shown(name)}> in gate {shown(owner)} contains "
                    f"{tag_shown(node.children[0].tag)}; expected an empty element",
                    node.children[0],
                )
            if kind == "basic-event":
                self.referenced_events.setdefault(name, node)
            elif kind == "house-event":
                self.referenced_houses.setdefault(name, node)
            elif kind is None:
                self.untyped.setdefault(name, node)
            else:
                self.referenced_gates.setdefault(name, (owner, node))
            return name
        if tag == "constant":
            value = (node.get("value") or "").strip().lower()
            if value not in ("true", "false"):
                raise self.error(
                    f"<constant> in gate {shown(owner)} needs value true or false", node
                )
            return TRUE if value == "true" else FALSE
        raise self.error(
            f"unsupported element {tag_shown(tag)} in gate {shown(owner)}; expected one of "
            f"{_FORMULAS}",
            node,
        )

    def formula(self, node: Node, owner: str, define: Node | None) -> str:
        """The name standing for ``node`` in gate ``owner``: an argument, or a new gate.

        The gate of the outermost formula is ``owner`` itself when ``define`` (its
        ``<define-gate>``) is given, else anonymous. Read with a stack, not recursion.
        """
        leaf = self.argument(node, owner)
        if leaf is not None:
            return leaf
        stack: list[tuple[Node, Iterator[Node], list[str]]] = [(node, iter(node.children), [])]
        while True:
            current, children, args = stack[-1]
            for child in children:
                leaf = self.argument(child, owner)
                if leaf is None:
                    stack.append((child, iter(child.children), []))
                    break
                args.append(leaf)
            else:
                stack.pop()
                name = self.compound(current, args, owner, None if stack else define)
                if not stack:
                    return name
                stack[-1][2].append(name)

    def compound(self, node: Node, args: list[str], owner: str, define: Node | None) -> str:
        """Add the gate of formula ``node`` over ``args`` (see :meth:`formula`); its name."""
        what = f"<{node.tag}> in gate {shown(owner)}"
        if not args:
            raise self.error(f"{what} has no arguments; expected at least one of {_FORMULAS}", node)
        if node.tag in DERIVED:

            def add(op: GateOp, inner: tuple[str, ...], k: int | None, name: str | None) -> str:
                if name is None:
                    name = self.anonymous_name(owner)
                    self.add_gate(name, op, inner, k, node)
                else:
                    self.add_gate(name, op, inner, k, node if define is None else define)
                return name

            return derived(node, args, what, None if define is None else owner, add, self.error)
        op = _OPS[node.tag]
        if op is GateOp.NOT and len(args) != 1:
            raise self.error(f"{what} takes exactly one argument, found {len(args)}", node)
        k = self.minimum(node, what, len(args)) if op is GateOp.ATLEAST else None
        if define is None:
            name = self.anonymous_name(owner)
            self.add_gate(name, op, tuple(args), k, node)
            return name
        self.add_gate(owner, op, tuple(args), k, define)
        return owner

    def minimum(self, node: Node, what: str, count: int) -> int:
        """The checked ``min`` of an ``<atleast>`` with ``count`` arguments."""
        expected = f'expected min="k" with k between 1 and {count}, its number of arguments'
        raw = node.get("min")
        if raw is None or not _INTEGER.fullmatch(raw.strip()):
            found = "" if raw is None else f", found min={shown(raw)}"
            raise self.error(f"{what} needs an integer 'min'{found}; {expected}", node)
        text = raw.strip()
        digits = text.lstrip("+-").lstrip("0") or "0"
        # more digits are out of range anyway; int() of 4,301 or more raises ValueError
        k = (-1 if text[0] == "-" else 1) * int(digits) if len(digits) <= 18 else None
        if k is None or not 1 <= k <= count:
            raise self.error(f"{what}: min={shown(text)} is out of range; {expected}", node)
        return k

    def anonymous_name(self, owner: str) -> str:
        """A new name ``owner#n`` for a nested formula, used by no name in the file."""
        while True:
            self.counter += 1
            name = f"{owner}#{self.counter}"
            if name not in self.taken:
                self.anonymous.add(name)
                return name

    def add_gate(
        self, name: str, op: GateOp, args: tuple[str, ...], k: int | None, node: Node
    ) -> None:
        """Record gate ``name`` defined at ``node``; a second definition is an error."""
        if name in self.gates:
            first = self.gate_nodes[name].line
            raise self.error(
                f"gate {shown(name)} is defined twice (first at line {first}); rename one", node
            )
        try:
            self.gates[name] = Gate(name, op, args, k)
        except ValueError as exc:  # checked above; kept so a new rule still gets a line
            raise self.error(str(exc), node) from None
        self.gate_nodes[name] = node

    def define_gate(self, node: Node) -> None:
        """Read a ``<define-gate>``: a name, an optional label, exactly one formula."""
        name = self.defined(node)
        body = [child for child in node.children if child.tag not in _IGNORED]
        if len(body) != 1:
            raise self.error(
                f"gate {shown(name)} must contain exactly one formula, found {len(body)}", node
            )
        formula = body[0]
        if formula.tag in _CONNECTIVES:
            self.formula(formula, name, node)
        else:  # a gate that just passes one argument through
            self.add_gate(name, GateOp.AND, (self.formula(formula, name, None),), None, node)
        self.label(name, node)

    def define_event(self, node: Node) -> None:
        """Read a ``<define-basic-event>``: a ``<float value=...>`` probability is read now,
        any other expression once every parameter is known (:meth:`evaluate_events`)."""
        name = self.defined(node)
        body = [child for child in node.children if child.tag not in _IGNORED]
        if len(body) != 1:
            found = ", ".join(tag_shown(child.tag) for child in body[:3]) or "nothing"
            raise self.error(
                f"basic event {shown(name)}: expected exactly one probability expression "
                f"such as <float value=...>, found {found}",
                node,
            )
        self.new_event(name, node)
        if body[0].tag == "float":
            self.events[name] = self.probability(name, body[0])
        else:
            self.events[name] = math.nan  # evaluated after the walk
            self.pending.append((name, body[0], self.scope))
        self.label(name, node)

    def new_event(self, name: str, node: Node) -> None:
        """Record that basic event ``name`` is defined at ``node``; twice is an error."""
        first = self.event_nodes.get(name) or self.ccf_members.get(name)
        if first is not None:
            raise self.error(
                f"basic event {shown(name)} is defined twice (first at line {first.line}); "
                "remove one",
                node,
            )
        self.event_nodes[name] = node

    def evaluate_events(self) -> None:
        """Evaluate the probability expression of every basic event that has one."""
        for name, expression, scope in self.pending:
            self.events[name] = self.expressions.probability(
                expression, f"basic event {shown(name)}", scope
            )

    def define_house(self, node: Node) -> None:
        """Read a ``<define-house-event>``: ``<constant>`` or ``<bool>`` true or false
        (false when empty, as in SCRAM)."""
        name = self.defined(node)
        value = house_value(node, name, self.error)
        if name in self.houses:
            first = self.house_nodes[name].line
            raise self.error(
                f"house event {shown(name)} is defined twice (first at line {first}); remove one",
                node,
            )
        self.houses[name] = value
        self.house_nodes[name] = node

    def define_ccf(self, node: Node) -> None:
        """Read a ``<define-CCF-group>``: its members are basic events it defines."""
        name = self.name(node, None)
        private = self.scopes.private(node, self.private)  # members take the group's role

        def member(item: Node) -> str:
            self.name(item, None)
            key = self.scopes.name(item, self.scope, private)
            if key in self.gate_nodes:
                raise self.error(f"CCF member {shown(key)} is also defined as a gate", item)
            self.new_event(key, item)
            del self.event_nodes[key]
            self.ccf_members[key] = item
            return key

        self.ccf_groups.append(read_group(node, name, self.scope, member, self.error))

    def probability(self, name: str, value: Node) -> float:
        """The checked probability of ``<float value=...>`` ``value`` of event ``name``."""
        expected = "expected a probability between 0 and 1 such as 0.001 or 1e-3"
        raw = value.get("value")
        text = "" if raw is None else raw.strip()
        if _NUMBER.fullmatch(text):
            number = float(text) + 0.0  # + 0.0: -0 reads as 0
        elif text.lower() in _INFINITE:
            number = math.inf
        else:
            found = "no value" if raw is None else f"value {shown(raw)}"
            raise self.error(
                f"basic event {shown(name)}: <float> has {found}, not a number; {expected}",
                value,
            )
        if not (math.isfinite(number) and 0.0 <= number <= 1.0):
            raise self.error(
                f"basic event {shown(name)}: probability {cut(text)} not in [0, 1]; {expected}",
                value,
            )
        return number

    def label(self, name: str, node: Node) -> None:
        """Keep the text of ``node``'s ``<label>``, if any, for ``name``."""
        label = node.find("label")
        if label is not None and label.text.strip():
            self.labels[name] = label.text.strip()

    def walk(self) -> None:
        """Read every definition under the root, in document order (with a stack)."""
        stack = [(iter(self.root.children), "", False)]
        while stack:
            children, self.scope, self.private = stack[-1]
            for child in children:
                if child.tag == "define-gate":
                    self.define_gate(child)
                elif child.tag == "define-basic-event":
                    self.define_event(child)
                elif child.tag == "define-house-event":
                    self.define_house(child)
                elif child.tag == "define-parameter":
                    self.expressions.define(self.defined(child), child, self.scope)
                elif child.tag == "define-CCF-group":
                    self.define_ccf(child)
                elif child.tag in CONTAINERS:
                    scope, private = self.scopes.scope_of[id(child)]
                    stack.append((iter(child.children), scope, private))
                    break
                elif child.tag not in _IGNORED:
                    raise self.error(
                        f"unsupported element {tag_shown(child.tag)}; expected {_DEFINITIONS} "
                        "(event trees, substitutions, alignments and extern functions are not "
                        "read)",
                        child,
                    )
            else:
                stack.pop()
        self.scope, self.private = "", False
