"""Open-PSA Model Exchange Format (MEF) XML: read any fault tree, write ours.

Reading supports what fault-tree tools exchange in practice: ``define-fault-tree`` with
``define-gate`` formulas (``and``, ``or``, ``not``, ``xor``, ``atleast min=k``, nested to any
depth, arguments ``gate``, ``basic-event``, ``event`` or ``constant``), and
``define-basic-event`` with a ``float`` probability, inside fault trees or ``model-data``.
Anything else the MEF can express (parameters, expressions other than ``float``, house
events, CCF groups) is reported as unsupported, naming the element and its line.

The top event is the one gate no other gate references; a file with several such gates needs
the caller to name one (``top=``).

Writing (:func:`write_mef`) produces one ``define-fault-tree`` with one ``define-gate`` per
gate and a ``model-data`` section with every basic event's probability and label; names are
written through the XML serialiser, never pasted, so any spec string is safe.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from cellguard.assessments.faulttree.tree import (
    FALSE,
    TRUE,
    BasicEvent,
    FaultTree,
    FaultTreeError,
    Gate,
    GateOp,
)

_OPS = {op.value: op for op in GateOp}
_ARG_TAGS = ("gate", "basic-event", "event")


class MefError(ValueError):
    """A MEF file that cannot be read: says where and what was expected."""

    def __init__(self, path: str, message: str, line: int | None = None) -> None:
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line


class _Reader:
    def __init__(self, path: str, lines: dict[int, int]) -> None:
        self.path = path
        self.lines = lines
        self.gates: dict[str, Gate] = {}
        self.events: dict[str, float] = {}
        self.labels: dict[str, str] = {}
        self.referenced_events: dict[str, ET.Element] = {}  # name -> first reference
        self.untyped: dict[str, ET.Element] = {}
        self.referenced_gates: dict[str, tuple[str, ET.Element]] = {}
        self.anonymous = 0

    def error(self, message: str, element: ET.Element | None = None) -> MefError:
        line = self.lines.get(id(element)) if element is not None else None
        return MefError(self.path, message, line)

    def formula(self, element: ET.Element, owner: str) -> str:
        """The name standing for ``element``: an argument, or a new anonymous gate."""
        tag = element.tag
        if tag in _ARG_TAGS:
            name = element.get("name")
            if not name:
                raise self.error(f"<{tag}> without a name in gate {owner!r}", element)
            if tag == "basic-event":
                self.referenced_events.setdefault(name, element)
            elif tag == "event":
                self.untyped.setdefault(name, element)
            else:
                self.referenced_gates.setdefault(name, (owner, element))
            return name
        if tag == "constant":
            value = (element.get("value") or "").lower()
            if value not in ("true", "false"):
                raise self.error(f"<constant> in gate {owner!r} needs value true or false", element)
            return TRUE if value == "true" else FALSE
        op = _OPS.get(tag)
        if op is None:
            raise self.error(
                f"unsupported element <{tag}> in gate {owner!r}; expected one of "
                "and, or, not, xor, atleast, gate, basic-event, event, constant",
                element,
            )
        return self.compound(element, op, owner, None)

    def compound(self, element: ET.Element, op: GateOp, owner: str, name: str | None) -> str:
        """Add the gate for formula ``element`` (anonymous when ``name`` is None); its name."""
        args = tuple(self.formula(child, owner) for child in element)
        k: int | None = None
        if op is GateOp.ATLEAST:
            raw = element.get("min")
            if raw is None or not raw.strip().lstrip("-").isdigit():
                raise self.error(f"<atleast> in gate {owner!r} needs an integer 'min'", element)
            k = int(raw)
        if name is None:
            self.anonymous += 1
            name = f"{owner}#{self.anonymous}"
        self.add_gate(name, op, args, k, element)
        return name

    def add_gate(
        self, name: str, op: GateOp, args: tuple[str, ...], k: int | None, element: ET.Element
    ) -> None:
        if name in self.gates:
            raise self.error(f"gate {name!r} is defined twice", element)
        try:
            self.gates[name] = Gate(name, op, args, k)
        except ValueError as exc:
            raise self.error(str(exc), element) from None

    def define_gate(self, element: ET.Element) -> None:
        name = element.get("name")
        if not name:
            raise self.error("<define-gate> without a name", element)
        body = [child for child in element if child.tag not in ("label", "attributes")]
        if len(body) != 1:
            raise self.error(f"gate {name!r} must contain exactly one formula", element)
        formula = body[0]
        if formula.tag in _OPS:
            self.compound(formula, _OPS[formula.tag], name, name)
        else:  # a gate that just passes one argument through
            self.add_gate(name, GateOp.AND, (self.formula(formula, name),), None, formula)
        label = element.find("label")
        if label is not None and label.text:
            self.labels[name] = label.text.strip()

    def define_event(self, element: ET.Element) -> None:
        name = element.get("name")
        if not name:
            raise self.error("<define-basic-event> without a name", element)
        value = element.find("float")
        if value is None:
            raise self.error(
                f"basic event {name!r}: only <float value=...> probabilities are supported", element
            )
        try:
            probability = float(value.get("value", ""))
        except ValueError:
            raise self.error(f"basic event {name!r}: float value is not a number", value) from None
        if not (math.isfinite(probability) and 0.0 <= probability <= 1.0):
            raise self.error(
                f"basic event {name!r}: probability {probability} not in [0, 1]", value
            )
        if name in self.events:
            raise self.error(f"basic event {name!r} is defined twice", element)
        self.events[name] = probability
        label = element.find("label")
        if label is not None and label.text:
            self.labels[name] = label.text.strip()

    def walk(self, element: ET.Element) -> None:
        for child in element:
            if child.tag == "define-gate":
                self.define_gate(child)
            elif child.tag == "define-basic-event":
                self.define_event(child)
            elif child.tag in ("define-fault-tree", "model-data", "define-component"):
                self.walk(child)
            elif child.tag in ("label", "attributes"):
                continue
            else:
                raise self.error(
                    f"unsupported element <{child.tag}>; expected define-fault-tree, "
                    "define-gate, define-basic-event or model-data",
                    child,
                )


def _parse_with_lines(source: str | bytes, path: str) -> tuple[ET.Element, dict[int, int]]:
    """Parse XML; also return the start line of each element, keyed by ``id(element)``."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("start",))
    root: ET.Element | None = None
    lines: dict[int, int] = {}
    data = source.encode() if isinstance(source, str) else source
    try:
        # Feed line by line so the element's start line is known when the event fires.
        for number, line in enumerate(data.splitlines(keepends=True), start=1):
            parser.feed(line)
            for event in parser.read_events():
                element: object = event[1]  # type: ignore[misc]
                assert isinstance(element, ET.Element)
                lines[id(element)] = number
                if root is None:
                    root = element
        parser.close()
    except ET.ParseError as exc:
        row, column = exc.position
        reason = str(exc).split(":", 1)[0]
        raise MefError(path, f"not well-formed XML: {reason} (column {column + 1})", row) from None
    if root is None:
        raise MefError(path, "empty document")
    return root, lines


