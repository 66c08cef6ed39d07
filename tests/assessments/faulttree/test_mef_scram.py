"""SCRAM's example inputs quantified end to end to the values SCRAM's tests publish.

The files are SCRAM's own (GPL-3.0, see data/scram/README.md). Each expected value is the
exact (BDD) top-event probability asserted in SCRAM's test named in the case, at the commit
given, to the digits it publishes (``EXPECT_DOUBLE_EQ``: to the last bits; ``EXPECT_NEAR``
with 1e-5: the seven decimals written). The old reader refused all but two of these files.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
DATA = REPO / "tests" / "assessments" / "faulttree" / "data" / "scram"
SCRAM = "rakhimov/scram"


@dataclass(frozen=True)
class Published:
    file: str
    top: str
    value: float
    decimals: int | None  # digits written; None: EXPECT_DOUBLE_EQ (to 1e-12 relative)
    source: str  # SCRAM test file @ commit that asserts the value
    features: str  # what the old reader refused in the file
    tolerance: float | None = None  # SCRAM's EXPECT_NEAR bound, where rounding is not met


CASES = [
    Published(
        "theatre.xml",
        "Theatre",
        0.00207,
        None,
        "tests/bench_theatre_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053",
        "nothing (read before)",
    ),
    Published(
        "two_train.xml",
        "TopEvent",
        0.7225,
        None,
        "tests/bench_two_train_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053",
        "nothing (read before)",
    ),
    Published(
        "three_motor.xml",
        "E1",
        0.0211538,
        7,
        "tests/bench_three_motor_tests.cc @ 71a159a5db6dd3c9a7db5ae52c0c940305aedca3",
        "house events, a private component redefining E1..E7",
    ),
    Published(
        "HIPPS.xml",
        "top",
        0.0016209,
        7,
        "tests/bench_hipps_tests.cc @ 34a4eaa2a645944b6d3438eb37b49c78da47a111",
        "GLM, periodic-test, system-mission-time",
    ),
    Published(
        "BSCU.xml",
        "LossOfBrakingCommands",
        0.1124087,
        7,
        "tests/bench_bscu_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053",
        "parameters, exponential, mul, int, lognormal-deviate (its mean)",
    ),
    Published(
        "xor.xml",
        "TopEvent",
        0.404,
        None,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (XorABC); that "
        "test reads tests/input/core/xor.xml @ 383f60abe9b89db1d767335f219952626e86c18b, the "
        "same xor(A, xor(B, C)) over the same A, B, C as this copy of input/NotGate/xor.xml "
        "(whose inner gate is named TestAnd, not XorGate)",
        "event type attributes",
    ),
    Published(
        "nand_or_equality.xml",
        "TopEvent",
        1.0,
        None,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (NandUnity); that "
        "test reads tests/input/core/nand_or_equality.xml @ "
        "383f60abe9b89db1d767335f219952626e86c18b, identical to this copy of "
        "input/NotGate/nand_or_equality.xml but for its comment",
        "nand",
    ),
    Published(
        "null.xml",
        "TopEvent",
        0.0,
        None,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (HouseNull)",
        "a house event",
    ),
    Published(
        "beta_factor_ccf.xml",
        "TopEvent",
        0.04308,
        5,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (BetaFactorCCF)",
        "CCF groups (beta-factor)",
    ),
    Published(
        "alpha_factor_ccf.xml",
        "TopEvent",
        0.05298,
        5,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (AlphaFactorCCF)",
        "CCF groups (alpha-factor)",
    ),
    Published(
        "mgl_ccf.xml",
        "TopEvent",
        0.01630,
        None,
        "tests/bench_core_tests.cc @ 5048bf7f47e164120d8ff0036709b9f3119ed053 (MGLFactorCCF)",
        "CCF groups (MGL; factors out of order, one without a level)",
        tolerance=1e-5,  # EXPECT_NEAR(0.01630, p, 1e-5); we give 0.0162948
    ),
]


def quantify_json(name: str) -> dict[str, object]:
    result = runner.invoke(
        app, ["faulttree", "quantify", str(DATA / name), "--format", "json", "--mc-trials", "0"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_scram_input_quantifies_to_its_published_value(case: Published) -> None:
    data = quantify_json(case.file)
    assert data["top_event"] == case.top
    assert data["exact"] is True
    p = data["probability"]
    assert isinstance(p, float)
    if case.tolerance is not None:
        assert abs(p - case.value) <= case.tolerance, (p, case.source)
    elif case.decimals is None:
        assert math.isclose(p, case.value, rel_tol=1e-12, abs_tol=1e-15), (p, case.source)
    else:
        assert round(p, case.decimals) == case.value, (p, case.source)


def test_common_cause_two_beta_factor_groups_by_hand() -> None:
    """TwoTrain/common_cause.xml: no published value; OUR OWN HAND COMPUTATION. Each group
    (Q = 0.1, beta = 0.2, 2 members) gives independent events of (1 - beta) Q = 0.08 and one
    common event of beta Q = 0.02. The top fails if either common event does, else if both
    trains fail independently: c + (1 - c) t^2 with c = 1 - 0.98^2, t = 1 - 0.92^2."""
    c = 1 - 0.98**2
    t = 1 - 0.92**2
    data = quantify_json("common_cause.xml")
    assert data["top_event"] == "TopEvent"
    p = data["probability"]
    assert isinstance(p, float)
    assert math.isclose(p, c + (1 - c) * t * t, rel_tol=1e-12)  # 0.0622587


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # OUR OWN HAND COMPUTATIONS (A, B, C = 0.1, 0.2, 0.3; no published value found):
        # 1 to 2 of A, B, C: 1 - P(none) - P(all) = 1 - 0.9*0.8*0.7 - 0.1*0.2*0.3
        ("cardinality.xml", 1 - 0.9 * 0.8 * 0.7 - 0.1 * 0.2 * 0.3),  # 0.49
        # iff(A, iff(B, C)): x = 0.2*0.3 + 0.8*0.7 = 0.62; 0.1*x + 0.9*(1 - x)
        ("iff.xml", 0.1 * 0.62 + 0.9 * 0.38),  # 0.404
        # imply(A, imply(B, C)): x = 1 - 0.2*0.7 = 0.86; 1 - 0.1*(1 - x)
        ("imply.xml", 1 - 0.1 * 0.14),  # 0.986
    ],
)
def test_scram_derived_gate_inputs_by_hand(name: str, expected: float) -> None:
    data = quantify_json(name)
    assert data["top_event"] == "TopEvent"
    p = data["probability"]
    assert isinstance(p, float)
    assert math.isclose(p, expected, rel_tol=1e-12)
