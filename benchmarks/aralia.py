"""Quantify the 43 Aralia fault trees, each in a fresh process, against their published values.

Run:  .venv/bin/python benchmarks/aralia.py [--trees chinese das9701 ...] [--time-limit 60] [--write]

Each tree is quantified by a child process (``python benchmarks/aralia.py --child FILE``) that
imports cellguard, reads the MEF file and runs the exact engine with the time limit, so the
reported seconds are whole-process: interpreter start-up, imports, parsing, BDDs. A child that
overruns the limit by more than :data:`GRACE` seconds is killed and reported as a timeout.

The table compares the computed probability, rounded to six significant digits, with
``benchmarks/data/aralia/reference.csv``; the data folder's README lists the known defects of
the published table (das9204's published value is wrong, nus9601 has none). ``--write``
replaces the "## Aralia fault trees" section of ``benchmarks/RESULTS.md`` (or appends it).
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "aralia"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
HEADING = "## Aralia fault trees"
WIDTH = 110
"""Line width of the prose in RESULTS.md."""
GRACE = 15.0
"""Seconds past the engine's time limit after which a child process is killed."""

MC_TRIALS = 1 << 18
"""Monte Carlo trials beside a bound (das9701 about 0.3 s, nus9601 about 1.5 s)."""

CORRECTED = {"das9204": "2.16942E-11"}
"""Exact values that replace a defective published one (see the data folder's README)."""


def child(path: Path, time_limit: float) -> None:
    """Quantify one file and print the result as one JSON line (the child process)."""
    import resource

    from cellguard.assessments.faulttree.mef import read_mef_file
    from cellguard.assessments.faulttree.quantify import quantify

    tree = read_mef_file(path)
    result = quantify(tree, time_limit=time_limit)
    mc = None
    if not result.exact:  # beside a bound: a statistical estimate (fixed seed: reproducible)
        from cellguard.assessments.faulttree.montecarlo import simulate

        estimate = simulate(tree, trials=MC_TRIALS, seed=0)
        mc = {"probability": estimate.probability, "lower": estimate.lower, "upper": estimate.upper}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_mib = usage.ru_maxrss / 1024
    out = {
        "probability": result.probability,
        "exact": result.exact,
        "lower": result.lower,
        "upper": result.upper,
        "bdd_nodes": result.bdd_nodes,
        "modules": result.modules,
        "engine_seconds": result.seconds,
        "peak_mib": peak_mib,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "monte_carlo": mc,
    }
    print(json.dumps(out))


@dataclass
class Row:
    """One tree's outcome."""

    tree: str
    published: str
    seconds: float
    data: dict[str, Any] | None
    failure: str = ""

    @property
    def computed(self) -> str:
        """The probability to six significant digits, or the bound, or the failure."""
        if self.data is None:
            return self.failure
        if self.data["exact"]:
            return f"{self.data['probability']:.5E}"
        return f"[{self.data['lower']:.5E}, {self.data['upper']:.5E}]"

    @property
    def match(self) -> str:
        """yes / no, or why the comparison does not apply."""
        if self.data is None:
            return "no result"
        if self.published == "unknown":
            return "no published value"
        if not self.data["exact"]:
            mc = self.data.get("monte_carlo")
            if mc and mc["lower"] <= float(self.published) <= mc["upper"]:
                return "no: bound; MC interval holds it"
            if self.data["lower"] <= 0.0 and self.data["upper"] >= 1.0:
                return "no: uninformative bound"
            inside = self.data["lower"] <= float(self.published) <= self.data["upper"]
            return "bound contains published" if inside else "no"
        if self.tree in CORRECTED:
            ok = self.computed == CORRECTED[self.tree]
            return "exact differs: published defect" if ok else "no"
        return "yes" if self.computed == f"{float(self.published):.5E}" else "no"