def read_mef(
    source: str | bytes,
    path: str = "<string>",
    *,
    top: str | None = None,
    default_probability: float | None = None,
) -> FaultTree:
    """Read a MEF document into a :class:`FaultTree`.

    ``default_probability`` is given to basic events that are referenced but never defined;
    without it such an event is an error.
    """
    root, lines = _parse_with_lines(source, path)
    if root.tag != "opsa-mef":
        raise MefError(path, f"root element is <{root.tag}>, expected <opsa-mef>")
    reader = _Reader(path, lines)
    try:
        reader.walk(root)
    except RecursionError:
        raise MefError(
            path,
            "formulas are nested too deeply to read; define inner formulas as separate "
            "<define-gate>s and reference them with <gate name=...>",
        ) from None
    for name, (owner, element) in reader.referenced_gates.items():
        if name not in reader.gates:
            raise reader.error(
                f"gate {owner!r} references gate {name!r}, which is not defined; expected a "
                f"<define-gate name={name!r}>",
                element,
            )
    for name, element in sorted(reader.untyped.items()):
        if name not in reader.gates and name not in reader.events:
            reader.referenced_events.setdefault(name, element)
    clash = sorted(set(reader.gates) & set(reader.events))
    if clash:
        raise MefError(
            path,
            f"{clash[0]!r} is defined both as a gate and as a basic event; give them different names",
        )
    missing = sorted(n for n in reader.referenced_events if n not in reader.events)
    if missing and default_probability is None:
        raise reader.error(
            f"{len(missing)} basic event(s) have no probability, e.g. {missing[0]!r} referenced "
            "here; define them with <define-basic-event>",
            reader.referenced_events[missing[0]],
        )
    probabilities = dict(reader.events)
    for name in missing:
        probabilities[name] = default_probability if default_probability is not None else 0.0
    events = {
        name: BasicEvent(name, p, label=reader.labels.get(name, ""))
        for name, p in probabilities.items()
    }
    if top is None:
        used = {arg for gate in reader.gates.values() for arg in gate.args}
        roots = [name for name in reader.gates if name not in used and "#" not in name]
        if not roots and reader.gates:
            raise MefError(
                path,
                "expected exactly one top gate, found none: every gate is an argument of "
                "another, so the gates form a cycle",
            )
        if len(roots) != 1:
            shown = ", ".join(roots[:5]) or "none"
            raise MefError(
                path, f"expected exactly one top gate, found {len(roots)} ({shown}); name one"
            )
        top = roots[0]
    elif top not in reader.gates and top not in events:
        raise MefError(path, f"top event {top!r} is not defined")
    tree = FaultTree(Path(path).stem, top, events, reader.gates)
    try:
        tree.validate()
    except FaultTreeError as exc:
        raise MefError(path, str(exc)) from None
    return tree


