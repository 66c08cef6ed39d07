"""Whole-process ``cellguard assess`` of one stack at growing replica counts, side by side.

Run:  .venv/bin/python benchmarks/replicas.py [--replicas 1 8 64 1000 100000] [--repeat 3]

The stack has one journey through three self-run components in one region with three zones,
each with ``replicas: N``: an app that needs one replica (``min_healthy_replicas`` 1), a
self-hosted model endpoint that needs half of them (``ceil(N/2)``, with peak demand, so the
capacity and queueing figures run too) and a gateway that needs all ``N``. Each run is
``cellguard assess FILE --format json`` as a child process; the table gives the best wall time
of ``--repeat`` runs, the child's peak resident memory (``wait4``), and the journey's figures:
they should not grow with ``N`` (before the closed form, 64 replicas took 6 s and 1,000 more
than 90 s).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

CELLGUARD = Path(sys.executable).with_name("cellguard")


def stack(replicas: int) -> dict[str, Any]:
    """The benchmark stack with ``replicas`` per component."""
    placement = {"zones": 3}
    return {
        "apiVersion": "cellguard/v1",
        "kind": "Stack",
        "metadata": {"name": "replicas", "owner": "bench"},
        "business": {
            "journeys": [
                {
                    "id": "chat",
                    "entrypoint": "api",
                    "criticality": "tier1",
                    "demand": {"peak_rps": 20, "output_tokens": 300, "input_tokens": 2000},
                }
            ]
        },
        "topology": {
            "accounts": ["prod"],
            "regions": [{"name": "us-east-1", "zones": ["use1-az1", "use1-az2", "use1-az4"]}],
        },
        "components": [
            {
                "id": "api",
                "kind": "app",
                "runtime": "eks",
                "placement": placement,
                "replicas": replicas,
                "min_healthy_replicas": 1,
                "depends_on": [{"to": "llm", "timeout_ms": 30000}],
            },
            {
                "id": "llm",
                "kind": "model_endpoint",
                "hosting": "self_hosted",
                "model": {"name": "meta-llama/Llama-3.1-8B-Instruct", "context_tokens": 128000},
                "serving": {"engine": "vllm", "gpu": "L40S", "instance_types": ["g6e.xlarge"]},
                "placement": placement,
                "replicas": replicas,
                "min_healthy_replicas": (replicas + 1) // 2,
                "depends_on": [{"to": "gateway", "timeout_ms": 5000}],
            },
            {
                "id": "gateway",
                "kind": "gateway",
                "runtime": "eks",
                "placement": placement,
                "replicas": replicas,
                "min_healthy_replicas": replicas,
            },
        ],
    }


def run_once(spec: Path, out: Path) -> tuple[float, float]:
    """Assess ``spec`` in a child; wall seconds and the child's peak RSS in MiB."""
    command = [str(CELLGUARD), "assess", str(spec), "--format", "json", "-o", str(out)]
    command += ["--force", "--today", "2026-11-21", "--no-plugins"]
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    errors = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"assess failed:\n{errors[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 8, 64, 1000, 100000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(
        f"{'replicas':>9} {'best s':>7} {'all runs s':>18} {'peak RSS MiB':>12} "
        f"{'events':>6} {'BDD nodes':>9} {'availability %':>15} {'failures/yr':>11}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for replicas in args.replicas:
            spec = Path(tmp) / f"r{replicas}.yaml"
            spec.write_text(yaml.safe_dump(stack(replicas), sort_keys=False))
            out = Path(tmp) / f"r{replicas}.json"
            runs = [run_once(spec, out) for _ in range(args.repeat)]
            [journey] = json.loads(out.read_text())["journeys"]
            shown = " ".join(f"{s:.2f}" for s, _ in runs)
            print(
                f"{replicas:>9} {min(s for s, _ in runs):>7.2f} {shown:>18} "
                f"{max(m for _, m in runs):>12.0f} {journey['basic_events']:>6} "
                f"{journey['bdd_nodes']:>9} {journey['availability']:>15} "
                f"{journey['failures_per_year']:>11}"
            )


if __name__ == "__main__":
    main()
