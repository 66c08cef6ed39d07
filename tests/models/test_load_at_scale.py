"""Loading a large organisation: the mechanisms that keep it fast change no result.

The loader pauses Python's cycle collector while it builds the documents (issue 21 item 5), on
the premise that loading makes no reference cycles, and it keeps each node's parser mark until
a position is asked for. These tests check the premise, that the collector's state is given
back, and that positions read before and after the marks are settled agree.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from cellguard.models.loader import SpecLoadError, load
from cellguard.models.loader.source import Position, SourceMap, read_yaml
from tests.helpers import org_generator


@pytest.fixture(scope="module")
def org_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated organisation: the platform and three stacks of 50 components."""
    root = tmp_path_factory.mktemp("org")
    assert org_generator().write_org(root, 150) == 151
    return root


def test_loading_runs_no_collection_and_gives_the_collector_back(
    org_dir: Path, collections: list[int]
) -> None:
    assert gc.isenabled()
    org = load(org_dir)
    assert [len(d.document.components) for d in org.documents] == [1, 50, 50, 50]
    # one may start as load() is entered, before the pause; before the pause: dozens here
    # (2,904 for 10,000 components, 18 of them full ones)
    assert len(collections) <= 1
    assert gc.isenabled()


def test_a_failed_load_gives_the_collector_back_too(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: cellguard/v1\nkind: Stack\nmetadata: [\n")
    with pytest.raises(SpecLoadError):
        load(tmp_path)
    assert gc.isenabled()


def test_loading_leaves_the_collector_off_when_it_was_off(org_dir: Path) -> None:
    gc.disable()
    try:
        load(org_dir)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_loading_makes_no_reference_cycles(org_dir: Path) -> None:
    """The premise of pausing the collector: nothing a load builds needs it to be freed."""
    gc.collect()
    gc.disable()
    try:
        org = load(org_dir)
        del org
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_positions_from_marks_agree_before_and_after_settling() -> None:
    text = "a: 1\nb:\n  - {c: x}\n  - d\ne:\n  f: [1, 2]\n"
    _, fresh = read_yaml(text, "f.yaml")
    paths = [("a",), ("b", 0, "c"), ("b", 1), ("e", "f", 1), ("e", "g", 3), ()]
    lazily = [fresh.locate(p, prefer_key=k) for p in paths for k in (False, True)]
    assert lazily[:4] == [
        (Position(1, 4), ("a",)),  # the value of 'a'
        (Position(1, 1), ("a",)),  # the key 'a'
        (Position(3, 9), ("b", 0, "c")),
        (Position(3, 6), ("b", 0, "c")),
    ]
    assert lazily[8:] == [
        (Position(6, 3), ("e",)),  # the mapping under 'e' starts on the next line
        (Position(5, 1), ("e",)),
        (Position(1, 1), ()),
        (Position(1, 1), ()),
    ]
    assert fresh.keys[("e", "f")] == Position(6, 3)  # reading keys settles every mark
    assert fresh.values[("e", "f", 1)] == Position(6, 10)
    assert [fresh.locate(p, prefer_key=k) for p in paths for k in (False, True)] == lazily
    _, other = read_yaml(text, "f.yaml")
    assert other == fresh  # compared by content, marks or positions
    assert other != SourceMap("f.yaml")
