"""The help of ``cellguard import k8s`` names every kind the importer turns into a workload."""

from __future__ import annotations

import re

from cellguard.cli import import_cmd
from cellguard.importers.k8s import WORKLOADS


def test_import_k8s_help_lists_every_workload_kind() -> None:
    doc = re.sub(r"\s+", " ", import_cmd.k8s.__doc__ or "")
    missing = [kind for kind in WORKLOADS if not re.search(rf"\b{kind}s?\b", doc)]
    assert missing == [], f"add {missing} to the docstring of cellguard.cli.import_cmd.k8s"
