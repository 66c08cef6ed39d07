"""The Open-PSA MEF features beyond and/or/not/xor/atleast and <float>: each was refused before.

Expected values are hand computations from the MEF definitions (said so per test); a, b, c
have probabilities 0.1, 0.2, 0.3 throughout.
"""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.faulttree.mef import MefError, read_mef
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import TRUE, GateOp

EVENTS = "".join(
    f'<define-basic-event name="{n}"><float value="{p}"/></define-basic-event>'
    for n, p in (("a", 0.1), ("b", 0.2), ("c", 0.3))
)
A, B, C = 0.1, 0.2, 0.3


def doc(gates: str, data: str = EVENTS, outside: str = "") -> str:
    return (
        f'<opsa-mef><define-fault-tree name="ft">{gates}</define-fault-tree>'
        f"<model-data>{data}</model-data>{outside}</opsa-mef>"
    )


def top(formula: str, data: str = EVENTS, outside: str = "") -> float:
    """The probability of gate g = ``formula``."""
    text = doc(f'<define-gate name="g">{formula}</define-gate>', data, outside)
    return quantify(read_mef(text)).probability


def args(*names: str) -> str:
    return "".join(f'<basic-event name="{n}"/>' for n in names)


def error(text: str) -> str:
    with pytest.raises(MefError) as info:
        read_mef(text, "f.xml")
    return str(info.value)


# derived connectives (MEF 4.2), hand computed


def test_nand_nor_iff_imply() -> None:
    assert math.isclose(top(f"<nand>{args('a', 'b')}</nand>"), 1 - A * B)
    assert math.isclose(top(f"<nor>{args('a', 'b')}</nor>"), (1 - A) * (1 - B))
    assert math.isclose(top(f"<iff>{args('a', 'b')}</iff>"), A * B + (1 - A) * (1 - B))
    assert math.isclose(top(f"<imply>{args('a', 'b')}</imply>"), (1 - A) + A * B)


def test_cardinality_counts_between_min_and_max() -> None:
    exactly_one = A * (1 - B) * (1 - C) + (1 - A) * B * (1 - C) + (1 - A) * (1 - B) * C
    none = (1 - A) * (1 - B) * (1 - C)
    card = '<cardinality min="{}" max="{}">' + args("a", "b", "c") + "</cardinality>"
    assert math.isclose(top(card.format(1, 1)), exactly_one)
    assert math.isclose(top(card.format(0, 1)), exactly_one + none)
    assert math.isclose(top(card.format(0, 3)), 1.0)
    assert math.isclose(top(card.format(3, 5)), A * B * C)


def test_derived_gates_nest_and_name_the_defined_gate() -> None:
    tree = read_mef(
        doc(
            f'<define-gate name="g"><nor><nand>{args("a", "b")}</nand>'
            '<basic-event name="c"/></nor></define-gate>'
        )
    )
    assert tree.top == "g"
    assert tree.gates["g"].op is GateOp.NOT
    assert math.isclose(quantify(tree).probability, A * B * (1 - C))


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        (
            f"<iff>{args('a', 'b', 'c')}</iff>",
            "<iff> in gate 'g' takes exactly two arguments, found 3",
        ),
        (f"<imply>{args('a')}</imply>", "<imply> in gate 'g' takes exactly two arguments, found 1"),
        (
            f'<cardinality min="2" max="1">{args("a", "b")}</cardinality>',
            "min=2 is greater than max=1",
        ),
        (
            f'<cardinality min="3" max="4">{args("a", "b")}</cardinality>',
            "min=3 is more than its 2 arguments",
        ),
        (f'<cardinality max="1">{args("a", "b")}</cardinality>', "needs integer min and max"),
        (f'<cardinality min="-1" max="1">{args("a", "b")}</cardinality>', "min='-1' is negative"),
    ],
)
def test_bad_derived_gates_are_located_errors(formula: str, message: str) -> None:
    text = doc(f'<define-gate name="g">\n{formula}</define-gate>')
    found = error(text)
    assert found.startswith("f.xml:2: ")  # the line of the formula
    assert message in found


# house events


