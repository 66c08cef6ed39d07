"""The rule split is Linux's; elsewhere (no ``fcntl``, no ``fork``: Windows) ``assess`` must
just work, in one process."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import REPO

_WITHOUT_FCNTL = """
import sys
sys.modules["fcntl"] = None  # as on Windows: importing it fails
sys.argv = ["cellguard", *sys.argv[1:]]
from cellguard.cli.main import run
run()
"""


def test_assess_without_fcntl_is_assess() -> None:
    spec = str(REPO / "examples" / "vllm-single-zone.yaml")
    args = ["assess", spec, "--format", "json", "--today", "2026-11-21", "--no-plugins"]
    usual = subprocess.run(
        [sys.executable, "-m", "cellguard", *args], capture_output=True, cwd=REPO, check=False
    )
    without = subprocess.run(
        [sys.executable, "-c", _WITHOUT_FCNTL, *args], capture_output=True, cwd=REPO, check=False
    )
    assert without.stderr == b""  # was a traceback: rules/parallel.py imported fcntl
    assert without.returncode == usual.returncode
    assert without.stdout == usual.stdout and usual.stdout.startswith(b"{")
