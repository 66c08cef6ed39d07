"""``cellguard signoff`` and ``verify`` read ``.cellguard.yaml`` like ``assess`` (review leftover):
a team that ignores rules or fixes the date in its config signs off and verifies the findings
its assessments show, without repeating the options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
RAG = REPO / "examples" / "rag-support-assistant.yaml"
CONFIG = """\
rules:
  ignore: [CG-OBS-*]
  plugins: false
today: 2026-11-22
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example and a config beside it, outside any git repository; cwd is there."""
    (tmp_path / "rag.yaml").write_text(RAG.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / ".cellguard.yaml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "no-ignore.yaml").write_text("today: 2026-11-22\n", encoding="utf-8")
    monkeypatch.delenv("CELLGUARD_TODAY", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_signoff_takes_the_date_and_the_rules_from_the_config(project: Path) -> None:
    result = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", "alice", "--decision", "approve"]
    )
    assert result.exit_code == 0, result.output
    (path,) = sorted((project / ".cellguard" / "signoffs").glob("*.json"))
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["date"] == "2026-11-22"  # today: in the config, not the system date
    assert path.name.startswith("2026-11-22-")
    # the same decision with the config's settings given as options records the same findings
    explicit = project / "explicit"
    explicit.mkdir()
    flags = ["--ignore", "CG-OBS-*", "--no-plugins", "--today", "2026-11-22"]
    again = runner.invoke(
        app,
        [
            "signoff",
            "rag.yaml",
            "--reviewer",
            "alice",
            "--decision",
            "approve",
            "--store",
            str(explicit),
            "--config",
            "no-ignore.yaml",
            *flags,
        ],
    )
    assert again.exit_code == 0, again.output
    (other,) = sorted((explicit / ".cellguard" / "signoffs").glob("*.json"))
    twin = json.loads(other.read_text(encoding="utf-8"))
    assert (twin["findings_sha256"], twin["rules_sha256"]) == (
        record["findings_sha256"],
        record["rules_sha256"],
    )


def test_verify_judges_with_the_rules_of_the_config(project: Path) -> None:
    signed = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", "alice", "--decision", "approve"]
    )
    assert signed.exit_code == 0, signed.output
    verified = runner.invoke(app, ["verify", "rag.yaml"])
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines()[-1] == "verified: rag.yaml is approved as it is"
    # another config without the ignore: the observability rules' findings are back
    other = runner.invoke(app, ["verify", "rag.yaml", "--config", "no-ignore.yaml", "--no-plugins"])
    assert other.exit_code == 1, other.output
    assert "not verified (findings changed): findings changed since the approval by alice on " in (
        other.stdout
    )
