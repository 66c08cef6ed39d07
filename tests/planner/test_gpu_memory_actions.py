"""CG-CAP-011 failures that more replicas cannot fix: weights or a hot set that do not fit in a
replica's GPUs get a step saying so, with the ways that help (review leftover of issue 17)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import REPO
from tests.planner.conftest import Planned, plan_of

EXAMPLE = (REPO / "examples" / "vllm-single-zone.yaml").read_text(encoding="utf-8")
SERVING = "      max_concurrency: 128\n"


def _plan(tmp_path: Path, *replacements: tuple[str, str]) -> Planned:
    text = EXAMPLE
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new, 1)
    spec = tmp_path / "coder.yaml"
    spec.write_text(text, encoding="utf-8")
    return plan_of(spec)


def _steps(planned: Planned, action: str) -> tuple[list[str], list[str]]:
    changes = [
        c.description
        for c in planned.plan.changes
        if c.action == action and c.target == "coder-llm"
    ]
    manual = [
        m.description
        for m in planned.plan.manual_steps
        if m.action == action and m.target == "coder-llm"
    ]
    return changes, manual


def test_weights_that_do_not_fit_get_more_gpus_per_replica_not_more_replicas(
    tmp_path: Path,
) -> None:
    # 72B at bf16 = 144 GB on one 48 GB L40S (90% usable: 43.2 GB). The measured throughput
    # (200 tokens/s a replica) used to make the action size the fleet: 7 replicas, none of
    # which can start.
    measured = (
        "      measured: {output_tokens_per_s: 200, at_concurrency: 32, "
        "measured_on: 2026-11-01, method: vllm bench serve}\n"
    )
    planned = _plan(
        tmp_path,
        ("      params_b: 7.6\n", "      params_b: 72\n"),
        (SERVING, SERVING + measured),
    )
    (finding,) = [
        f for f in planned.before.findings if f.rule == "CG-CAP-011" and f.target == "coder-llm"
    ]
    assert finding.message.startswith("coder-llm cannot start: 144 GB of weights")
    changes, manual = _steps(planned, "add-gpu-capacity")
    assert changes == []  # no replicas added
    assert manual == [
        "coder-llm: more replicas cannot fix this; each replica holds its own copy of the 144 GB "
        "of weights (72B at bf16), and 1 x L40S (48 GB each, 90% usable) cannot. Give each "
        "replica room for them: 4 x L40S per replica (serving.gpus_per_replica: 4, tensor "
        "parallelism over a power of two of GPUs), e.g. on g6e.12xlarge; or int4 weights "
        "(36 GB, quantised). Then size the fleet for peak demand."
    ]
    # 144 / 43.2 = 3.3 GPUs -> 4; fp8 (72 GB) does not fit one L40S, int4 (36 GB) does
    (left,) = [u for u in planned.plan.unresolved if u.finding.fingerprint == finding.fingerprint]
    assert left.reason.startswith("manual step: coder-llm: more replicas cannot fix this")
    assert "the planner tried" not in left.reason  # it used to try 7 replicas per region
    stable_changes, stable_manual = _steps(planned, "statically-stable-gpus")
    assert stable_changes == []
    assert stable_manual and stable_manual[0].startswith("coder-llm: more replicas cannot fix")


def test_a_hot_set_that_does_not_fit_gets_fewer_resident_models_not_more_replicas(
    tmp_path: Path,
) -> None:
    hosted = (
        "      hosted_models: [{name: qwen-coder-7b, size_gb: 16}, {name: tenant-loras, "
        "count: 2000, size_gb: 0.1, access: {hit_ratio: 0.9}, load_gb_per_s: 1}]\n"
    )
    planned = _plan(tmp_path, (SERVING, SERVING + hosted))
    changes, manual = _steps(planned, "add-gpu-capacity")
    assert changes == []
    # 16 GB + 1,800 hot adapters x 0.1 GB = 196 GB against 90% of 48 GB = 43.2 GB
    assert manual == [
        "coder-llm: more replicas cannot fix this; each replica must keep 196.0 GB of hosted "
        "models resident and its GPUs hold at most 43.2 GB of weights. Lower "
        "serving.hosted_models access.hit_ratio (and count the cold loads in the latency "
        "budget), serve adapters instead of full copies, or give each replica GPUs with more "
        "memory."
    ]


def test_a_fleet_short_of_throughput_still_gets_replicas(tmp_path: Path) -> None:
    planned = _plan(tmp_path)
    changes, _ = _steps(planned, "add-gpu-capacity")
    assert len(changes) == 1 and "replicas per region for peak" in changes[0]
