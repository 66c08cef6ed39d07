"""Declarative rules and third-party packs: the language, loading, and loud failures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from textwrap import dedent

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Status
from cellguard.models.loader import SpecLoadError
from cellguard.rules import packs
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_directory, load_entry_points, load_rules, load_yaml_rule
from tests.helpers import BASE_STACK, load_texts

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
messages: {pass: "{target} traces.", fail: "{target} does not trace.", unknown: "{target}: unknown."}
"""


def write_rule(tmp_path: Path, body: str, name: str = "rule.yaml") -> Path:
    path = tmp_path / name
    path.write_text(META + dedent(body), encoding="utf-8")
    return path


def statuses(rule_path: Path, stack: str) -> list[tuple[str, Status, str]]:
    rule = load_yaml_rule(rule_path)
    result = run_rules(build_graph(load_texts(stack)), [rule], today=dt.date(2026, 11, 21))
    return [(f.target, f.status, f.message) for f in result.findings]


def test_attribute_rule_is_three_valued(tmp_path: Path) -> None:
    path = write_rule(
        tmp_path, "require: {attribute: practices.observability.tracing, equals: true}\n"
    )
    assert statuses(path, BASE_STACK) == [("demo", Status.UNKNOWN, "demo: unknown.")]
    on = BASE_STACK + "practices: {observability: {tracing: true}}\n"
    assert statuses(path, on) == [("demo", Status.PASS, "demo traces.")]
    off = BASE_STACK + "practices: {observability: {tracing: false}}\n"
    assert statuses(path, off)[0][1] is Status.FAIL


def test_when_false_is_not_applicable_and_any_short_circuits_unknowns(tmp_path: Path) -> None:
    path = write_rule(
        tmp_path,
        """\
        when: {graph: kinds, contains: vector_store}
        require:
          any:
            - {attribute: practices.observability.tracing, equals: true}
            - {attribute: practices.observability.metrics, equals: true}
        """,
    )
    assert statuses(path, BASE_STACK)[0][1] is Status.NOT_APPLICABLE
    with_store = (
        BASE_STACK
        + "  - {id: kb, kind: vector_store}\n"
        + ("practices: {observability: {metrics: true}}\n")
    )
    assert statuses(path, with_store)[0][1] is Status.PASS  # tracing unknown, metrics true


def test_component_rule_reads_nested_attributes_and_locates_them(tmp_path: Path) -> None:
    body = "require: {not: {attribute: hosting, equals: self_hosted}}\n"
    text = META.replace("applies_to: [stack]", "applies_to: [model_endpoint]") + body
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    rule = load_yaml_rule(path)
    result = run_rules(build_graph(load_texts(BASE_STACK)), [rule], today=dt.date(2026, 11, 21))
    (finding,) = result.findings
    assert (finding.target, finding.status) == ("llm", Status.PASS)
    assert finding.evidence == {"hosting": "bedrock"}
    assert finding.location is not None and finding.location.line == 25


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "require: {attribute: practices.observability.tracin, equals: true}\n",
            "does not exist on Stack",
        ),
        ("require: {attribute: a, equals: 1, at_least: 2}\n", "exactly one operator"),
        ("require: {graph: nonsense, at_least: 1}\n", "unknown graph value"),
        ("require: {attribute: a}\n", "exactly one operator"),
        ("requires: {attribute: a, equals: 1}\n", "requires"),
        (
            "require: {attribute: practices.observability.tracing, at_least: 1}\n",
            "is not a number",
        ),
        ("require: {graph: kinds, at_most: 3}\n", "is not a count"),
    ],
)
def test_malformed_yaml_rules_fail_loudly_with_a_location(
    tmp_path: Path, body: str, message: str
) -> None:
    path = write_rule(tmp_path, body)
    with pytest.raises(SpecLoadError) as info:
        load_yaml_rule(path)
    rendered = info.value.render()
    assert message in rendered
    assert str(path) in rendered


def test_numeric_comparison_on_a_numeric_attribute_loads(tmp_path: Path) -> None:
    text = META.replace("applies_to: [stack]", "applies_to: [app]")
    path = tmp_path / "n.yaml"
    path.write_text(text + "require: {attribute: replicas, at_least: 2}\n", encoding="utf-8")
    rule = load_yaml_rule(path)
    result = run_rules(build_graph(load_texts(BASE_STACK)), [rule], today=dt.date(2026, 11, 21))
    assert [(f.target, f.status) for f in result.findings] == [("web", Status.PASS)]


