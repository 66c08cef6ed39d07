"""Open-PSA Model Exchange Format (MEF) XML: read any fault tree, write ours.

Reading supports the fault-tree part of the Open-PSA MEF: ``define-fault-tree``,
``define-component`` (public or private, :mod:`.mef_scope`) and ``model-data`` containers;
``define-gate`` formulas ``and``, ``or``, ``not``, ``xor``, ``atleast min=k`` and the derived
``nand``, ``nor``, ``iff``, ``imply``, ``cardinality`` (:mod:`.mef_derived`), nested, over
``gate``, ``basic-event``, ``house-event``, ``event`` or ``constant``; ``define-basic-event``
with any probability expression and ``define-parameter`` (:mod:`.mef_expr`);
``define-house-event`` (a constant true or false); and ``define-CCF-group`` with the
beta-factor, MGL, alpha-factor and phi-factor models, expanded into independent events
(:mod:`.mef_ccf`). Anything else (event trees, substitutions, alignments, extern functions,
other expressions) is refused, naming the element and its line: an element skipped silently
could change the probability.

Nothing in the file is trusted: the XML is parsed within fixed bounds and without entities
(:mod:`.mef_xml`), every name, ``min`` and probability is checked before use
(:mod:`.mef_reader`), and every error names the file and a line -- the element's, or for a
whole-document problem the element concerned (else the root element's).

The top event is the one gate no other gate references; a file with several such gates needs
the caller to name one (``top=``).

Writing (:func:`write_mef`) produces one ``define-fault-tree`` with one ``define-gate`` per
gate and a ``model-data`` section with every basic event's probability and label; names are
written through the XML serialiser, never pasted, so any spec string is safe.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator, Mapping
from pathlib import Path

from cellguard.assessments.faulttree.mef_ccf import MAX_CCF_EVENTS, expand
from cellguard.assessments.faulttree.mef_expr import MISSION_TIME
from cellguard.assessments.faulttree.mef_reader import MAX_NAME, Reader
from cellguard.assessments.faulttree.mef_xml import (
    MefError,
    cut,
    parse,
    read_bytes,
    shown,
    tag_shown,
)
from cellguard.assessments.faulttree.tree import (
    FALSE,
    TRUE,
    BasicEvent,
    FaultTree,
    FaultTreeError,
    Gate,
    GateOp,
)
from cellguard.models.wording import plural

__all__ = ["MAX_NAME", "MefError", "read_mef", "read_mef_file", "write_mef"]


def _cycle_member(gates: Mapping[str, Gate], start: str) -> str | None:
    """A gate on a cycle reachable from ``start``, or None (iterative depth-first search)."""
    state: dict[str, int] = {start: 1}
    stack: list[tuple[str, Iterator[str]]] = [(start, iter(gates[start].args))]
    while stack:
        name, args = stack[-1]
        for arg in args:
            if arg not in gates:
                continue
            seen = state.get(arg)
            if seen == 1:
                return arg
            if seen is None:
                state[arg] = 1
                stack.append((arg, iter(gates[arg].args)))
                break
        else:
            stack.pop()
            state[name] = 2
    return None


def _any_cycle_member(gates: Mapping[str, Gate]) -> str:
    """A gate on a cycle when every gate is some gate's argument (so a cycle exists)."""
    parents = {arg: name for name, gate in gates.items() for arg in gate.args if arg in gates}
    name = next(iter(gates))
    seen: set[str] = set()
    while name not in seen:  # follow parents: with every gate a child, this ends on a cycle
        seen.add(name)
        name = parents[name]
    return name


def _expand_ccf(reader: Reader) -> None:
    """Replace each CCF member by an ``or`` gate over its group's CCF events."""
    budget = MAX_CCF_EVENTS
    for group in reader.ccf_groups:
        events, of_member = expand(group, reader.expressions, budget, reader.error)
        budget -= len(events)
        for name in events:
            if name in reader.taken or name in reader.events:
                raise reader.error(
                    f"CCF group {shown(group.name)} makes the event {shown(name)}, a name the "
                    "file already uses; rename that element",
                    group.node,
                )
            reader.events[name] = events[name]
            reader.event_nodes[name] = group.node
        for member, names in of_member.items():
            reader.add_gate(member, GateOp.OR, tuple(names), None, group.member_nodes[member])
            reader.anonymous.add(member)  # never a top of its own


def _house_events(reader: Reader) -> None:
    """Replace each house event by the constant it is set to."""
    for name, node in reader.untyped.items():
        if name in reader.houses:
            reader.referenced_houses.setdefault(name, node)
    for name, node in reader.referenced_houses.items():
        if name not in reader.houses:
            raise reader.error(
                f"house event {shown(name)} is not defined; expected a "
                f'<define-house-event name={shown(name)}> with <constant value="true"/> or '
                '<constant value="false"/>',
                node,
            )
    clash = sorted(set(reader.houses) & (set(reader.gates) | set(reader.events)))
    if clash:
        raise reader.error(
            f"{shown(clash[0])} is defined both as a house event and as a gate or basic event; "
            "give them different names",
            reader.house_nodes[clash[0]],
        )
    if not reader.houses:
        return
    for name, gate in reader.gates.items():
        if any(arg in reader.houses for arg in gate.args):
            args = tuple(
                (TRUE if reader.houses[a] else FALSE) if a in reader.houses else a
                for a in gate.args
            )
            reader.gates[name] = Gate(name, gate.op, args, gate.k)