def test_house_events_are_constants() -> None:
    houses = (
        '<define-house-event name="on"><constant value="true"/></define-house-event>'
        '<define-house-event name="off"><bool value="false"/></define-house-event>'
        '<define-house-event name="unset"/>'
    )
    data = EVENTS + houses
    assert math.isclose(top('<and><basic-event name="a"/><house-event name="on"/></and>', data), A)
    assert top('<and><basic-event name="a"/><house-event name="off"/></and>', data) == 0.0
    assert top('<and><basic-event name="a"/><event name="unset"/></and>', data) == 0.0
    assert top('<or><basic-event name="a"/><event name="on" type="house-event"/></or>', data) == 1.0
    tree = read_mef(
        doc(
            '<define-gate name="g"><or><basic-event name="a"/><house-event name="on"/>'
            "</or></define-gate>",
            data,
        )
    )
    assert tree.gates["g"].args == ("a", TRUE)
    assert "on" not in tree.events


def test_house_event_errors() -> None:
    assert "house event 'h' is not defined" in error(
        doc(
            '<define-gate name="g"><or><basic-event name="a"/><house-event name="h"/></or></define-gate>'
        )
    )
    bad = '<define-house-event name="h"><constant value="maybe"/></define-house-event>'
    message = error(
        doc('<define-gate name="g"><or><house-event name="h"/></or></define-gate>', bad)
    )
    assert "house event 'h': expected one <constant value=\"true\"/>" in message
    assert "value='maybe'" in message


def test_a_house_event_referenced_as_a_basic_event_is_a_located_error() -> None:
    """The old reader took 'h' for an undefined basic event: an error saying to define it,
    or, with a default probability, that probability instead of the house event's value."""
    house = '<define-house-event name="h"><constant value="true"/></define-house-event>'
    text = doc(
        '<define-gate name="g"><and><basic-event name="a"/>\n<basic-event name="h"/></and>'
        "</define-gate>",
        EVENTS + house,
    )
    message = error(text)
    assert message.startswith("f.xml:2: 'h' is a house event (line 2) but is referenced as a ")
    assert "write <house-event name='h'/> or <event name='h'/>" in message
    with pytest.raises(MefError, match="'h' is a house event"):
        read_mef(text, default_probability=0.5)


# parameters and expressions


def test_parameters_are_read_in_any_order_and_shared() -> None:
    data = (
        '<define-basic-event name="a"><parameter name="q"/></define-basic-event>'
        '<define-basic-event name="b"><mul><parameter name="q"/><float value="2"/></mul>'
        "</define-basic-event>"
        '<define-parameter name="q"><sub><float value="0.5"/><parameter name="r"/></sub>'
        "</define-parameter>"
        '<define-parameter name="r"><div><int value="2"/><int value="5"/></div></define-parameter>'
    )
    tree = read_mef(doc(f'<define-gate name="g"><or>{args("a", "b")}</or></define-gate>', data))
    assert math.isclose(tree.events["a"].probability, 0.1)
    assert math.isclose(tree.events["b"].probability, 0.2)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            '<exponential><float value="1e-4"/><float value="1000"/></exponential>',
            -math.expm1(-0.1),
        ),
        (
            '<exponential><float value="1e-5"/><system-mission-time/></exponential>',
            -math.expm1(-1e-5 * 8760),
        ),
        # GLM(gamma, lambda, mu, t) = (lambda - (lambda - gamma (lambda + mu)) e^-(lambda+mu)t) / (lambda + mu)
        (
            '<GLM><float value="0.1"/><float value="1e-3"/><float value="1e-2"/><float value="100"/></GLM>',
            (1e-3 - (1e-3 - 0.1 * 0.011) * math.exp(-1.1)) / 0.011,
        ),
        # Weibull(alpha, beta, t0, t) = 1 - exp(-((t - t0) / alpha)^beta)
        (
            '<Weibull><float value="1000"/><float value="2"/><float value="100"/><float value="600"/></Weibull>',
            1 - math.exp(-0.25),
        ),
        # periodic-test(lambda, tau, theta, t): after the first test only t - theta mod tau counts
        (
            '<periodic-test><float value="1e-3"/><float value="100"/><float value="50"/><float value="380"/>'
            "</periodic-test>",
            -math.expm1(-1e-3 * 30),
        ),
        (
            '<periodic-test><float value="1e-3"/><float value="100"/><float value="50"/><float value="40"/>'
            "</periodic-test>",
            -math.expm1(-1e-3 * 40),
        ),
        (
            '<periodic-test><float value="1e-3"/><float value="100"/><float value="0"/><float value="300"/>'
            "</periodic-test>",
            -math.expm1(-1e-3 * 100),
        ),
        ('<uniform-deviate><float value="0.1"/><float value="0.3"/></uniform-deviate>', 0.2),
        (
            '<lognormal-deviate><float value="0.01"/><float value="3"/><float value="0.9"/></lognormal-deviate>',
            0.01,
        ),
        (
            '<lognormal-deviate><float value="-5"/><float value="1"/></lognormal-deviate>',
            math.exp(-4.5),
        ),
        ('<gamma-deviate><float value="2"/><float value="0.1"/></gamma-deviate>', 0.2),
        ('<beta-deviate><float value="1"/><float value="9"/></beta-deviate>', 0.1),
        ('<normal-deviate><float value="0.4"/><float value="0.1"/></normal-deviate>', 0.4),
        ('<add><neg><float value="0.1"/></neg><abs><float value="-0.3"/></abs></add>', 0.2),
        ('<max><float value="0.1"/><min><float value="0.7"/><float value="0.5"/></min></max>', 0.5),
        ('<mean><float value="0.1"/><float value="0.3"/></mean>', 0.2),
        ('<pow><float value="0.5"/><int value="3"/></pow>', 0.125),
        ('<exp><log><float value="0.25"/></log></exp>', 0.25),
        ('<sqrt><float value="0.04"/></sqrt>', 0.2),
        ('<div><log10><float value="1000"/></log10><int value="10"/></div>', 0.3),
        ('<bool value="true"/>', 1.0),
        ('<div><pi/><int value="4"/></div>', math.pi / 4),
    ],
)
def test_expressions_evaluate_as_the_mef_defines(expression: str, expected: float) -> None:
    data = f'<define-basic-event name="a">{expression}</define-basic-event>'
    assert math.isclose(top('<or><basic-event name="a"/></or>', data), expected, rel_tol=1e-12)


