"""cellguard's fault-tree engine side by side with the PyPI package ``faultree`` on the Aralia trees.

Run:  .venv/bin/python benchmarks/peer_faulttree.py [--trees chinese baobab1 ...] [--repeat 3]
          [--time-limit 60] [--peer-python PATH]

Nothing is installed here. The peer (``faultree`` 0.4.0, BSD-3-Clause,
https://github.com/jmateusms/faultree; in the ``dev`` extra) is run by ``--peer-python`` (default:
this interpreter) if that interpreter can import it; otherwise only its absence is reported.

Each Aralia tree (``benchmarks/data/aralia``) is read with cellguard's MEF reader and written in
the peer's JSON format (not timed): a gate is a node ``{"id", "gate", "children"}`` defined once
and referenced elsewhere as ``{"ref": id}``; the peer's gates are AND, OR, XOR (exactly one) and
K_OF_N (at least k), so

* ``atleast k`` is ``K_OF_N`` with ``k``;
* ``xor`` (MEF: an odd number) of two arguments is the peer's ``XOR``; of more, a chain of
  two-argument ``XOR`` s (parity is associative);
* ``not x`` is ``XOR(x, K_OF_N(0; x))``: at least 0 of anything is true and exactly one of
  ``(x, true)`` is ``not x``. :func:`check_peer` verifies these identities with the peer itself
  before any timing (P(not a) = 0.7 for P(a) = 0.3; three-argument parity against its formula).

Then every tree is run by both tools, each in a fresh process, in alternating order (even rounds
cellguard first, odd rounds the peer first, swapped from one tree to the next), ``--repeat``
times, each run killed after ``--time-limit`` seconds of wall time (a tool that overran the limit
on a tree is not run on it again). cellguard runs as a user would run it: ``cellguard faulttree
quantify FILE --format json --mc-trials 0`` (the console script beside this interpreter), its
engine time limit set to ``--time-limit`` minus 5 s so that it answers with a bound rather than
being killed. The peer gets its cheapest path to the top event: ``compile_tree(tree,
include_expressions=False)`` then ``builder.wmc`` of the top event only (its command line also
prints every gate's expression and probability), with Python's recursion limit raised as its own
error message advises and a thread stack large enough for that recursion.

Printed: per tree the median whole-process seconds of each tool, their ratio (cellguard / peer),
each tool's result against the published value (six digits), the geometric mean of the ratios
over the trees both tools solve exactly, and the trees only cellguard finishes.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data" / "aralia"
ENGINE_MARGIN = 5.0
"""Seconds between cellguard's engine time limit and the wall-time limit of its process."""

CORRECTED = {"das9204": "2.16942E-11"}
"""The exact value of a tree whose published one is a known defect (the data README)."""

PEER_CHILD = r"""
import json, sys, threading
sys.setrecursionlimit(1_000_000)
threading.stack_size(512 * 1024 * 1024)
outcome = []
def work():
    try:
        from faultree import compile_tree
        from faultree.builder import wmc
        with open(sys.argv[1]) as handle:
            document = json.load(handle)
        compiled = compile_tree(document["tree"], include_expressions=False)
        outcome.append(float(wmc(compiled.bdd, compiled.top, document["probabilities"])))
    except BaseException as exc:
        outcome.append(f"{type(exc).__name__}: {exc}")
thread = threading.Thread(target=work)
thread.start()
thread.join()
if not outcome or isinstance(outcome[0], str):
    sys.exit(outcome[0] if outcome else "no result")
print(json.dumps({"probability": outcome[0], "exact": True}))
"""
"""The peer's run: read the converted tree, build its BDDs, evaluate the top event."""

PEER_CHECK = r"""
import json, sys
from faultree import compile_tree
from faultree.builder import wmc
out = []
for document in json.load(sys.stdin):
    compiled = compile_tree(document["tree"], include_expressions=False)
    out.append(float(wmc(compiled.bdd, compiled.top, document["probabilities"])))
print(json.dumps(out))
"""


class UnsupportedTreeError(ValueError):
    """A tree the peer's format cannot express."""


