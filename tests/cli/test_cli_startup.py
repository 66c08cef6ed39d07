"""Fast start (issue 19, item 3): a command imports what it uses, not the whole of cellguard.

Each check runs the real entry point in a fresh interpreter and reads which modules it imported
(no timing: ``benchmarks/startup.py`` measures the time).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from cellguard.cli.main import CellguardGroup, app
from tests.helpers import REPO

TRIVIAL_TREE = """<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="trivial">
    <define-gate name="top"><or><basic-event name="a"/><basic-event name="b"/></or></define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.01"/></define-basic-event>
    <define-basic-event name="b"><float value="0.02"/></define-basic-event>
  </model-data>
</opsa-mef>
"""

# what only assessing, reporting or planning needs
HEAVY = (
    "cellguard.rules",
    "cellguard.reports",
    "cellguard.planner",
    "cellguard.importers",
    "cellguard.iac",
    "cellguard.blueprints",
    "rich",
    "jinja2",
    "numpy",
)
LIGHT = {"cellguard.reports", "cellguard.reports.formats", "cellguard.reports.context"}
"""The report formats' names (options of assess, check and the config file): no renderer."""
SPEC_MODELS = ("pydantic", "yaml", "cellguard.models.stack", "cellguard.models.loader.document")
ENGINE = ("dd", "networkx", "cellguard.assessments")

PROBE = """
import atexit, json, sys
record = sys.argv[1]
def dump():
    with open(record, "w") as handle:
        json.dump(sorted(sys.modules), handle)
atexit.register(dump)
sys.argv = ["cellguard", *sys.argv[2:]]
from cellguard.cli.main import run
run()
"""


def imported(tmp_path: Path, *args: str) -> set[str]:
    """The modules a ``cellguard ARGS`` process imported (it must exit 0)."""
    record = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(record), *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(record.read_text(encoding="utf-8")))


def loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    """The packages of ``prefixes`` that ``modules`` holds."""
    heavy = modules - LIGHT
    return [p for p in prefixes if any(m == p or m.startswith(f"{p}.") for m in heavy)]


def command_modules(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("cellguard.cli.") and m.endswith("_cmd"))


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_import_no_command(tmp_path: Path, args: list[str]) -> None:
    modules = imported(tmp_path, *args)
    assert command_modules(modules) == []
    assert loaded(modules, HEAVY + SPEC_MODELS + ENGINE) == []


def test_faulttree_quantify_imports_the_engine_only(tmp_path: Path) -> None:
    """issue 21: a plain ``faulttree quantify`` runs without typer, pydantic or networkx
    (cellguard.cli.fast); only the engine and the command's own output code."""
    tree = tmp_path / "trivial.xml"
    tree.write_text(TRIVIAL_TREE, encoding="utf-8")
    modules = imported(tmp_path, "faulttree", "quantify", str(tree), "-f", "json")
    assert command_modules(modules) == []
    assert "cellguard.assessments.faulttree.quantify" in modules
    assert "cellguard.cli.faulttree_quantify" in modules
    framework = ("typer", "click", "pydantic", "networkx", "cellguard.cli.app")
    assert loaded(modules, (*HEAVY, *SPEC_MODELS, *framework)) == []


def test_faulttree_quantify_help_is_typers(tmp_path: Path) -> None:
    modules = imported(tmp_path, "faulttree", "quantify", "--help")
    assert command_modules(modules) == ["cellguard.cli.faulttree_cmd"]
    assert "typer" in modules
    assert loaded(modules, (*HEAVY, "cellguard.models.stack", "yaml", "dd")) == []


def test_validate_imports_the_loader_not_the_rules_or_the_engine(tmp_path: Path) -> None:
    spec = REPO / "examples" / "rag-support-assistant.yaml"
    modules = imported(tmp_path, "validate", str(spec))
    assert command_modules(modules) == ["cellguard.cli.validate_cmd"]
    assert "cellguard.cli.fast" not in modules  # only faulttree quantify's command line needs it
    assert "cellguard.models.stack" in modules
    assert loaded(modules, HEAVY + ENGINE) == []


def test_the_help_lists_each_command_with_its_own_help() -> None:
    group = typer.main.get_command(app)
    assert list(group.commands) == list(CellguardGroup.lazy_commands)
    with group.make_context("cellguard", ["--help"], resilient_parsing=True) as ctx:
        listed = group.get_help(ctx)  # from command_help: nothing imported
        for name in CellguardGroup.lazy_commands:
            command = group.commands[name]  # imports the command
            own = " ".join((command.help or "").split("\n\n")[0].split())
            assert CellguardGroup.command_help[name] == own, name
        assert group.get_help(ctx) == listed  # the same once every command is imported


def test_a_mistyped_command_is_still_suggested(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cellguard", "valdate"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Did you mean 'validate'?" in done.stderr


def test_assess_needs_no_networkx(tmp_path: Path) -> None:
    """issue 21 item 5: the graph is cellguard's own and dd is imported without networkx, so an
    assessment does not pay for importing networkx (0.2-0.3 s)."""
    spec = REPO / "examples" / "rag-support-assistant.yaml"
    modules = imported(tmp_path, "assess", str(spec), "-f", "json", "-o", str(tmp_path / "a.json"))
    assert "dd.cudd" in modules
    assert loaded(modules, ("networkx",)) == []


def test_assess_imports_the_signoff_modules_for_an_html_report_only(tmp_path: Path) -> None:
    """issue 21 item 5: only an HTML report of one spec shows a sign-off block; other runs of
    assess and check do not import the sign-off command, its records, signatures and store
    (15-20 ms)."""
    spec = str(REPO / "examples" / "rag-support-assistant.yaml")
    signoff = ("cellguard.cli.signoff_cmd", "cellguard.reports.signoff")
    modules = imported(tmp_path, "assess", spec, "-f", "json", "-o", str(tmp_path / "a.json"))
    assert loaded(modules, signoff) == []
    html = imported(tmp_path, "assess", spec, "-f", "html", "-o", str(tmp_path / "a.html"))
    assert loaded(html, signoff) == list(signoff)


def test_models_are_built_when_used_not_when_imported() -> None:
    """issue 21 item 5: importing the spec and catalog models builds no validator of its own;
    the documents' validator builds the spec models within itself, a catalog file's model the
    catalog models it holds, when first used."""
    probe = (
        "import cellguard.models.stack as s, cellguard.models.catalog.hardware as h\n"
        "from cellguard.models.components import ComponentBase\n"
        "print(s.Stack.__pydantic_complete__, ComponentBase.__pydantic_complete__,"
        " h.GpuCatalog.__pydantic_complete__, h.Gpu.__pydantic_complete__)\n"
        "h.gpu_catalog()\n"
        "print(h.GpuCatalog.__pydantic_complete__, h.Gpu.__pydantic_complete__)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split("\n")[:2] == ["False False False False", "True False"]
