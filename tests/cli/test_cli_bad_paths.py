"""Bad output paths and dates: exit 2 with the path and what is wrong, nothing written."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO

runner = CliRunner()
ORG = REPO / "examples" / "org"
VLLM = REPO / "examples" / "vllm-single-zone.yaml"
TODAY = ["--today", "2026-11-21"]


def test_plan_of_an_organisation_into_a_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["plan", str(ORG), "-o", str(tmp_path / "afile" / "sub"), *TODAY])
    assert result.exit_code == 2, result.output
    assert f"cannot create {tmp_path / 'afile' / 'sub'}" in result.stderr
    assert "internal error" not in result.stderr


def test_an_output_whose_parent_is_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    target = tmp_path / "afile" / "target.yaml"
    result = runner.invoke(app, ["plan", str(VLLM), "-o", str(target), *TODAY])
    assert result.exit_code == 2, result.output
    assert f"{tmp_path / 'afile'} is not a directory" in result.stderr


def test_blueprint_checks_its_date_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "bp"
    for extra in ([], ["--verify"]):
        result = runner.invoke(
            app, ["blueprint", str(VLLM), "-o", str(out), "--today", "garbage", *extra]
        )
        assert result.exit_code == 2, result.output
        assert "invalid date 'garbage'" in result.stderr
        assert not out.exists()


def test_blueprint_of_a_missing_target(tmp_path: Path) -> None:
    result = runner.invoke(app, ["blueprint", str(tmp_path / "nope.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "nope.yaml: no such file" in result.stderr


def test_an_empty_today_is_refused() -> None:
    result = runner.invoke(app, ["assess", str(VLLM), "--today", ""])
    assert result.exit_code == 2
    assert "--today is empty" in result.stderr
