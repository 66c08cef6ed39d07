"""Hostile rule packs through the CLI: every problem is found when the pack loads (exit 2, with
file, line and key path); a pack's code that raises while rules run is exit 3 with a report --
never exit 0 or 1 with the report missing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import BASE_STACK

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]

META = """\
id: ACME-OBS-001
title: Tracing is switched on
pillar: observability
category: MISCONFIGURATION_AND_BUGS
severity: low
applies_to: [stack]
rationale: A test rule -- traces show where a slow request spent its time.
source: tests
remediation: Turn tracing on.
action: enable-tracing
"""
MESSAGES = 'messages: {pass: "{target} p.", fail: "{target} f.", unknown: "{target} u."}\n'
REQUIRE = "require: {attribute: practices.observability.tracing, equals: true}\n"


def yaml_rule(
    *, meta: str = META, messages: str = MESSAGES, require: str = REQUIRE, applies: str = ""
) -> str:
    if applies:
        meta = meta.replace("applies_to: [stack]", f"applies_to: [{applies}]")
    return meta + messages + require


def assess(tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    spec = tmp_path / "stack.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    args = ["assess", str(spec), "--rules", str(tmp_path / "pack"), *TODAY, *extra]
    result = runner.invoke(app, args)
    return result.exit_code, result.stdout, result.stderr


def write_pack(tmp_path: Path, name: str, text: str) -> Path:
    pack = tmp_path / "pack"
    pack.mkdir(exist_ok=True)
    path = pack / name
    path.write_text(text, encoding="utf-8")
    return path


HOSTILE_YAML = [
    pytest.param(
        yaml_rule(messages=MESSAGES.replace('"{target} p."', '"{target!z}"')),
        "11:18: error[invalid] messages.pass: {target!z}: the conversion must be !r, !s or !a "
        "(or none)",
        id="bad-conversion",
    ),
    pytest.param(
        yaml_rule(messages=MESSAGES.replace('"{target} f."', '"{target:d}"')),
        "messages.fail: {target:d}: Unknown format code 'd' for object of type 'str' "
        "(the value is a string)",
        id="format-spec-for-a-number",
    ),
    pytest.param(
        yaml_rule(messages=MESSAGES.replace('"{target} u."', '"{target:>99999999999999999999}"')),
        "messages.unknown: {target:>99999999999999999999}: the width is 20 digits long; "
        "at most 200",
        id="20-digit-width",
    ),
    pytest.param(
        yaml_rule(messages=MESSAGES.replace('"{target} u."', '"{target:>5000}"')),
        "messages.unknown: {target:>5000}: the width is 5000; at most 200",
        id="wide-message",
    ),
    pytest.param(
        yaml_rule(messages=MESSAGES.replace('"{target} u."', '"{stack:.3000}"')),
        "messages.unknown: {stack:.3000}: the precision is 3000; at most 200",
        id="precision",
    ),
    pytest.param(
        yaml_rule(require="require: {attribute: metadata.name, contains: 3}\n"),
        "12:37: error[rule-attribute] require.contains: attribute 'metadata.name' holds text; "
        "contains needs text (a substring, given as text), a list or a mapping, and a number "
        "is not a substring",
        id="contains-number-in-text",
    ),
    pytest.param(
        yaml_rule(require="require: {attribute: practices.observability.tracing, equals: 1}\n"),
        "require.equals: attribute 'practices.observability.tracing' is true/false, never a number",
        id="number-for-a-boolean",
    ),
    pytest.param(
        yaml_rule(
            applies="model_endpoint", require="require: {attribute: hosting, equals: selfhosted}\n"
        ),
        "require.equals: attribute 'hosting' is never 'selfhosted'; expected one of: bedrock, "
        "external_api, sagemaker, self_hosted",
        id="enum-typo",
    ),
    pytest.param(
        yaml_rule(
            applies="model_endpoint",
            require="require: {attribute: hosting, in: [bedrock, 3]}\n",
        ),
        "12:31: error[rule-attribute] require.in: attribute 'hosting' is one of: bedrock, "
        "external_api, sagemaker, self_hosted, never a number",
        id="in-list-with-a-number",
    ),
    pytest.param(
        yaml_rule(applies="app", require="require: {attribute: replicas, non_empty: true}\n"),
        "require.non_empty: attribute 'replicas' holds a number; non_empty applies to text and "
        "lists (use present)",
        id="non-empty-on-a-number",
    ),
    pytest.param(
        yaml_rule(require="when: {graph: kinds, contains: vectorstore}\n" + REQUIRE),
        "when.contains: the items of graph value 'kinds' are never 'vectorstore'",
        id="kinds-typo",
    ),
    pytest.param(
        yaml_rule(require="require: {attribute: metadata.name, equals: {a: 1}}\n"),
        "require.equals: expected a string, a number or true/false, or a list of those, "
        "got a mapping",
        id="mapping-operand",
    ),
    pytest.param(
        yaml_rule(meta=META.replace("id: ACME-OBS-001", 'id: "ACME-OBS-001\\n"')),
        "1:5: error[invalid] id: rule id 'ACME-OBS-001\\n' must look like CG-FI-001",
        id="id-with-newline",
    ),
    pytest.param(
        yaml_rule(meta=META.replace("title: Tracing is switched on", 'title: "\\e[2J Tracing"')),
        "2:8: error[invalid] title: contains the control or invisible character U+001B",
        id="escape-in-title",
    ),
    pytest.param(
        yaml_rule(meta=META.replace("Turn tracing on.", '"Turn \\u202e tracing on."')),
        "remediation: contains the control or invisible character U+202E",
        id="bidi-in-remediation",
    ),
    pytest.param(
        yaml_rule(meta=META.replace("id: ACME-OBS-001", f"id: ACME{'A' * 300_000}-OBS-001")),
        "1:5: error[invalid] id: a rule id has at most 24 characters, this one 300,012",
        id="300-KB-id",
    ),
]


@pytest.mark.parametrize(("text", "expected"), HOSTILE_YAML)
def test_hostile_yaml_rules_exit_2_at_load_with_a_location(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write_pack(tmp_path, "rule.yaml", text)
    code, stdout, stderr = assess(tmp_path, "-f", "json")
    assert code == 2, stderr
    assert stdout == ""
    assert f"{path}:" in stderr and expected in stderr
    assert len(stderr) < 2000  # a huge value is not echoed back
    assert "Traceback" not in stderr


def test_a_non_finite_bound_is_a_load_error(tmp_path: Path) -> None:
    rule = yaml_rule(applies="app", require="require: {attribute: replicas, at_least: .nan}\n")
    path = write_pack(tmp_path, "rule.yaml", rule)
    code, _, stderr = assess(tmp_path)
    assert code == 2
    assert f"{path}:12:42:" in stderr and "require.at_least: " in stderr
    assert "finite number" in stderr


PY_HEAD = """\
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import failed