def to_peer(tree: Any) -> dict[str, Any]:
    """The peer's JSON document (``tree`` and ``probabilities``) for a cellguard fault tree."""
    from cellguard.assessments.faulttree.tree import CONSTANTS, GateOp

    defined: set[str] = set()
    extra = 0

    def fresh(base: str) -> str:
        nonlocal extra
        extra += 1
        return f"{base}#{extra}"

    def node(name: str) -> dict[str, Any]:
        if name in CONSTANTS:
            raise UnsupportedTreeError("constant TRUE/FALSE argument")
        if name in defined:
            return {"ref": name}
        defined.add(name)
        if name in tree.events:
            return {"id": name}
        gate = tree.gates[name]
        children = [node(a) for a in gate.args]
        if gate.op is GateOp.AND:
            return {"id": name, "gate": "AND", "children": children}
        if gate.op is GateOp.OR:
            return {"id": name, "gate": "OR", "children": children}
        if gate.op is GateOp.ATLEAST:
            return {"id": name, "gate": "K_OF_N", "k": gate.k, "children": children}
        if gate.op is GateOp.NOT:
            (arg,) = gate.args
            true = {"id": fresh(name), "gate": "K_OF_N", "k": 0, "children": [{"ref": arg}]}
            return {"id": name, "gate": "XOR", "children": [children[0], true]}
        if gate.op is GateOp.XOR:
            parity = children[0]
            for child in children[1:-1]:
                parity = {"id": fresh(name), "gate": "XOR", "children": [parity, child]}
            if len(children) == 1:
                return {"id": name, "gate": "OR", "children": children}
            return {"id": name, "gate": "XOR", "children": [parity, children[-1]]}
        raise UnsupportedTreeError(f"gate operator {gate.op}")

    top = node(tree.top)
    if "gate" not in top:
        raise UnsupportedTreeError("the top is a basic event")
    probabilities = {name: event.probability for name, event in tree.events.items()}
    return {"tree": top, "probabilities": probabilities}


def check_peer(peer_python: str) -> None:
    """The identities the conversion relies on, evaluated by the peer itself."""
    from cellguard.assessments.faulttree.tree import BasicEvent, FaultTree, Gate, GateOp

    def tree(gates: list[Gate], events: dict[str, float], top: str) -> Any:
        return FaultTree(
            name="check",
            events={n: BasicEvent(n, p) for n, p in events.items()},
            gates={g.name: g for g in gates},
            top=top,
        )

    a, b, c = 0.3, 0.2, 0.6
    cases = [
        (
            tree(
                [Gate("t", GateOp.OR, ("n", "b")), Gate("n", GateOp.NOT, ("a",))],
                {"a": a, "b": b},
                "t",
            ),
            1 - a * (1 - b),  # P(not a or b)
        ),
        (
            tree([Gate("t", GateOp.XOR, ("a", "b", "c"))], {"a": a, "b": b, "c": c}, "t"),
            a * (1 - b) * (1 - c) + (1 - a) * b * (1 - c) + (1 - a) * (1 - b) * c + a * b * c,
        ),
        (
            tree([Gate("t", GateOp.ATLEAST, ("a", "b", "c"), 2)], {"a": a, "b": b, "c": c}, "t"),
            a * b + a * c + b * c - 2 * a * b * c,
        ),
    ]
    done = subprocess.run(
        [peer_python, "-c", PEER_CHECK],
        input=json.dumps([to_peer(t) for t, _ in cases]),
        capture_output=True,
        text=True,
        check=True,
    )
    got = json.loads(done.stdout)
    for (_, wanted), value in zip(cases, got, strict=True):
        if abs(value - wanted) > 1e-12:
            sys.exit(f"the peer's semantics differ from the conversion: {value} != {wanted}")


@dataclass
class Runs:
    """One tool's runs of one tree."""

    seconds: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    result: dict[str, Any] | None = None
    failure: str = ""

    @property
    def finished(self) -> bool:
        return self.result is not None and not self.failure

    def status(self) -> str:
        if self.failure:
            return self.failure
        assert self.result is not None
        return "exact" if self.result["exact"] else "bound"


def run(argv: list[str], limit: float, runs: Runs) -> None:
    """One fresh process; its wall and CPU seconds, or why it gave no result."""
    before = resource_children()
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        runs.failure = f"timeout ({limit:.0f} s)"
        runs.result = None
        return
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        runs.failure = f"failed: {last[:50]}"
        runs.result = None
        return
    runs.seconds.append(seconds)
    runs.cpu.append(resource_children() - before)
    runs.result = json.loads(done.stdout)


def resource_children() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def six(value: float) -> str:
    return f"{value:.5E}"


def verdict(tree: str, published: str, runs: Runs) -> str:
    if not runs.finished:
        return "-"
    assert runs.result is not None
    if not runs.result["exact"]:
        return "bound"
    if published == "unknown":
        return "no reference"
    wanted = CORRECTED.get(tree, six(float(published)))
    return "yes" if six(runs.result["probability"]) == wanted else six(runs.result["probability"])


