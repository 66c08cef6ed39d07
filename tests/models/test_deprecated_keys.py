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


def test_keys_no_check_reads_are_located_warnings_saying_what_to_declare(tmp_path: Path) -> None:
    """Issue 15 item 6: mean_rps, a store's data size and vector count, an observability
    component's signals and an agent's tools were accepted and read by nothing."""
    text = (REPO / "examples" / "cell-multi-region.yaml").read_text(encoding="utf-8")
    for old, new in (
        ("        peak_rps: 60\n", "        peak_rps: 60\n        mean_rps: 22\n"),
        (
            "    data: {recreate_hours: 36}\n",
            "    data: {recreate_hours: 36, size_gb: 310, vectors: 4}\n",
        ),
        ("    provider: opentelemetry\n", "    provider: opentelemetry\n    signals: [traces]\n"),
    ):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    spec = tmp_path / "spec.yaml"
    spec.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["validate", str(spec)])
    assert result.exit_code == 0, result.output
    for needle, says in (
        ("mean_rps: 22", "judged at demand.peak_rps"),
        ("size_gb: 310", "'data.size_gb' of 'kb' is deprecated"),
        ("size_gb: 310", "'data.vectors' of 'kb' is deprecated"),
        ("signals: [traces]", "declare practices.observability"),
    ):
        assert f"spec.yaml:{_line_of(spec, needle)}" in result.stderr
        assert says in result.stderr
    assert result.stderr.count("no check reads it, so it has no effect") == 4


def test_an_agents_tools_are_deprecated_for_depends_on(tmp_path: Path) -> None:
    text = (REPO / "examples" / "org" / "legal-assistant.yaml").read_text(encoding="utf-8")
    deps = "    depends_on:\n      - {to: review-jobs, timeout_ms: 20000}"
    assert text.count(deps) == 1
    org = tmp_path / "org"
    org.mkdir()
    for path in (REPO / "examples" / "org").glob("*.yaml"):
        (org / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    spec = org / "legal-assistant.yaml"
    spec.write_text(text.replace(deps, "    tools: [clause-library]\n" + deps), encoding="utf-8")
    result = runner.invoke(app, ["validate", str(org)])
    assert result.exit_code == 0, result.output
    assert f"legal-assistant.yaml:{_line_of(spec, 'tools: [clause-library]')}" in result.stderr
    assert "list each tool the agent calls in depends_on" in result.stderr


def test_the_examples_use_no_deprecated_key() -> None:
    for path in [*sorted((REPO / "examples").glob("*.yaml")), REPO / "examples" / "org"]:
        result = runner.invoke(app, ["validate", str(path)])
        assert "deprecated-key" not in result.stderr, (path, result.stderr)
