"""The line-aware YAML reader: positions, duplicate keys, merge keys, and hostile input."""

from __future__ import annotations

import time

import pytest

from cellguard.models.loader import SpecLoadError
from cellguard.models.loader.source import Position, decode, read_yaml
from tests.invalid_inputs import billion_laughs


def test_positions_of_keys_and_values_are_one_based() -> None:
    data, source = read_yaml("a: 1\nb:\n  - {c: x}\n  - d\n", "f.yaml")
    assert data == {"a": 1, "b": [{"c": "x"}, "d"]}
    assert source.keys[("a",)] == Position(1, 1)
    assert source.values[("a",)] == Position(1, 4)
    assert source.keys[("b", 0, "c")] == Position(3, 6)
    assert source.values[("b", 1)] == Position(4, 5)


def test_locate_falls_back_to_the_nearest_ancestor() -> None:
    _, source = read_yaml("a:\n  b: 1\n", "f.yaml")
    pos, found = source.locate(("a", "b", "missing", 3))
    assert found == ("a", "b")
    assert pos == Position(2, 6)


def test_dates_stay_strings_for_the_models_to_check() -> None:
    data, _ = read_yaml("d: 2027-03-31\nbad: 2027-02-30\n", "f.yaml")
    assert data == {"d": "2027-03-31", "bad": "2027-02-30"}


def test_keys_are_read_as_written_not_as_yaml_booleans() -> None:
    data, _ = read_yaml("on: 1\nno: 2\n", "f.yaml")
    assert data == {"on": 1, "no": 2}


def test_merge_keys_are_supported_and_explicit_keys_win() -> None:
    data, source = read_yaml("base: &b {k: 1, j: 0}\nm:\n  <<: *b\n  j: 2\n", "f.yaml")
    assert data["m"] == {"j": 2, "k": 1}
    assert source.keys[("m", "j")] == Position(4, 3)


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    with pytest.raises(SpecLoadError) as info:
        read_yaml("x: 1\ny: 2\nx: 3\n", "f.yaml")
    (diag,) = info.value.errors
    assert (diag.line, diag.column, diag.code) == (3, 1, "duplicate-key")
    assert "first defined at line 1" in diag.message


