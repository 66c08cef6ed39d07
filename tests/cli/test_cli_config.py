"""The config file ``.cellguard.yaml`` and ``cellguard config``: discovery, precedence, errors."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.config import REPORT_FORMATS, find_config
from cellguard.reports.formats import ReportFormat
from tests.helpers import BASE_STACK

runner = CliRunner()

CONFIG = """\
# team settings
paths: [stacks/demo.yaml]
rules:
  ignore: [CG-COR-*]
  plugins: false
today: 2026-11-21
reports:
  - format: compact
check:
  fail_on: critical
  min_assurance: 10
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git work tree with a config at its root and the spec under stacks/; cwd is stacks/."""
    root = tmp_path / "repo"
    (root / "stacks").mkdir(parents=True)
    (root / "stacks" / "demo.yaml").write_text(BASE_STACK, encoding="utf-8")
    (root / ".cellguard.yaml").write_text(CONFIG, encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    monkeypatch.chdir(root / "stacks")
    monkeypatch.delenv("CELLGUARD_TODAY", raising=False)
    return root


def settings(*args: str) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["config", "-f", "json", *args])
    assert result.exit_code == 0, result.output
    data: dict[str, dict[str, object]] = json.loads(result.stdout)["settings"]
    return data


def test_the_config_is_found_upwards_and_its_paths_are_relative_to_it(project: Path) -> None:
    assert find_config(project / "stacks") == project / ".cellguard.yaml"
    result = runner.invoke(app, ["check"])  # no PATH: the config's paths, from stacks/
    assert result.exit_code == 0, result.output  # fail_on critical: one high FAIL does not block
    lines = result.stdout.splitlines()
    assert lines, result.output
    # the compact report of the config; CG-COR-* ignored (CG-COR-001 is the one high FAIL)
    assert all(line.split()[1] in ("FAIL", "UNKNOWN") for line in lines)
    assert not [line for line in lines if " CG-COR-" in line]
    assert "demo/web " in result.stdout and "stacks/demo.yaml:" in result.stdout
    assert "check: 0 blocking (FAIL >= critical)" in result.stderr


def test_the_search_stops_at_the_git_root(tmp_path: Path) -> None:
    (tmp_path / ".cellguard.yaml").write_text("quiet: true\n", encoding="utf-8")
    nested = tmp_path / "repo" / "a" / "b"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / ".cellguard.yaml"  # no repository: up to /
    (tmp_path / "repo" / ".git").mkdir()
    assert find_config(nested) is None  # the config above the repository does not apply
    (tmp_path / "repo" / ".cellguard.yaml").write_text("quiet: true\n", encoding="utf-8")
    assert find_config(nested) == tmp_path / "repo" / ".cellguard.yaml"


def test_flags_win_over_the_file_and_config_names_each_origin(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = settings()
    assert data["check.fail_on"] == {"value": "critical", "from": "../.cellguard.yaml:10"}
    assert data["rules.ignore"] == {"value": ["CG-COR-*"], "from": "../.cellguard.yaml:4"}
    assert data["rules.plugins"] == {"value": False, "from": "../.cellguard.yaml:5"}
    assert data["paths"] == {"value": ["../stacks/demo.yaml"], "from": "../.cellguard.yaml:2"}
    assert data["today"] == {"value": "2026-11-21", "from": "../.cellguard.yaml:6"}
    assert data["check.min_score"] == {"value": None, "from": "default"}
    assert data["reports"]["from"] == "../.cellguard.yaml:7"
    flagged = settings(
        "--fail-on", "high", "--ignore", "CG-X-*", "--plugins", "--today", "2027-01-02"
    )
    assert flagged["check.fail_on"] == {"value": "high", "from": "--fail-on"}
    assert flagged["rules.ignore"] == {"value": ["CG-X-*"], "from": "--ignore"}
    assert flagged["rules.plugins"] == {"value": True, "from": "--plugins/--no-plugins"}
    assert flagged["today"] == {"value": "2027-01-02", "from": "--today"}
    monkeypatch.setenv("CELLGUARD_TODAY", "2026-12-01")
    assert settings()["today"] == {"value": "2026-12-01", "from": "$CELLGUARD_TODAY"}
    # and check obeys: --fail-on high makes the one high FAIL (CG-COR-001) block again
    result = runner.invoke(app, ["check", "--fail-on", "high", "--ignore", "CG-OBS-*"])
    assert result.exit_code == 1, result.output
    assert "CG-COR-001 demo/chat" in result.stderr


def test_config_prints_a_table_with_file_and_line(project: Path) -> None:
    result = runner.invoke(app, ["config", "--min-score", "50"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "config file: ../.cellguard.yaml"
    rows = {line.split()[0]: line.split() for line in lines[2:]}
    assert rows["check.fail_on"][1:] == ["critical", "../.cellguard.yaml:10"]
    assert rows["check.min_score"][1:] == ["50", "--min-score"]
    assert rows["check.min_assurance"][1:] == ["10", "../.cellguard.yaml:11"]
    assert rows["rules.select"][1:] == ["(none)", "default"]
    assert rows["reports"][1:] == ["compact", "->", "-", "../.cellguard.yaml:7"]


def test_without_a_config_file_every_setting_is_a_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CELLGUARD_TODAY", raising=False)
    result = runner.invoke(app, ["config"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("config file: none")
    origins = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()[2:]}
    assert origins["check.fail_on"] == "default"
    assert "date)" in origins["today"]  # "default (the system date)"
    result = runner.invoke(app, ["assess"])
    assert result.exit_code == 2
    assert "no spec paths given" in result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "check:\n  fail_onn: high\n",
            [
                ".cellguard.yaml:2:3: error[unknown-key] check.fail_onn: unknown key 'fail_onn'",
                "did you mean 'fail_on'?",
            ],
        ),
        (
            "rules:\n  select: [CG-RED-*]\n  plugin: true\n",
            [".cellguard.yaml:3:3: error[unknown-key] rules.plugin", "did you mean 'plugins'?"],
        ),
        (
            "check:\n  min_score: 120\n",
            [
                ".cellguard.yaml:2:14: error[less-than-equal] check.min_score: input should be "
                "less than or equal to 100 (got 120)"
            ],
        ),
        (
            "today: 2026-02-30\n",
            [".cellguard.yaml:1:8: error[", "today"],
        ),
        (
            "reports:\n  - format: pdf\n",
            [".cellguard.yaml:2:13: error[invalid-value] reports[0].format: invalid value 'pdf'"],
        ),
        (
            "paths: [nowhere/]\n",
            [".cellguard.yaml:1:9: error[no-such-path] paths[0]: no such file or directory"],
        ),
        ("- a list\n", [".cellguard.yaml:1:1: error[not-a-mapping]"]),
        ("quiet: [\n", [".cellguard.yaml:2:1: error[yaml-syntax]"]),
    ],
)
def test_a_bad_config_is_an_input_error_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: list[str]
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".cellguard.yaml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command in (["config"], ["check", "x.yaml"], ["assess", "x.yaml"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        for part in expected:
            assert part in result.stderr, (command, result.stderr)
        assert "Traceback" not in result.output


def test_config_option_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "ci.yaml"
    other.write_text("check:\n  min_score: 60\n", encoding="utf-8")
    data = settings("--config", str(other))
    assert data["check.min_score"] == {"value": 60.0, "from": f"{other}:2"}
    result = runner.invoke(app, ["config", "--config", str(tmp_path / "missing.yaml")])
    assert result.exit_code == 2
    assert "--config" in result.stderr and "no such file" in result.stderr


def test_the_config_lists_every_report_format() -> None:
    assert set(REPORT_FORMATS) == {f.value for f in ReportFormat}


def test_errors_about_configured_values_name_the_config_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "demo.yaml").write_text(BASE_STACK, encoding="utf-8")
    (tmp_path / ".cellguard.yaml").write_text(
        "rules:\n  select: [CG-NOPE-*]\ncheck:\n  baseline: nothere.json\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["check", "demo.yaml", "--no-plugins"])
    assert result.exit_code == 2
    assert "no rule matches 'CG-NOPE-*' (rules.select at .cellguard.yaml:2)" in result.stderr
    result = runner.invoke(app, ["check", "demo.yaml", "--no-plugins", "--select", "CG-RED-*"])
    assert result.exit_code == 2
    assert "nothere.json: no such file (check.baseline at .cellguard.yaml:4)" in result.stderr
    flagged = runner.invoke(app, ["check", "demo.yaml", "--select", "CG-X", "--baseline", "b"])
    assert flagged.exit_code == 2 and ".cellguard.yaml" not in flagged.stderr


@pytest.mark.parametrize("kind", ["directory", "fifo", "device"])
def test_a_config_that_is_not_a_regular_file_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """Found by the fuzz harness's config family: ``--config DIR`` exited 3 (IsADirectoryError
    from fdopen before the file type was checked)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    path = {"directory": "cfg", "fifo": "cfg", "device": "/dev/zero"}[kind]
    if kind == "directory":
        (tmp_path / "cfg").mkdir()
    elif kind == "fifo":
        os.mkfifo(tmp_path / "cfg")
    result = runner.invoke(app, ["config", "--config", path])
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"{path}:1:1: error[io] (document): not a regular file")