def test_bad_placeholder_in_messages_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        META.replace("{target} traces.", "{component} traces.")
        + "require: {attribute: practices.observability.tracing, equals: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecLoadError, match="unknown placeholder"):
        load_yaml_rule(path)
    path.write_text(
        META.replace("{target} traces.", "{} traces.")
        + "require: {attribute: practices.observability.tracing, equals: true}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecLoadError, match="positions are not allowed"):
        load_yaml_rule(path)


PY_RULE = """
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.metadata import RuleMeta
from cellguard.rules.outcome import failed

META = RuleMeta(
    id="ACME-RED-001", title="Stacks are never perfect", pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE, severity=Severity.LOW,
    applies_to=("stack",), rationale="A third-party Python rule used by the tests.",
    source="tests", remediation="Nothing to do.", action="nothing",
)


def check(ctx):
    for stack in ctx.stacks():
        yield failed(ctx.stack_target(stack.name), "never perfect")


RULE = PythonRule(META, check)
"""


def test_pack_directory_loads_yaml_and_python_rules(tmp_path: Path) -> None:
    write_rule(tmp_path, "require: {attribute: practices.observability.tracing, equals: true}\n")
    (tmp_path / "never_perfect.py").write_text(PY_RULE, encoding="utf-8")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "ACME-OBS-001.yaml").write_text("not a rule", encoding="utf-8")
    rules = load_directory(tmp_path)
    assert sorted(r.meta.id for r in rules) == ["ACME-OBS-001", "ACME-RED-001"]
    registry = load_rules([tmp_path], plugins=False)
    assert "ACME-RED-001" in registry and "CG-COR-010" in registry


def test_pack_errors_are_reported_not_raised(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n", encoding="utf-8")
    with pytest.raises(SpecLoadError, match="ModuleNotFoundError"):
        load_directory(tmp_path)
    (tmp_path / "broken.py").write_text("X = 1\n", encoding="utf-8")
    with pytest.raises(SpecLoadError, match="must define RULE or RULES"):
        load_directory(tmp_path)
    with pytest.raises(SpecLoadError, match="not a directory"):
        load_directory(tmp_path / "missing")


def test_rule_factory_that_raises_is_reported_with_its_file(tmp_path: Path) -> None:
    (tmp_path / "factory.py").write_text(
        "def RULES():\n    raise RuntimeError('no config')\n", encoding="utf-8"
    )
    with pytest.raises(SpecLoadError, match="RuntimeError: no config") as info:
        load_directory(tmp_path)
    (diagnostic,) = info.value.errors
    assert diagnostic.file == str(tmp_path / "factory.py")
    assert "calling the rule factory failed" in diagnostic.message


def test_duplicate_ids_across_packs_fail(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(PY_RULE, encoding="utf-8")
    (tmp_path / "b.py").write_text(PY_RULE, encoding="utf-8")
    with pytest.raises(SpecLoadError, match="duplicate rule id ACME-RED-001") as info:
        load_rules([tmp_path], plugins=False)
    (diagnostic,) = info.value.errors
    assert diagnostic.file == str(tmp_path / "b.py") and "a.py" in diagnostic.message


class _EntryPoint:
    def __init__(self, name: str, value: object) -> None:
        self.name, self.value, self._value = name, f"pkg:{name}", value

    def load(self) -> object:
        if isinstance(self._value, Exception):
            raise self._value
        return self._value


def test_entry_point_packs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "never_perfect.py").write_text(PY_RULE, encoding="utf-8")
    (rule,) = load_directory(tmp_path)
    monkeypatch.setattr(packs, "entry_points", lambda group: [_EntryPoint("acme", lambda: [rule])])
    assert [r.meta.id for r in load_entry_points()] == ["ACME-RED-001"]
    monkeypatch.setattr(
        packs, "entry_points", lambda group: [_EntryPoint("bad", ImportError("nope"))]
    )
    with pytest.raises(SpecLoadError, match="entry point bad"):
        load_entry_points()
    monkeypatch.setattr(packs, "entry_points", lambda group: [_EntryPoint("odd", 42)])
    with pytest.raises(SpecLoadError, match="is not a rule"):
        load_entry_points()