def run_one(path: Path, published: str, time_limit: float) -> Row:
    """Quantify ``path`` in a fresh process and time the whole process."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", str(path)]
    command += ["--time-limit", str(time_limit)]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=time_limit + GRACE, check=False
        )
    except subprocess.TimeoutExpired:
        seconds = time.perf_counter() - started
        return Row(path.stem, published, seconds, None, "timeout (killed)")
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return Row(path.stem, published, seconds, None, f"failed: {last[:60]}")
    return Row(path.stem, published, seconds, json.loads(done.stdout))


def machine_line() -> str:
    """CPU, memory, OS and library versions, like the other sections of RESULTS.md."""
    import dd
    import numpy

    from cellguard.assessments.faulttree.native import walker

    evaluation = "C walker" if walker() is not None else "pure-Python evaluation (no C walker)"
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        cpu = names[0].strip() if names else cpu
    load = ""
    if hasattr(os, "getloadavg"):  # a shared machine: seconds grow with the load, CPU s less so
        load = ", load average {:.1f} / {:.1f} / {:.1f} (1 / 5 / 15 min) when written".format(
            *os.getloadavg()
        )
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if found:
            memory = f", {int(found.group(1)) / 1024**2:.0f} GiB RAM"
    return (
        f'Machine: {os.cpu_count()} vCPU "{cpu}"{memory}, {platform.system()} '
        f"{platform.release()}, CPython {platform.python_version()}, dd {dd.__version__} "
        f"(CUDD backend), numpy {numpy.__version__}, {evaluation}. Recorded {datetime.date.today()}"
        f"{load}."
    )


def table(rows: list[Row]) -> str:
    """The fixed-width result table."""
    header = (
        f"{'tree':<9} {'published':>11} {'computed':>27} {'match':<31} "
        f"{'seconds':>7} {'CPU s':>7} {'BDD nodes':>9} {'MiB':>5} result"
    )
    lines = [header]
    for row in rows:
        data = row.data or {}
        nodes = f"{data['bdd_nodes']:>9}" if data else f"{'-':>9}"
        mib = f"{data['peak_mib']:>5.0f}" if data else f"{'-':>5}"
        cpu = f"{data['cpu_seconds']:>7.2f}" if data and "cpu_seconds" in data else f"{'-':>7}"
        kind = ("exact" if data["exact"] else "bound") if data else "-"
        lines.append(
            f"{row.tree:<9} {row.published:>11} {row.computed:>27} {row.match:<31} "
            f"{row.seconds:>7.2f} {cpu} {nodes} {mib} {kind}"
        )
    return "\n".join(lines)


def summary(rows: list[Row]) -> str:
    """Counts of matches and the slowest trees, as prose for RESULTS.md."""
    published = [r for r in rows if r.published != "unknown"]
    matched = [r for r in published if r.match in ("yes", "exact differs: published defect")]
    exact = sum(1 for r in rows if r.data and r.data["exact"])
    slowest = sorted(rows, key=lambda r: -r.seconds)[:5]
    slow = ", ".join(f"{r.tree} {r.seconds:.1f} s" for r in slowest)
    under2 = sum(1 for r in rows if r.seconds < 2.0)
    inexact = "; ".join(
        f"{r.tree} {r.computed}, {r.seconds:.1f} s"
        for r in rows
        if not (r.data and r.data["exact"])
    )
    estimates = "; ".join(
        f"{r.tree} {m['probability']:.4E} [{m['lower']:.4E}, {m['upper']:.4E}]"
        for r in rows
        if r.data and (m := r.data.get("monte_carlo"))
    )
    beside = (
        f" Monte Carlo estimates beside the bounds ({MC_TRIALS:,} trials, seed 0, 95% Wilson "
        f"interval; statistical, not bounds): {estimates}."
        if estimates
        else ""
    )
    return (
        f"{len(matched)} of {len(published)} trees with a published value reproduce it to the six "
        f"printed digits (das9204 against the corrected 2.16942E-11); {exact} of {len(rows)} "
        f"results are exact{f' (not exact: {inexact})' if inexact else ''}. {under2} of "
        f"{len(rows)} trees finish in under 2 s whole-process. Slowest: {slow}.{beside}"
    )


def section(rows: list[Row], time_limit: float) -> str:
    """The RESULTS.md section for these rows (prose wrapped like the other sections)."""
    intro = (
        "The 43 Aralia benchmark trees (`benchmarks/data/aralia/`, CC BY-SA 4.0, see its README) "
        'quantified by the exact BDD engine, each in a fresh child process: "seconds" is the '
        "whole process (interpreter start-up, imports, MEF parsing, modules, BDDs, probability); "
        '"CPU s" its CPU time (user and system), which the load of a shared machine inflates '
        'less than the seconds; "MiB" is the child\'s peak resident memory. "computed" is rounded to the six '
        "significant digits of the published table; a bound is printed as [lower, upper]. "
        f"Engine time limit {time_limit:.0f} s per tree (then the remaining gates become free "
        "variables and the result a labelled bound, with a Monte Carlo estimate beside it); a "
        "child still running "
        f"{GRACE:.0f} s later is killed. This section is rewritten by `--write`."
    )
    return (
        "\n\n".join(
            [
                f"{HEADING} (`benchmarks/aralia.py`, `make bench`)",
                textwrap.fill(intro, WIDTH),
                textwrap.fill(machine_line(), WIDTH),
                f"```\n{table(rows)}\n```",
                textwrap.fill(summary(rows), WIDTH),
            ]
        )
        + "\n"
    )


def write_section(text: str) -> None:
    """Replace (or append) the Aralia section of RESULTS.md, keeping everything else."""
    current = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    start = current.find(f"\n{HEADING}")
    if start < 0:
        updated = current.rstrip("\n") + "\n\n" + text
    else:
        following = current.find("\n## ", start + 1)
        tail = current[following:] if following >= 0 else ""
        updated = current[: start + 1] + text + tail
    RESULTS.write_text(updated, encoding="utf-8")


def published_values() -> dict[str, str]:
    """Published top-event probability per tree, as printed in reference.csv."""
    with (DATA / "reference.csv").open(newline="") as handle:
        return {r["tree"]: r["published_top_probability"] for r in csv.DictReader(handle)}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trees", nargs="+", help="tree names (default: all)")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=55.0,
        help="engine seconds per tree (default 55: with start-up and the Monte Carlo estimate "
        "beside a bound, at most 1.5 s (nus9601), the whole process stays under 60 s)",
    )
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child, args.time_limit)
        return
    reference = published_values()
    names = args.trees or sorted(reference)
    unknown = [n for n in names if n not in reference]
    if unknown:
        parser.error(f"unknown trees: {', '.join(unknown)}")
    print(f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs")
    print(table([]), flush=True)  # the header
    rows: list[Row] = []
    for name in names:
        row = run_one(DATA / f"{name}.xml", reference[name], args.time_limit)
        rows.append(row)
        print(table([row]).splitlines()[-1], flush=True)
    print(summary(rows))
    if args.write:
        write_section(section(rows, args.time_limit))
        print(f"wrote the Aralia section of {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