def test_the_mission_time_can_be_given() -> None:
    data = (
        '<define-basic-event name="a"><exponential><float value="1e-3"/><system-mission-time/>'
        "</exponential></define-basic-event>"
    )
    text = doc('<define-gate name="g"><or><basic-event name="a"/></or></define-gate>', data)
    tree = read_mef(text, mission_time=100.0)
    assert math.isclose(tree.events["a"].probability, -math.expm1(-0.1))


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        (
            '<parameter name="nope"/>',
            "parameter 'nope' is not defined; expected a <define-parameter",
        ),
        ('<float value="0.5"/><float value="0.5"/>', "expected exactly one probability expression"),
        (
            '<exponential><float value="1"/></exponential>',
            "<exponential> takes 2 arguments, found 1",
        ),
        ('<histogram><float value="0"/></histogram>', "unsupported expression <histogram>"),
        (
            '<ite><bool value="true"/><float value="0.1"/><float value="0.2"/></ite>',
            "unsupported expression <ite>",
        ),
        (
            '<add><float value="0.5"/><float value="0.7"/></add>',
            "the expression evaluates to 1.2, not a probability in [0, 1]",
        ),
        ('<mul><float value="1e999"/></mul>', "<float> evaluates to inf, not a finite number"),
        ('<int value="1.5"/>', "<int> has value '1.5', not an integer"),
        (
            '<exponential><float value="-1e-3"/><float value="10"/></exponential>',
            "<exponential> argument lambda is -0.001; rates and times cannot be negative",
        ),
        (
            '<GLM><float value="2"/><float value="1e-3"/><float value="0"/><float value="1"/></GLM>',
            "<GLM> argument gamma (a probability) is 2.0, more than 1",
        ),
        ('<log><float value="0"/></log>', "<log> cannot be evaluated (logarithm of 0.0"),
    ],
)
def test_bad_expressions_are_located_errors(expression: str, message: str) -> None:
    data = f'<define-basic-event name="a">{expression}</define-basic-event>'
    found = error(doc('<define-gate name="g"><or><basic-event name="a"/></or></define-gate>', data))
    assert found.startswith("f.xml:1: basic event 'a': ")
    assert message in found


def test_a_probability_that_rounds_to_one_is_read() -> None:
    """1 - exp(-1000) is 1.0 in floating point: a probability, read, not refused."""
    data = (
        '<define-basic-event name="a"><exponential><float value="1"/><float value="1e3"/>'
        "</exponential></define-basic-event>"
    )
    assert top('<or><basic-event name="a"/></or>', data) == 1.0