@pytest.mark.parametrize(
    ("text", "code", "line"),
    [
        ("a: [1,\n", "yaml-syntax", 2),
        ("a: !!python/object:os.system x\n", "yaml-tag", 1),
        ("a: &a [*a]\n", "yaml-alias", 1),
        ("a: 1\n---\nb: 2\n", "yaml-multi-document", 3),
        ("? [a, b]\n: 1\n", "yaml-key", 1),
        ("a: 1\nb: x\x07\n", "yaml-character", 2),
        ("a: !Custom {b: 1}\n", "yaml-tag", 1),
        ("a: !!set {b: null}\n", "yaml-tag", 1),
        ("a: " + "[" * 5000 + "]" * 5000 + "\n", "yaml-depth", 1),
        ("a: " + "[" * 999 + "]" * 999 + "\n", "yaml-depth", 1),
        ("a: " + "[" * 65 + "]" * 65 + "\n", "yaml-depth", 1),
        ("a:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 80)), "yaml-depth", 66),
        ("x: !!bool foo\n", "yaml-value", 1),
        ('x: !!int ""\n', "yaml-value", 1),
        ('x: !!float ""\n', "yaml-value", 1),
        ("x: !!int +\n", "yaml-value", 1),
        ("x: !!int _\n", "yaml-value", 1),
        ("x: !!float _\n", "yaml-value", 1),
        ("x: !!int " + "9" * 5000 + "\n", "yaml-value", 1),
    ],
)
def test_hostile_or_broken_yaml_is_reported(text: str, code: str, line: int) -> None:
    with pytest.raises(SpecLoadError) as info:
        read_yaml(text, "f.yaml")
    assert [(d.code, d.line) for d in info.value.errors] == [(code, line)]


def test_nesting_within_the_limit_is_read() -> None:
    data, _ = read_yaml("a: " + "[" * 63 + "]" * 63 + "\n", "f.yaml")
    depth = 0
    node = data["a"]
    while node:
        node, depth = node[0], depth + 1
    assert depth == 62  # the innermost list is empty


def test_a_bad_tagged_value_is_named_and_shortened() -> None:
    with pytest.raises(SpecLoadError) as info:
        read_yaml("x: !!int " + "9" * 5000 + "\n", "f.yaml")
    (diag,) = info.value.errors
    assert diag.message == "cannot read value '" + "9" * 40 + "…' (5,000 characters) as int"
    assert diag.path == ("x",)


def test_alias_bomb_is_refused_fast_without_expanding() -> None:
    start = time.perf_counter()
    with pytest.raises(SpecLoadError) as info:
        read_yaml(billion_laughs(12), "bomb.yaml")
    elapsed = time.perf_counter() - start
    (diag,) = info.value.errors
    assert diag.code == "yaml-alias-bomb"
    assert "limit 200,000" in diag.message
    # a correctness bound, not a benchmark: expansion would take minutes and gigabytes
    assert elapsed < 1.0


def test_alias_bomb_is_refused_before_any_node_is_built(monkeypatch: pytest.MonkeyPatch) -> None:
    from cellguard.models.loader import source

    def must_not_run(*_args: object) -> None:
        raise AssertionError("the document was expanded")

    monkeypatch.setattr(source._Builder, "build", must_not_run)
    with pytest.raises(SpecLoadError) as info:
        read_yaml(billion_laughs(9), "bomb.yaml")
    assert info.value.errors[0].code == "yaml-alias-bomb"
    assert "490,329,064" in info.value.errors[0].message


def test_small_alias_use_is_allowed() -> None:
    data, _ = read_yaml("t: &t {timeout_ms: 800}\nu: [*t, *t]\n", "f.yaml")
    assert data["u"] == [{"timeout_ms": 800}, {"timeout_ms": 800}]


def test_size_cap_and_encoding_errors_are_clear() -> None:
    with pytest.raises(SpecLoadError) as info:
        decode(b"a: 1\n" * 10, "big.yaml", max_bytes=20)
    assert "limit is 20 bytes" in info.value.errors[0].message
    with pytest.raises(SpecLoadError) as info:
        decode(b"a: 1\nb: \xff\n", "bin.yaml")
    diag = info.value.errors[0]
    assert (diag.line, diag.column, diag.code) == (2, 4, "encoding")
    assert decode("\ufeffa: 1\n".encode(), "bom.yaml") == "a: 1\n"


_WORDS = (
    "yes No on OFF y n ~ null Null NULL true False TRUE t 0 -0 +12 0x1F 0o17 0b101 1_000 1e3 .5 "
    "3. -1.5e-3 +.inf -.INF .nan .NaN 2026-01-01 2026-1-1 12:30:00 190:20:30 1:2 << = x eks "
    "us-east-1 c12 registry.example/c1:1.1 http://x 1.2.3 0.0.0.0 +1_0"
)
_SPELLINGS = [*_WORDS.split(), "", "2026-01-01 10:00:00"]
"""Plain scalars of every implicit type PyYAML's safe loader knows, and strings like them."""


def _tags(node: object) -> list[tuple[str, str]]:
    """(tag, value) of every node of a composed tree, depth first."""
    import yaml

    assert isinstance(node, yaml.Node)
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value)]
    items = (
        [n for pair in node.value for n in pair]
        if isinstance(node, yaml.MappingNode)
        else node.value
    )
    return [(node.tag, ""), *(t for child in items for t in _tags(child))]


@pytest.mark.parametrize("style", ["plain", "quoted", "flow"])
def test_the_composer_resolves_tags_as_pyyaml_does(style: str) -> None:
    """compose() resolves implicit tags without PyYAML's per-node resolver calls (issue 21
    item 5); every node still gets the tag PyYAML's safe loader gives it."""
    import yaml

    from cellguard.models.loader.source import _ComposingLoader, compose

    if style == "plain":
        text = "".join(f"k{i}: {v}\n" for i, v in enumerate(_SPELLINGS))
    elif style == "quoted":
        text = "".join(f"k{i}: '{v}'\n" for i, v in enumerate(_SPELLINGS))
    else:
        text = "l: [" + ", ".join(v or "''" for v in _SPELLINGS if v != "<<") + "]\n"
        text += "m: {a: [1, {b: !!str 2, c: ! 3}], yes: no, ? [x]: y}\n"
    expected = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert _tags(compose(text, "f.yaml")) == _tags(expected)
    resolver = _ComposingLoader("")
    for value in _SPELLINGS:
        for implicit in ((True, False), (False, True), (False, False)):
            assert resolver.resolve(yaml.ScalarNode, value, implicit) == yaml.SafeLoader(
                ""
            ).resolve(yaml.ScalarNode, value, implicit), (value, implicit)
