"""Install (issue 19, item 1): cellguard built from this checkout works where the checkout is not.

The wheel is built from a copy of the checkout's build inputs (``pyproject.toml``, ``setup.py``,
``README.md`` and ``cellguard/``) with ``pip wheel --no-build-isolation --no-index`` (no network:
the build backend is this virtual environment's setuptools), installed with ``--no-deps`` into a
fresh virtual environment in a temporary directory, and run from a directory outside the checkout
on a copied example. The new environment sees this environment's site-packages after its own (a
``.pth`` file) for the dependencies only: cellguard itself is imported from the wheel, which the
tests check. A ``pip install git+file://...`` of the repository's HEAD and a ``pip install -r`` of
a generated blueprint's ``requirements.txt`` are checked the same way.

The tests skip, with the reason, where a wheel cannot be built without the network (no
setuptools >= 70.1 or ``wheel``, a pip older than 22.3, no ``venv`` module) or git is missing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.helpers import REPO

EXAMPLE = "rag-support-assistant.yaml"
TODAY = "2026-12-01"
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md")
NOT_BUILT = shutil.ignore_patterns("__pycache__", "*.pyc", "*.so", "*.egg-info")
PACKAGE_DATA_SUFFIXES = (".yaml", ".j2", ".pyi", ".typed", ".c")


def _version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2])


def build_impossible() -> str | None:
    """Why a wheel cannot be built and installed here without the network, or None."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    try:
        setuptools = version("setuptools")
    except PackageNotFoundError:
        return "setuptools is not installed in this environment (the build backend)"
    if _version_tuple(setuptools) < (70, 1) and find_spec("wheel") is None:
        return f"setuptools {setuptools} needs the 'wheel' package to build wheels"
    if find_spec("venv") is None:
        return "the venv module is missing"
    try:
        pip = version("pip")
    except PackageNotFoundError:
        return "pip is not installed in this environment"
    if _version_tuple(pip) < (22, 3):
        return f"pip {pip} has no --python option (22.3 or later)"
    return None