def test_an_empty_config_and_no_path_name_the_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by the fuzz harness: with a config file that sets no paths, 'no spec paths given'
    did not say which config was read."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".cellguard.yaml").write_text("# nothing yet\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command in ("validate", "assess", "check"):
        result = runner.invoke(app, [command])
        assert result.exit_code == 2
        assert result.stderr.startswith(
            "cellguard: error: no spec paths given, and .cellguard.yaml:1 lists none under 'paths'"
        ), result.stderr


def test_diff_and_plan_read_the_rule_choice_and_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "old.yaml").write_text(BASE_STACK, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(
        BASE_STACK.replace("replicas: 3", "replicas: 1"), encoding="utf-8"
    )
    config = tmp_path / ".cellguard.yaml"
    config.write_text(
        "today: 2026-11-21\nrules:\n  select: [CG-RED-011]\n  plugins: false\n", encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CELLGUARD_TODAY", raising=False)
    result = runner.invoke(app, ["diff", "old.yaml", "new.yaml", "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    new = sorted(f["rule"] for f in data["new_findings"])
    assert new == ["CG-RED-011"]  # without the config's choice CG-RED-001 is new as well
    config.write_text("today: 2026-13-01\n", encoding="utf-8")
    for command in (["diff", "old.yaml", "new.yaml"], ["plan", "old.yaml", "-o", "t.yaml"]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, (command, result.output)
        assert result.stderr.startswith(".cellguard.yaml:1:8: error[invalid-date] today:")
        assert not (tmp_path / "t.yaml").exists()
