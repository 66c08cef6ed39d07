"""The pre-commit hooks and the GitHub Action as they run: in a fresh repository, on a change, with
the config file deciding."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import BASE_STACK, REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]


def hook_args(hook_id: str) -> list[str]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == hook_id)
    return [*hook["entry"].split()[1:], *hook["args"]]


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def fresh_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``git init`` with one spec staged and nothing committed; cwd is the repository."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "cellguard.yaml").write_text(BASE_STACK, encoding="utf-8")
    git(repo, "add", "cellguard.yaml")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("CELLGUARD_TODAY", raising=False)
    return repo


def blocking(stderr: str) -> list[tuple[str, str]]:
    return [
        (parts[2], parts[3])
        for parts in (line.split() for line in stderr.splitlines())
        if parts[:1] == ["blocking"]
    ]


def test_the_check_hook_works_before_the_first_commit(fresh_repo: Path) -> None:
    result = runner.invoke(app, [*hook_args("cellguard-check"), *TODAY, "cellguard.yaml"])
    assert "is not a commit" not in result.stderr
    assert result.exit_code == 1, result.output  # everything is new: 4 FAILs at medium or above
    assert "has no commit yet: every finding of its specs counts as new" in result.stderr
    assert "check: 4 blocking (FAIL >= medium, new since the baseline), 0 baselined" in (
        result.stderr
    )
    assert result.stdout == ""  # --quiet: no report, the verdict is on standard error
    validate = runner.invoke(app, [*hook_args("cellguard-validate"), "cellguard.yaml"])
    assert validate.exit_code == 0 and validate.stdout == ""


def test_the_check_hook_shows_only_what_the_change_introduced(fresh_repo: Path) -> None:
    git(fresh_repo, "commit", "-q", "-m", "base")
    args = [*hook_args("cellguard-check"), *TODAY, "cellguard.yaml"]
    unchanged = runner.invoke(app, args)
    assert unchanged.exit_code == 0, unchanged.output
    assert "check: 0 blocking" in unchanged.stderr and "4 baselined" in unchanged.stderr
    assert blocking(unchanged.stderr) == []

    spec = fresh_repo / "cellguard.yaml"
    spec.write_text(BASE_STACK.replace("replicas: 3", "replicas: 1"), encoding="utf-8")
    changed = runner.invoke(app, args)
    assert changed.exit_code == 1, changed.output
    assert changed.stdout == ""
    # one replica: the web tier and the journey through it gain a single point of failure;
    # the four findings HEAD already had are not listed
    assert blocking(changed.stderr) == [("CG-RED-001", "demo/web"), ("CG-RED-011", "demo/chat")]
    assert "2 blocking (FAIL >= medium, new since the baseline), 4 baselined" in changed.stderr


def test_a_ref_that_does_not_exist_is_still_an_error_in_a_fresh_repository(
    fresh_repo: Path,
) -> None:
    result = runner.invoke(app, ["check", "cellguard.yaml", "--baseline", "git:main~3", *TODAY])
    assert result.exit_code == 2
    assert "'main~3' is not a commit" in result.stderr


def test_the_config_file_is_not_a_spec_for_the_hooks() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    for hook in hooks:
        files, exclude = re.compile(hook["files"]), re.compile(hook["exclude"])
        for name in (".cellguard.yaml", "stacks/.cellguard.yaml", "cellguard/.cellguard.yml"):
            assert not (files.search(name) and not exclude.search(name)), name
        assert files.search("stacks/rag.yaml") and not exclude.search("stacks/rag.yaml")


def action_check_script() -> str:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "check")
    script: str = step["run"]
    return script


@pytest.mark.parametrize(("config", "code"), [("check:\n  fail_on: critical\n", "0"), ("", "1")])
def test_the_action_with_empty_inputs_follows_the_config_file(
    tmp_path: Path, config: str, code: str
) -> None:
    """The Action's check step, run as GitHub runs it (bash, inputs as environment variables),
    with paths and fail-on left empty: the config file's paths and threshold decide."""
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    (tmp_path / ".git").mkdir()
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "demo.yaml").write_text(BASE_STACK, encoding="utf-8")
    settings = f"paths: [stacks]\ntoday: 2026-11-21\nrules:\n  plugins: false\n{config}"
    (tmp_path / ".cellguard.yaml").write_text(settings, encoding="utf-8")
    outputs = tmp_path / "outputs.txt"
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "INPUT_PATHS": "",
        "INPUT_BASELINE": "",
        "INPUT_FAIL_ON": "",
        "INPUT_SARIF_FILE": "cellguard.sarif",
        "INPUT_ARGS": "",
        "GITHUB_OUTPUT": str(outputs),
    }
    done = subprocess.run(
        ["bash", "-eo", "pipefail", "-c", action_check_script()],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert outputs.read_text(encoding="utf-8") == f"exit-code={code}\n", done.stderr
    assert "stacks/demo.yaml" in (tmp_path / "cellguard.sarif").read_text(encoding="utf-8")