def clean_environment() -> dict[str, str]:
    """The caller's environment without anything that points Python at the checkout."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP")
        and not k.startswith(("PIP_", "CELLGUARD_"))
    }
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INPUT="1", PIP_NO_INDEX="1")
    return env


def run(argv: Sequence[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a process outside the checkout; fail the test with its output if it fails."""
    done = subprocess.run(
        [str(a) for a in argv],
        cwd=cwd,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{argv} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@dataclass(frozen=True)
class Environment:
    """A fresh virtual environment: its interpreter, scripts and site-packages."""

    root: Path

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def cellguard(self) -> Path:
        return self.root / "bin" / "cellguard"

    def site_packages(self) -> Path:
        out = run(
            [self.python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            self.root,
        )
        return Path(out.stdout.strip())

    def see_dependencies(self) -> None:
        """Let this environment import the dependencies installed in the running one (after
        its own site-packages, so its cellguard comes first)."""
        ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
        lines = "".join(f"{p}\n" for p in sorted(ours))
        (self.site_packages() / "_cellguard_test_dependencies.pth").write_text(lines)

    def pip_install(self, *args: str | Path, cwd: Path) -> None:
        run([sys.executable, "-m", "pip", "--python", self.python, "install", *args], cwd)


def new_environment(path: Path) -> Environment:
    run([sys.executable, "-m", "venv", "--without-pip", path], path.parent)
    return Environment(path)


def cellguard_origin(env: Environment, cwd: Path) -> tuple[Path, str]:
    """Where ``env`` imports cellguard from, and the version its metadata gives."""
    code = (
        "import cellguard, importlib.metadata as m; "
        "print(cellguard.__file__); print(m.version('cellguard')); print(cellguard.__version__)"
    )
    file, version, attribute = run([env.python, "-c", code], cwd).stdout.split()
    assert version == attribute  # __version__ is the metadata's version
    return Path(file), version


def project_version() -> str:
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reason = build_impossible()
    if reason:
        pytest.skip(f"cannot build a wheel without the network here: {reason}")
    source = tmp_path_factory.mktemp("source")
    for name in BUILD_INPUTS:
        shutil.copy2(REPO / name, source / name)
    shutil.copytree(REPO / "cellguard", source / "cellguard", ignore=NOT_BUILT)
    dist = tmp_path_factory.mktemp("dist")
    run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--wheel-dir",
            dist,
            source,
        ],
        dist,
    )
    (built,) = dist.glob("cellguard-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Environment:
    env = new_environment(tmp_path_factory.mktemp("venvs") / "wheel-env")
    env.pip_install("--no-deps", "--no-index", wheel, cwd=env.root)
    env.see_dependencies()  # after the install: pip would see the checkout's cellguard
    return env


def test_the_wheel_holds_every_package_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = sorted(
        p.relative_to(REPO).as_posix()
        for p in (REPO / "cellguard").rglob("*")
        if p.is_file() and p.name.endswith(PACKAGE_DATA_SUFFIXES) and "__pycache__" not in p.parts
    )
    assert len(data) > 40  # catalogs, rule cases, the starter spec, the HTML template, ...
    assert "cellguard/cli/starter.yaml" in data
    assert "cellguard/reports/templates/report.html.j2" in data
    assert [name for name in data if name not in names] == []
    assert f"cellguard-{project_version()}.dist-info/entry_points.txt" in names


def test_the_installed_wheel_validates_assesses_and_plans_outside_the_checkout(
    installed: Environment, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(REPO / "examples" / EXAMPLE, work / EXAMPLE)

    file, version = cellguard_origin(installed, work)
    assert file.is_relative_to(installed.root)  # the wheel's copy, not the checkout
    assert version == project_version()  # one source: pyproject.toml -> metadata
    out = run([installed.cellguard, "--version"], work).stdout
    assert out == f"cellguard {project_version()}\n"

    out = run([installed.cellguard, "validate", EXAMPLE], work).stdout
    assert out.startswith(f"ok {EXAMPLE}: stack 'rag-support-assistant'")

    cg = installed.cellguard
    run(
        [cg, "assess", EXAMPLE, "--today", TODAY, "--no-plugins", "-f", "json", "-o", "a.json"],
        work,
    )
    run(
        [cg, "assess", EXAMPLE, "--today", TODAY, "--no-plugins", "-f", "html", "-o", "a.html"],
        work,
    )
    run(
        [
            cg,
            "plan",
            EXAMPLE,
            "--today",
            TODAY,
            "--no-plugins",
            "-o",
            "target.yaml",
            "--plan-output",
            "plan.md",
        ],
        work,
    )
    run([cg, "validate", "target.yaml"], work)
    run([cg, "init", "starter.yaml"], work)  # the packaged starter spec
    run([cg, "validate", "starter.yaml"], work)

    # the installed cellguard computes what the checkout computes
    from cellguard.cli.main import app

    monkeypatch.chdir(work)
    here = CliRunner().invoke(
        app, ["assess", EXAMPLE, "--today", TODAY, "--no-plugins", "-f", "json"]
    )
    assert here.exit_code == 0, here.output
    installed_report = json.loads((work / "a.json").read_text(encoding="utf-8"))
    assert installed_report == json.loads(here.stdout)
    assert installed_report["findings"]
    html = (work / "a.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "rag-support-assistant" in html
    assert (work / "plan.md").read_text(encoding="utf-8").startswith("# cellguard remediation plan")


def test_a_generated_blueprint_installs_the_cellguard_its_requirements_name(
    installed: Environment, wheel: Path, tmp_path: Path
) -> None:
    pytest.importorskip("pulumi", reason="the pulumi extra is not installed")
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy2(REPO / "examples" / "cell-multi-region.yaml", work / "cells.yaml")
    run([installed.cellguard, "blueprint", "cells.yaml", "-o", "infra"], work)
    requirements = (work / "infra" / "requirements.txt").read_text(encoding="utf-8")
    first = requirements.splitlines()[0]
    assert first == f"cellguard[pulumi] @ {wheel.as_uri()}" or first.startswith(
        f"cellguard[pulumi] @ {wheel.as_uri()}#sha256="
    )

    # install exactly that file into another fresh environment (dependencies already present)
    target = new_environment(tmp_path / "deploy-env")
    target.see_dependencies()
    target.pip_install("--no-index", "-r", work / "infra" / "requirements.txt", cwd=work / "infra")
    file, version = cellguard_origin(target, work)
    assert file.is_relative_to(target.root)
    assert version == project_version()
    run([target.python, "-c", "import cellguard.blueprints.program"], work / "infra")


def test_pip_installs_from_a_git_url(tmp_path: Path) -> None:
    if build_impossible() or shutil.which("git") is None:
        pytest.skip(f"cannot build here without the network: {build_impossible() or 'no git'}")
    if not (REPO / ".git").exists():
        pytest.skip("the checkout is not a git repository")
    env = new_environment(tmp_path / "git-env")
    env.see_dependencies()  # the build backend (setuptools) and the dependencies
    commit = run(["git", "rev-parse", "HEAD"], REPO).stdout.strip()
    url = f"git+{REPO.as_uri()}@{commit}"  # as the README says: pin a commit (no tags yet)
    env.pip_install("--no-deps", "--no-build-isolation", "--no-index", url, cwd=tmp_path)
    file, version = cellguard_origin(env, tmp_path)
    assert file.is_relative_to(env.root)
    assert version == project_version()
    out = run([env.cellguard, "init", "-"], tmp_path).stdout
    assert "apiVersion: cellguard/v1" in out
