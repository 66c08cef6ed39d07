"""Open-PSA MEF: round trips, nested formulas, and located error messages for bad files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cellguard.assessments.faulttree.mef import MefError, read_mef, read_mef_file, write_mef
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import FALSE, TRUE, FaultTree, GateOp
from tests.assessments.faulttree.trees import make_tree, random_trees
from tests.helpers import REPO

ARALIA = REPO / "benchmarks" / "data" / "aralia"


def same_structure(a: FaultTree, b: FaultTree) -> None:
    """Assert two trees have the same top, gates and event probabilities."""
    assert a.top == b.top
    assert dict(a.gates) == dict(b.gates)
    assert {n: e.probability for n, e in a.events.items()} == {
        n: e.probability for n, e in b.events.items()
    }


@settings(max_examples=60, derandomize=True, deadline=None)
@given(
    random_trees(
        min_events=1,
        max_events=8,
        max_gates=8,
        max_arity=4,
        probabilities=st.floats(min_value=0.0, max_value=1.0, allow_nan=False),
    )
)
def test_write_then_read_gives_the_same_tree_and_probability(tree: FaultTree) -> None:
    text = write_mef(tree)
    back = read_mef(text, "roundtrip.xml")
    same_structure(tree, back)
    assert quantify(back).probability == quantify(tree).probability


@pytest.mark.parametrize("name", ["chinese", "das9205", "isp9605"])
def test_aralia_files_round_trip(name: str) -> None:
    tree = read_mef_file(ARALIA / f"{name}.xml")
    back = read_mef(write_mef(tree), f"{name}-again.xml")
    same_structure(tree, back)
    assert quantify(back).probability == quantify(tree).probability


def test_names_and_labels_are_escaped_not_pasted() -> None:
    odd = "a<&>\"'b"
    tree = make_tree("top", {odd: 0.25, "b": 0.5}, [("top", GateOp.AND, (odd, "b"), None)])
    text = write_mef(tree, labels={odd: "label with <markup> & quotes\"'"})
    back = read_mef(text)
    assert set(back.events) == {odd, "b"}
    assert back.events[odd].label == "label with <markup> & quotes\"'"
    assert quantify(back).probability == 0.125


def test_probabilities_round_trip_to_the_last_bit() -> None:
    p = 0.1 + 0.2  # 0.30000000000000004
    tree = make_tree("top", {"a": p, "b": 1e-300}, [("top", GateOp.OR, ("a", "b"), None)])
    back = read_mef(write_mef(tree))
    assert back.events["a"].probability == p
    assert back.events["b"].probability == 1e-300


NESTED = """<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="nested">
    <define-gate name="top">
      <label>the top</label>
      <or>
        <and>
          <basic-event name="a"/>
          <not><gate name="sub"/></not>
        </and>
        <atleast min="2">
          <basic-event name="b"/>
          <event name="c"/>
          <xor><basic-event name="a"/><basic-event name="d"/></xor>
        </atleast>
        <constant value="false"/>
      </or>
    </define-gate>
    <define-gate name="sub">
      <basic-event name="d"/>
    </define-gate>
    <define-basic-event name="a"><float value="0.1"/></define-basic-event>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="b"><label>pump</label><float value="0.2"/></define-basic-event>
    <define-basic-event name="c"><float value="0.3"/></define-basic-event>
    <define-basic-event name="d"><float value="0.4"/></define-basic-event>
  </model-data>
