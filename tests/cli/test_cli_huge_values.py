"""Huge values in a spec: diagnostics echo them bounded, and typo hints stay cheap.

A 1,000,000-character id used to be repeated in full in the message (and compared with
difflib for a 'did you mean'); thousands of broken references among thousands of ids made
the hints quadratic (a 5,000-component file did not finish validating in five minutes).
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.loader.errors import SUGGESTION_BUDGET
from tests.helpers import BASE_STACK

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
HUGE = "a" * 1_000_000
SHOWN = "'" + "a" * 40 + "…' (1,000,000 characters)"


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[int, int]]]:
    """Every difflib.get_close_matches call: (length of the word, number of candidates)."""
    calls: list[tuple[int, int]] = []
    original: Callable[..., Any] = difflib.get_close_matches

    def spy(word: str, possibilities: Any, *args: Any, **kwargs: Any) -> Any:
        pool = list(possibilities)
        calls.append((len(word), len(pool)))
        return original(word, pool, *args, **kwargs)

    monkeypatch.setattr(difflib, "get_close_matches", spy)
    yield calls


def run(tmp_path: Path, command: str, text: str) -> tuple[int, str]:
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    extra = TODAY if command != "validate" else []
    result = runner.invoke(app, [command, str(spec), *extra])
    assert "internal error" not in result.output
    return result.exit_code, result.stderr


CASES = {
    "dependency": (
        BASE_STACK.replace("{to: llm,", "{to: " + HUGE + ","),
        f"components[0].depends_on[0].to: {SHOWN} does not have the expected format",
    ),
    "waiver target": (
        BASE_STACK
        + "waivers:\n  - {rule: CG-FI-005, reason: r, owner: o, expires: 2027-01-31, target: "
        + HUGE
        + "}\n",
        f"waivers[0].target: waiver target {SHOWN} is not a component or journey of 'demo'",
    ),
    "unknown key": (
        # a plain YAML key is at most 1,024 characters: a longer one needs the explicit form
        BASE_STACK.replace(
            "    hosting: bedrock\n", f"    hosting: bedrock\n    ? {HUGE}\n    : 1\n"
        ),
        f"components[1].{'a' * 40}…: unknown key {SHOWN}",
    ),
    "enum value": (
        BASE_STACK.replace("hosting: bedrock", "hosting: " + HUGE),
        f"components[1].hosting: invalid value {SHOWN}",
    ),
    "component kind": (
        BASE_STACK.replace("kind: app", "kind: " + HUGE),
        f"components[0].kind: unknown kind {SHOWN}",
    ),
    "document kind": (
        BASE_STACK.replace("kind: Stack", "kind: " + HUGE),
        f"kind: unknown document kind {SHOWN}",
    ),
    "whole document": (HUGE + "\n", f"(document): the document is a single value ({SHOWN})"),
    "duplicate key": (
        BASE_STACK + f"? {HUGE}\n: 1\n? {HUGE}\n: 2\n",
        f"{'a' * 40}…: duplicate key {SHOWN} (first defined at line 26)",
    ),
    "yaml tag": (
        BASE_STACK.replace("owner: team", f"owner: !{HUGE} team"),
        "metadata.owner: unsupported YAML tag '!" + "a" * 39 + "…' (1,000,001 characters)",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_huge_value_is_echoed_bounded_and_never_compared(
    tmp_path: Path, compared: list[tuple[int, int]], case: str
) -> None:
    text, message = CASES[case]
    code, stderr = run(tmp_path, "validate", text)
    assert code == 2
    assert message in stderr
    assert len(stderr) < 2_000
    assert all(length <= 128 for length, _ in compared), compared


@pytest.mark.parametrize("command", ["assess", "check"])
def test_assess_and_check_report_it_bounded_too(tmp_path: Path, command: str) -> None:
    text, message = CASES["waiver target"]
    code, stderr = run(tmp_path, command, text)
    assert code == 2
    assert message in stderr and len(stderr) < 2_000


def test_typo_hints_for_many_broken_references_have_a_budget(
    tmp_path: Path, compared: list[tuple[int, int]]
) -> None:
    count = 400
    components = "".join(
        f"  - id: c{i:04d}-component\n    kind: app\n"
        f"    depends_on:\n      - {{to: x{i:04d}-component, timeout_ms: 100}}\n"
        for i in range(count)
    )
    code, stderr = run(tmp_path, "validate", BASE_STACK + components)
    assert code == 2
    assert stderr.count("error[unknown-reference]") == count
    # the first ones still get their hint; the whole load compares at most the budget
    assert "unknown component 'x0000-component'" in stderr
    assert "hint: did you mean 'c0000-component'?" in stderr
    assert sum(pool for _, pool in compared) <= SUGGESTION_BUDGET


def test_huge_rule_ids_on_the_command_line_are_echoed_bounded(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    explain = runner.invoke(app, ["rules", "explain", "x" * 100_000, "--no-plugins"])
    assert explain.exit_code == 2
    assert f"no rule '{'x' * 40}…' (100,000 characters)" in explain.stderr
    select = runner.invoke(app, ["assess", str(spec), "--select", "CG-*" * 30_000, *TODAY])
    assert select.exit_code == 2
    assert f"no rule matches '{'CG-*' * 10}…' (120,000 characters)" in select.stderr
    assert len(explain.stderr) + len(select.stderr) < 1_000


def test_a_huge_number_written_as_a_string_is_echoed_bounded(tmp_path: Path) -> None:
    line = "      criticality: tier1\n"
    digits = "9" * 100_000
    text = BASE_STACK.replace(line, f'{line}      impact: {{revenue_per_hour: "{digits}"}}\n')
    code, stderr = run(tmp_path, "validate", text)
    assert code == 2
    assert (
        "business.journeys[0].impact.revenue_per_hour: not a finite number (got "
        + "9" * 40
        + "… (100,000 characters))"
    ) in stderr
    assert len(stderr) < 2_000