META = RuleMeta(
    id="ACME-RED-001", title="A hostile rule", pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE, severity=Severity.LOW,
    applies_to=("stack",), rationale="Used by the tests: a pack that misbehaves.",
    source="tests", remediation="Nothing to do.", action="nothing",
)
"""


def py_rule(check_body: str, before: str = "") -> str:
    return f"{PY_HEAD}{before}\ndef check(ctx):\n{check_body}\n\nRULE = PythonRule(META, check)\n"


HOSTILE_PYTHON_AT_LOAD = [
    pytest.param(
        "import sys\nsys.exit(0)\n",
        "p.py:2:1: error[rule-import] (document): importing the rule module failed: SystemExit: 0",
        id="system-exit-at-import",
    ),
    pytest.param(
        "class Boom(BaseException):\n    pass\n\n\nraise Boom('at import')\n",
        "p.py:5:1: error[rule-import] (document): importing the rule module failed: "
        "Boom: at import",
        id="base-exception-at-import",
    ),
    pytest.param(
        "def RULES():\n    raise SystemExit(0)\n",
        "p.py:2:1: error[rule-import] (document): calling the rule factory failed: SystemExit: 0",
        id="system-exit-in-the-factory",
    ),
    pytest.param(
        PY_HEAD + "BAD = RuleMeta.model_construct(**{**dict(META), 'severity': 'banana'})\n"
        "RULE = [type('R', (), {'meta': BAD, 'origin': 'x', 'evaluate': lambda self, c: []})()]\n",
        "p.py:1:1: error[rule-meta] (document): invalid rule metadata: severity: Input should "
        "be 'info', 'low', 'medium', 'high' or 'critical'",
        id="metadata-that-skipped-validation",
    ),
    pytest.param(
        "class Meta:\n    id = 'ACME-RED-001'\n\n\n"
        "RULE = type('R', (), {'meta': Meta(), 'origin': 'x', 'evaluate': lambda s, c: []})()\n",
        "p.py:1:1: error[rule-type] (document): a rule's meta must be a RuleMeta, not Meta",
        id="meta-not-a-RuleMeta",
    ),
    pytest.param(
        PY_HEAD + "RULE = RuleMeta(**{**dict(META), 'id': 'A' * 1_000_000 + '-RED-001'})\n",
        "p.py:12:1: error[rule-import] (document): importing the rule module failed: invalid "
        "RuleMeta: id: a rule id has at most 24 characters, this one 1,000,008",
        id="1-MB-id",
    ),
    pytest.param(
        "class Rules:\n    def __iter__(self):\n        raise SystemExit(0)\n\n\nRULES = Rules()\n",
        "p.py:3:1: error[rule-import] (document): reading the rules failed: SystemExit: 0",
        id="system-exit-iterating-the-rules",
    ),
]


@pytest.mark.parametrize(("module", "expected"), HOSTILE_PYTHON_AT_LOAD)
def test_python_packs_that_raise_or_lie_at_load_exit_2(
    tmp_path: Path, module: str, expected: str
) -> None:
    write_pack(tmp_path, "p.py", module)
    code, stdout, stderr = assess(tmp_path, "-f", "json")
    assert (code, stdout) == (2, "")
    assert expected in stderr
    assert "hint: " in stderr or "error[rule-meta]" in stderr or "error[rule-type]" in stderr
    assert len(stderr) < 2000 and "Traceback" not in stderr


HOSTILE_PYTHON_AT_RUN = [
    pytest.param(
        "    raise SystemExit(0)",
        "the rule crashed: SystemExit: 0 (in {pack}/p.py:21); its checks did not run",
        id="system-exit",
    ),
    pytest.param(
        "    raise GeneratorExit\n    yield",
        "the rule crashed: GeneratorExit (in {pack}/p.py:21); its checks did not run",
        id="generator-exit",
    ),
    pytest.param(
        "    target = ctx.stack_target('demo')\n    while True:\n        yield failed(target, 'x')",
        "the rule crashed: ValueError: the rule yielded over 1,050 outcomes (a runaway "
        "generator?) (in {pack}/p.py); its checks did not run",
        id="runaway-generator",
    ),
    pytest.param(
        "    yield failed(ctx.stack_target('demo'), 'x', seen=Evil([1]))",
        "the rule crashed: SystemExit: 0 (in {pack}/p.py:15); its checks did not run",
        id="evidence-that-exits",
    ),
    pytest.param(
        "    yield failed(ctx.stack_target('demo'), 'x', seen=object())",
        "the rule crashed: TypeError: the outcome's evidence holds object, not a JSON value "
        "(in {pack}/p.py); its checks did not run",
        id="evidence-not-json",
    ),
]
EVIL = """
class Evil(list):
    def __iter__(self):
        raise SystemExit(0)

    def __len__(self):
        raise SystemExit(0)
