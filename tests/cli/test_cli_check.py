"""``cellguard check``: exit codes, --fail-on, baselines from JSON and from git revisions."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
RAG = REPO / "examples" / "rag-support-assistant.yaml"
RETRIEVER_REPLICAS = (
    "    placement: {regions: [us-east-1], zones: 3, account: prod-support}\n    replicas: 3\n"
)
"""The retriever's replicas in the example: one replica makes it a single point of failure."""

CRASHING = """
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.metadata import RuleMeta

META = RuleMeta(
    id="ACME-RED-002", title="A rule that crashes", pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE, severity=Severity.LOW,
    applies_to=("stack",), rationale="Used by the tests to show crashes exit with 3.",
    source="tests", remediation="Nothing to do.", action="nothing",
)


def check(ctx):
    raise ZeroDivisionError("division by zero")


RULE = PythonRule(META, check)
"""


def blocking_lines(stderr: str) -> list[list[str]]:
    """[rule, stack/target] of each blocking finding named on standard error."""
    return [
        line.split()[2:4] for line in stderr.splitlines() if line.strip().startswith("blocking")
    ]


def broken_rag() -> str:
    text = RAG.read_text(encoding="utf-8")
    assert text.count(RETRIEVER_REPLICAS) == 1
    return text.replace(
        RETRIEVER_REPLICAS, RETRIEVER_REPLICAS.replace("replicas: 3", "replicas: 1")
    )


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        timeout=60,
    )


