"""Output paths that are symbolic links, pipes or appear meanwhile: nothing is overwritten
without ``--force``, and ``--force`` replaces a link itself, never the file it points to."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli import files
from cellguard.cli.exit_codes import UserError
from cellguard.cli.main import app
from tests.helpers import BASE_STACK, REPO

runner = CliRunner()
ORG = REPO / "examples" / "org"
TODAY = ["--today", "2026-11-21", "--no-plugins"]


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(BASE_STACK, encoding="utf-8")
    return path


def graph(spec: Path, output: Path, *extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["graph", str(spec), "-o", str(output), *extra])
    assert "internal error" not in result.output
    return result.exit_code, result.stderr


def test_a_dangling_link_needs_force(spec: Path, tmp_path: Path) -> None:
    link = tmp_path / "out.mmd"
    link.symlink_to(tmp_path / "nowhere.mmd")
    code, stderr = graph(spec, link)
    assert code == 2
    assert (
        f"{link} already exists (a dangling symbolic link to {tmp_path / 'nowhere.mmd'})"
    ) in stderr
    assert "hint: pass --force to replace the link itself (its target is not written)" in stderr
    assert link.is_symlink() and not (tmp_path / "nowhere.mmd").exists()


def test_a_looping_link_needs_force(spec: Path, tmp_path: Path) -> None:
    link = tmp_path / "loop.mmd"
    link.symlink_to(link)
    code, stderr = graph(spec, link)
    assert code == 2
    assert f"{link} already exists (a symbolic link to {link}, which loops)" in stderr
    assert link.is_symlink()


@pytest.mark.parametrize("kind", ["dangling", "looping", "to a file"])
def test_force_replaces_the_link_itself(spec: Path, tmp_path: Path, kind: str) -> None:
    link = tmp_path / "out.mmd"
    target = tmp_path / "precious.txt"
    if kind == "to a file":
        target.write_text("keep me\n", encoding="utf-8")
        target.chmod(0o600)
    link.symlink_to(link if kind == "looping" else target)
    code, stderr = graph(spec, link, "--force")
    assert code == 0, stderr
    assert not link.is_symlink() and link.is_file()
    assert link.read_text(encoding="utf-8").startswith("flowchart")
    assert stat.S_IMODE(link.stat().st_mode) == 0o666 & ~_umask()  # not the target's mode
    if kind == "to a file":
        assert target.read_text(encoding="utf-8") == "keep me\n"
    else:
        assert not target.exists()


def test_a_link_to_a_file_is_not_written_through_without_force(spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n", encoding="utf-8")
    link = tmp_path / "out.mmd"
    link.symlink_to(target)
    code, stderr = graph(spec, link)
    assert code == 2 and f"{link} already exists (a symbolic link to {target})" in stderr
    assert target.read_text(encoding="utf-8") == "keep me\n" and link.is_symlink()


def test_a_link_to_a_directory_is_never_replaced(spec: Path, tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    link = tmp_path / "out.mmd"
    link.symlink_to(tmp_path / "dir")
    for extra in ([], ["--force"]):
        code, stderr = graph(spec, link, *extra)
        assert code == 2
        assert f"{link} is a symbolic link to {tmp_path / 'dir'}, a directory" in stderr
        assert link.is_symlink()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_or_a_link_to_one_is_never_replaced(spec: Path, tmp_path: Path) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    link = tmp_path / "to-pipe"
    link.symlink_to(pipe)
    code, stderr = graph(spec, pipe, "--force")
    assert code == 2 and f"{pipe} is a named pipe, not a regular file" in stderr
    assert "hint: cellguard writes regular files; for standard output use -o - or leave" in stderr
    code, stderr = graph(spec, link, "--force")
    assert code == 2 and f"{link} is a symbolic link to {pipe}, a named pipe" in stderr
    assert stat.S_ISFIFO(pipe.lstat().st_mode) and link.is_symlink()


def test_assess_writes_no_report_when_one_output_is_a_dangling_link(
    spec: Path, tmp_path: Path
) -> None:
    first, second = tmp_path / "report.json", tmp_path / "report.sarif"
    second.symlink_to(tmp_path / "gone")
    outputs = ["-f", "json", "-o", str(first), "-f", "sarif", "-o", str(second)]
    result = runner.invoke(app, ["assess", str(spec), *outputs, *TODAY])
    assert result.exit_code == 2
    assert f"{second} already exists (a dangling symbolic link" in result.stderr
    assert not first.exists() and second.is_symlink()


def test_plan_of_an_organisation_refuses_a_dangling_link_among_its_targets(
    tmp_path: Path,
) -> None:
    out = tmp_path / "target"
    out.mkdir()
    taken = out / "platform.yaml"
    taken.symlink_to(tmp_path / "gone")
    result = runner.invoke(app, ["plan", str(ORG), "-o", str(out), *TODAY[:2]])
    assert result.exit_code == 2, result.output
    assert f"{taken} already exists" in result.stderr
    assert [p.name for p in out.iterdir()] == ["platform.yaml"] and taken.is_symlink()


def test_policy_pack_refuses_a_dangling_link_among_its_files(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    out.mkdir()
    (out / "PulumiPolicy.yaml").symlink_to(tmp_path / "gone")
    result = runner.invoke(app, ["policy-pack", "-o", str(out)])
    assert result.exit_code == 2, result.output
    assert f"{out} already holds 1 file of a pack, e.g. PulumiPolicy.yaml" in result.stderr
    assert [p.name for p in out.iterdir()] == ["PulumiPolicy.yaml"]


def test_a_file_created_after_the_check_is_not_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between the check and the rename another process creates the file: it is kept."""
    path = tmp_path / "out.txt"

    def late_writer(checked: Path, *, force: bool) -> None:
        checked.write_text("theirs\n", encoding="utf-8")

    monkeypatch.setattr(files, "check_writable", late_writer)
    with pytest.raises(UserError, match="already exists"):
        files.write_text_atomic(path, "ours\n", force=False)
    assert path.read_text(encoding="utf-8") == "theirs\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_without_hard_links_the_check_is_repeated_before_renaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system without hard links the file is renamed into place, after checking again."""

    def no_links(*args: object, **kwargs: object) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", no_links)
    fresh = tmp_path / "fresh.txt"
    files.write_text_atomic(fresh, "ours\n", force=False)
    assert fresh.read_text(encoding="utf-8") == "ours\n"

    late = tmp_path / "late.txt"
    monkeypatch.setattr(
        files, "check_writable", lambda p, *, force: p.write_text("theirs\n", encoding="utf-8")
    )
    with pytest.raises(UserError, match="already exists"):
        files.write_text_atomic(late, "ours\n", force=False)
    assert late.read_text(encoding="utf-8") == "theirs\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.txt", "late.txt"]
