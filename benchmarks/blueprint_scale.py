"""Benchmark: synthesise and mock-run a 3 regions x 4 cells target (generated here).

Run: ``.venv/bin/python benchmarks/blueprint_scale.py``. Prints seconds per phase.
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


def main() -> None:
    from cellguard.blueprints.from_spec import blueprint_of
    from cellguard.iac.mockrun import run_project
    from cellguard.iac.roundtrip import round_trip
    from cellguard.iac.synth import project_files
    from cellguard.iac.verify import verify
    from cellguard.models.loader import load

    with tempfile.TemporaryDirectory() as tmp:
        spec_path = Path(tmp) / "scaled.yaml"
        spec_path.write_text(yaml.safe_dump(scaled_spec(), sort_keys=False), encoding="utf-8")
        t0 = time.perf_counter()
        stack = load(spec_path).stacks[0]
        out = Path(tmp) / "proj"
        out.mkdir()
        for name, text in project_files(
            stack, spec_path.read_text(encoding="utf-8"), "prod"
        ).items():
            (out / name).write_text(text, encoding="utf-8")
        t1 = time.perf_counter()
        cap = run_project(out, "prod")
        t2 = time.perf_counter()
        results = verify(cap, blueprint_of(stack))
        t3 = time.perf_counter()
        trip = round_trip(cap, stack, today=dt.date(2026, 11, 21))
        t4 = time.perf_counter()
    passed = sum(r.passed for r in results)
    print(
        f"synthesis {t1 - t0:.2f} s; mock run {t2 - t1:.2f} s ({len(cap.resources)} resources); "
        f"verify {t3 - t2:.2f} s ({passed}/{len(results)} checks); "
        f"{trip.summary()} {t4 - t3:.2f} s; total {t4 - t0:.2f} s"
    )


if __name__ == "__main__":
    main()
