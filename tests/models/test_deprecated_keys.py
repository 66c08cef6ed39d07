"""Deprecated keys: accepted with a located warning, folded into the new name, never silent."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.models.components.data import PromptStore

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _spec(tmp_path: Path, old: str, new: str) -> Path:
    text = (REPO / "examples" / "rag-support-assistant.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "spec.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def test_versioned_on_a_prompt_store_is_folded_into_versioning() -> None:
    store = PromptStore.model_validate({"id": "p", "kind": "prompt_store", "versioned": False})
    assert store.versioning is False


def test_versioned_is_a_located_warning_not_an_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "    versioning: true", "    versioned: true")
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    line = _line_of(spec, "versioned: true")
    assert f"spec.yaml:{line}" in result.stderr
    assert "'versioned' on prompt store" in result.stderr and "write 'versioning'" in result.stderr


def test_contradicting_spellings_are_an_error(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "    versioning: true", "    versioning: true\n    versioned: false")
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 2
    assert "'versioned: false' contradicts 'versioning: true'" in result.stderr


def test_static_typing_is_accepted_with_a_warning(tmp_path: Path) -> None:
    spec = _spec(tmp_path, "rollback: true}", "rollback: true, static_typing: true}")
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    assert f"spec.yaml:{_line_of(spec, 'static_typing')}" in result.stderr
    assert "no check reads it" in result.stderr