"""


@pytest.mark.parametrize(("body", "message"), HOSTILE_PYTHON_AT_RUN)
def test_python_rules_that_raise_anything_while_running_exit_3_with_a_report(
    tmp_path: Path, body: str, message: str
) -> None:
    write_pack(tmp_path, "p.py", py_rule(body, before=EVIL))
    code, stdout, stderr = assess(tmp_path, "-f", "json")
    assert code == 3, stderr
    assert "cellguard: rule crashed: ACME-RED-001; their checks did not run" in stderr
    (finding,) = [f for f in json.loads(stdout)["findings"] if f["rule"] == "ACME-RED-001"]
    assert finding["status"] == "ERROR"
    assert finding["message"] == message.format(pack=tmp_path / "pack")


def test_check_does_not_pass_a_gate_when_a_rule_exits_0(tmp_path: Path) -> None:
    write_pack(tmp_path, "p.py", py_rule("    raise SystemExit(0)"))
    spec = tmp_path / "stack.yaml"
    spec.write_text(BASE_STACK, encoding="utf-8")
    args = ["check", str(spec), "--rules", str(tmp_path / "pack"), "--select", "ACME-*", *TODAY]
    result = runner.invoke(app, args)
    assert result.exit_code == 3
    assert "rule crashed: ACME-RED-001" in result.stderr


def test_a_huge_message_from_a_python_rule_is_cut(tmp_path: Path) -> None:
    write_pack(tmp_path, "p.py", py_rule("    yield failed(ctx.stack_target('demo'), 'x' * 10**7)"))
    code, stdout, _ = assess(tmp_path, "-f", "json")
    assert code == 0
    (finding,) = [f for f in json.loads(stdout)["findings"] if f["rule"] == "ACME-RED-001"]
    assert finding["message"] == "x" * 4000 + "... (9,996,000 more characters cut)"
