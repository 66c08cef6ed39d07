"""Run one ``cellguard`` command line in a forked child with CPU, memory and file-size limits.

Why a fork: cellguard is already imported in the test process, so a forked child starts in a
few milliseconds (no interpreter start-up, no imports) and runs the command in-process through
``typer.testing.CliRunner`` -- yet a crash in C code (CUDD, the C walker), a runaway allocation
or an endless loop cannot take the test process down, and limits apply to the case alone:

- CPU: ``ITIMER_PROF`` raises :class:`CaseTimeout` (a ``BaseException``, so cellguard's own
  ``except Exception`` does not swallow it) after ``cpu_seconds`` of CPU time; ``RLIMIT_CPU``
  kills the child a few seconds later if it is stuck in C code; the parent kills it once
  ``wall_seconds`` of wall time have passed *and* it stopped using the CPU (a blocked read), or
  after :data:`WALL_CEILING` in any case. CPU time, not wall time, is the oracle's measure: the
  machine is shared, and a case slowed down by other processes is still working (it was killed
  as a "timeout" at 30 s on a machine with a load of 9 before, a false report).
- memory: ``RLIMIT_AS`` = the child's address space at fork + ``memory_bytes``; Python raises
  MemoryError past it, which cellguard reports as an internal error (exit 3).
- files: ``RLIMIT_FSIZE`` caps any file written (SIGXFSZ ignored, so the write fails with EFBIG).

The child sends back exit code, standard output and error, the uncaught exception (if the
runner saw one) with its traceback, and -- for exit code 3 -- the traceback of a rerun with
``CELLGUARD_DEBUG=1``. The parent adds CPU time and peak memory from ``wait4``.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import resource
import select
import signal
import time
import traceback
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app

CPU_SECONDS = 10.0
MEMORY_BYTES = 1 << 30
FILE_BYTES = 256 << 20
WALL_SECONDS = 30.0
WALL_CEILING = 300.0
"""Wall time after which a child is killed even while it still uses the CPU."""
OUTPUT_CAP = 64 << 20
"""Bytes of standard output or error sent back; more is reported as a huge output."""


class CaseTimeout(BaseException):
    """Raised in the child when the case used up its CPU time."""


@dataclass
class Outcome:
    """What one command did."""

    argv: list[str]
    exit_code: int | None = None
    stdout: bytes = b""
    stderr: bytes = b""
    exception: str | None = None
    traceback: str | None = None
    debug_traceback: str | None = None
    killed: str | None = None
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    max_rss_bytes: int = 0
    truncated: list[str] = field(default_factory=list)

    @property
    def out(self) -> str:
        """Standard output as text (undecodable bytes replaced)."""
        return self.stdout.decode("utf-8", "replace")

    @property
    def err(self) -> str:
        """Standard error as text (undecodable bytes replaced)."""
        return self.stderr.decode("utf-8", "replace")


def _address_space() -> int:
    with Path("/proc/self/statm").open() as handle:
        pages = int(handle.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _on_timer(signum: int, frame: object) -> None:
    raise CaseTimeout(f"more than {CPU_SECONDS:g} s of CPU time")


def _limit(cpu_seconds: float, memory_bytes: int) -> None:
    soft_as = _address_space() + memory_bytes
    _, hard_as = resource.getrlimit(resource.RLIMIT_AS)
    if hard_as == resource.RLIM_INFINITY or soft_as < hard_as:
        resource.setrlimit(resource.RLIMIT_AS, (soft_as, hard_as))
    cpu_kill = int(cpu_seconds * 2 + 5)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_kill, cpu_kill + 2))
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_BYTES, FILE_BYTES))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    signal.signal(signal.SIGPROF, _on_timer)


def _invoke(
    argv: list[str], env: Mapping[str, str | None], cpu_seconds: float
) -> dict[str, object]:
    result: dict[str, object] = {}
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        outcome = CliRunner().invoke(app, argv, env=dict(env), catch_exceptions=True)
        result["exit_code"] = outcome.exit_code
        result["stdout"] = outcome.stdout_bytes
        result["stderr"] = outcome.stderr_bytes
        exc = outcome.exception
        if exc is not None and not isinstance(exc, SystemExit):
            result["exception"] = f"{type(exc).__name__}: {str(exc)[:500]}"
            if outcome.exc_info is not None:
                result["traceback"] = "".join(traceback.format_exception(*outcome.exc_info))
    except CaseTimeout as exc:
        result["killed"] = f"timeout: {exc}"
        result["traceback"] = "".join(traceback.format_exception(exc))[-6000:]
    except MemoryError:
        result["killed"] = "memory: MemoryError outside the command"
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    return result


def _child(
    write_fd: int, argv: list[str], cwd: Path, env: Mapping[str, str | None], cpu_seconds: float
) -> None:
    status = 0
    try:
        os.chdir(cwd)
        _limit(cpu_seconds, MEMORY_BYTES)
        result = _invoke(argv, env, cpu_seconds)
        if result.get("exit_code") == 3 and "killed" not in result:
            debug = _invoke(argv, {**env, "CELLGUARD_DEBUG": "1"}, cpu_seconds)
            result["debug_traceback"] = debug.get("traceback")
        truncated = []
        for name in ("stdout", "stderr"):
            data = result.get(name)
            if isinstance(data, bytes) and len(data) > OUTPUT_CAP:
                result[name] = data[:OUTPUT_CAP]
                truncated.append(name)
        result["truncated"] = truncated
        payload = pickle.dumps(result)
    except BaseException as exc:  # the child must report, whatever happened
        payload = pickle.dumps({"killed": f"harness: error in the child: {exc!r}"})
        status = 1
    with contextlib.suppress(BaseException):
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view) :]
    os._exit(status)


def cpu_ticks(pid: int) -> int | None:
    """CPU time used so far by process ``pid`` (user + system, in clock ticks), from
    ``/proc/PID/stat``; ``None`` where that cannot be read (no procfs, the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    fields = stat.rsplit(")", 1)[1].split()  # fields 3.. (the command name may hold spaces)
    return int(fields[11]) + int(fields[12])  # utime and stime: fields 14 and 15


def still_working(pid: int, before: int | None) -> tuple[bool, int | None]:
    """Whether ``pid`` used CPU since ``before`` ticks, and its ticks now."""
    now = cpu_ticks(pid)
    return (now is not None and before is not None and now > before), now


def run(
    argv: list[str],
    cwd: Path,
    env: Mapping[str, str | None] | None = None,
    *,
    cpu_seconds: float = CPU_SECONDS,
    wall_seconds: float = WALL_SECONDS,
) -> Outcome:
    """Run ``cellguard ARGV`` in ``cwd`` in a forked, limited child; see the module docstring."""
    env = dict(env or {})
    read_fd, write_fd = os.pipe()
    started = time.monotonic()
    gc.freeze()  # the child then copies fewer pages: collections skip the frozen heap
    with warnings.catch_warnings():
        # Python 3.12+ warns when forking a process with threads (idle executor threads left by
        # other tests): the child runs the command on its one thread and leaves with os._exit.
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_fd)
        _child(write_fd, argv, cwd, env, cpu_seconds)
    os.close(write_fd)
    chunks: list[bytes] = []
    killed: str | None = None
    deadline = started + wall_seconds
    ticks: int | None = 0
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                working, ticks = still_working(pid, ticks)
                over = time.monotonic() - started >= max(WALL_CEILING, wall_seconds)
                if working and not over:  # slowed down by the load, not blocked: wait on
                    deadline = time.monotonic() + min(wall_seconds, 10.0)
                    continue
                os.kill(pid, signal.SIGKILL)
                killed = (
                    f"timeout: more than {max(WALL_CEILING, wall_seconds):g} s of wall time"
                    if working
                    else f"timeout: blocked (no CPU used) after {wall_seconds:g} s of wall time"
                )
                break
            ready, _, _ = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
    _, status, usage = os.wait4(pid, 0)
    outcome = Outcome(argv=list(argv), wall_seconds=time.monotonic() - started)
    outcome.cpu_seconds = usage.ru_utime + usage.ru_stime
    outcome.max_rss_bytes = usage.ru_maxrss * 1024
    data: dict[str, object] = {}
    if chunks and killed is None:
        with contextlib.suppress(Exception):
            data = pickle.loads(b"".join(chunks))
    if os.WIFSIGNALED(status) and killed is None:
        number = os.WTERMSIG(status)
        killed = f"signal: killed by {signal.Signals(number).name}"
    for key, value in data.items():
        setattr(outcome, key, value)
    if killed is not None:
        outcome.killed = killed
    elif not data:
        outcome.killed = f"harness: the child ended without a result (status {status})"
    return outcome
