"""Text from a spec, a rule pack or a file name is inert in every output (issue 14).

A spec whose free text (owner, descriptions, waiver reason, owner and ticket) is full of escape
sequences (clear screen, set title, C1 CSI), bidi overrides, zero-width characters, rich markup,
markdown and HTML, in a file whose name has an escape sequence and a bidi override too, goes
through every command and format. No output may hold a raw control, bidi or zero-width
character, and the text must still be there, visibly escaped (``\\x1b``, ``\\u202e``).

Runs use ``color=True``: click then leaves escape sequences alone, as it does on a terminal
(without it, click strips some ``ESC [`` sequences itself and hides what a terminal would get).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from rich.console import Console
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import BASE_STACK

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]

HOSTILE = (
    "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202eevil\u202c [red]x[/red] | ` "
    '<script>alert(1)</script> "]; evil\u200b\nHIGH CG-FAKE-001 fake'
)
"""Clear screen, set the title, a C1 CSI, a bidi override, rich markup, markdown and HTML, a
zero-width space and a line that fakes a finding."""

SPEC = "evil\x1b[8m\u202e.yaml"
"""The spec's file name: hidden-text SGR and a bidi override (file names are user text too)."""

RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control characters (tab and line feed aside), bidi controls and zero-width characters."""

PACK = """\
id: ACME-OBS-001
title: "Owner is nobody [red]x[/red] | ` <script>"
pillar: observability
category: MISCONFIGURATION_AND_BUGS
severity: high
applies_to: [stack]
rationale: "A test rule whose texts carry [bold]markup[/bold] | ` <script>alert(1)</script>."
source: "tests [red]"
remediation: "Make [/] nobody the owner | `x` <b>."
action: enable-tracing
messages:
  pass: "{target} is owned by nobody."
  fail: "{target} is owned by somebody [red]x[/red] | `."
  unknown: "{target}: owner unknown."
require: {attribute: metadata.owner, equals: nobody}
"""
"""A declarative rule whose FAIL carries the hostile owner as evidence."""


def hostile_spec() -> str:
    """BASE_STACK with the hostile text in every free-text field, an active and an expired
    waiver, a risk and a shared domain."""
    q = json.dumps(HOSTILE)
    text = BASE_STACK.replace(
        "  owner: team\n",
        f"  owner: {q}\n  description: {q}\n  labels: {{department: {q}}}\n",
    )
    text = text.replace(
        "      criticality: tier1\n", f"      criticality: tier1\n      description: {q}\n"
    )
    text = text.replace(
        "  - id: web\n    kind: app\n",
        f"  - id: web\n    kind: app\n    description: {q}\n    owner: {q}\n",
    )
    assert text.count(q) == 6
    return (
        text
        + "waivers:\n"
        + f"  - {{rule: 'CG-COR-*', reason: {q}, owner: {q}, ticket: {q}, expires: 2027-01-01}}\n"
        + f"  - {{rule: 'CG-CAP-*', reason: {q}, owner: {q}, expires: 2026-01-01}}\n"
    )


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The hostile spec (and a second one to diff against), a pack, as the working directory."""
    (tmp_path / SPEC).write_text(hostile_spec(), encoding="utf-8")
    (tmp_path / "old.yaml").write_text(
        BASE_STACK.replace("owner: team", "owner: nobody"), encoding="utf-8"
    )
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "acme.yaml").write_text(PACK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    return tmp_path


def run(*args: str) -> Result:
    result = runner.invoke(app, list(args), color=True)
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 1), result.output
    return result


def assert_inert(text: str) -> None:
    """No raw control, bidi or zero-width character; the escape sequence and the override
    are still there, shown."""
    assert RAW.findall(text) == []
    assert "x1b" in text or "u001b" in text
    assert "202e" in text


ASSESS = ("assess", SPEC, *TODAY, "--rules", "pack")


@pytest.mark.parametrize(
    "fmt", ["table", "compact", "sarif", "github", "junit", "markdown", "html"]
)
def test_every_report_format_is_inert(workspace: Path, fmt: str) -> None:
    assert_inert(run(*ASSESS, "-f", fmt).stdout)


def test_json_report_escapes_and_keeps_the_exact_text(workspace: Path) -> None:
    out = run(*ASSESS, "-f", "json").stdout
    assert RAW.findall(out) == []
    data = json.loads(out)
    waivers = data["waivers"]
    assert {w["reason"] for w in waivers} == {HOSTILE}  # the data is exact
    assert "\\u202e" in out and "\\u009b" in out


