"""Numbers in a spec are finite and within their documented range (issue 14).

``.inf``, ``-.inf`` and ``.nan`` in any numeric key are input errors at load, located at the
value (file:line:column, key path) with what was expected and a hint; so are finite numbers
beyond a key's upper bound (``1e308``), which used to overflow to infinity in products and
reach the JSON reports as ``Infinity``. Every key at its bound (and at tiny values) gives
finite figures in every JSON output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.bounds import digits, number_text
from tests.cli.finite_spec import FIELDS, MAXIMA, NumericField, position, spec_text

runner = CliRunner()
TODAY = ["--today", "2026-11-21"]
NON_FINITE = (".inf", "-.inf", ".nan")
HUGE_INTEGER = "1" + "0" * 40


def _write(tmp_path: Path, text: str, name: str = "spec.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _first_error(field: NumericField, value: str, tmp_path: Path) -> tuple[str, list[str]]:
    """Validate the template with ``value`` in ``field``; the location prefix and stderr lines."""
    text = spec_text(**{field.placeholder: value})
    path = _write(tmp_path, text)
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2, result.output
    line, column = position(text, value, field.placeholder)
    return f"{path}:{line}:{column}: ", result.stderr.splitlines()


def test_the_template_is_valid_as_it_is(tmp_path: Path) -> None:
    for text in (spec_text(), spec_text(**MAXIMA)):
        result = runner.invoke(app, ["validate", str(_write(tmp_path, text))])
        assert result.exit_code == 0, result.output


def test_every_family_of_numeric_keys_is_covered() -> None:
    assert {f.family for f in FIELDS} == {
        "money",
        "count",
        "percent",
        "duration",
        "rate",
        "tokens",
        "ratio",
        "size",
    }


@pytest.mark.parametrize("value", NON_FINITE)
@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.placeholder)
def test_a_non_finite_number_is_a_located_input_error(
    field: NumericField, value: str, tmp_path: Path
) -> None:
    where, lines = _first_error(field, value, tmp_path)
    assert lines[0] == (
        f"{where}error[finite-number] {field.key_path}: not a finite number (got {value})"
    )
    assert lines[1].startswith("    expected: a finite number (")
    assert lines[2] == (
        "    hint: write a plain number within that range (.inf, -.inf, .nan and numbers "
        "beyond the range of a double, about 1.8e308, are not numbers cellguard can compute with)"
    )
    assert lines[3] == "cellguard: 1 of 1 path invalid"


def test_the_expected_line_states_the_range_and_the_key(tmp_path: Path) -> None:
    by_name = {f.placeholder: f for f in FIELDS}
    _, lines = _first_error(by_name["peak_rps"], ".inf", tmp_path)
    assert lines[1] == (
        "    expected: a finite number (at least 0, at most 1,000,000,000): "
        "Peak requests per second."
    )
    _, lines = _first_error(by_name["revenue_per_hour"], ".nan", tmp_path)
    assert lines[1] == (
        "    expected: a finite number (at least 0, at most 1,000,000,000,000): "
        "Money lost per hour of outage, in the stack's currency."
    )
    _, lines = _first_error(by_name["zones"], ".inf", tmp_path)
    assert lines[1].startswith("    expected: a finite number (at least 1, at most 100): ")


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.placeholder)
def test_1e308_is_a_located_input_error(field: NumericField, tmp_path: Path) -> None:
    where, lines = _first_error(field, "1e308", tmp_path)
    if field.integer:  # YAML reads 1e308 as text, which is not an integer
        assert lines[0] == (
            f"{where}error[int-parsing] {field.key_path}: input should be a valid integer, "
            "unable to parse string as an integer (got '1e308')"
        )
    else:
        assert lines[0].startswith(
            f"{where}error[less-than-equal] {field.key_path}: input should be less than or "
            "equal to "
        )
        assert lines[0].endswith(" (got 1e308)")


@pytest.mark.parametrize(
    "field",
    [f for f in FIELDS if f.integer and f.placeholder != "zones"],
    ids=lambda f: f.placeholder,
)
def test_a_huge_integer_is_beyond_every_bound(field: NumericField, tmp_path: Path) -> None:
    where, lines = _first_error(field, HUGE_INTEGER, tmp_path)
    assert lines[0].startswith(
        f"{where}error[less-than-equal] {field.key_path}: input should be less than or equal to "
    )
    assert lines[0].endswith(" (got an integer of 41 digits)")


def test_a_bound_and_the_value_are_written_for_humans(tmp_path: Path) -> None:
    by_name = {f.placeholder: f for f in FIELDS}
    where, lines = _first_error(by_name["revenue_per_hour"], "1e308", tmp_path)
    assert lines[0] == (
        f"{where}error[less-than-equal] business.journeys[0].impact.revenue_per_hour: "
        "input should be less than or equal to 1,000,000,000,000 (got 1e308)"
    )
    where, lines = _first_error(by_name["replicas"], "1" + "0" * 4000, tmp_path)
    assert lines[0] == (
        f"{where}error[less-than-equal] components[0].replicas: input should be less than or "
        "equal to 1,000,000 (got an integer of 4,001 digits)"
    )


@pytest.mark.parametrize(
    ("value", "field"),
    [(".inf", "peak_rps"), ("1e308", "revenue_per_hour"), (".nan", "mean_rps")],
)
@pytest.mark.parametrize("command", ["assess", "plan", "diff"])
def test_every_command_refuses_it_and_writes_nothing(
    command: str, value: str, field: str, tmp_path: Path
) -> None:
    bad = _write(tmp_path, spec_text(**{field: value}), "bad.yaml")
    good = _write(tmp_path, spec_text(), "good.yaml")
    out = tmp_path / "out.json"
    args = {
        "assess": ["assess", str(bad), "-f", "json", "-o", str(out)],
        "plan": ["plan", str(bad), "-o", str(tmp_path / "target.yaml"), "-f", "json"],
        "diff": ["diff", str(good), str(bad), "-f", "json", "-o", str(out)],
    }[command]
    if command == "plan":
        args += ["--plan-output", str(out)]
    result = runner.invoke(app, [*args, *TODAY])
    assert result.exit_code == 2, result.output
    assert f"{bad}:" in result.stderr and field in result.stderr
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert not out.exists() and not (tmp_path / "target.yaml").exists()


def _strict_json(text: str) -> object:
    def refuse(constant: str) -> object:
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("extreme", ["maxima", "tiny"])
def test_numbers_at_their_bounds_give_finite_figures(extreme: str, tmp_path: Path) -> None:
    if extreme == "maxima":
        values = MAXIMA
    else:  # the smallest positive values the ranges allow (or nearly)
        values = {f.placeholder: "1.0e-300" for f in FIELDS if not f.integer}
        values.update(multiplier="1.0000000000000002", params_b="0.001")
    spec = _write(tmp_path, spec_text(**values))
    base = _write(tmp_path, spec_text(), "base.yaml")
    runs = {
        "assess.json": ["assess", str(spec), "-f", "json", "-o", str(tmp_path / "assess.json")],
        "assess.sarif": ["assess", str(spec), "-f", "sarif", "-o", str(tmp_path / "assess.sarif")],
        "plan.json": [
            "plan",
            str(spec),
            "-o",
            str(tmp_path / "target.yaml"),
            "-f",
            "json",
            "--plan-output",
            str(tmp_path / "plan.json"),
        ],
        "diff.json": [
            "diff",
            str(base),
            str(spec),
            "-f",
            "json",
            "-o",
            str(tmp_path / "diff.json"),
        ],
    }
    for name, args in runs.items():
        result = runner.invoke(app, [*args, *TODAY])
        assert result.exit_code == 0, (name, result.output)
        _strict_json((tmp_path / name).read_text(encoding="utf-8"))


def test_params_b_has_a_positive_lower_bound(tmp_path: Path) -> None:
    by_name = {f.placeholder: f for f in FIELDS}
    where, lines = _first_error(by_name["params_b"], "1.0e-300", tmp_path)
    assert lines[0] == (
        f"{where}error[greater-than-equal] components[2].model.params_b: input should be "
        "greater than or equal to 0.001 (got 1e-300)"
    )


def test_number_text_and_digits() -> None:
    assert number_text(1_000_000) == "1,000,000"
    assert number_text(1e12) == "1,000,000,000,000"
    assert number_text(0.001) == "0.001"
    assert number_text(float("inf")) == ".inf"
    assert number_text(float("-inf")) == "-.inf"
    assert number_text(float("nan")) == ".nan"
    assert number_text(10**5000) == "an integer of 5,001 digits"  # beyond str()'s limit
    assert number_text(-(10**40)) == "a negative integer of 41 digits"
    for value in (0, 1, 9, 10, 99, 100, 10**29, 10**30 - 1, 10**30, 2**64 - 1):
        assert digits(value) == len(str(value))


def test_the_spec_reference_shows_every_range() -> None:
    from cellguard.models.reference import spec_reference_markdown

    reference = spec_reference_markdown()
    assert (
        "| `peak_rps` | number (at least 0, at most 1,000,000,000) | unset | "
        "Peak requests per second. |"
    ) in reference
    assert "| `zones` | integer (at least 1, at most 100) or list of string |" in reference
    numeric = [
        row
        for row in reference.splitlines()
        if row.startswith("| `") and ("| integer" in row or "| number" in row)
    ]
    bounded = ("at most", "less than")  # a strict upper bound (shed_on_failover < 1) is one too
    assert numeric and all(any(b in row for b in bounded) for row in numeric), [
        row for row in numeric if not any(b in row for b in bounded)
    ]
