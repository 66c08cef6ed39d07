"""Loader and graph benchmark: how long validation and graph building take as specs grow.

Run:  make bench   (or .venv/bin/python benchmarks/bench_loader.py [--stacks 1 10 50] [--components 40] [--repeat 3])

It generates synthetic organisations (one platform plus N stacks of M components, each stack
calling platform components across files), writes them to a temporary directory, and reports the
best-of-R wall time of ``load`` (read, parse, validate, cross-check) and ``build_graph``.
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.invalid_inputs

from cellguard.assessments.graph import build_graph
from cellguard.models.loader import load
from cellguard.models.loader.source import read_yaml
from tests.invalid_inputs import billion_laughs

KINDS = ["app", "vector_store", "cache", "queue", "database", "guardrail"]


def stack_spec(name: str, components: int) -> dict[str, object]:
    comps: list[dict[str, object]] = []
    for i in range(components):
        comp: dict[str, object] = {
            "id": f"c{i}",
            "kind": KINDS[i % len(KINDS)],
            "placement": {"zones": 1 + i % 3},
            "replicas": 1 + i % 6,
            "depends_on": [
                {"to": f"c{j}", "timeout_ms": 1000, "retries": 1} for j in range(max(0, i - 3), i)
            ],
        }
        comps.append(comp)
    comps[0]["depends_on"] = [{"to": "platform/kb", "timeout_ms": 800}]
    return {
        "apiVersion": "cellguard/v1",
        "kind": "Stack",
        "metadata": {"name": name},
        "business": {
            "journeys": [{"id": "chat", "entrypoint": f"c{components - 1}", "criticality": "tier1"}]
        },
        "topology": {
            "accounts": ["prod"],
            "regions": [{"name": "us-east-1", "zones": ["use1-az1", "use1-az2", "use1-az4"]}],
        },
        "components": comps,
    }


PLATFORM = {
    "apiVersion": "cellguard/v1",
    "kind": "Platform",
    "metadata": {"name": "platform"},
    "topology": {"accounts": ["shared"], "regions": [{"name": "us-east-1", "zones": ["use1-az1"]}]},
    "components": [{"id": "kb", "kind": "vector_store"}],
}


def best(fn: Callable[[], object], repeat: int) -> float:
    """Best wall time of ``repeat`` calls of ``fn``, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stacks", type=int, nargs="+", default=[1, 10, 50])
    parser.add_argument("--components", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()} ({platform.processor() or 'cpu'})"
    )
    print(
        f"{'stacks':>6} {'components':>10} {'yaml KiB':>9} {'load s':>8} {'graph s':>8} {'ms/component':>13}"
    )
    for n in args.stacks:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "platform.yaml").write_text(yaml.safe_dump(PLATFORM))
            for s in range(n):
                (root / f"s{s}.yaml").write_text(
                    yaml.safe_dump(stack_spec(f"s{s}", args.components))
                )
            size = sum(p.stat().st_size for p in root.iterdir()) / 1024
            load_s = best(lambda root=root: load(root), args.repeat)
            org = load(root)
            graph_s = best(lambda org=org: build_graph(org), args.repeat)
            total = n * args.components
            print(
                f"{n:>6} {total:>10} {size:>9.0f} {load_s:>8.3f} {graph_s:>8.3f} {1000 * (load_s + graph_s) / total:>13.3f}"
            )
    bomb = billion_laughs(12)
    start = time.perf_counter()
    try:
        read_yaml(bomb, "bomb.yaml")
    except Exception as exc:  # the refusal is the point
        print(
            f"alias bomb (9^12 nodes) refused in {1000 * (time.perf_counter() - start):.2f} ms: {type(exc).__name__}"
        )


if __name__ == "__main__":
    main()