@pytest.fixture
def two_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository whose HEAD adds one new failing problem (a 1-replica retriever) to HEAD~1."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "stacks").mkdir(parents=True)
    spec = repo / "stacks" / "rag.yaml"
    spec.write_text(RAG.read_text(encoding="utf-8"), encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    spec.write_text(broken_rag(), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "one replica")
    monkeypatch.chdir(repo)
    return repo


def test_git_baseline_fails_only_on_the_new_finding(two_commits: Path) -> None:
    result = runner.invoke(
        app, ["check", "stacks/rag.yaml", "--baseline", "git:HEAD~1", "-f", "json", *TODAY]
    )
    assert result.exit_code == 1, result.output
    assert blocking_lines(result.stderr) == [["CG-RED-001", "rag-support-assistant/retriever"]]
    assert "1 blocking (FAIL >= medium, new since the baseline), 45 baselined" in result.stderr
    assert "0 resolved since the baseline" in result.stderr
    failing = [f for f in json.loads(result.stdout)["findings"] if f["status"] == "FAIL"]
    assert len(failing) == 46  # the report still lists the baselined ones

    same = runner.invoke(app, ["check", "stacks/rag.yaml", "--baseline", "git:HEAD", *TODAY])
    assert same.exit_code == 0, same.output
    assert "0 blocking" in same.stderr and "46 baselined" in same.stderr
    assert blocking_lines(same.stderr) == []


def test_git_baseline_counts_resolved_findings(two_commits: Path) -> None:
    (two_commits / "stacks" / "rag.yaml").write_text(RAG.read_text(encoding="utf-8"), "utf-8")
    result = runner.invoke(app, ["check", "stacks", "--baseline", "git:HEAD", *TODAY])
    assert result.exit_code == 0, result.output
    assert "0 blocking" in result.stderr and "1 resolved since the baseline" in result.stderr


def test_json_baseline_fails_only_on_the_new_finding(tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    written = runner.invoke(app, ["assess", str(RAG), "-f", "json", "-o", str(base), *TODAY])
    assert written.exit_code == 0, written.output
    spec = tmp_path / "rag.yaml"
    spec.write_text(broken_rag(), encoding="utf-8")
    result = runner.invoke(app, ["check", str(spec), "--baseline", str(base), *TODAY])
    assert result.exit_code == 1, result.output
    assert blocking_lines(result.stderr) == [["CG-RED-001", "rag-support-assistant/retriever"]]
    clean = runner.invoke(app, ["check", str(RAG), "--baseline", str(base), *TODAY])
    assert clean.exit_code == 0, clean.output


def test_a_path_missing_at_the_base_revision_makes_everything_new(two_commits: Path) -> None:
    (two_commits / "new.yaml").write_text(RAG.read_text(encoding="utf-8"), encoding="utf-8")
    result = runner.invoke(app, ["check", "new.yaml", "--baseline", "git:HEAD", *TODAY])
    assert result.exit_code == 1
    assert "new.yaml has no spec file at HEAD: all of its findings count as new" in result.stderr
    assert "0 baselined" in result.stderr


def test_bad_git_baselines_are_input_errors(two_commits: Path, tmp_path: Path) -> None:
    bad = runner.invoke(app, ["check", "stacks/rag.yaml", "--baseline", "git:nope", *TODAY])
    assert bad.exit_code == 2
    assert "'nope' is not a commit" in bad.stderr and "hint:" in bad.stderr
    option = runner.invoke(app, ["check", "stacks/rag.yaml", "--baseline", "git:--all", *TODAY])
    assert option.exit_code == 2 and "invalid git revision" in option.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(RAG, outside / "rag.yaml")
    result = runner.invoke(
        app, ["check", str(outside / "rag.yaml"), "--baseline", "git:HEAD", *TODAY]
    )
    assert result.exit_code == 2 and "is not inside a git repository" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "not JSON"),
        ('{"tool": {"name": "other"}, "findings": []}', "not a cellguard JSON report"),
        (
            '{"tool": {"name": "cellguard"}, "schema_version": 9, "findings": []}',
            "schema_version 9 is not supported",
        ),
        ('{"tool": {"name": "cellguard"}, "schema_version": 1}', "has no findings list"),
    ],
)
def test_bad_json_baselines_are_input_errors(tmp_path: Path, content: str, message: str) -> None:
    base = tmp_path / "base.json"
    base.write_text(content, encoding="utf-8")
    result = runner.invoke(app, ["check", str(RAG), "--baseline", str(base), *TODAY])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    missing = runner.invoke(
        app, ["check", str(RAG), "--baseline", str(tmp_path / "no.json"), *TODAY]
    )
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_exit_codes_and_fail_on(tmp_path: Path) -> None:
    # CG-OBS-005 fails at low on this example: below the default threshold (medium)
    low = runner.invoke(app, ["check", str(RAG), "--select", "CG-OBS-005", *TODAY])
    assert low.exit_code == 0, low.output
    assert "0 blocking (FAIL >= medium)" in low.stderr
    at_low = runner.invoke(
        app, ["check", str(RAG), "--select", "CG-OBS-005", "--fail-on", "low", *TODAY]
    )
    assert at_low.exit_code == 1
    assert blocking_lines(at_low.stderr) == [
        ["CG-OBS-005", "rag-support-assistant/rag-support-assistant"]
    ]
    assert runner.invoke(app, ["check", str(RAG), *TODAY]).exit_code == 1
    assert runner.invoke(app, ["check", str(tmp_path / "none.yaml"), *TODAY]).exit_code == 2
    assert runner.invoke(app, ["check", str(RAG), "--fail-on", "severe", *TODAY]).exit_code == 2
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "crash.py").write_text(CRASHING, encoding="utf-8")
    crashed = runner.invoke(
        app,
        ["check", str(RAG), "--rules", str(tmp_path / "pack"), "--select", "ACME-*", *TODAY],
    )
    assert crashed.exit_code == 3
    assert "rule crashed: ACME-RED-002" in crashed.stderr


def test_waived_and_unknown_findings_never_block() -> None:
    result = runner.invoke(app, ["check", str(RAG), "--fail-on", "info", "-f", "json", *TODAY])
    assert result.exit_code == 1
    findings = json.loads(result.stdout)["findings"]
    statuses = {f["status"] for f in findings}
    assert {"FAIL", "WAIVED"} <= statuses
    failing = sorted(f["fingerprint"] for f in findings if f["status"] == "FAIL")
    count = re.search(r"check: (\d+) blocking", result.stderr)
    assert count is not None and int(count.group(1)) == len(failing)
    waived = [f for f in findings if f["status"] == "WAIVED"]
    assert all(
        [f["rule"], f["stack"] + "/" + f["target"]] not in blocking_lines(result.stderr)
        for f in waived
    )


