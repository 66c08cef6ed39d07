"""Issue 19's small things: help text, ``validate -``, plurals."""

from __future__ import annotations

import itertools
import json

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.wording import plural
from tests.helpers import BASE_STACK

runner = CliRunner()

COMMANDS = [
    ["assess"],
    ["check"],
    ["validate"],
    ["config"],
    ["diff"],
    ["plan"],
    ["signoff"],
    ["rules", "explain"],
    ["faulttree", "quantify"],
]


def description(text: str) -> list[list[str]]:
    """The paragraphs of a command's help text, between the usage line and the first section."""
    lines = text.splitlines()
    body: list[str] = []
    for line in lines[1:]:
        if line.endswith(":") and not line.startswith(" "):
            break
        body.append(line)
    paragraphs: list[list[str]] = [[]]
    for line in body:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_flags_as_flags_and_fills_its_lines(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "<bool>" not in result.stdout
    assert all(len(line) <= 80 for line in result.stdout.splitlines())
    paragraphs = description(result.stdout)
    assert len(paragraphs) >= 1
    for paragraph in paragraphs:
        # each line but the last is full: its successor's first word would not have fitted
        for line, following in itertools.pairwise(paragraph):
            assert len(line) + 1 + len(following.split()[0]) > 72, (line, following)


def test_flags_are_named_as_flags() -> None:
    text = runner.invoke(app, ["check", "--help"], env={"COLUMNS": "120"}).stdout
    assert "--force " in text and "--force <" not in text
    assert "-q, --quiet / --no-quiet" in text
    assert "--plugins / --no-plugins" in text


def test_validate_reads_a_spec_from_standard_input() -> None:
    result = runner.invoke(app, ["validate", "-"], input=BASE_STACK)
    assert result.exit_code == 0, result.output
    assert result.stdout == "ok <stdin>: stack 'demo' (2 components, 1 journey)\n"
    broken = BASE_STACK.replace("kind: Stack", "kind: Stak")
    result = runner.invoke(app, ["validate", "-", "-f", "json"], input=broken)
    assert result.exit_code == 2
    [found] = json.loads(result.stdout)["results"]
    assert found["path"] == "-" and found["valid"] is False
    [diag] = found["diagnostics"]
    assert (diag["file"], diag["line"], diag["code"]) == ("<stdin>", 2, "unknown-kind")
    assert diag["suggestion"] == "did you mean 'Stack'?"
    twice = runner.invoke(app, ["validate", "-", "-"], input=BASE_STACK)
    assert twice.exit_code == 2 and "more than once" in twice.stderr


def test_validate_reads_at_most_the_size_limit_from_standard_input() -> None:
    huge = "# " + "x" * (10 * 1024 * 1024) + "\n"
    result = runner.invoke(app, ["validate", "-"], input=huge)
    assert result.exit_code == 2
    assert "<stdin>:1:1: error[file-too-large]" in result.stderr


def test_counts_are_singular_for_one() -> None:
    assert plural(1, "error") == "1 error"
    assert plural(2, "error") == "2 errors"
    assert plural(0, "path") == "0 paths"
    assert plural(1204, "entry", "entries") == "1,204 entries"
    result = runner.invoke(app, ["validate", "-"], input="kind: Stack\n")
    assert result.exit_code == 2
    assert "cellguard: 1 of 1 path invalid" in result.stderr