def test_table_shows_markup_as_written_and_no_fake_line(workspace: Path) -> None:
    out = run(*ASSESS).stdout
    assert_inert(out)
    shown = (
        "\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m\\u202eevil\\u202c [red]x[/red] | ` "
        '<script>alert(1)</script> "]; evil\\u200b\\nHIGH CG-FAKE-001 fake'
    )
    words = " ".join(out.split())  # the report wraps long lines
    assert f"waived by {shown} until 2027-01-01: {shown}" in words
    assert f"note: waiver by {shown} expired on 2026-01-01" in words
    assert f"evidence: metadata.owner={shown}" in words
    assert "Owner is nobody [red]x[/red] | ` <script>" in out
    assert not any(line.startswith("HIGH CG-FAKE") for line in out.splitlines())


def test_table_written_with_output_is_inert(workspace: Path) -> None:
    run(*ASSESS, "-o", "report.txt")
    assert_inert((workspace / "report.txt").read_text(encoding="utf-8"))


def test_terminal_report_is_inert_and_markup_is_not_interpreted(workspace: Path) -> None:
    """The coloured report of a terminal: only rich's own colour sequences are escapes."""
    from cellguard.cli.assessing import run_assessment
    from cellguard.reports.terminal import print_report

    assessment = run_assessment(
        [Path(SPEC)],
        rules=[Path("pack")],
        select=None,
        ignore=None,
        today=dt.date(2026, 11, 21),
        plugins=False,
    )
    buffer = io.StringIO()
    print_report(assessment, Console(file=buffer, force_terminal=True, width=200))
    colours = re.sub(r"\x1b\[[0-9;]*m", "", buffer.getvalue())
    assert_inert(colours)
    assert "Owner is nobody [red]x[/red]" in colours