def _top(reader: Reader, top: str | None, events: Mapping[str, BasicEvent]) -> str:
    """The top event: ``top`` when given and defined, else the one gate no gate uses."""
    used = {arg for gate in reader.gates.values() for arg in gate.args}
    roots = [name for name in reader.gates if name not in used and name not in reader.anonymous]
    if top is not None:
        if top in reader.gates or top in events:
            return top
        candidates = ", ".join(shown(name) for name in roots[:5]) or "none"
        raise reader.error(
            f"top event {shown(top)} is not defined; expected a gate or basic event of the "
            f"file (gates no other gate uses: {candidates})",
            reader.root,
        )
    if not reader.gates:
        raise reader.error(
            "the file defines no gates, so there is no top event; expected a <define-gate> "
            "in a <define-fault-tree>",
            reader.root,
        )
    if not roots:
        member = _any_cycle_member(reader.gates)
        raise reader.error(
            "expected exactly one top gate, found none: every gate is an argument of "
            f"another, so the gates form a cycle (gate {shown(member)} is part of it)",
            reader.gate_nodes[member],
        )
    if len(roots) > 1:
        shown_roots = ", ".join(cut(name) for name in roots[:5])
        more = ", ..." if len(roots) > 5 else ""
        raise reader.error(
            f"expected exactly one top gate, found {len(roots):,} ({shown_roots}{more}); "
            "name one with --top",
            reader.gate_nodes[roots[0]],
        )
    return roots[0]


def read_mef(
    source: str | bytes,
    path: str = "<string>",
    *,
    top: str | None = None,
    default_probability: float | None = None,
    mission_time: float = MISSION_TIME,
) -> FaultTree:
    """Read a MEF document into a :class:`FaultTree`.

    ``default_probability`` is given to basic events that are referenced but never defined;
    without it such an event is an error. ``mission_time`` (hours) is the value of
    ``<system-mission-time/>`` in probability expressions.
    """
    data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    root = parse(data, path)
    if root.tag != "opsa-mef":
        raise MefError(
            path, f"root element is {tag_shown(root.tag)}, expected <opsa-mef>", root.line
        )
    reader = Reader(path, root, mission_time)
    reader.walk()
    reader.evaluate_events()
    _expand_ccf(reader)
    _house_events(reader)
    for name, (owner, node) in reader.referenced_gates.items():
        if name not in reader.gates:
            raise reader.error(
                f"gate {shown(owner)} references gate {shown(name)}, which is not defined; "
                f"expected a <define-gate name={shown(name)}>",
                node,
            )
    for name, node in reader.untyped.items():
        if name not in reader.gates and name not in reader.events and name not in reader.houses:
            reader.referenced_events.setdefault(name, node)
    for name, node in reader.referenced_events.items():
        if name in reader.houses:  # never a basic event of default probability
            raise reader.error(
                f"{shown(name)} is a house event (line {reader.house_nodes[name].line}) but is "
                f"referenced as a basic event; write <house-event name={shown(name)}/> or "
                f"<event name={shown(name)}/>",
                node,
            )
    clash = sorted(set(reader.gates) & set(reader.events))
    if clash:
        raise reader.error(
            f"{shown(clash[0])} is defined both as a gate and as a basic event (the gate at "
            f"line {reader.gate_nodes[clash[0]].line}); give them different names",
            reader.event_nodes[clash[0]],
        )
    missing = sorted(
        n
        for n in reader.referenced_events
        if n not in reader.events and n not in reader.ccf_members
    )
    if missing and default_probability is None:
        raise reader.error(
            f"{plural(len(missing), 'basic event')} "
            f"{'has' if len(missing) == 1 else 'have'} no probability, e.g. {shown(missing[0])} "
            "referenced here; define them with <define-basic-event>",
            reader.referenced_events[missing[0]],
        )
    probabilities = dict(reader.events)
    for name in missing:
        probabilities[name] = default_probability if default_probability is not None else 0.0
    events = {
        name: BasicEvent(name, p, label=reader.labels.get(name, ""))
        for name, p in probabilities.items()
    }
    top = _top(reader, top, events)
    if top in reader.gates:
        member = _cycle_member(reader.gates, top)
        if member is not None:
            raise reader.error(
                f"gate {shown(member)} is part of a cycle: it is an argument of itself through "
                "other gates; a fault tree has no cycles",
                reader.gate_nodes[member],
            )
    tree = FaultTree(Path(path).stem, top, events, reader.gates)
    try:
        tree.validate()
    except FaultTreeError as exc:  # all checked above; kept so a new rule still gets a line
        raise reader.error(str(exc), root) from None
    return tree


def read_mef_file(
    path: Path, *, top: str | None = None, mission_time: float = MISSION_TIME
) -> FaultTree:
    """Read the MEF file at ``path`` (at most :data:`.mef_xml.MAX_BYTES`); ``mission_time`` as
    in :func:`read_mef`."""
    return read_mef(read_bytes(path), str(path), top=top, mission_time=mission_time)


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
