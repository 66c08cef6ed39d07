"""Whole-process benchmark of ``cellguard assess`` on generated organisations.

Run:  .venv/bin/python benchmarks/assess_scale.py [--components 1000 10000] [--repeat 3]
      [--against SRC]

With ``--against SRC`` (a checkout of another commit, e.g. ``git worktree add /tmp/old REF``)
every repeat runs that tree's code (``PYTHONPATH=SRC``, same interpreter and packages) right
before this one, so that both see the same machine load, and the table gives both best times
and their ratio (after / before).

For each size it writes an organisation directory -- one platform with a shared vector
store, model gateway and quota-bound model, plus stacks of 50 components each (apps, gateways,
guardrails, agents, tools, self-hosted and managed models, vector stores, prompt stores,
caches, queues, databases, ingestion pipelines) with two journeys per stack and cross-stack
calls into the platform -- then runs ``cellguard assess DIR --format json`` as a child
process and reports the best wall time and the child's peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

STACK_SIZE = 50
ROOT = Path(__file__).resolve().parent.parent
CELLGUARD = Path(sys.executable).with_name("cellguard")

TOPOLOGY = {
    "accounts": ["prod", "backup"],
    "regions": [
        {"name": "us-east-1", "zones": ["use1-az1", "use1-az2", "use1-az4"]},
        {"name": "us-west-2", "zones": ["usw2-az1", "usw2-az2", "usw2-az3"]},
    ],
}


def _component(i: int) -> dict[str, Any]:
    """Component ``c<i>`` of a stack: a deterministic mix of kinds and settings."""
    flag = i % 3 != 0
    service = {
        "runtime": "eks",
        "placement": {"zones": 1 + i % 3},
        "replicas": 2 + i % 4,
        "protections": {"rate_limiting": flag, "load_shedding": i % 2 == 0, "backoff_jitter": flag},
        "rollout": {"strategy": ["canary", "rolling", "all_at_once"][i % 3]},
        "image": {"reference": f"registry.example/c{i}:1.{i}"},
    }
    kinds: list[dict[str, Any]] = [
        {"kind": "app", **service},
        {"kind": "gateway", **service},
        {"kind": "guardrail", "checks": ["input_toxicity", "output_toxicity"], **service},
        {
            "kind": "model_endpoint",
            "hosting": "self_hosted",
            "model": {"name": "meta-llama/Llama-3.1-8B-Instruct", "context_tokens": 128000},
            "serving": {"engine": "vllm", "gpu": "L40S", "instance_types": ["g6e.xlarge"]},
            "capacity": {"purchase": "on_demand"},
            "health": {"gpu_health_checks": flag, "node_auto_repair": flag},
            **service,
        },
        {
            "kind": "vector_store",
            "engine": "opensearch",
            "placement": {"zones": 2},
            "backups": [{"scope": "same_region", "every_minutes": 60}],
        },
        {"kind": "prompt_store", "engine": "dynamodb", "versioned": flag},
        {"kind": "cache", "engine": "redis", "semantic": flag},
        {"kind": "database", "engine": "dynamodb", "backups": []},
        {"kind": "agent", "max_iterations": 8 if flag else None, "isolation": "service", **service},
        {"kind": "tool", "permissions": "write", "least_privilege": flag, **service},
    ]
    comp = {k: v for k, v in kinds[i % len(kinds)].items() if v is not None}
    return {"id": f"c{i}", **comp}


def stack_spec(name: str) -> dict[str, Any]:
    """A stack of :data:`STACK_SIZE` components whose calls form a layered graph."""
    comps = [_component(i) for i in range(STACK_SIZE)]
    for i, comp in enumerate(comps):
        if comp["kind"] in ("app", "gateway", "agent"):
            targets = range(i + 1, min(i + 5, STACK_SIZE))
            comp["depends_on"] = [
                {"to": f"c{j}", "timeout_ms": 2000, "retries": j % 2} for j in targets
            ]
    comps[0]["depends_on"] = [
        *comps[0].get("depends_on", []),
        {"to": "platform/shared-kb", "timeout_ms": 800},
    ]
    return {
        "apiVersion": "cellguard/v1",
        "kind": "Stack",
        "metadata": {"name": name, "labels": {"department": f"dept-{name}"}},
        "business": {
            "journeys": [
                {
                    "id": "chat",
                    "entrypoint": "c0",
                    "criticality": "tier1",
                    "interaction": "chat",
                    "impact": {"revenue_per_hour": 20000},
                    "objectives": {"availability": 99.9, "rto_minutes": 60, "rpo_minutes": 30},
                    "demand": {"peak_rps": 30},
                },
                {
                    "id": "search",
                    "entrypoint": "c10",
                    "criticality": "tier2",
                    "interaction": "search",
                },
            ]
        },
        "topology": TOPOLOGY,
        "components": comps,
        "practices": {"observability": {"metrics": True, "tracing": False}},
    }


PLATFORM = {
    "apiVersion": "cellguard/v1",
    "kind": "Platform",
    "metadata": {"name": "platform"},
    "topology": TOPOLOGY,
    "components": [
        {
            "id": "shared-kb",
            "kind": "vector_store",
            "engine": "opensearch",
            "placement": {"zones": 3},
            "replicas": 6,
            "backups": [{"scope": "same_region"}],
        },
    ],
}


def write_org(root: Path, components: int) -> int:
    """Write an organisation of about ``components`` components; return the exact count."""
    stacks = max(1, components // STACK_SIZE)
    (root / "platform.yaml").write_text(yaml.safe_dump(PLATFORM, sort_keys=False))
    for s in range(stacks):
        spec = stack_spec(f"s{s:05d}")
        (root / f"s{s:05d}.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return stacks * STACK_SIZE + len(PLATFORM["components"])  # type: ignore[arg-type]


def run_once(root: Path, src: Path | None = None) -> tuple[float, dict[str, Any]]:
    """Run the CLI on ``root`` (with the code of checkout ``src`` when given); return wall
    seconds and the parsed JSON."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    start = time.perf_counter()
    done = subprocess.run(
        [
            str(CELLGUARD),
            "assess",
            str(root),
            "--format",
            "json",
            "--today",
            "2026-11-21",
            "--no-plugins",
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"assess failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--components", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--against", type=Path, default=None, help="a checkout to compare with")
    args = parser.parse_args()
    if args.against is not None:
        compare(args.components, args.repeat, args.against)
        return
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(
        f"{'components':>10} {'stacks':>6} {'findings':>8} {'journeys':>8} {'exact':>5} "
        f"{'best s':>7} {'all runs s':>24} {'peak RSS MiB':>12}"
    )
    for size in args.components:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            count = write_org(root, size)
            runs = []
            for _ in range(args.repeat):
                seconds, data = run_once(root)
                runs.append(seconds)
            peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            findings = len(data["findings"])
            stacks = len(data["stacks"])
            journeys = len(data["journeys"])
            exact = sum(1 for j in data["journeys"] if j["exact"])
            shown = " ".join(f"{r:.2f}" for r in runs)
            print(
                f"{count:>10} {stacks:>6} {findings:>8} {journeys:>8} {exact:>5} "
                f"{min(runs):>7.2f} {shown:>24} {peak_mib:>12.0f}"
            )


def compare(sizes: list[int], repeat: int, src: Path) -> None:
    """Before (``src``) and after (this tree), interleaved run by run on the same input."""
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(f"before: {src}   after: {ROOT}   (interleaved, best of {repeat})")
    print(
        f"{'components':>10} {'findings b/a':>13} {'before s':>9} {'after s':>8} {'ratio':>6}"
        f"  {'runs before':>20}  {'runs after':>20}"
    )
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            count = write_org(root, size)
            before: list[float] = []
            after: list[float] = []
            for _ in range(repeat):
                seconds, old = run_once(root, src)
                before.append(seconds)
                seconds, new = run_once(root)
                after.append(seconds)
            found = f"{len(old['findings'])}/{len(new['findings'])}"
            print(
                f"{count:>10} {found:>13} {min(before):>9.2f} {min(after):>8.2f} "
                f"{min(after) / min(before):>6.2f}  {' '.join(f'{r:.2f}' for r in before):>20}"
                f"  {' '.join(f'{r:.2f}' for r in after):>20}"
            )


if __name__ == "__main__":
    main()