def read_mef_file(path: Path, *, top: str | None = None) -> FaultTree:
    """Read the MEF file at ``path``."""
    return read_mef(path.read_bytes(), str(path), top=top)


def _arg(parent: ET.Element, name: str, tree: FaultTree) -> None:
    if name in (TRUE, FALSE):
        ET.SubElement(parent, "constant", value="true" if name == TRUE else "false")
    elif name in tree.gates:
        ET.SubElement(parent, "gate", name=name)
    else:
        ET.SubElement(parent, "basic-event", name=name)


def write_mef(tree: FaultTree, labels: Mapping[str, str] | None = None) -> str:
    """Serialise ``tree`` as a MEF document (deterministic: gates top-down, events sorted)."""
    root = ET.Element("opsa-mef")
    ft = ET.SubElement(root, "define-fault-tree", name=tree.name)
    labels = dict(labels or {})
    order = list(reversed(tree.topological_order()))
    for name in order:
        gate = tree.gates[name]
        element = ET.SubElement(ft, "define-gate", name=name)
        if labels.get(name):
            ET.SubElement(element, "label").text = labels[name]
        formula = ET.SubElement(element, gate.op.value)
        if gate.k is not None:
            formula.set("min", str(gate.k))
        for arg in gate.args:
            _arg(formula, arg, tree)
    data = ET.SubElement(root, "model-data")
    used = {a for g in tree.gates.values() for a in g.args} | {tree.top}
    for name in sorted(n for n in tree.events if n in used):
        event = tree.events[name]
        element = ET.SubElement(data, "define-basic-event", name=name)
        text = labels.get(name) or event.label
        if text:
            ET.SubElement(element, "label").text = text
        ET.SubElement(element, "float", value=repr(event.probability))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
