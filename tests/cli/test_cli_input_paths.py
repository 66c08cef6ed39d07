"""Spec paths that are not regular files: exit 2 naming the path, never a hang, a runaway read or
an internal error. Found by the fuzz harness (tests/fuzz, special input paths).

The commands run in a subprocess with a time limit and a 1 GiB address-space limit, so that the
behaviour this guards against (blocking on a FIFO, reading /dev/zero until memory runs out) makes
the test fail instead of hanging or exhausting the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

VLLM = REPO / "examples" / "vllm-single-zone.yaml"


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def cellguard(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``cellguard ARGS`` in ``cwd`` (30 s, 1 GiB at most)."""
    env = {k: v for k, v in os.environ.items() if k != "CELLGUARD_DEBUG"}
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "cellguard", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=_limit_memory,
    )


@pytest.mark.parametrize("command", ["validate", "assess", "graph"])
def test_a_fifo_is_not_read(tmp_path: Path, command: str) -> None:
    os.mkfifo(tmp_path / "stack.yaml")
    result = cellguard(command, "stack.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "stack.yaml:1:1: error[io] (document): not a regular file (a FIFO)" in result.stderr


def test_a_device_is_not_read(tmp_path: Path) -> None:
    result = cellguard("validate", "/dev/zero", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "/dev/zero:1:1: error[io] (document): not a regular file (a character device)" in (
        result.stderr
    )


def test_a_link_to_a_device_names_the_link(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    result = cellguard("assess", "zero.yaml", "--today", "2026-11-21", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "zero.yaml:1:1: error[io] (document): not a regular file (a character device)" in (
        result.stderr
    )


def test_a_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    result = cellguard("validate", "loop.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert (
        "loop.yaml:1:1: error[io] (document): cannot read file: Too many levels of symbolic links"
        in result.stderr
    )
    assert "internal error" not in result.stderr


def test_a_dangling_link_names_the_link(tmp_path: Path) -> None:
    (tmp_path / "gone.yaml").symlink_to("nowhere/at/all.yaml")
    result = cellguard("validate", "gone.yaml", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "gone.yaml:1:1: error[io] (document): cannot read file: No such file or directory" in (
        result.stderr
    )


def test_a_link_to_a_spec_is_read_and_named_as_given(tmp_path: Path) -> None:
    (tmp_path / "stack.yaml").symlink_to(VLLM)
    result = cellguard("validate", "stack.yaml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok stack.yaml: stack 'forge-code-assistant'")


@pytest.mark.parametrize("command", ["signoff", "verify"])
def test_signoff_and_verify_of_a_symlink_loop_say_why(tmp_path: Path, command: str) -> None:
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    extra = ["--reviewer", "alice", "--decision", "approve"] if command == "signoff" else []
    result = cellguard(
        command, "loop.yaml", *extra, "--store", ".", "--today", "2026-11-21", cwd=tmp_path
    )
    assert result.returncode == 2, result.stderr
    assert (
        "loop.yaml:1:1: error[io] (document): cannot read file: Too many levels of symbolic links"
        in result.stderr
    )
