"""CCF groups and component scopes of the Open-PSA MEF (each refused by the old reader).

Expected CCF probabilities are OUR HAND COMPUTATIONS from the MEF definitions of the models
(n = 3 members, Q = 0.1; see mef_ccf's docstring for the formulas).
"""

from __future__ import annotations

import math

import pytest

from cellguard.assessments.faulttree.mef import MefError, read_mef
from cellguard.assessments.faulttree.quantify import quantify
from cellguard.assessments.faulttree.tree import GateOp

MEMBERS = "".join(f'<basic-event name="{m}"/>' for m in ("PA", "PB", "PC"))


def group(model: str, factors: str, members: str = MEMBERS, q: str = "0.1") -> str:
    return (
        f'<define-CCF-group name="Pumps" model="{model}"><members>{members}</members>'
        f'<distribution><float value="{q}"/></distribution>{factors}</define-CCF-group>'
    )


def factors(*values: float, first: int = 1) -> str:
    return (
        "<factors>"
        + "".join(
            f'<factor level="{first + i}"><float value="{v}"/></factor>'
            for i, v in enumerate(values)
        )
        + "</factors>"
    )


def tree_text(ccf: str, formula: str = "and") -> str:
    return (
        f'<opsa-mef><define-fault-tree name="ft"><define-gate name="top"><{formula}>'
        f'<basic-event name="PA"/><basic-event name="PB"/><basic-event name="PC"/></{formula}>'
        f"</define-gate>{ccf}</define-fault-tree></opsa-mef>"
    )


def probabilities(ccf: str) -> dict[str, float]:
    tree = read_mef(tree_text(ccf))
    return {name: event.probability for name, event in tree.events.items()}


def close(found: dict[str, float], expected: dict[str, float]) -> None:
    assert sorted(found) == sorted(expected)
    for name, value in expected.items():
        assert math.isclose(found[name], value, rel_tol=1e-12), (name, found[name], value)


def level(q1: float, q2: float | None, q3: float) -> dict[str, float]:
    out = {"[PA]": q1, "[PB]": q1, "[PC]": q1, "[PA PB PC]": q3}
    if q2 is not None:
        out.update({"[PA PB]": q2, "[PA PC]": q2, "[PB PC]": q2})
    return out


def test_beta_factor() -> None:
    """Q1 = (1 - 0.2) 0.1 = 0.08, Q3 = 0.2 * 0.1 = 0.02, no pairs."""
    ccf = group("beta-factor", '<factor level="3"><float value="0.2"/></factor>')
    close(probabilities(ccf), level(0.08, None, 0.02))
    tree = read_mef(tree_text(ccf))
    assert tree.gates["PA"].op is GateOp.OR
    assert set(tree.gates["PA"].args) == {"[PA]", "[PA PB PC]"}
    # all three fail: the common event, or (without it) each independently
    assert math.isclose(quantify(tree).probability, 0.02 + 0.98 * 0.08**3, rel_tol=1e-12)


def test_mgl() -> None:
    """beta 0.3, gamma 0.5: Q1 = 0.7 * 0.1, Q2 = 0.3 * 0.5 * 0.1 / C(2,1), Q3 = 0.3 * 0.5 * 0.1."""
    ccf = group("MGL", factors(0.3, 0.5, first=2))
    close(probabilities(ccf), level(0.07, 0.0075, 0.015))


def test_mgl_up_to_level_two_has_no_triple() -> None:
    """beta 0.3 only (m = 2): Q1 = 0.07, Q2 = 0.3 * 0.1 / 2; no event of all three."""
    found = probabilities(group("MGL", factors(0.3, first=2)))
    expected = level(0.07, 0.015, 0.0)
    del expected["[PA PB PC]"]
    close(found, expected)


def test_alpha_factor() -> None:
    """alpha 0.8, 0.15, 0.05: alpha_t = 0.8 + 2*0.15 + 3*0.05 = 1.25;
    Q_k = k alpha_k Q / (C(2, k-1) alpha_t): 0.064, 0.012, 0.012."""
    close(
        probabilities(group("alpha-factor", factors(0.8, 0.15, 0.05))), level(0.064, 0.012, 0.012)
    )


