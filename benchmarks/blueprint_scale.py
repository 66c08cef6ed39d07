"""Benchmark: plan, synthesise, mock-run, verify and round-trip a 3 regions x 4 cells stack.

The stack is generated here (cell-multi-region.yaml stretched to 3 regions x 4 cells, with
autoscaling and GPU capacity settings removed so that the planner has findings to fix). Run:
``.venv/bin/python benchmarks/blueprint_scale.py``. Prints seconds per phase and the total;
issue 6's target is plan + blueprint + mock run under 20 s, issue 18's under 10 s (with the GPU
platform add-ons, the cell network and the router data plane). A verify that raises is reported,
not hidden. The CPU time of plan + blueprint + mock run is printed beside the wall time: on a
shared machine the wall time measures the other load too.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
REGIONS = {
    "us-east-1": ["use1-az1", "use1-az2", "use1-az4"],
    "us-west-2": ["usw2-az1", "usw2-az2", "usw2-az3"],
    "eu-west-1": ["euw1-az1", "euw1-az2", "euw1-az3"],
}
CELLS_PER_REGION = 4


def scaled_spec() -> dict[str, object]:
    """cell-multi-region.yaml stretched to 3 regions with 4 cells each."""
    spec = yaml.safe_load(
        (REPO / "examples" / "cell-multi-region.yaml").read_text(encoding="utf-8")
    )
    spec["topology"]["regions"] = [
        {"name": n, "zones": z, "role": "active"} for n, z in REGIONS.items()
    ]
    cells = [f"cell-{n}-{k}" for n in REGIONS for k in range(CELLS_PER_REGION)]
    spec["topology"]["cells"] = [
        {"id": c, "region": n, "partition": "tenant-hash"}
        for n in REGIONS
        for c in cells
        if c.startswith(f"cell-{n}-")
    ]
    for comp in spec["components"]:
        placement = comp.get("placement")
        if not placement or len(placement.get("regions", [])) < 2:
            continue
        placement["regions"] = list(REGIONS)
        if "cells" in placement:
            placement["cells"] = cells
        replication = comp.get("replication")
        if replication and replication.get("regions"):
            replication["regions"] = list(REGIONS)
    return spec


def needs_planning(spec: dict[str, object]) -> dict[str, object]:
    """The scaled spec with findings the planner fixes: every service's autoscaling removed
    and the GPU models' capacity on demand without node auto-repair."""
    for comp in spec["components"]:  # type: ignore[attr-defined]
        comp.pop("autoscaling", None)
        if comp.get("kind") == "model_endpoint" and comp.get("hosting") == "self_hosted":
            comp["capacity"] = {"purchase": "on_demand"}
            comp["health"] = {"gpu_health_checks": False, "node_auto_repair": False}
    return spec


def main() -> None:
    from cellguard.assessments.graph import build_graph
    from cellguard.blueprints.from_spec import blueprint_of
    from cellguard.iac.mockrun import run_project
    from cellguard.iac.roundtrip import round_trip
    from cellguard.iac.synth import project_files
    from cellguard.iac.verify import verify
    from cellguard.models.loader import load
    from cellguard.planner import plan
    from cellguard.rules.engine import run_rules
    from cellguard.rules.packs import load_rules

    today = dt.date(2026, 11, 21)
    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "scaled.yaml"
        text = yaml.safe_dump(needs_planning(scaled_spec()), sort_keys=False)
        spec_path.write_text(text, encoding="utf-8")
        t0, c0 = time.perf_counter(), time.process_time()
        org = load(spec_path)
        rules = list(load_rules([], plugins=False).select([], []))
        remedy = plan(org, run_rules(build_graph(org), rules, today=today), rules=rules)
        target_path = Path(tmp) / "target.yaml"
        target_path.write_text(next(iter(remedy.targets.values())), encoding="utf-8")
        t1 = time.perf_counter()
        stack = load(target_path).stacks[0]
        out = Path(tmp) / "proj"
        out.mkdir()
        for name, body in project_files(
            stack, target_path.read_text(encoding="utf-8"), "prod"
        ).items():
            (out / name).write_text(body, encoding="utf-8")
        t2 = time.perf_counter()
        cap = run_project(out, "prod")
        t3, c3 = time.perf_counter(), time.process_time()
        try:
            results = verify(cap, blueprint_of(stack))
            verify_error = ""
        except Exception as exc:  # reported below: the checks did not run to the end
            results, verify_error = [], f" raised {type(exc).__name__}: {exc}"
        t4 = time.perf_counter()
        trip = round_trip(cap, stack, today=today)
        t5 = time.perf_counter()
    passed = sum(r.passed for r in results)
    print(
        f"plan {t1 - t0:.2f} s ({len(remedy.changes)} changes); synthesis {t2 - t1:.2f} s; "
        f"mock run {t3 - t2:.2f} s ({len(cap.resources)} resources); "
        f"plan + blueprint + mock run {t3 - t0:.2f} s ({c3 - c0:.2f} s CPU)"
    )
    print(
        f"verify {t4 - t3:.2f} s ({passed}/{len(results)} checks{verify_error}); "
        f"{trip.summary()} {t5 - t4:.2f} s; total {t5 - t0:.2f} s"
    )
    for line in trip.lines()[1:]:
        print(line)


if __name__ == "__main__":
    main()
