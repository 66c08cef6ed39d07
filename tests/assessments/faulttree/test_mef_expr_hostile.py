"""MEF parameters and expressions under hostile input: cycles, long chains, deep nesting,
overflow and NaN are located errors, never a traceback, a hang or a NaN probability."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.faulttree.mef import MefError, read_mef
from cellguard.assessments.faulttree.mef_xml import MAX_DEPTH
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.cli.main import app
from tests.assessments.faulttree.trees import read_without_recursion

GATE = '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>'


def doc(data: str) -> str:
    return f'<opsa-mef><define-fault-tree name="t">{GATE}</define-fault-tree><model-data>{data}</model-data></opsa-mef>'


def event(expression: str) -> str:
    return f'<define-basic-event name="a">{expression}</define-basic-event>'


def param(name: str, expression: str) -> str:
    return f'<define-parameter name="{name}">{expression}</define-parameter>'


def error(text: str) -> str:
    with pytest.raises(MefError) as info:
        read_mef(text, "h.xml")
    return str(info.value)


def test_a_parameter_that_is_its_own_argument() -> None:
    text = doc(event('<parameter name="p"/>') + param("p", '<add><parameter name="p"/></add>'))
    assert "parameter 'p' is part of a cycle (p -> p)" in error(text)


def test_a_two_parameter_cycle_names_both() -> None:
    text = doc(
        event('<parameter name="p"/>')
        + param("p", '<parameter name="q"/>')
        + param("q", '<mul><float value="1"/><parameter name="p"/></mul>')
    )
    assert "parameter 'p' is part of a cycle (p -> q -> p)" in error(text)


def chain(length: int, last: str) -> str:
    links = "".join(param(f"p{i}", f'<parameter name="p{i + 1}"/>') for i in range(length))
    return links + param(f"p{length}", last)


def test_a_chain_of_10000_parameters_is_evaluated_without_recursion() -> None:
    text = doc(event('<parameter name="p0"/>') + chain(10_000, '<float value="0.25"/>'))
    tree = read_without_recursion(text)
    assert quantify(tree).probability == 0.25


def test_a_cycle_of_10000_parameters_is_found_and_shortened_in_the_message() -> None:
    message = error(doc(event('<parameter name="p0"/>') + chain(10_000, '<parameter name="p0"/>')))
    assert "parameter 'p0' is part of a cycle (p0 -> p1 -> p2 -> p3 -> p4 -> p5 ...)" in message
    assert len(message) < 400


def test_an_expression_nested_under_the_limit_is_evaluated_without_recursion() -> None:
    depth = MAX_DEPTH - 10
    expression = "<neg>" * depth + '<float value="0.5"/>' + "</neg>" * depth  # even: +0.5
    tree = read_without_recursion(doc(event(expression)))
    assert tree.events["a"].probability == 0.5


def test_an_expression_nested_10000_deep_is_refused_by_the_parser() -> None:
    expression = "<add>" * 10_000 + '<float value="0.5"/>' + "</add>" * 10_000
    assert "nested too deeply" in error(doc(event(expression)))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ('<exp><float value="1e6"/></exp>', "<exp> cannot be evaluated (math range error)"),
        ('<pow><float value="10"/><float value="1e300"/></pow>', "<pow> cannot be evaluated"),
        ('<mul><float value="1e308"/><float value="10"/></mul>', "<mul> evaluates to inf"),
        (
            '<add><float value="1e308"/><float value="1e308"/></add>',
            "<add> cannot be evaluated (intermediate overflow",
        ),
        ('<div><float value="1"/><float value="0"/></div>', "division by zero"),
        ('<exponential><float value="1e308"/><float value="1e308"/></exponential>', None),
        ('<add><float value="nan"/></add>', "<float> has value 'nan', not a finite decimal"),
        ('<add><float value="-NaN"/></add>', "<float> has value '-NaN'"),
        ('<add><float value="inf"/></add>', "<float> has value 'inf'"),
        ('<add><int value="nan"/></add>', "<int> has value 'nan'"),
        ('<add><int value="' + "9" * 5000 + '"/></add>', "not an integer of at most 18 digits"),
        ('<add><float value="' + "9" * 5000 + '"/></add>', "evaluates to inf"),
        ('<sqrt><float value="-1"/></sqrt>', "square root of -1.0, which is negative"),
        (
            '<Weibull><float value="0"/><float value="1"/><float value="0"/><float value="1"/></Weibull>',
            "alpha and beta must be positive",
        ),
    ],
)
def test_overflow_and_nan_are_located_errors(expression: str, message: str | None) -> None:
    text = doc(event(expression))
    if message is None:  # rate * time overflows to inf inside: 1 - e^-inf is exactly 1
        assert read_mef(text).events["a"].probability == 1.0
        return
    found = error(text)
    assert found.startswith("h.xml:1: basic event 'a': ")
    assert message in found


def test_the_cli_exits_2_with_the_line_of_a_bad_expression(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text(
        '<opsa-mef>\n<define-fault-tree name="t">\n'
        + GATE
        + "\n"
        + event('\n<exp><float value="1e6"/></exp>\n')
        + "\n</define-fault-tree>\n</opsa-mef>\n"
    )
    result = CliRunner().invoke(app, ["faulttree", "quantify", str(path), "--mc-trials", "0"])
    assert result.exit_code == 2
    assert f"{path}:5: basic event 'a': <exp> cannot be evaluated" in result.stderr
    assert "Traceback" not in result.output


def test_a_ccf_group_of_20000_members_is_refused_before_its_combinations_are_counted() -> None:
    """C(20000, 2) pair events: refused from the level-2 count, without building any."""
    members = "".join(f'<basic-event name="m{i}"/>' for i in range(20_000))
    text = (
        '<opsa-mef><define-fault-tree name="t"><define-gate name="g"><or><basic-event name="m0"/>'
        '</or></define-gate></define-fault-tree><define-CCF-group name="G" model="MGL">'
        f'<members>{members}</members><distribution><float value="0.1"/></distribution>'
        '<factor level="2"><float value="0.1"/></factor></define-CCF-group></opsa-mef>'
    )
    assert "CCF group 'G' expands into more than 100,000 CCF events" in error(text)


def _pair(tag: str, first: str, second: str) -> str:
    return f'<{tag}><float value="{first}"/><float value="{second}"/></{tag}>'


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        # each of these has a mean in [0, 1] that the old reader returned as the probability;
        # SCRAM refuses them all (src/expression/random_deviate.cc, the Validate methods)
        (
            _pair("gamma-deviate", "-1", "-0.001"),
            "the shape k and the scale theta must be positive",
        ),
        (_pair("gamma-deviate", "0.5", "0"), "the shape k and the scale theta must be positive"),
        (_pair("normal-deviate", "0.01", "-0.001"), "the standard deviation sigma is -0.001"),
        (_pair("normal-deviate", "0.01", "0"), "the standard deviation sigma is 0.0"),
        (_pair("uniform-deviate", "0.2", "0.1"), "min 0.2 is not below max 0.1"),
        (
            _pair("lognormal-deviate", "-5", "-1"),
            "the standard deviation sigma of the log is -1.0; it must be positive",
        ),
        (
            '<lognormal-deviate><float value="0"/><float value="3"/><float value="0.9"/>'
            "</lognormal-deviate>",
            "the mean is 0.0; it must be positive",
        ),
    ],
)
def test_a_deviate_with_impossible_parameters_is_a_located_error(
    expression: str, message: str
) -> None:
    found = error(doc(event(expression)))
    assert found.startswith("h.xml:1: basic event 'a': <")
    assert "cannot be evaluated (" + message in found


@pytest.mark.parametrize(
    ("unit", "message"),
    [
        ("fit", "1 FIT = 1e-9 per hour"),
        ("years-1", "per year / 8760"),
        ("years", "years * 8760"),
        ("per-hour", "not a unit of the MEF; expected one of bool, int, float, hours, hours-1"),
    ],
)
def test_a_parameter_in_a_unit_other_than_hours_is_a_located_error(unit: str, message: str) -> None:
    """100 FIT is 1e-7 per hour: read as 100 per hour, the event would be certain to fail
    within the hour. cellguard reads values in hours, so it refuses the unit, saying how to
    convert."""
    lam = f'<define-parameter name="lam" unit="{unit}"><float value="100"/></define-parameter>'
    text = doc(lam + event('<exponential><parameter name="lam"/><float value="1"/></exponential>'))
    found = error(text)
    assert found.startswith(f"h.xml:1: parameter 'lam' has unit='{unit}'")
    assert message in found


def test_a_parameter_in_hours_is_read_as_written() -> None:
    lam = '<define-parameter name="lam" unit="hours-1"><float value="1e-3"/></define-parameter>'
    text = doc(lam + event('<exponential><parameter name="lam"/><float value="10"/></exponential>'))
    assert read_mef(text).events["a"].probability == pytest.approx(-math.expm1(-1e-2), rel=1e-12)
