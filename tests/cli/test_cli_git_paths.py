"""`git:REF` baselines over paths that cannot be resolved are input errors, not crashes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_git_with_a_symlink_loop_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the 10,000-case fuzz run: `diff git:HEAD loop.yaml` ended in exit 3."""
    shutil.copy(REPO / "examples" / "vllm-single-zone.yaml", tmp_path / "spec.yaml")
    ident = ["-c", "user.name=t", "-c", "user.email=t@example.com"]
    for cmd in (["init", "-q"], ["add", "spec.yaml"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *ident, *cmd], cwd=tmp_path, check=True, capture_output=True)
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["diff", "git:HEAD", "loop.yaml", "--today", "2026-11-21"])
    assert result.exit_code == 2, result.output
    assert "loop.yaml:1:1: cannot read file: a symbolic link loop" in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
