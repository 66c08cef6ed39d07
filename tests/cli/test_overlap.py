"""Writing a report while it is made (cli/overlap.py, reports' render_chunks): the same bytes,
in order, and every failure where it would have been without the second thread."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.app import app
from cellguard.cli.exit_codes import ExitCode
from cellguard.cli.overlap import THREAD_NAME, write_overlapped
from cellguard.reports import json_report
from tests.helpers import REPO, org_generator

FULL = Path("/dev/full")


def _makers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def _pieces(count: int, log: list[str] | None = None) -> Iterator[str]:
    for i in range(count):
        if log is not None:
            log.append(f"made {i}")
        yield f"piece {i}\n"


def test_every_piece_is_written_in_order_here_and_made_on_another_thread() -> None:
    written: list[str] = []
    writing: set[str] = set()
    making: set[str] = set()

    def pieces() -> Iterator[str]:
        for i in range(50):
            making.add(threading.current_thread().name)
            yield f"piece {i}\n"

    def write(piece: str) -> None:
        time.sleep(0.001)  # slower than making: the queue fills and waits
        writing.add(threading.current_thread().name)
        written.append(piece)

    write_overlapped(pieces(), write)
    assert written == [f"piece {i}\n" for i in range(50)]
    assert writing == {threading.current_thread().name}  # where Ctrl-C arrives
    assert making == {threading.current_thread().name, THREAD_NAME}  # two here, then there
    assert not _makers()  # the maker is gone


def test_a_single_piece_is_written_here() -> None:
    threads: list[str] = []
    write_overlapped(iter(["all\n"]), lambda piece: threads.append(threading.current_thread().name))
    assert threads == [threading.current_thread().name]
    write_overlapped(iter([]), lambda piece: threads.append("none"))
    assert len(threads) == 1


def test_a_failed_write_is_raised_here_and_stops_the_making() -> None:
    made: list[str] = []

    def write(piece: str) -> None:
        if piece == "piece 2\n":
            raise BrokenPipeError(32, "Broken pipe")

    with pytest.raises(BrokenPipeError):
        write_overlapped(_pieces(10_000, made), write)
    assert len(made) < 100  # stopped soon after, not made to the end
    assert not _makers()


def test_a_failure_to_make_a_piece_comes_after_what_was_made_before() -> None:
    written: list[str] = []

    def pieces() -> Iterator[str]:
        yield from _pieces(3)
        raise ValueError("a bug in a renderer")

    with pytest.raises(ValueError, match="a bug in a renderer"):
        write_overlapped(pieces(), written.append)
    assert written == ["piece 0\n", "piece 1\n", "piece 2\n"]
    assert not _makers()


def test_no_thread_to_be_had_writes_here(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    written: list[str] = []
    write_overlapped(_pieces(5), written.append)
    assert written == [f"piece {i}\n" for i in range(5)]


def test_an_interrupt_while_the_reader_reads_nothing_is_raised_at_once() -> None:
    """Ctrl-C while standard output's reader reads nothing (a stalled pipe): the interrupt
    comes out while the write still waits, as it did from the one write, instead of waiting
    for that reader (the writing must be where the signal arrives: this thread)."""
    released = threading.Event()  # the reader reads again: only after the test, or at 10 s
    waiting = threading.Event()
    main = threading.get_ident()

    def write(piece: str) -> None:
        waiting.set()
        released.wait()

    def interrupt() -> None:
        waiting.wait()
        time.sleep(0.3)  # into the wait (a signal just before it would not end it)
        signal.pthread_kill(main, signal.SIGINT)

    helper = threading.Thread(target=interrupt)
    watchdog = threading.Timer(10, released.set)
    helper.start()
    watchdog.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            write_overlapped(_pieces(100), write)
        assert not released.is_set()  # raised while the write was still waiting
    finally:
        released.set()
        watchdog.cancel()
        helper.join()
    assert not _makers()


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("org")
    org_generator().write_org(root, 500)  # 2,000+ finding lines: three pieces
    return root


def test_the_report_in_pieces_is_the_report(
    org: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["assess", str(org), "--format", "json", "--today", "2026-11-21", "--no-plugins"]
    whole = CliRunner().invoke(app, args)
    assert whole.exit_code in (0, 1), whole.output
    lines = whole.stdout.count("\n")
    monkeypatch.setattr(json_report, "CHUNK_LINES", 7)  # many pieces, some mid-list
    pieces = list(json_report.dump_chunks({"a": list(range(20)), "b": 1, "c": []}))
    assert len(pieces) == 4  # 25 lines
    written = ["{", '  "a": [', *(f"    {i}," for i in range(19)), "    19", "  ],", '  "b": 1,']
    assert "".join(pieces) == "\n".join([*written, '  "c": []', "}", ""])  # one line per item
    assert all(p.endswith("\n") for p in pieces)
    split = CliRunner().invoke(app, args)
    assert split.stdout == whole.stdout
    assert lines > 70  # so the report above came in pieces
    out = tmp_path / "report.json"
    to_file = CliRunner().invoke(app, [*args, "-o", str(out)])
    assert to_file.exit_code == whole.exit_code
    assert out.read_text(encoding="utf-8") == whole.stdout


def _run(args: list[str], **kw: object) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "cellguard", *args],
        cwd=REPO,
        timeout=300,
        check=False,
        **kw,  # type: ignore[call-overload]
    )


def test_a_reader_that_stops_early_is_no_error(org: Path) -> None:
    """``assess ... | head``: the rest goes nowhere and the exit code is the assessment's (as
    when the report was one write), not an internal error."""
    args = ["assess", str(org), "--format", "json", "--today", "2026-11-21", "--no-plugins"]
    whole = _run(args, capture_output=True)
    with subprocess.Popen(
        [sys.executable, "-m", "cellguard", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        head = proc.stdout.read(10)
        proc.stdout.close()
        error = proc.stderr.read()
        code = proc.wait(timeout=300)
    assert head == whole.stdout[:10]
    assert len(whole.stdout) > 1_000_000  # many pieces: most were written after the close
    assert error == b""
    assert code == whole.returncode


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_reader_gone_before_the_first_write_is_no_error(fmt: str) -> None:
    """A reader that closed standard output before anything was written (``| true``): the
    same as one that stopped early, no output and the assessment's exit code (the one write
    of a whole report was an 'internal error', exit 3, in this case only)."""
    spec = str(REPO / "examples" / "vllm-single-zone.yaml")
    args = ["assess", spec, "--format", fmt, "--today", "2026-11-21", "--no-plugins"]
    whole = _run(args, capture_output=True)
    read, write = os.pipe()
    os.close(read)  # gone before the command starts
    try:
        done = _run(args, stdout=write, stderr=subprocess.PIPE)
    finally:
        os.close(write)
    assert whole.stdout and whole.returncode in (0, 1)
    assert done.stderr == b""
    assert done.returncode == whole.returncode


@pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full (Linux)")
def test_a_full_device_in_the_middle_of_a_report_exits_2(org: Path) -> None:
    args = ["assess", str(org), "--format", "json", "--today", "2026-11-21", "--no-plugins"]
    with FULL.open("w") as full:
        done = _run(args, stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == ExitCode.INPUT_ERROR
    assert "No space left on device" in done.stderr
