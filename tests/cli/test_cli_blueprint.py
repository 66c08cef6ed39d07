"""``cellguard blueprint``: project files, golden, --force, --verify and hostile names."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

pytest.importorskip("pulumi_aws")

from cellguard.cli.main import app
from cellguard.iac.synth import installed_requirement
from tests.helpers import REPO

runner = CliRunner()
GOLDEN = REPO / "tests" / "golden" / "blueprint" / "cell-multi-region"
FILES = [
    "Pulumi.prod.yaml",
    "Pulumi.yaml",
    "README.md",
    "__main__.py",
    "requirements.txt",
    "target.yaml",
]
INSTALLED = "<the installed cellguard: cellguard.iac.synth.installed_requirement()>"
"""Stands in the golden requirements.txt for the line that depends on where cellguard is
installed (PEP 610 direct_url.json: this checkout's directory, a VCS commit, an index pin)."""


def test_project_files_match_the_golden(tmp_path: Path) -> None:
    out = tmp_path / "proj"
    result = runner.invoke(
        app, ["blueprint", str(REPO / "examples" / "cell-multi-region.yaml"), "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == FILES
    for name in FILES:
        golden = GOLDEN / name
        text = (out / name).read_text(encoding="utf-8")
        if name == "requirements.txt":
            first, rest = text.split("\n", 1)
            assert first == installed_requirement()
            text = f"{INSTALLED}\n{rest}"
        if os.environ.get("CELLGUARD_UPDATE_GOLDEN") == "1":
            golden.parent.mkdir(parents=True, exist_ok=True)
            golden.write_text(text, encoding="utf-8")
        assert text == golden.read_text(encoding="utf-8"), name


def test_refuses_a_non_empty_directory_without_force(tmp_path: Path) -> None:
    target = str(REPO / "examples" / "vllm-single-zone.yaml")
    (tmp_path / "keep.txt").write_text("x")
    refused = runner.invoke(app, ["blueprint", target, "-o", str(tmp_path)])
    assert refused.exit_code == 2
    assert "not empty" in refused.output
    assert not (tmp_path / "__main__.py").exists()
    forced = runner.invoke(
        app, ["blueprint", target, "-o", str(tmp_path), "--force", "--stack", "dev"]
    )
    assert forced.exit_code == 0, forced.output
    assert (tmp_path / "Pulumi.dev.yaml").is_file()


def test_verify_prints_every_check(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        [
            "blueprint",
            str(REPO / "examples" / "vllm-single-zone.yaml"),
            "-o",
            str(tmp_path / "p"),
            "--verify",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "19/19 checks passed" in result.stdout
    assert "PASS  kubernetes-schema: 16/16 objects valid" in result.stdout


def test_verify_exits_1_when_the_round_trip_differs(tmp_path: Path) -> None:
    """The rag example is no target: it claims a cross-region backup of prompts in a one-region
    stack, which no infrastructure can deliver; the invariant checks still run, all 19."""
    result = runner.invoke(
        app,
        [
            "blueprint",
            str(REPO / "examples" / "rag-support-assistant.yaml"),
            "-o",
            str(tmp_path / "p"),
            "--verify",
            "--today",
            "2026-11-21",
        ],
    )
    assert result.exit_code == 1, result.output
    assert "/19 checks passed" in result.stdout
    assert "round trip: 18 rules agree, 2 differ" in result.stdout
    assert "DIFF CG-RED-004" in result.stdout and "prompts: PASS -> FAIL" in result.stdout


HOSTILE = '"); import os; #'


def test_hostile_names_never_reach_code_and_still_run(tmp_path: Path) -> None:
    text = (REPO / "examples" / "cell-multi-region.yaml").read_text(encoding="utf-8")
    nasty = HOSTILE + "\\n'''\\\"\\\"\\\" quote"
    text = text.replace(
        "description: Customer assistant, cell-based and active-active in us-east-1 and us-west-2 (target)",
        f"description: {_yaml_str(nasty)}",
    )
    text = text.replace(
        "name: meta-llama/Llama-3.1-8B-Instruct", f"name: {_yaml_str(HOSTILE + ' model')}"
    )
    text = text.replace(
        '"444455556666.dkr.ecr.us-east-1.amazonaws.com/assistant/cell-api@sha256:',
        '"444455556666.dkr.ecr.us-east-1.amazonaws.com/assistant/cell-api\\"); import os; #@sha256:',
    )
    assert HOSTILE in text.replace('\\"', '"')
    spec = tmp_path / "hostile.yaml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "proj"
    result = runner.invoke(app, ["blueprint", str(spec), "-o", str(out), "--verify"])
    assert result.exit_code == 0, result.output
    assert "19/19 checks passed" in result.stdout
    for py in out.glob("*.py"):
        code = py.read_text(encoding="utf-8")
        assert (
            "import os" not in code
            and "quote" not in code
            and "model" not in code.replace("cellguard", "")
        )
    assert HOSTILE in (out / "target.yaml").read_text(encoding="utf-8").replace('\\"', '"')


def _yaml_str(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_a_platform_document_is_refused_with_a_hint(tmp_path: Path) -> None:
    platform = REPO / "examples" / "org" / "platform.yaml"
    result = runner.invoke(app, ["blueprint", str(platform), "-o", str(tmp_path / "proj")])
    assert result.exit_code == 2
    assert "holds no Stack" in result.output and "kind: Stack" in result.output
    assert not (tmp_path / "proj").exists()


def test_an_output_under_a_file_is_a_user_error(tmp_path: Path) -> None:
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    target = str(REPO / "examples" / "vllm-single-zone.yaml")
    result = runner.invoke(app, ["blueprint", target, "-o", str(tmp_path / "plain" / "proj")])
    assert result.exit_code == 2, result.output
    assert "cannot create" in result.output and "internal error" not in result.output


def test_the_cellguard_requirement_can_be_given(tmp_path: Path) -> None:
    """cellguard is on no index: a project deployed elsewhere names a git commit or a path."""
    target = str(REPO / "examples" / "vllm-single-zone.yaml")
    pinned = "cellguard[pulumi] @ git+https://github.com/OWNER/cellguard@0123456789abcdef"
    out = tmp_path / "proj"
    result = runner.invoke(
        app, ["blueprint", target, "-o", str(out), "--cellguard-requirement", pinned]
    )
    assert result.exit_code == 0, result.output
    lines = (out / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0] == pinned
    assert lines[1:] == ["pulumi>=3.120,<4", "pulumi-aws>=7,<8", "pulumi-kubernetes>=4.15,<5"]

    broken = runner.invoke(
        app,
        ["blueprint", target, "-o", str(tmp_path / "x"), "--cellguard-requirement", "a\nb"],
    )
    assert broken.exit_code == 2
    assert "is not one line of requirements.txt" in broken.output
    assert not (tmp_path / "x").exists()
