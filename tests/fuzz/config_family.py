"""The config-file family: ``.cellguard.yaml`` mutated, read by the commands that use it.

config: a config naming the example spec (``paths``), rule selection, the date, the list
threshold, reports and the ``check`` gate (its baseline a JSON report of the example), mutated
like a spec (a tree mutation with hostile values and keys, or byte damage); found by discovery
in the working directory, or (1 in 10) named with ``--config`` at a path that is not a regular
file. Commands: ``config`` (text or JSON), ``validate``, ``assess`` and ``check``, with or
without a PATH of their own (without one the config's ``paths`` are read). ``assess`` and
``check`` always name their formats on the command line, so the config's ``reports`` are read
and checked but never written.
"""

from __future__ import annotations

from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from tests.fuzz import commands as cmd
from tests.fuzz.commands import Setup
from tests.fuzz.families import Case, _reread, mutate_yaml
from tests.fuzz.mutate import Mutation
from tests.fuzz.oracle import Invocation
from tests.fuzz.seeds import EXAMPLES, baseline_seed

CONFIG = ".cellguard.yaml"
SPEC = "rag-support-assistant.yaml"
CONFIG_SEED = """\
# the team's settings
paths: [spec.yaml]
rules:
  select: [CG-RED-*, CG-CAP-*, CG-COR-001]
  ignore: [CG-RED-009]
  plugins: false
today: 2026-11-21
min_severity: low
quiet: false
reports:
  - format: compact
  - format: json
    output: configured.json
check:
  baseline: base.json
  fail_on: medium
  min_score: 10
  min_assurance: 5
"""
"""A config using every key; every path in it is in the case's workspace."""

COMMANDS = ["config", "config", "validate", "assess", "assess", "check", "check"]


def _named_paths(data: Any) -> list[str]:
    """The ``paths`` a mutated config still names (they locate errors about those files)."""
    if not isinstance(data, dict) or not isinstance(data.get("paths"), list):
        return []
    return [p for p in data["paths"] if isinstance(p, str) and 0 < len(p) <= 200]


def _inside(path: str) -> bool:
    """A path that stays in the workspace: nothing absolute, no '..' (a config pointing at
    ``/`` reads the whole disk, as ``assess /`` would: not a property of the config file)."""
    return not path.startswith(("/", "~")) and ".." not in path and path.strip() not in ("", ".")


@st.composite
def _command(draw: st.DrawFn, which: str, own_path: bool) -> tuple[list[Invocation], Setup]:
    paths = ["spec.yaml"] if own_path else []
    if which == "config":
        fmt = draw(st.sampled_from(["text", "json"]))
        inv = Invocation(["config", *paths, "-f", fmt])
        inv.stdout_format = "json" if fmt == "json" else "text"
        return [inv], Setup()
    if which == "validate":
        return draw(cmd.validate(paths))
    if which == "assess":
        return draw(cmd.assess(paths))
    return draw(cmd.check(paths))


@st.composite
def config_case(draw: st.DrawFn) -> Case:
    """The config with one mutation (or at a special path), through one command."""
    files = {
        "spec.yaml": (EXAMPLES / SPEC).read_bytes(),
        "base.json": baseline_seed(SPEC).encode("utf-8"),
    }
    data = _reread(CONFIG_SEED)
    config_path, setup = CONFIG, Setup()
    if draw(st.integers(0, 9)) == 0:
        config_path, setup, kind = draw(cmd.special_path("ci.yaml"))
        mutation = Mutation("special-path", f"--config {kind}")
        files[CONFIG] = CONFIG_SEED.encode("utf-8")
        named: list[str] = []
    else:
        files[CONFIG], mutation = draw(mutate_yaml(CONFIG_SEED, data))
        named = _named_paths(_reread(files[CONFIG].decode("utf-8", "replace")))
        assume(all(_inside(p) for p in named))
    which = draw(st.sampled_from(COMMANDS))
    invocations, more = draw(_command(which, own_path=draw(st.booleans())))
    for inv in invocations:
        inv.inputs += [CONFIG, "spec.yaml", "base.json", *named]
        if config_path != CONFIG:
            inv.argv += ["--config", config_path]
            inv.inputs.append(config_path)
            inv.options.append("--config")
    return Case("config", "config", mutation, files, invocations, setup.merge(more))
