"""Serving figures a team leaves out or corrects: engine defaults, measured figures (issue 15)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cellguard.assessments.capacity import fleet
from cellguard.assessments.graph import StackGraph, build_graph
from cellguard.assessments.latency import latency_rows
from cellguard.models.catalog.engines import default_concurrency, engine_catalog
from cellguard.models.enums import ServingEngine
from cellguard.models.findings import Finding, Status
from cellguard.models.loader import SpecLoadError, load
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


def test_a_memory_bound_engine_runs_what_its_kv_cache_holds(tmp_path: Path) -> None:
    path = variant(tmp_path, "      max_concurrency: 128\n", "")
    path.write_text(path.read_text().replace("engine: vllm", "engine: sglang"))
    model = fleet(graph_of(path), LLM)
    assert model is not None and model.replica is not None
    # Qwen2.5-Coder 7B: 2 x 28 layers x 4 KV heads x 128 x 2 B = 57,344 B per token; the
    # journeys' context is 1,821 tokens (input + half the output, demand-weighted), so a
    # sequence holds 104.4 MB; (0.9 x 48 GB - 15.2 GB) / 104.4 MB = 268.2 sequences fit.
    assert model.replica.concurrency == 268
    assert model.row.throughput_basis["kv_cache_mb_per_sequence"] == 104.4
    assert "the engine admits what fits" in str(model.row.throughput_basis["assumed"])


# -- measured figures in the spec --------------------------------------------------------------

MEASURED = """\
      measured:
        output_tokens_per_s: 2400
        at_concurrency: 64
        ttft_p50_ms: 90
        ttft_p99_ms: 180
        measured_on: 2026-11-28
        method: vllm bench serve, 1500 in / 48 out, 64 concurrent users
"""


def with_measured(tmp_path: Path, measured: str = MEASURED) -> Path:
    return variant(tmp_path, "      max_concurrency: 128\n", measured)


def test_a_measured_throughput_wins_and_says_so(tmp_path: Path) -> None:
    path = with_measured(tmp_path)
    graph = graph_of(path)
    model = fleet(graph, LLM)
    assert model is not None and model.replica is not None
    row = model.row
    assert row.per_replica == 2400 and row.supply == 4800  # two replicas x the measurement
    assert row.throughput_source == (
        "measured: serving.measured (2026-11-28, vllm bench serve, 1500 in / 48 out, "
        "64 concurrent users)"
    )
    assert row.throughput_basis["measured_on"] == "2026-11-28"
    assert row.throughput_basis["at_concurrency"] == 64
    assert model.replica.concurrency == 64  # the measurement's concurrency stands in
    found = findings(path)
    assert ("CG-CAP-011", "coder-llm") not in found or found[
        ("CG-CAP-011", "coder-llm")
    ].status is Status.PASS
    rows = {r.journey: r for r in latency_rows(graph)}
    completion = rows["code-completion"]
    assert completion.model_sources[LLM].startswith("measured: serving.measured (2026-11-28")
    # TTFT: the fleet's p99 queue wait plus the measured TTFT p99 (not the prefill estimate).
    assert row.p99_wait_ms is not None
    assert completion.ttft_derived_ms == pytest.approx(row.p99_wait_ms + 180, abs=0.2)


def test_a_measured_ttft_alone_keeps_the_throughput_estimate(tmp_path: Path) -> None:
    only_ttft = (
        "      max_concurrency: 128\n"
        "      measured: {ttft_p99_ms: 250, measured_on: 2026-11-28, method: production p99}\n"
    )
    path = variant(tmp_path, "      max_concurrency: 128\n", only_ttft)
    model = fleet(graph_of(path), LLM)
    assert model is not None and model.replica is not None
    assert model.row.throughput_source == "estimate"
    assert model.replica.first_token_seconds(1500) == 0.25


@pytest.mark.parametrize(
    ("measured", "expected"),
    [
        ("{ttft_p50_ms: 300, ttft_p99_ms: 200, measured_on: 2026-11-28, method: m}", "median"),
        ("{output_tokens_per_s: 900, measured_on: 2026-11-28, method: m}", "at_concurrency"),
        ("{measured_on: 2026-11-28, method: m}", "says nothing"),
        (
            "{output_tokens_per_s: 1e12, at_concurrency: 8, measured_on: 2026-11-28, method: m}",
            "less than or equal to 1,000,000,000",
        ),
        ("{ttft_p99_ms: 0, measured_on: 2026-11-28, method: m}", "greater than 0"),
        ("{ttft_p99_ms: 200, measured_on: 1764547200, method: m}", "timestamp"),
        ("{ttft_p99_ms: 200, measured_on: 2026-11-28}", "method"),
    ],
)
def test_measured_figures_are_validated(tmp_path: Path, measured: str, expected: str) -> None:
    path = variant(tmp_path, "      max_concurrency: 128\n", f"      measured: {measured}\n")
    with pytest.raises(SpecLoadError) as info:
        load(path)
    rendered = "\n".join(d.render() for d in info.value.errors)
    assert "serving.measured" in rendered and expected in rendered
    assert re.search(rf"{path.name}:1[5-6]\d:\d+", rendered)  # file:line:column of the key
