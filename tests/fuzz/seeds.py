"""Seeds of the fuzz families: read from the repository or written by cellguard itself.

The JSON reports, the exported fault tree and the sign-off records are made once per session
by running cellguard in-process, so the seeds follow the code as it changes (a new report field
or record format is fuzzed as soon as it exists).
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.fuzz.commands import COMMON
from tests.fuzz.mutate import walk
from tests.helpers import REPO

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

EXAMPLES = REPO / "examples"
ARALIA = REPO / "benchmarks" / "data" / "aralia"
MEF_SEEDS = ("chinese", "das9205", "isp9605", "baobab2")
PACK_SEEDS = (
    "obs/cg_obs_003_tracing.yaml",
    "fi/cg_fi_008_write_tool_least_privilege.yaml",
    "cor/cg_cor_011_typed_tools.yaml",
    "obs/cg_obs_002_gpu_metrics.yaml",
)
MIB = 1 << 20


def _invoke(argv: list[str]) -> str:
    """Standard output of a cellguard command that must succeed (exit code 0 or 1)."""
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"seed command failed: {argv}: {result.stderr}")
    return result.stdout


def parsed(data: str | bytes) -> object:
    """A JSON document as data, or None when it does not parse (as Python reads it)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


@functools.cache
def spec_seeds() -> dict[str, tuple[str, Any]]:
    """The example stacks: name -> (text, parsed data)."""
    out = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out[path.name] = (text, yaml.load(text, Loader=_Loader))
    return out


@functools.cache
def org_seed() -> dict[str, tuple[str, Any]]:
    """The organisation example's files: name -> (text, parsed data)."""
    return {
        p.name: (
            p.read_text(encoding="utf-8"),
            yaml.load(p.read_text(encoding="utf-8"), Loader=_Loader),
        )
        for p in sorted((EXAMPLES / "org").glob("*.yaml"))
    }


@functools.cache
def baseline_seed(name: str) -> str:
    """``assess --format json`` of an example (or of ``org``), as this cellguard writes it."""
    return _invoke(["assess", str(EXAMPLES / name), "-f", "json", *COMMON])


@functools.cache
def mef_seeds() -> dict[str, str]:
    """Aralia trees and the chat journey of the RAG example exported by cellguard."""
    seeds = {f"{n}.xml": (ARALIA / f"{n}.xml").read_text(encoding="utf-8") for n in MEF_SEEDS}
    rag = str(EXAMPLES / "rag-support-assistant.yaml")
    seeds["rag-chat.xml"] = _invoke(["faulttree", "export", rag, "--journey", "chat"])
    return seeds


@functools.cache
def pack_seeds() -> dict[str, tuple[str, Any]]:
    """Built-in declarative rules with their ids moved to ACME-..., so they load as a pack."""
    out = {}
    for rel in PACK_SEEDS:
        text = (REPO / "cellguard" / "rules" / "builtin" / rel).read_text(encoding="utf-8")
        text = re.sub(r"^id: CG-(\w+)-0(\d\d)", r"id: ACME-\1-9\2", text, count=1, flags=re.M)
        out[rel.split("/")[-1]] = (text, yaml.load(text, Loader=_Loader))
    return out


@functools.cache
def signoff_seeds() -> dict[str, dict[str, bytes]]:
    """Per example: the spec and a store with a rejection then an approval of it."""
    out = {}
    for name in ("rag-support-assistant.yaml", "vllm-single-zone.yaml"):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "spec.yaml").write_bytes((EXAMPLES / name).read_bytes())
            for decision in ("reject", "approve"):
                argv = ["signoff", str(root / "spec.yaml"), "--reviewer", "alice"]
                _invoke([*argv, "--decision", decision, "--store", str(root), *COMMON])
            out[name] = {
                str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()
            }
    return out


def json_keys(*texts: str | bytes) -> list[str]:
    """Every key of the JSON documents that parse (what a key path in an error may name)."""
    keys: set[str] = set()
    for text in texts:
        data = parsed(text)
        keys |= {p[-1] for p in walk(data) if isinstance(p[-1], str)}
    return sorted(keys)
