"""``cellguard policy-pack`` end to end through the typer app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from cellguard.blueprints.policies import catalog
from cellguard.cli.main import app

runner = CliRunner()

PACK = [
    "PulumiPolicy.yaml",
    "README.md",
    "__main__.py",
    "cellguard_policies/__init__.py",
    "cellguard_policies/catalog.py",
    "cellguard_policies/clusters.py",
    "cellguard_policies/data_stores.py",
    "cellguard_policies/pack.py",
    "cellguard_policies/props.py",
    "cellguard_policies/tags.py",
    "cellguard_policies/workloads.py",
    "requirements.txt",
]


def written(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*"))
        if p.is_file()
    }


def test_writes_a_self_contained_pack(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    result = runner.invoke(app, ["policy-pack", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stderr == f"wrote policy pack to {out} (12 files)\n"
    files = written(out)
    assert list(files) == PACK
    assert files["requirements.txt"] == b"pulumi>=3.120,<4\npulumi-policy>=1.21,<2\n"
    main = files["__main__.py"].decode()
    assert "from cellguard_policies.pack import build_policies" in main
    assert "PolicyPack(" in main
    source = Path(catalog.__file__).read_bytes()
    assert files["cellguard_policies/catalog.py"] == source


def test_refuses_to_overwrite_without_force_and_is_deterministic(tmp_path: Path) -> None:
    out = tmp_path / "pack"
    assert runner.invoke(app, ["policy-pack", "-o", str(out)]).exit_code == 0
    first = written(out)
    (out / "__main__.py").write_text("# edited\n", encoding="utf-8")

    refused = runner.invoke(app, ["policy-pack", "--output", str(out)])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"cellguard: error: {out} already holds 12 files of a pack, e.g. PulumiPolicy.yaml\n"
        "    hint: pass --force to overwrite them\n"
    )
    assert (out / "__main__.py").read_text(encoding="utf-8") == "# edited\n"

    forced = runner.invoke(app, ["policy-pack", "-o", str(out), "--force"])
    assert forced.exit_code == 0, forced.output
    assert written(out) == first  # byte-identical to the first run


def test_an_existing_empty_directory_is_used(tmp_path: Path) -> None:
    result = runner.invoke(app, ["policy-pack", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert list(written(tmp_path)) == PACK


def test_bad_output_paths_are_input_errors(tmp_path: Path) -> None:
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    result = runner.invoke(app, ["policy-pack", "-o", str(a_file)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cellguard: error: {a_file} is not a directory\n")

    missing = tmp_path / "no" / "such" / "dir"
    result = runner.invoke(app, ["policy-pack", "-o", str(missing)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"cellguard: error: cannot create {missing}")
    assert not (tmp_path / "no").exists()


def test_output_is_required() -> None:
    result = runner.invoke(app, ["policy-pack"])
    assert result.exit_code == 2
    assert "--output" in result.stderr


def test_writing_a_pack_needs_no_pulumi(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "for name in ('pulumi', 'pulumi_policy', 'pulumi_aws', 'pulumi_kubernetes'):\n"
        "    sys.modules[name] = None\n"
        "from cellguard.cli.main import run\n"
        "sys.argv = ['cellguard', 'policy-pack', '-o', sys.argv[1]]\n"
        "run()\n"
    )
    out = tmp_path / "pack"
    proc = subprocess.run(
        [sys.executable, "-c", script, str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert list(written(out)) == PACK