</opsa-mef>
"""


def test_nested_formulas_become_anonymous_gates_with_the_right_probability() -> None:
    tree = read_mef(NESTED, "nested.xml")
    assert tree.name == "nested"
    assert tree.top == "top"
    assert tree.gates["sub"].args == ("d",)
    assert tree.events["b"].label == "pump"
    anonymous = [g for g in tree.gates if g.startswith("top#")]
    assert len(anonymous) == 4  # and, not, atleast, xor
    assert FALSE in tree.gates["top"].args
    atleast = next(g for g in tree.gates.values() if g.op is GateOp.ATLEAST)
    assert atleast.k == 2
    a, b, c, d = 0.1, 0.2, 0.3, 0.4
    expected = 0.0
    for bits in range(16):
        fa, fb, fc, fd = (bool(bits >> i & 1) for i in range(4))
        failed = (fa and not fd) or (fb + fc + (fa != fd) >= 2)
        if failed:
            weight = 1.0
            for on, p in ((fa, a), (fb, b), (fc, c), (fd, d)):
                weight *= p if on else 1 - p
            expected += weight
    assert math.isclose(quantify(tree).probability, expected, rel_tol=1e-12)
    # written back and read again, the anonymous gates keep the value
    assert math.isclose(quantify(read_mef(write_mef(tree))).probability, expected, rel_tol=1e-12)


def test_constants_are_written_as_constants() -> None:
    tree = make_tree("top", {"a": 0.5}, [("top", GateOp.OR, ("a", TRUE, FALSE), None)])
    text = write_mef(tree)
    assert '<constant value="true" />' in text
    assert read_mef(text).gates["top"].args == ("a", TRUE, FALSE)


def test_the_top_can_be_named_when_there_are_several_roots() -> None:
    text = """<opsa-mef><define-fault-tree name="t">
      <define-gate name="g1"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate>
      <define-gate name="g2"><and><basic-event name="a"/><basic-event name="b"/></and></define-gate>
      <define-basic-event name="a"><float value="0.5"/></define-basic-event>
      <define-basic-event name="b"><float value="0.5"/></define-basic-event>
    </define-fault-tree></opsa-mef>"""
    assert quantify(read_mef(text, top="g1")).probability == 0.75
    assert quantify(read_mef(text, top="g2")).probability == 0.25
    with pytest.raises(MefError, match="top event 'g3' is not defined"):
        read_mef(text, top="g3")


def test_a_default_probability_fills_undefined_events() -> None:
    text = """<opsa-mef><define-fault-tree name="t">
      <define-gate name="g"><and><basic-event name="a"/><basic-event name="b"/></and></define-gate>
    </define-fault-tree></opsa-mef>"""
    assert quantify(read_mef(text, default_probability=0.5)).probability == 0.25


# --- errors: each names the file (and line when known) and says what was expected ------

TREE = """<opsa-mef>
<define-fault-tree name="t">
{body}
</define-fault-tree>
</opsa-mef>
"""
A = '<define-basic-event name="a"><float value="0.1"/></define-basic-event>'


def error_of(tmp_path: Path, text: str) -> str:
    """The message of the MefError raised when reading ``text`` from a file ``bad.xml``."""
    path = tmp_path / "bad.xml"
    path.write_text(text)
    with pytest.raises(MefError) as info:
        read_mef_file(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert info.value.path == str(path)
    return message


def test_not_well_formed_xml_names_the_line(tmp_path: Path) -> None:
    body = '<define-gate name="g"><and><basic-event name="a"/></and>\n' + A
    message = error_of(tmp_path, TREE.format(body=body))
    assert "bad.xml:5: not well-formed XML: mismatched tag" in message


def test_an_empty_file_is_not_well_formed(tmp_path: Path) -> None:
    assert "not well-formed XML" in error_of(tmp_path, "")


def test_the_root_must_be_opsa_mef(tmp_path: Path) -> None:
    assert "root element is <opsa>, expected <opsa-mef>" in error_of(tmp_path, "<opsa/>")


def test_an_unknown_formula_element_is_named_with_the_expected_ones(tmp_path: Path) -> None:
    body = '<define-gate name="g">\n<vote><basic-event name="a"/></vote>\n</define-gate>\n' + A
    message = error_of(tmp_path, TREE.format(body=body))
    assert "bad.xml:4: unsupported element <vote> in gate 'g'" in message
    assert (
        "expected one of and, or, not, xor, atleast, nand, nor, iff, imply, cardinality" in message
    )


def test_an_unknown_definition_is_named_with_the_expected_ones(tmp_path: Path) -> None:
    message = error_of(tmp_path, TREE.format(body='<define-event-tree name="e"/>'))
    assert "bad.xml:3: unsupported element <define-event-tree>" in message
    assert "expected define-fault-tree, define-component, model-data, define-gate" in message
    assert "event trees, substitutions, alignments and extern functions are not read" in message


def test_a_basic_event_without_probability(tmp_path: Path) -> None:
    body = '<define-gate name="g"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate>'
    message = error_of(tmp_path, TREE.format(body=body + A))
    assert "1 basic event has no probability, e.g. 'b'" in message
    assert "define them with <define-basic-event>" in message
    assert "bad.xml:3: " in message  # the line of the first reference
    assert "default probability" not in message  # the CLI has no such option


def test_a_basic_event_defined_twice(tmp_path: Path) -> None:
    body = '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n' + A + "\n"
    twice = '<define-basic-event name="a"><float value="0.9"/></define-basic-event>'
    message = error_of(tmp_path, TREE.format(body=body + twice))
    assert "bad.xml:5: basic event 'a' is defined twice" in message


def test_a_gate_and_an_event_with_one_name(tmp_path: Path) -> None:
    body = '<define-gate name="a"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate>'
    b = '<define-basic-event name="b"><float value="0.1"/></define-basic-event>'
    message = error_of(tmp_path, TREE.format(body=body + A + b))
    assert "'a' is defined both as a gate and as a basic event" in message
    assert "cycle" not in message


def test_a_negative_atleast_min_names_the_range(tmp_path: Path) -> None:
    body = '<define-gate name="g">\n<atleast min="-1"><basic-event name="a"/></atleast>\n</define-gate>'
    message = error_of(tmp_path, TREE.format(body=body + A))
    assert (
        "bad.xml:4: <atleast> in gate 'g': min='-1' is out of range; "
        'expected min="k" with k between 1 and 1, its number of arguments'
    ) in message


def test_a_probability_that_is_not_a_float(tmp_path: Path) -> None:
    body = (
        '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n'
        '<define-basic-event name="a">\n<histogram><float value="1e-3"/></histogram>\n'
        "</define-basic-event>"
    )
    message = error_of(tmp_path, TREE.format(body=body))
    assert "bad.xml:5: basic event 'a': unsupported expression <histogram>" in message
    assert "cellguard reads float, int, bool" in message


def test_a_probability_out_of_range(tmp_path: Path) -> None:
    body = '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n'
    body += '<define-basic-event name="a"><float value="1.5"/></define-basic-event>'
    assert "basic event 'a': probability 1.5 not in [0, 1]" in error_of(
        tmp_path, TREE.format(body=body)
    )


def test_an_undefined_gate(tmp_path: Path) -> None:
    body = '<define-gate name="g">\n<or><basic-event name="a"/><gate name="nope"/></or>\n</define-gate>\n'
    message = error_of(tmp_path, TREE.format(body=body + A))
    assert "bad.xml:4: gate 'g' references gate 'nope', which is not defined" in message
    assert "expected a <define-gate name='nope'>" in message


def test_several_top_gates(tmp_path: Path) -> None:
    body = (
        '<define-gate name="g1"><or><basic-event name="a"/></or></define-gate>\n'
        '<define-gate name="g2"><and><basic-event name="a"/></and></define-gate>\n' + A
    )
    message = error_of(tmp_path, TREE.format(body=body))
    assert "expected exactly one top gate, found 2 (g1, g2); name one" in message


def test_atleast_without_min(tmp_path: Path) -> None:
    body = (
        '<define-gate name="g">\n<atleast><basic-event name="a"/></atleast>\n</define-gate>\n' + A
    )
    assert "bad.xml:4: <atleast> in gate 'g' needs an integer 'min'" in error_of(
        tmp_path, TREE.format(body=body)
    )


def test_a_cycle(tmp_path: Path) -> None:
    body = (
        '<define-gate name="top"><or><gate name="g"/><basic-event name="a"/></or></define-gate>\n'
        '<define-gate name="g"><or><gate name="h"/></or></define-gate>\n'
        '<define-gate name="h"><and><gate name="g"/></and></define-gate>\n' + A
    )
    assert "is part of a cycle" in error_of(tmp_path, TREE.format(body=body))


def test_a_cycle_without_a_top_gate_is_named_as_a_cycle(tmp_path: Path) -> None:
    body = (
        '<define-gate name="g"><or><gate name="h"/><basic-event name="a"/></or></define-gate>\n'
        '<define-gate name="h"><and><gate name="g"/></and></define-gate>\n' + A
    )
    message = error_of(tmp_path, TREE.format(body=body))
    assert "found none: every gate is an argument of another, so the gates form a cycle" in message


def test_formulas_nested_too_deeply_are_an_error_not_a_crash(tmp_path: Path) -> None:
    depth = 5000
    formula = "<or>" * depth + '<basic-event name="a"/>' + "</or>" * depth
    message = error_of(
        tmp_path, TREE.format(body=f'<define-gate name="g">{formula}</define-gate>{A}')
    )
    assert "bad.xml:3: formulas are nested too deeply to read (more than 1,000" in message
    assert "define inner formulas as separate <define-gate>s" in message


def test_nested_formulas_within_the_limit_are_read() -> None:
    depth = 50
    formula = "<and>" * depth + '<basic-event name="a"/>' + "</and>" * depth
    text = TREE.format(body=f'<define-gate name="g">{formula}</define-gate>{A}')
    tree = read_mef(text)
    assert tree.top == "g"
    assert len(tree.gates) == depth
    assert quantify(tree).probability == pytest.approx(0.1)