def test_step_summary_is_inert(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = workspace / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run(*ASSESS, "-f", "github")
    assert_inert(summary.read_text(encoding="utf-8"))


def test_check_standard_error_is_inert(workspace: Path) -> None:
    result = run("check", SPEC, *TODAY, "--rules", "pack", "-f", "json", "-o", "r.json")
    assert result.exit_code == 1
    assert RAW.findall(result.stderr) == []
    assert "blocking high     ACME-OBS-001 demo/demo (evil\\x1b[8m\\u202e.yaml:5)" in result.stderr
    assert "wrote r.json" in result.stderr


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_diff_is_inert(workspace: Path, fmt: str) -> None:
    out = run("diff", "old.yaml", SPEC, *TODAY, "--rules", "pack", "-f", fmt).stdout
    assert_inert(out if fmt != "json" else out + "x1b")  # the JSON names the new file
    if fmt == "json":
        assert json.loads(out)["new"] == SPEC


def test_diff_markdown_cannot_inject_markup(workspace: Path) -> None:
    out = run("diff", "old.yaml", SPEC, *TODAY, "--rules", "pack", "-f", "markdown").stdout
    assert "<script>" not in out
    assert (
        "| HIGH | `ACME-OBS-001` | demo/demo | **Owner is nobody \\[red\\]x\\[/red\\] \\| \\` "
        "&lt;script&gt;**: demo is owned by somebody \\[red\\]x\\[/red\\] \\| \\`. |"
    ) in out


@pytest.mark.parametrize("fmt", ["mermaid", "dot"])
def test_graph_is_inert(workspace: Path, fmt: str) -> None:
    out = run("graph", SPEC, "-f", fmt, "--domains").stdout
    assert_inert(out)


def test_mermaid_labels_cannot_close_early(workspace: Path) -> None:
    out = run("graph", SPEC).stdout
    title = next(line for line in out.splitlines() if line.startswith("  subgraph s_demo"))
    assert title.count('"') == 2 and title.endswith('"]')
    assert "#quot;#93;; evil" in title and "#91;red#93;x#91;/red#93; #124;" in title


def test_dot_labels_cannot_close_early(workspace: Path) -> None:
    out = run("graph", SPEC, "-f", "dot").stdout
    label = next(line for line in out.splitlines() if line.startswith("    label="))
    assert label.startswith('    label="demo · \\\\x1b[2J') and label.endswith('";')
    assert re.findall(r'(?<!\\)"', label) == ['"', '"']


@pytest.mark.parametrize("fmt", ["markdown", "json"])
def test_plan_is_inert(workspace: Path, fmt: str) -> None:
    result = run("plan", SPEC, "-o", "target.yaml", "--format", fmt, "--today", "2026-11-21")
    assert RAW.findall(result.stdout + result.stderr) == []
    target = (workspace / "target.yaml").read_text(encoding="utf-8")
    assert_inert(target)
    assert target.startswith("# Generated by `cellguard plan` from evil\\x1b[8m\\u202e.yaml: ")


def test_validate_is_inert(workspace: Path) -> None:
    out = run("validate", SPEC).stdout
    assert out == "ok evil\\x1b[8m\\u202e.yaml: stack 'demo' (2 components, 1 journey)\n"


def test_validate_diagnostics_echo_values_inert_on_one_line(workspace: Path) -> None:
    bad = BASE_STACK.replace(
        "  owner: team\n", f"  owner: team\n  {json.dumps(HOSTILE)}: 1\n"
    ).replace("criticality: tier1", f"criticality: {json.dumps('tier1' + HOSTILE)}")
    Path("bad.yaml").write_text(bad, encoding="utf-8")
    result = runner.invoke(app, ["validate", "bad.yaml"], color=True)
    assert result.exit_code == 2
    assert RAW.findall(result.stderr) == []
    lines = result.stderr.splitlines()
    assert not any(line.startswith("HIGH CG-FAKE") for line in lines)
    unknown = next(line for line in lines if "[unknown-key]" in line)
    assert unknown.startswith("bad.yaml:6:3: error[unknown-key] metadata.\\x1b[2J\\x1b]0;pwned")
    assert "\\nHIGH CG-FAKE-001 fake: unknown key " in unknown


def test_user_errors_are_inert(workspace: Path) -> None:
    result = runner.invoke(app, ["assess", "missing\x1b]0;t\x07.yaml", *TODAY], color=True)
    assert result.exit_code == 2
    assert RAW.findall(result.stderr) == []
    assert "missing\\x1b]0;t\\x07.yaml" in result.stderr


def test_rules_list_and_explain_are_inert(workspace: Path) -> None:
    pack = Path("pack") / "acme.yaml"
    hostile = PACK.replace("tests [red]", "tests \\e[2J\\u202E [red]").replace(
        "Owner is nobody", "Owner is \\e[2J\\u202E nobody"
    )
    pack.write_text(hostile, encoding="utf-8")
    outputs: list[Callable[[], Result]] = [
        lambda: runner.invoke(app, ["rules", "list", "--rules", "pack", "--no-plugins"]),
        lambda: runner.invoke(
            app, ["rules", "list", "-f", "markdown", "--rules", "pack", "--no-plugins"]
        ),
        lambda: runner.invoke(app, ["rules", "list", "-f", "json", "--rules", "pack"]),
        lambda: runner.invoke(
            app, ["rules", "explain", "ACME-OBS-001", "--rules", "pack", "--no-plugins"]
        ),
    ]
    for invoke in outputs:
        result = invoke()
        assert "Traceback" not in result.output
        assert RAW.findall(result.stdout + result.stderr) == []
        # a pack that carries control characters is either refused at load or shown inert
        assert result.exit_code == 2 or "202e" in result.stdout


def test_signoff_verify_and_the_report_show_reviewer_and_comment_inert(workspace: Path) -> None:
    reviewer, comment = "rev\x1b[2J\u202e", "c\x1b]0;t\x07\u202e\nverified: fake"
    signed = run(
        "signoff",
        SPEC,
        "--reviewer",
        reviewer,
        "--decision",
        "approve",
        "--comment",
        comment,
        *TODAY,
    )
    assert RAW.findall(signed.stdout + signed.stderr) == []
    assert (
        "approve of evil\\x1b[8m\\u202e.yaml by rev\\x1b[2J\\u202e on 2026-11-21" in signed.stdout
    )
    verified = run("verify", SPEC, *TODAY)
    assert RAW.findall(verified.stdout + verified.stderr) == []
    assert "verified: evil\\x1b[8m\\u202e.yaml is approved as it is" in verified.stdout
    html = run("assess", SPEC, *TODAY, "-f", "html").stdout
    assert_inert(html)
    assert "rev\\x1b[2J\\u202e" in html and "c\\x1b]0;t\\x07\\u202e" in html
    [record] = (workspace / ".cellguard" / "signoffs").glob("*.json")
    data = json.loads(record.read_text(encoding="utf-8"))
    data["reviewer"] = "mallory\x1b[2J\u202e\nverified: fake"
    record.write_text(json.dumps(data), encoding="utf-8")
    tampered = run("verify", SPEC, *TODAY)
    assert tampered.exit_code == 1
    out = tampered.stdout + tampered.stderr
    assert RAW.findall(out) == []
    assert "not verified" in out
    assert not any(line.startswith("verified: fake") for line in out.splitlines())


def test_a_bad_baseline_is_reported_inert(workspace: Path) -> None:
    name = "base\x1b]0;t\x07\u202e.json"
    finding = {"status": "FAIL\x1b[2J\u202e", "fingerprint": "\x1b[2J"}
    report = {"schema_version": 1, "tool": {"name": "cellguard"}, "findings": [finding]}
    Path(name).write_text(json.dumps(report), encoding="utf-8")
    result = runner.invoke(app, ["check", SPEC, *TODAY, "--baseline", name], color=True)
    assert result.exit_code == 2
    assert RAW.findall(result.stderr) == []
    assert "cellguard: error: bad --baseline: base\\x1b]0;t\\x07\\u202e.json: " in result.stderr
