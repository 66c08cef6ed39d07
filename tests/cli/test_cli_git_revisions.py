"""``git:REF`` arguments of check and diff: a revision is echoed bounded in errors (found by the
fuzz harness: a 100,000-character revision was repeated in full)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
HUGE = "a" * 100_000


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one commit holding a spec, as the working directory."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    spec = tmp_path / "stack.yaml"
    spec.write_bytes((REPO / "examples" / "vllm-single-zone.yaml").read_bytes())
    git = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q"], ["add", "stack.yaml"], ["commit", "-q", "-m", "base"]):
        subprocess.run([*git, *args], cwd=tmp_path, check=True, capture_output=True, timeout=60)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_huge_revision_that_is_not_a_commit_is_echoed_bounded(repo: Path) -> None:
    result = runner.invoke(app, ["check", "stack.yaml", "--baseline", f"git:{HUGE}", *TODAY])
    assert result.exit_code == 2, result.output
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        f"cellguard: error: '{'a' * 40}…' (100,000 characters) is not a commit in the git "
        "repository "
    )
    assert len(result.stderr) < 1_000


def test_a_huge_invalid_revision_is_echoed_bounded(repo: Path) -> None:
    result = runner.invoke(app, ["diff", f"git:-{HUGE}", "stack.yaml", *TODAY])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines()[0] == (
        f"cellguard: error: invalid git revision '-{'a' * 39}…' (100,001 characters) in "
        f"'git:-{'a' * 35}…' (100,005 characters)"
    )


def test_a_short_revision_is_echoed_whole(repo: Path) -> None:
    result = runner.invoke(app, ["check", "stack.yaml", "--baseline", "git:nope\x1b[2J", *TODAY])
    assert result.exit_code == 2, result.output
    assert "'nope\\x1b[2J' is not a commit in the git repository" in result.stderr
