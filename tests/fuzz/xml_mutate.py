"""Structure-aware mutation of Open-PSA MEF fault trees (XML).

The seed is parsed with ElementTree; one element is picked and changed: an attribute (``name``,
``min``, ``value``) set to a hostile value, the element dropped, duplicated, renamed to another
or an unsupported tag, wrapped in formulas nested up to 100,000 deep, or given a reference to an
undefined gate. Document-level mutations change the prolog (an unknown encoding, a DTD with
nested entities -- "billion laughs" -- or an external entity that names a local file). Raw
text is spliced in through sentinels, as in :mod:`tests.fuzz.mutate`.
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET

from hypothesis import strategies as st

from tests.fuzz.hostile import Hostile, xml_attribute_values
from tests.fuzz.mutate import SENTINEL, Mutation

SENTINEL_TAG = "FUZZSENTINELELEMENT"
PROLOG = '<?xml version="1.0"?>\n'
SECRET_FILE = "/etc/passwd"
"""The file an external entity names; its content must never reach an output
(:data:`tests.fuzz.oracle.SECRET_MARK`)."""

TAGS = (
    "and",
    "or",
    "not",
    "xor",
    "atleast",
    "nand",
    "nor",
    "imply",
    "iff",
    "define-parameter",
    "parameter",
    "exponential",
    "gate",
    "basic-event",
    "event",
    "float",
    "int",
    "house-event",
    "constant",
    "define-gate",
    "define-basic-event",
    "define-fault-tree",
    "model-data",
    "label",
    "FuzzUnknown",
)

ENTITY_BOMB = (
    "<!DOCTYPE opsa-mef ["
    '<!ENTITY a "aaaaaaaaaaaaaaaa">'
    + "".join(
        f'<!ENTITY {n} "{("&" + p + ";") * 16}">'
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    )
    + "]>\n"
)
EXTERNAL = f'<!DOCTYPE opsa-mef [<!ENTITY x SYSTEM "file://{SECRET_FILE}">]>\n'
PARAMETER = f'<!DOCTYPE opsa-mef [<!ENTITY % p SYSTEM "file://{SECRET_FILE}"> %p;]>\n'

PROLOGS = (
    ("encoding", '<?xml version="1.0" encoding="bogus"?>\n', ""),
    ("encoding", '<?xml version="1.0" encoding="utf-16"?>\n', ""),
    ("encoding", '<?xml version="1.0" encoding="ebcdic-cp-us"?>\n', ""),
    ("version", '<?xml version="9.9"?>\n', ""),
    ("entity-bomb", PROLOG + ENTITY_BOMB, "&i;"),
    ("external-entity", PROLOG + EXTERNAL, "&x;"),
    ("parameter-entity", PROLOG + PARAMETER, ""),
    ("doctype", PROLOG + '<!DOCTYPE opsa-mef SYSTEM "http://127.0.0.1:9/x.dtd">\n', ""),
    ("processing-instruction", PROLOG + "<?xml-stylesheet href='x'?>\n", ""),
)


def _parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def _serialise(root: ET.Element, prolog: str = PROLOG) -> str:
    return prolog + ET.tostring(root, encoding="unicode")


@st.composite
def xml_mutation(draw: st.DrawFn, seed: str) -> tuple[str, Mutation]:
    """Mutate one element (or the prolog) of the MEF document ``seed``."""
    root = ET.fromstring(seed)
    elements = list(root.iter())
    index = draw(st.integers(0, len(elements) - 1))
    element = elements[index]
    where = f"<{element.tag}> #{index}" + (
        f" name={element.get('name')!r}" if element.get("name") else ""
    )
    parent = _parents(root).get(element)
    op = draw(
        st.sampled_from(
            ["attribute"] * 5
            + ["drop", "duplicate", "rename", "nest", "undefined", "text"]
            + ["prolog"] * 2
        )
    )
    if op == "attribute":
        names = [*element.attrib, "name", "min", "value"]
        attribute = draw(st.sampled_from(names))
        value = draw(xml_attribute_values())
        element.set(attribute, SENTINEL)
        text = _serialise(root).replace(f'"{SENTINEL}"', f'"{value.text}"', 1)
        return text, Mutation("attribute", f"{where} @{attribute}", value)
    if op == "drop" and parent is not None:
        parent.remove(element)
        return _serialise(root), Mutation(op, where)
    if op == "duplicate" and parent is not None:
        parent.insert(list(parent).index(element), copy.deepcopy(element))
        return _serialise(root), Mutation(op, where)
    if op == "rename":
        tag = draw(st.sampled_from(TAGS))
        element.tag = tag
        return _serialise(root), Mutation(op, where, Hostile("tag", tag))
    if op == "nest" and parent is not None:
        depth = draw(st.sampled_from([50, 1000, 100_000]))
        wrapper = draw(st.sampled_from(["and", "or", "not"]))
        inner = ET.tostring(element, encoding="unicode")
        position = list(parent).index(element)
        parent.remove(element)
        parent.insert(position, ET.Element(SENTINEL_TAG))
        nested = f"<{wrapper}>" * depth + inner + f"</{wrapper}>" * depth
        text = _serialise(root).replace(f"<{SENTINEL_TAG} />", nested, 1)
        return text, Mutation(op, where, Hostile("deep-nesting", f"<{wrapper}> x {depth}"))
    if op == "undefined":
        kind = draw(st.sampled_from(["gate", "basic-event", "event", "house-event"]))
        name = draw(st.sampled_from(["nope", "", "a" * 100_000, "r1", "\u202eevil"]))
        ET.SubElement(element, kind, name=SENTINEL)
        text = _serialise(root).replace(f'"{SENTINEL}"', f'"{name}"', 1)
        return text, Mutation(op, where, Hostile(f"reference to {kind}", name))
    if op == "text":
        value = draw(xml_attribute_values())
        element.text = SENTINEL
        text = _serialise(root).replace(SENTINEL, value.text, 1)
        return text, Mutation(op, where, value)
    kind, prolog, reference = draw(st.sampled_from(PROLOGS))
    gate = next((e for e in root.iter() if e.tag == "define-gate"), None)
    if reference and gate is not None:
        label = ET.Element("label")
        label.text = SENTINEL
        gate.insert(0, label)
    text = _serialise(root, prolog)
    if reference:
        text = text.replace(SENTINEL, reference, 1)
    return text, Mutation("prolog", kind, Hostile(kind, prolog.strip()[:120]))