def test_check_json_is_byte_identical_across_runs(repo_root: Path) -> None:
    args = ["check", "examples/org", "-f", "json", *TODAY]
    first, second = runner.invoke(app, args), runner.invoke(app, args)
    assert first.exit_code == second.exit_code == 1, first.output
    assert first.stdout == second.stdout and first.stdout.startswith("{")


def help_options(command: str) -> set[str]:
    result = runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    return set(re.findall(r"--[a-z][a-z-]+", result.stdout))


def test_the_github_action_runs_real_check_options() -> None:
    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    assert {"name", "description", "inputs", "runs"} <= set(action)
    assert {"paths", "baseline", "fail-on", "python-version", "cellguard-source"} <= set(
        action["inputs"]
    )
    steps = action["runs"]["steps"]
    assert action["runs"]["using"] == "composite"
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("actions/setup-python@") for u in uses)
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert upload["if"].startswith("always()")
    runs = "\n".join(s["run"] for s in steps if "run" in s)
    assert "${{ github.action_path }}" in yaml.safe_dump(steps) and "pip install" in runs
    assert all("shell" in s for s in steps if "run" in s)
    call = runs[runs.index("cellguard check") :].split("code=$?")[0]
    used = set(re.findall(r"--[a-z][a-z-]+", call + runs[runs.index("options=(") :]))
    assert {"--format", "--output", "--fail-on", "--baseline", "--force"} <= used
    assert used <= help_options("check"), used - help_options("check")
    assert "--format sarif --output" in call and "--format github" in call


def test_the_pre_commit_hooks_run_real_options() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"cellguard-validate", "cellguard-check"}
    for hook in hooks:
        assert {"id", "name", "entry", "language", "files"} <= set(hook)
        assert hook["language"] == "python"
        command = hook["entry"].split()[1]
        options = {a for a in hook.get("args", []) if a.startswith("--")}
        assert options <= help_options(command)
        pattern = re.compile(hook["files"])
        for name in ("cellguard.yaml", "infra/stacks/rag.yaml", "a/support.cellguard.yml"):
            assert pattern.search(name), name
        assert not pattern.search("docker-compose.yml")
    assert by_id["cellguard-check"]["args"][:2] == ["--baseline", "git:HEAD"]


def test_the_github_action_matches_the_actions_schema() -> None:
    pytest.importorskip("check_jsonschema", reason="check-jsonschema (the dev extra) is needed")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            str(REPO / "action.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_specs_that_do_not_load_at_the_revision_are_named_by_ref_and_path(
    two_commits: Path,
) -> None:
    """The error names ``REF:stacks/bad.yaml``, not the temporary copy git:REF is read into."""
    bad = two_commits / "stacks" / "bad.yaml"
    bad.write_text("{bad: [\n", encoding="utf-8")
    git(two_commits, "add", ".")
    git(two_commits, "commit", "-q", "-m", "broken")
    bad.unlink()
    expected = "the specs at HEAD do not load: HEAD:stacks/bad.yaml:2:1: error[yaml-syntax]"
    for args in (["check", "stacks", "--baseline", "git:HEAD"], ["diff", "git:HEAD", "stacks"]):
        result = runner.invoke(app, [*args, *TODAY])
        assert result.exit_code == 2, result.output
        assert expected in result.stderr and "cellguard-git-" not in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("command", "consequence"),
    [
        (["diff", str(RAG), str(RAG)], "their checks did not run"),
        (["signoff", str(RAG), "--reviewer", "ana", "--decision", "approve"], "nothing recorded"),
    ],
)
def test_diff_and_signoff_exit_3_when_a_rule_crashes(
    tmp_path: Path, command: list[str], consequence: str
) -> None:
    (tmp_path / "pack").mkdir()
    (tmp_path / "pack" / "crash.py").write_text(CRASHING, encoding="utf-8")
    store = ["--store", str(tmp_path / "store")] if command[0] == "signoff" else []
    result = runner.invoke(
        app,
        [*command, *store, "--rules", str(tmp_path / "pack"), "--select", "ACME-*", *TODAY],
    )
    assert result.exit_code == 3, result.output
    assert f"rule crashed: ACME-RED-002; {consequence}" in result.stderr
    assert not (tmp_path / "store").exists()  # a sign-off with a crashed rule records nothing