def test_alpha_factors_must_sum_to_one() -> None:
    """alpha_1 = 0.95 and a mistyped alpha_2 = 0.5 (for 0.05): SCRAM, and the old reader,
    divide by alpha_t = 0.95 + 2 * 0.5 = 1.95 and give Q_2 = 0.5 * 0.1 / 1.95 = 0.0256
    instead of 2 * 0.05 * 0.1 / (2 * 1.05) = 0.00476, without a word. Refused; a sum rounded
    to three digits is read."""
    message = error(tree_text(group("alpha-factor", factors(0.95, 0.5))))
    assert message.startswith("f.xml:1: CCF group 'Pumps': the alpha factors sum to 1.45; ")
    assert "they must sum to 1 (within 0.001)" in message
    # 0.952 + 0.0319 + 0.0158 = 0.9997: alpha_t = 0.952 + 0.0638 + 0.0474 = 1.0632
    found = probabilities(group("alpha-factor", factors(0.952, 0.0319, 0.0158)))
    t = 0.952 + 2 * 0.0319 + 3 * 0.0158
    close(found, level(0.952 * 0.1 / t, 2 * 0.0319 * 0.1 / (2 * t), 3 * 0.0158 * 0.1 / t))


def test_phi_factor() -> None:
    close(probabilities(group("phi-factor", factors(0.9, 0.07, 0.03))), level(0.09, 0.007, 0.003))


def test_factors_and_distribution_are_expressions() -> None:
    ccf = (
        '<define-parameter name="q"><mul><float value="0.05"/><int value="2"/></mul>'
        "</define-parameter>"
        + group(
            "beta-factor", '<factor><sub><float value="1"/><float value="0.8"/></sub></factor>'
        ).replace('<float value="0.1"/></distribution>', '<parameter name="q"/></distribution>')
    )
    close(probabilities(ccf), level(0.08, None, 0.02))


def error(text: str) -> str:
    with pytest.raises(MefError) as info:
        read_mef(text, "f.xml")
    return str(info.value)


@pytest.mark.parametrize(
    ("ccf", "message"),
    [
        (group("beta", factors(0.2)), "model 'beta' is not supported; expected one of beta-factor"),
        (
            group("MGL", factors(0.2, first=2), members='<basic-event name="PA"/>'),
            "needs at least 2 members",
        ),
        (group("phi-factor", factors(0.5, 0.3, 0.1)), "the phi factors sum to 0.9"),
        (
            group("MGL", factors(0.2, 0.3, 0.4, first=2)),
            "factor level 4 is out of range; expected levels 2 to 3",
        ),
        (group("beta-factor", factors(0.2, 0.1)), "takes exactly one factor (beta), found 2"),
        (
            group("alpha-factor", factors(0.2, 0.8, first=2)),
            "no factor for level 1; the levels must run from 1 without gaps",
        ),
        (group("beta-factor", factors(1.5, first=3)), "not a probability in [0, 1]"),
        (group("beta-factor", factors(0.2, first=2)), "the beta factor's level is 2; expected 3"),
        (
            group("phi-factor", factors(0.5, 0.5).replace('level="2"', 'level="1"')),
            "factor level 1 is given twice (first at line 1)",
        ),
        (group("beta-factor", factors(0.2, first=3), q="2"), "distribution: the expression"),
        (
            group(
                "beta-factor",
                "",
            ),
            "has no <factor>",
        ),
        (
            group("beta-factor", factors(0.2, first=3)) + '<define-basic-event name="PA">'
            '<float value="0.1"/></define-basic-event>',
            "basic event 'PA' is defined twice",
        ),
        (
            group("beta-factor", factors(0.2, first=3)).replace(
                "<members>", "<members><gate name='x'/>"
            ),
            "<members> holds <gate>",
        ),
    ],
)
def test_bad_ccf_groups_are_located_errors(ccf: str, message: str) -> None:
    found = error(tree_text(ccf))
    assert found.startswith("f.xml:1: ")
    assert message in found


def test_a_group_too_large_to_expand_is_refused() -> None:
    names = [f"E{i}" for i in range(40)]
    members = "".join(f'<basic-event name="{n}"/>' for n in names)
    ccf = group("phi-factor", factors(*([0.0] * 19 + [1.0])), members=members)
    text = (
        '<opsa-mef><define-fault-tree name="ft"><define-gate name="top"><or>'
        + members
        + f"</or></define-gate>{ccf}</define-fault-tree></opsa-mef>"
    )
    assert "expands into more than 100,000 CCF events" in error(text)


