"""The MEF reader under hostile input: values it used to trust, names it used to invent,
nesting it used to recurse over (the located messages are in tests/cli/test_cli_faulttree_hostile.py)."""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.faulttree.mef import MefError, read_mef, write_mef
from cellguard.assessments.faulttree.mef_xml import MAX_DEPTH, cut, shown
from cellguard.assessments.faulttree.quantify import quantify
from tests.assessments.faulttree.trees import read_without_recursion

EVENTS = (
    '<define-basic-event name="a"><float value="0.5"/></define-basic-event>'
    '<define-basic-event name="b"><float value="0.5"/></define-basic-event>'
)


def tree_text(gates: str, events: str = EVENTS) -> str:
    """A MEF document of ``gates`` and ``events`` in one fault tree."""
    return f'<opsa-mef><define-fault-tree name="t">{gates}{events}</define-fault-tree></opsa-mef>'


def test_formulas_nested_just_under_the_limit_are_read_without_recursion() -> None:
    """990 nested formulas (the old reader recursed 3 frames a level) read even with a
    recursion limit of 200, and give the right probability."""
    depth = MAX_DEPTH - 10
    formula = "<and><or>" * (depth // 2) + '<basic-event name="a"/>' + "</or></and>" * (depth // 2)
    text = tree_text(f'<define-gate name="g">{formula}</define-gate>')
    tree = read_without_recursion(text)
    assert len(tree.gates) == depth
    assert quantify(tree).probability == 0.5


def test_nested_formulas_get_names_that_no_name_in_the_file_uses() -> None:
    """The nested <and> of gate 'g' would have been 'g#1', which the file defines itself: it
    was 'defined twice' at line 1 (and 'g#1' could never be the top)."""
    text = tree_text(
        '<define-gate name="g"><or><and><basic-event name="a"/><basic-event name="b"/></and>'
        '<gate name="g#1"/></or></define-gate>'
        '<define-gate name="g#1"><and><basic-event name="a"/></and></define-gate>'
    )
    tree = read_mef(text)
    assert tree.top == "g"
    assert tree.gates["g"].args == ("g#2", "g#1")
    assert tree.gates["g#1"].args == ("a",)
    assert quantify(tree).probability == 0.5  # (a and b) or a


def test_a_gate_whose_name_has_a_hash_can_be_the_top() -> None:
    """It was taken for a nested formula and the file was said to have no top gate."""
    tree = read_mef(
        tree_text('<define-gate name="x#1"><or><basic-event name="a"/></or></define-gate>')
    )
    assert tree.top == "x#1"
    back = read_mef(write_mef(tree))
    assert back.top == "x#1"


def test_min_may_have_a_sign_spaces_and_leading_zeros_as_in_xsd_integer() -> None:
    for written in ("+2", " 2 ", "02", "0" * 5000 + "2"):
        text = tree_text(
            f'<define-gate name="g"><atleast min="{written}"><basic-event name="a"/>'
            '<basic-event name="b"/></atleast></define-gate>'
        )
        assert read_mef(text).gates["g"].k == 2


def test_a_negative_zero_probability_reads_as_zero() -> None:
    text = tree_text(
        '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>',
        '<define-basic-event name="a"><float value="-0.0"/></define-basic-event>',
    )
    p = read_mef(text).events["a"].probability
    assert p == 0.0
    assert math.copysign(1.0, p) == 1.0


@pytest.mark.parametrize("written", ["1e-3", " 0.001 ", ".001", "1.E-3", "+1e-3", "0.001000"])
def test_probabilities_in_xsd_double_notation_are_read(written: str) -> None:
    text = tree_text(
        '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>',
        f'<define-basic-event name="a"><float value="{written}"/></define-basic-event>',
    )
    assert read_mef(text).events["a"].probability == 0.001


def test_a_string_with_a_lone_surrogate_is_a_mef_error_not_a_unicode_error() -> None:
    with pytest.raises(MefError, match=r"^<string>:1: not well-formed XML: not well-formed"):
        read_mef('<opsa-mef name="\ud800"/>')


def test_values_echoed_in_messages_are_cut_to_80_characters() -> None:
    assert cut("x" * 80) == "x" * 80
    assert cut("x" * 81) == "x" * 79 + "…"
    assert shown("a\x1b" + "y" * 100) == repr("a\x1b" + "y" * 77 + "…")


def test_escaped_names_and_labels_are_still_read() -> None:
    """Predefined entities and character references are read (only DTDs are refused)."""
    text = tree_text(
        '<define-gate name="&lt;g&gt;"><and><basic-event name="a"/><basic-event name="b"/>'
        "</and></define-gate>",
        '<define-basic-event name="a"><label>caf&#233; &amp; co</label><float value="0.5"/>'
        '</define-basic-event><define-basic-event name="b"><float value="0.5"/>'
        "</define-basic-event>",
    )
    tree = read_mef(text)
    assert tree.top == "<g>"
    assert tree.events["a"].label == "caf\u00e9 & co"
