"""The sandbox tells a child slowed down by the load from one that is blocked."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.fuzz.sandbox import cpu_ticks, still_working

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs procfs")


def test_cpu_ticks_grow_while_a_process_computes() -> None:
    before = cpu_ticks(os.getpid())
    assert before is not None
    end = time.process_time() + 0.1
    while time.process_time() < end:  # burn a little CPU (10 ticks at 100 Hz)
        pass
    working, now = still_working(os.getpid(), before)
    assert working and now is not None and now > before


def test_a_process_that_used_no_cpu_is_not_working() -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child sleeps, as a blocked read would
        time.sleep(5)
        os._exit(0)
    try:
        time.sleep(0.2)
        first = cpu_ticks(pid)
        time.sleep(0.3)
        working, _ = still_working(pid, first)
        assert first is not None and not working
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)


def test_a_process_that_is_gone_has_no_ticks() -> None:
    pid = os.fork()
    if pid == 0:  # pragma: no cover
        os._exit(0)
    os.waitpid(pid, 0)
    assert cpu_ticks(pid) is None
    assert still_working(pid, 5) == (False, None)
