"""Spec files read on two cores (models/loader/forked.py): every result as read in one process.

The split is only a matter of speed: each file's document, positions and errors must be what
one process reads, whichever process composed the file, and whatever the child fails to do.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cellguard.models.forking import fork_with_pipe, reap
from cellguard.models.loader import forked, load
from cellguard.models.loader.document import LoadedDocument
from cellguard.models.loader.errors import SpecLoadError
from cellguard.models.loader.source import SourceMap, read_yaml
from tests.helpers import REPO, org_generator


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every example (valid and invalid ones: YAML, schema and semantic errors) and a generated
    organisation's files."""
    root = tmp_path_factory.mktemp("generated")
    org_generator().write_org(root, 150)
    examples = REPO / "examples"
    found = [*examples.glob("*.yaml"), *(examples / "org").glob("*.yaml")]
    found += sorted((examples / "invalid").glob("*.yaml"))
    return [*sorted(found), *sorted(root.glob("*.yaml"))]


def _shown(results: list[forked.Read]) -> list[object]:
    """What a read gives, comparable: the document and every position, or the errors."""
    out: list[object] = []
    for read in results:
        if isinstance(read, SpecLoadError):
            out.append([d.render() for d in read.diagnostics])
        else:
            assert isinstance(read, LoadedDocument)
            out.append((read.file, read.document, read.source.keys, read.source.values))
    return out


def _read(files: list[Path], *, split: bool) -> list[forked.Read]:
    return forked.read_documents(files, [str(f) for f in files], split=split)


@pytest.fixture
def no_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "MIN_BYTES", 0)


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files whose child-read data this process validated."""
    names: list[str] = []
    real = forked.validated_document

    def spy(data: object, source: SourceMap, file: str) -> LoadedDocument:
        names.append(file)
        return real(data, source, file)

    monkeypatch.setattr(forked, "validated_document", spy)
    return names


@pytest.fixture
def slow_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process reads a file at a time slowly, so that the child takes most of them."""
    real = forked._read_here

    def slow(file: Path, name: str) -> forked.Read:
        time.sleep(0.02)
        return real(file, name)

    monkeypatch.setattr(forked, "_read_here", slow)


@pytest.mark.usefixtures("no_floor", "slow_here")
def test_the_child_reads_files_and_every_result_is_as_read_alone(
    files: list[Path], received: list[str]
) -> None:
    alone = _shown(_read(files, split=False))
    received.clear()
    split = _shown(_read(files, split=True))
    assert split == alone
    assert len(received) >= len(files) // 2  # the child read them (this process was slow)
    errors = sum(isinstance(r, list) for r in alone)
    assert errors >= 15  # the invalid examples a file alone shows: the same errors


@pytest.mark.usefixtures("no_floor", "slow_here")
def test_what_the_child_cannot_read_is_read_here(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, received: list[str]
) -> None:
    alone = _shown(_read(files, split=False))

    def refuse(text: str, file: str) -> object:
        raise RuntimeError("the child fails")

    monkeypatch.setattr(forked, "read_yaml", refuse)  # only the child composes through it
    received.clear()
    assert _shown(_read(files, split=True)) == alone
    assert received == []


@pytest.mark.usefixtures("no_floor", "slow_here")
def test_a_child_that_dies_changes_nothing(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _shown(_read(files, split=False))

    def die(text: str, file: str) -> object:
        os._exit(9)

    monkeypatch.setattr(forked, "read_yaml", die)
    assert _shown(_read(files, split=True)) == alone


@pytest.mark.usefixtures("no_floor")
def test_a_refused_fork_reads_everything_here(
    files: list[Path], monkeypatch: pytest.MonkeyPatch, received: list[str]
) -> None:
    monkeypatch.setattr(forked, "fork_with_pipe", lambda: None)
    assert _shown(_read(files, split=True)) == _shown(_read(files, split=False))
    assert received == []


def test_below_the_floor_nothing_is_forked(
    files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> None:
        raise AssertionError("forked")

    monkeypatch.setattr(forked, "fork_with_pipe", refuse)
    small = [f for f in files if "examples" in f.parts][:3]
    assert sum(f.stat().st_size for f in small) < forked.MIN_BYTES
    assert _shown(_read(small, split=True)) == _shown(_read(small, split=False))


@pytest.mark.usefixtures("no_floor", "slow_here")
def test_an_organisation_loads_the_same_split(tmp_path: Path) -> None:
    org_generator().write_org(tmp_path, 150)
    alone, split = load(tmp_path), load(tmp_path, split=True)
    assert alone.documents == split.documents
    assert [w.render() for w in alone.warnings] == [w.render() for w in split.warnings]


def test_positions_survive_as_pairs() -> None:
    text = "a:\n  b: [1, {c: x}]\n  'd': |\n    text\n"
    _, source = read_yaml(text, "f.yaml")
    keys, values = source.pairs()
    again = SourceMap.from_pairs("f.yaml", keys, values)
    assert again == source
    assert again.locate(("a", "b", 1, "c")) == source.locate(("a", "b", 1, "c"))
    assert again.keys[("a", "d")] == (3, 3)


@pytest.fixture
def children_ignored() -> Iterator[None]:
    """SIGCHLD ignored, as a process that started this one may leave it (the disposition is
    inherited across exec): the kernel reaps each child itself and ``waitpid`` finds none."""
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGCHLD, before)


@pytest.mark.usefixtures("no_floor", "slow_here", "children_ignored")
def test_a_child_reaped_by_the_kernel_changes_nothing(
    files: list[Path], received: list[str]
) -> None:
    alone = _shown(_read(files, split=False))
    received.clear()
    assert _shown(_read(files, split=True)) == alone  # was ChildProcessError: exit 3
    assert len(received) >= len(files) // 2  # what it sent was still read


@pytest.mark.usefixtures("children_ignored")
def test_reap_of_a_child_the_kernel_reaped() -> None:
    forked_ = fork_with_pipe()
    assert forked_ is not None
    pid, incoming, out = forked_
    if pid == 0:
        os._exit(0)
    os.close(out)
    os.close(incoming)
    assert reap(pid, False) is None  # its status is unknown
