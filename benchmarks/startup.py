"""Start-up time of the ``cellguard`` command, each run as a process beside ``python -c pass``.

Run:  .venv/bin/python benchmarks/startup.py [--repeat 15] [--example examples/rag-support-assistant.yaml]

Every round runs each command once, one after the other (so a change of the machine's load hits
all of them alike), and the table gives the median over the rounds of the wall time, of the CPU
time (user + system of the child, from ``getrusage``) and of the wall time divided by that of
``python -c pass`` in the same round. The three targets of issue 19 are checked on the medians:

- ``cellguard --version`` within 10 times ``python -c pass`` (a ratio, so it holds on a slow
  machine as on a fast one);
- ``cellguard validate`` of one example within 0.5 s;
- ``cellguard faulttree quantify`` of a trivial tree (two basic events under an OR) within 0.25 s.

On a loaded machine the wall times stretch with the load (the ratios and the CPU times much less),
so the load average is printed before and after. Bytecode caches are written to a scratch
directory by a first, unmeasured round (``PYTHONPYCACHEPREFIX``). ``engine alone`` is the same quantification
without the command line (read the MEF file, quantify), for comparison. The commands run from the
virtual environment of the Python that runs this script (``bin/cellguard`` beside it).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "rag-support-assistant.yaml"

TRIVIAL_TREE = """<?xml version="1.0"?>
<opsa-mef>
  <define-fault-tree name="trivial">
    <define-gate name="top">
      <or>
        <basic-event name="a"/>
        <basic-event name="b"/>
      </or>
    </define-gate>
  </define-fault-tree>
  <model-data>
    <define-basic-event name="a"><float value="0.01"/></define-basic-event>
    <define-basic-event name="b"><float value="0.02"/></define-basic-event>
  </model-data>
</opsa-mef>
"""

ENGINE = (
    "import sys\n"
    "from cellguard.assessments.faulttree.mef import read_mef_file\n"
    "from cellguard.assessments.faulttree.quantify import quantify\n"
    "print(quantify(read_mef_file(sys.argv[1])).probability)\n"
)


@dataclass
class Command:
    """One command line and its measurements, one entry per round."""

    name: str
    argv: list[str]
    target: str = ""
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    ratio: list[float] = field(default_factory=list)

    def median_wall(self) -> float:
        return statistics.median(self.wall)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``argv`` (its output discarded; it must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def child_environment(scratch: Path) -> dict[str, str]:
    """The environment of the measured commands: bytecode caches allowed (as after ``pip
    install``, which compiles them), written under ``scratch`` rather than into the tree, so that
    a ``PYTHONDONTWRITEBYTECODE`` in the caller's environment does not add compiling every
    module of cellguard to each run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    return env


def cellguard_argv() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m cellguard``."""
    script = Path(sys.executable).with_name("cellguard")
    return [str(script)] if script.exists() else [sys.executable, "-m", "cellguard"]


def commands(example: Path, tree: Path) -> list[Command]:
    cellguard = cellguard_argv()
    return [
        Command("python -c pass", [sys.executable, "-c", "pass"]),
        Command("cellguard --version", [*cellguard, "--version"], "ratio <= 10"),
        Command("cellguard --help", [*cellguard, "--help"]),
        Command(
            f"cellguard validate {example.name}",
            [*cellguard, "validate", str(example)],
            "<= 0.50 s",
        ),
        Command(
            "cellguard faulttree quantify (trivial)",
            [*cellguard, "faulttree", "quantify", str(tree)],
            "<= 0.25 s",
        ),
        Command("engine alone (trivial tree)", [sys.executable, "-c", ENGINE, str(tree)]),
    ]


def verdict(command: Command) -> str:
    if not command.target:
        return ""
    if command.target.startswith("ratio"):
        limit = float(command.target.split()[-1])
        value = statistics.median(command.ratio)
        return f"{'met' if value <= limit else 'MISSED'} ({value:.1f}x)"
    limit = float(command.target.split()[1])
    wall, cpu = command.median_wall(), statistics.median(command.cpu)
    return (
        f"{'met' if wall <= limit else 'MISSED'} on wall ({wall:.3f} s), "
        f"{'met' if cpu <= limit else 'MISSED'} on CPU ({cpu:.3f} s)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="rounds (default 15)")
    parser.add_argument("--example", type=Path, default=EXAMPLE, help="spec that validate reads")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cellguard-startup-") as scratch:
        tree = Path(scratch) / "trivial.xml"
        tree.write_text(TRIVIAL_TREE, encoding="utf-8")
        runs = commands(args.example.resolve(), tree)
        env = child_environment(Path(scratch))
        for command in runs:  # warm the page cache and the bytecode caches; not measured
            run_once(command.argv, env)
        load_before = os.getloadavg()
        for _ in range(args.repeat):
            base_wall = 0.0
            for command in runs:
                wall, cpu = run_once(command.argv, env)
                base_wall = base_wall or wall  # the first command is python -c pass
                command.wall.append(wall)
                command.cpu.append(cpu)
                command.ratio.append(wall / base_wall)
        load_after = os.getloadavg()

    print(
        f"python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs; "
        f"{args.repeat} rounds; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after"
    )
    width = max(len(c.name) for c in runs)
    print(f"{'command':<{width}}  median s  CPU s  x pass  target      result")
    for command in runs:
        print(
            f"{command.name:<{width}}  {command.median_wall():8.3f}  "
            f"{statistics.median(command.cpu):5.3f}  {statistics.median(command.ratio):6.1f}  "
            f"{command.target:<10}  {verdict(command)}".rstrip()
        )


if __name__ == "__main__":
    main()
