"""Rule packs are checked completely at load: templates, operand types, sizes, hostile objects."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Status
from cellguard.models.loader import SpecLoadError
from cellguard.rules import packs
from cellguard.rules.declarative import Condition, _compare
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_directory, load_rules, load_yaml_rule
from cellguard.rules.registry import Registry, RuleRegistryError
from cellguard.rules.templates import render, template_problems
from tests.helpers import BASE_STACK, load_texts
from tests.rules.test_packs import META, PY_RULE


@pytest.mark.parametrize(
    ("template", "problems"),
    [
        ("{target} in {stack}: {target!r:>20} {stack:.10}", []),
        (
            "{target:>999999999}",
            ["{target:>999999999}: the width is 9 digits long; at most 200"],
        ),
        ("{target:201}", ["{target:201}: the width is 201; at most 200"]),
        ("{target:{stack}}", ["{target:...}: nested fields in a format spec are not allowed"]),
        ("{target!}", ["unmatched '{' in format spec; write '{{' and '}}' for literal braces"]),
        ("{target[0]}", ["unknown placeholder {target[0]}; use {target} or {stack}"]),
        ("{target:\u0663}", ["{target:\u0663}: invalid format spec for a string"]),
        ("x" * 1001, ["a message has at most 1000 characters, this one 1,001"]),
    ],
)
def test_template_problems(template: str, problems: list[str]) -> None:
    assert template_problems(template) == problems


def test_render_cuts_a_message_as_a_last_resort() -> None:
    assert render("{target}!", target="t" * 5000, stack="s") == (
        "t" * 4000 + "... (1,001 more characters cut)"
    )


@pytest.mark.parametrize(
    ("condition", "value"),
    [
        ({"attribute": "a", "contains": 3}, "abc"),
        ({"attribute": "a", "non_empty": True}, 5),
        ({"attribute": "a", "at_least": 2}, "text"),
        ({"attribute": "a", "contains": "x"}, 5),
        ({"attribute": "a", "contains": [1]}, {"k": 1}),
    ],
)
def test_evaluation_is_total_a_type_mismatch_is_unknown(
    condition: dict[str, object], value: object
) -> None:
    assert _compare(Condition.model_validate(condition), value) is None


def test_leaf_problems_are_located_at_the_leaf(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        META.replace("applies_to: [stack]", "applies_to: [model_endpoint]")
        + "require:\n  any:\n    - {attribute: hosting, equals: bedrock}\n"
        + "    - {not: {attribute: hosting, in: [bedrock, 3]}}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecLoadError) as info:
        load_yaml_rule(path)
    (diagnostic,) = info.value.errors
    assert (diagnostic.line, diagnostic.column) == (15, 34)
    assert diagnostic.key_path == "require.any[1].not.in"


def test_duplicate_yaml_ids_point_at_the_second_id(tmp_path: Path) -> None:
    body = "require: {attribute: practices.observability.tracing, equals: true}\n"
    (tmp_path / "a.yaml").write_text(META + body, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# a comment\n" + META + body, encoding="utf-8")
    with pytest.raises(SpecLoadError, match="duplicate rule id ACME-OBS-001") as info:
        load_rules([tmp_path], plugins=False)
    (diagnostic,) = info.value.errors
    assert (diagnostic.file, diagnostic.line) == (str(tmp_path / "b.yaml"), 2)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("name", ["rule.yaml", "rule.py"])
def test_a_fifo_named_like_a_rule_is_refused_not_read(tmp_path: Path, name: str) -> None:
    os.mkfifo(tmp_path / name)
    with pytest.raises(SpecLoadError, match="a rule file must be a regular file") as info:
        load_directory(tmp_path)
    assert info.value.errors[0].file == str(tmp_path / name)


@pytest.mark.parametrize("name", ["rule.yaml", "rule.py"])
def test_a_rule_file_over_1_mib_is_refused_before_parsing(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_bytes(b"# " + b"x" * 1024 * 1024 + b"\n")
    with pytest.raises(SpecLoadError, match=r"a rule file is at most 1,048,576 bytes"):
        load_directory(tmp_path)


def test_a_pack_directory_holds_a_bounded_number_of_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(packs, "MAX_FILES_PER_PACK", 2)
    for name in ("a.yaml", "b.yml", "c.py"):
        (tmp_path / name).write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(SpecLoadError, match="a rule pack holds at most 2 rule files"):
        load_directory(tmp_path)


def test_registry_names_a_non_rule_instead_of_crashing() -> None:
    with pytest.raises(RuleRegistryError, match="42 is not a rule"):
        Registry([42])  # type: ignore[list-item]


def test_a_pack_rule_s_metadata_is_frozen_at_load(tmp_path: Path) -> None:
    """A rule whose ``meta`` changes between reads is judged by what was validated at load."""
    (tmp_path / "shifty.py").write_text(
        PY_RULE.replace("RULE = PythonRule(META, check)", "")
        + "\nclass Shifty:\n    reads = 0\n    origin = 'shifty'\n\n"
        "    @property\n    def meta(self):\n        Shifty.reads += 1\n"
        "        return META if Shifty.reads < 4 else RuleMeta.model_construct(id='X')\n\n"
        "    def evaluate(self, ctx):\n        return check(ctx)\n\n\nRULE = Shifty()\n",
        encoding="utf-8",
    )
    (rule,) = load_directory(tmp_path)
    for _ in range(5):
        assert rule.meta.id == "ACME-RED-001"
    result = run_rules(build_graph(load_texts(BASE_STACK)), [rule], today=dt.date(2026, 11, 21))
    assert [(f.rule, f.status) for f in result.findings] == [("ACME-RED-001", Status.FAIL)]


def test_a_python_rule_with_a_partial_check_has_an_origin(tmp_path: Path) -> None:
    (tmp_path / "partial.py").write_text(
        PY_RULE.replace(
            "RULE = PythonRule(META, check)",
            "import functools\nRULE = PythonRule(META, functools.partial(check))",
        ),
        encoding="utf-8",
    )
    (rule,) = load_directory(tmp_path)
    assert rule.origin == "functools.partial"


class _ExitingEntryPoint:
    name, value = "quits", "pkg:quits"

    def load(self) -> object:
        raise SystemExit(0)


def test_an_entry_point_that_exits_is_a_load_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(packs, "entry_points", lambda group: [_ExitingEntryPoint()])
    with pytest.raises(SpecLoadError) as info:
        packs.load_entry_points()
    (diagnostic,) = info.value.errors
    assert diagnostic.file == "entry point quits = pkg:quits"
    assert diagnostic.message == "loading failed: SystemExit: 0"
