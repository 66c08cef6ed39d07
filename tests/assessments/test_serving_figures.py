"""Serving figures a team leaves out or corrects: engine defaults, measured figures (issue 15)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.models.catalog.engines import default_concurrency, engine_catalog
from cellguard.models.enums import ServingEngine
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import load
from cellguard.rules.engine import run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import REPO

EXAMPLE = REPO / "examples" / "vllm-single-zone.yaml"
LLM = "forge-code-assistant/coder-llm"


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The example with ``old`` replaced by ``new`` (which must change it)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "vllm-single-zone.yaml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def without_concurrency(tmp_path: Path) -> Path:
    return variant(tmp_path, "      max_concurrency: 128\n", "")


def findings(path: Path) -> dict[tuple[str, str], Finding]:
    graph = build_graph(load(path))
    result = run_rules(graph, load_rules(plugins=False), today=dt.date(2026, 11, 21))
    return {(f.rule, f.target): f for f in result.findings}


def graph_of(path: Path) -> StackGraph:
    return build_graph(load(path))


# -- engine defaults -------------------------------------------------------------------------


def test_every_listed_engine_has_a_cited_default() -> None:
    engines = {e.engine: e for e in engine_catalog().engines}
    wanted = {
        ServingEngine.VLLM,
        ServingEngine.TGI,
        ServingEngine.SGLANG,
        ServingEngine.TENSORRT_LLM,
        ServingEngine.TRITON,
        ServingEngine.NIM,
    }
    assert wanted <= set(engines)
    for entry in engines.values():
        assert entry.source.url and entry.source.note and entry.setting


def test_documented_defaults() -> None:
    assert default_concurrency(ServingEngine.VLLM, "L40S") == 256
    assert default_concurrency(ServingEngine.VLLM, "H100-SXM") == 1024  # >= 70 GiB, not A100
    assert default_concurrency(ServingEngine.VLLM, "A100-80GB") == 256
    assert default_concurrency(ServingEngine.VLLM, None) == 256
    assert default_concurrency(ServingEngine.TGI, "L40S") == 128
    assert default_concurrency(ServingEngine.TENSORRT_LLM, "H100") == 2048
    assert default_concurrency(ServingEngine.SGLANG, "H100") is None  # memory-derived
    assert default_concurrency(ServingEngine.TRITON, "H100") is None  # mandatory setting
    assert default_concurrency(ServingEngine.OLLAMA, "H100") is None  # not catalogued


def test_vllm_without_max_concurrency_rests_on_the_engine_default(tmp_path: Path) -> None:
    path = without_concurrency(tmp_path)
    model = fleet(graph_of(path), LLM)
    assert model is not None and model.replica is not None
    row = model.row
    assert model.replica.concurrency == 256
    assert row.per_replica is not None and row.utilisation is not None
    assert row.throughput_basis["concurrency"] == 256
    assumed = row.throughput_basis["assumed"]
    assert isinstance(assumed, list)
    assert any("vllm default of --max-num-seqs" in str(a) for a in assumed)
    found = findings(path)
    supply = found[("CG-CAP-011", "coder-llm")]
    assert supply.status is Status.FAIL  # 1,960 output tokens/s on two L40S replicas
    latency = found[("CG-TIM-008", "code-completion")]
    assert latency.status is Status.FAIL  # the fleet is saturated at peak: a verdict, not UNKNOWN


def test_an_engine_without_a_fixed_default_stays_unknown(tmp_path: Path) -> None:
    path = variant(tmp_path, "      max_concurrency: 128\n", "")
    path.write_text(path.read_text().replace("engine: vllm", "engine: triton"))
    model = fleet(graph_of(path), LLM)
    assert model is not None
    assert model.row.per_replica is None
    assert any("triton has no fixed default" in m for m in model.row.missing)