# component scopes


def test_private_components_keep_their_own_names() -> None:
    """As SCRAM's ThreeMotor: the component's E1 is not the fault tree's E1."""
    text = (
        '<opsa-mef><define-fault-tree name="T">'
        '<define-gate name="E1"><and><gate name="c.E1"/><basic-event name="x"/></and></define-gate>'
        '<define-component name="c" role="private">'
        '<define-gate name="E1"><or><gate name="E2"/><basic-event name="y"/></or></define-gate>'
        '<define-gate name="E2"><and><basic-event name="y"/><basic-event name="z"/></and></define-gate>'
        '<define-basic-event name="z"><parameter name="p"/></define-basic-event>'
        '<define-parameter name="p"><float value="0.5"/></define-parameter>'
        "</define-component></define-fault-tree><model-data>"
        '<define-basic-event name="x"><float value="0.1"/></define-basic-event>'
        '<define-basic-event name="y"><float value="0.2"/></define-basic-event>'
        "</model-data></opsa-mef>"
    )
    tree = read_mef(text)
    assert tree.top == "E1"
    assert tree.gates["E1"].args == ("T.c.E1", "x")
    assert tree.gates["T.c.E1"].args == ("T.c.E2", "y")
    assert tree.events["T.c.z"].probability == 0.5
    assert math.isclose(quantify(tree).probability, 0.1 * 0.2)  # y or (y and z) = y


def test_a_private_event_is_not_visible_by_its_bare_name_outside() -> None:
    text = (
        '<opsa-mef><define-fault-tree name="T">'
        '<define-gate name="g"><or><basic-event name="z"/></or></define-gate>'
        '<define-component name="c" role="private">'
        '<define-basic-event name="z"><float value="0.5"/></define-basic-event>'
        "</define-component></define-fault-tree></opsa-mef>"
    )
    assert "has no probability, e.g. 'z'" in error(text)


def test_the_members_of_a_private_ccf_group_are_private() -> None:
    """SCRAM's ProcessCcfMembers makes each member a basic event with the group's base path
    and role: inside its fault tree PA is the group's, outside only ft.PA names it."""
    ccf = group("beta-factor", factors(0.2, first=3)).replace(
        'model="beta-factor"', 'model="beta-factor" role="private"'
    )
    tree = read_mef(tree_text(ccf))
    assert tree.gates["top"].args == ("ft.PA", "ft.PB", "ft.PC")
    assert tree.gates["ft.PA"].args == ("[ft.PA]", "[ft.PA ft.PB ft.PC]")
    assert math.isclose(quantify(tree).probability, 0.02 + 0.98 * 0.08**3, rel_tol=1e-12)
    outside = tree_text(ccf).replace(
        "</opsa-mef>",
        '<define-fault-tree name="other"><define-gate name="g2"><or><basic-event name="PA"/>'
        "</or></define-gate></define-fault-tree></opsa-mef>",
    )
    assert "has no probability, e.g. 'PA'" in error(outside)


def test_a_bad_role_is_refused() -> None:
    text = '<opsa-mef><define-fault-tree name="T" role="secret"/></opsa-mef>'
    assert "role 'secret' of <define-fault-tree> is not public or private" in error(text)


def test_a_component_without_a_name_is_refused() -> None:
    text = (
        '<opsa-mef><define-fault-tree name="T">\n<define-component/></define-fault-tree></opsa-mef>'
    )
    assert error(text).startswith("f.xml:2: <define-component> without a name")


def test_factors_may_come_in_any_order_and_without_levels() -> None:
    """As SCRAM's mgl_ccf.xml: a factor without a level follows the previous one."""
    mixed = (
        '<factors><factor level="3"><float value="0.5"/></factor>'
        '<factor level="2"><float value="0.3"/></factor></factors>'
    )
    close(probabilities(group("MGL", mixed)), level(0.07, 0.0075, 0.015))
    unlabelled = (
        "<factors>"
        + "".join(f'<factor><float value="{v}"/></factor>' for v in (0.8, 0.15, 0.05))
        + "</factors>"
    )
    close(probabilities(group("alpha-factor", unlabelled)), level(0.064, 0.012, 0.012))