def peer_available(peer_python: str) -> str | None:
    """The peer's version, or None when ``peer_python`` cannot import it."""
    done = subprocess.run(
        [peer_python, "-c", "from importlib.metadata import version; print(version('faultree'))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 else None


def cellguard_argv() -> list[str]:
    script = Path(sys.executable).with_name("cellguard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cellguard"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trees", nargs="*", help="tree names (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per tree and tool")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per run")
    parser.add_argument("--peer-python", default=sys.executable, help="interpreter with faultree")
    args = parser.parse_args()

    version = peer_available(args.peer_python)
    if version is None:
        print(f"faultree is not importable by {args.peer_python}: nothing to compare.")
        print("It is in the dev extra (pip install -e '.[dev]'), or give --peer-python.")
        return
    check_peer(args.peer_python)

    from cellguard.assessments.faulttree.mef import read_mef_file

    with (DATA / "reference.csv").open(newline="") as handle:
        published = {r["tree"]: r["published_top_probability"] for r in csv.DictReader(handle)}
    names = args.trees or sorted(published)
    cellguard = cellguard_argv()
    engine_limit = max(1.0, args.time_limit - ENGINE_MARGIN)
    results: dict[str, tuple[Runs, Runs]] = {}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="cellguard-peer-") as scratch:
        files: dict[str, Path] = {}
        for name in names:
            converted = Path(scratch) / f"{name}.json"
            results[name] = (Runs(), Runs())
            try:
                converted.write_text(json.dumps(to_peer(read_mef_file(DATA / f"{name}.xml"))))
            except UnsupportedTreeError as exc:
                results[name][1].failure = f"not convertible: {exc}"
            files[name] = converted
        for round_ in range(args.repeat):
            for index, name in enumerate(names):
                ours, theirs = results[name]
                jobs = [
                    (
                        ours,
                        [
                            *cellguard,
                            "faulttree",
                            "quantify",
                            str(DATA / f"{name}.xml"),
                            "--format",
                            "json",
                            "--mc-trials",
                            "0",
                            "--time-limit",
                            f"{engine_limit:g}",
                        ],
                    ),
                    (theirs, [args.peer_python, "-c", PEER_CHILD, str(files[name])]),
                ]
                if (round_ + index) % 2:
                    jobs.reverse()
                for runs, argv in jobs:
                    if not runs.failure:
                        run(argv, args.time_limit, runs)
                print(f"round {round_ + 1}: {name}", file=sys.stderr)
    load_after = os.getloadavg()
    report(results, published, version, args, (load_before[0], load_after[0]))


def report(
    results: dict[str, tuple[Runs, Runs]],
    published: dict[str, str],
    version: str,
    args: argparse.Namespace,
    load: tuple[float, float],
) -> None:
    import dd

    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"dd {dd.__version__}; faultree {version}; {args.repeat} runs per tree and tool, "
        f"limit {args.time_limit:g} s; load average {load[0]:.2f} before, {load[1]:.2f} after"
    )
    print(
        f"{'tree':<9} {'cellguard s':>11} {'CPU s':>6} {'result':<10} "
        f"{'faultree s':>10} {'CPU s':>6} {'result':<14} {'ratio':>6}"
    )
    ratios: list[float] = []
    only_ours: list[str] = []
    for name, (ours, theirs) in results.items():
        cells = []
        for runs in (ours, theirs):
            if runs.finished:
                cells.append(
                    (
                        f"{statistics.median(runs.seconds):.2f}",
                        f"{statistics.median(runs.cpu):.2f}",
                        verdict(name, published[name], runs),
                    )
                )
            else:
                cells.append(("-", "-", runs.status()))
        both = (
            ours.finished and theirs.finished and ours.result is not None and ours.result["exact"]
        )
        ratio = ""
        if both:
            value = statistics.median(ours.seconds) / statistics.median(theirs.seconds)
            ratios.append(value)
            ratio = f"{value:.2f}"
        elif ours.finished and not theirs.finished:
            only_ours.append(f"{name} ({ours.status()}; faultree: {theirs.status()})")
        print(
            f"{name:<9} {cells[0][0]:>11} {cells[0][1]:>6} {cells[0][2]:<10} "
            f"{cells[1][0]:>10} {cells[1][1]:>6} {cells[1][2]:<14} {ratio:>6}".rstrip()
        )
    if ratios:
        mean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        slower = sum(1 for r in ratios if r >= 1.0)
        print(
            f"geometric mean of cellguard / faultree over the {len(ratios)} trees both solve "
            f"exactly: {mean:.3f} (cellguard slower on {slower})"
        )
    print("only cellguard finishes: " + ("; ".join(only_ours) if only_ours else "none"))


if __name__ == "__main__":
    main()
