"""Running cases, checking them, and keeping score for the session.

:class:`Campaign` runs the cases of one family: it writes the case's files into a fresh
workspace, runs each command in the sandbox, applies the oracle (plus the checks that span two
commands: ``verify`` after ``signoff`` of the same spec, ``verify`` of a tampered store) and
records every violation -- in :data:`STATS` for the end-of-session summary, as a line of
``findings.jsonl`` and, for the first cases of each signature, as a reproducer directory under
the artifacts directory (``$CELLGUARD_FUZZ_ARTIFACTS``, else ``fuzz-artifacts`` in pytest's
temporary directory).

Budget: ``$CELLGUARD_FUZZ_EXAMPLES`` is the total number of cases of a session, shared by the
families by weight (default :data:`BOUNDED_EXAMPLES`, the bounded run of ``make test``). A
bounded run is derandomised (a fixed seed per family, so CI is reproducible); a long run also,
unless ``$CELLGUARD_FUZZ_SEED`` picks another seed. Known failures (:mod:`tests.fuzz.known`)
are reported in the summary but fail the run only with ``$CELLGUARD_FUZZ_KNOWN=fail`` (what
``make fuzz`` sets): ``make test`` stays green while they are being fixed.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz import sandbox
from tests.fuzz.families import Case
from tests.fuzz.known import Known, classify
from tests.fuzz.oracle import Violation, check, snapshot
from tests.fuzz.sandbox import Outcome

BOUNDED_EXAMPLES = 300
WEIGHTS = {
    "spec": 32,
    "org": 7,
    "waivers": 9,
    "baseline": 13,
    "mef": 15,
    "packs": 12,
    "signoff": 8,
    "config": 4,
}
"""Share of the budget per family (percent)."""
REPRODUCERS_PER_SIGNATURE = 3
MAX_SAVED_FILE = 2 << 20
ENV: dict[str, str | None] = {
    "CELLGUARD_DEBUG": None,
    "CELLGUARD_TODAY": None,
    "CELLGUARD_NO_NATIVE": None,
    "GITHUB_STEP_SUMMARY": None,
    "FORCE_COLOR": None,
    "NO_COLOR": None,
    "COLUMNS": "100",
}
"""The child's environment: nothing from the developer's shell changes what a command does."""


def total_budget() -> int:
    """Cases in this session."""
    return int(os.environ.get("CELLGUARD_FUZZ_EXAMPLES", BOUNDED_EXAMPLES))


def budget(family: str) -> int:
    """Cases for ``family``: its share of the total, at least 5."""
    return max(5, total_budget() * WEIGHTS[family] // 100)


def known_fail() -> bool:
    """Whether known failures fail the run (``CELLGUARD_FUZZ_KNOWN=fail``; ``make fuzz``)."""
    return os.environ.get("CELLGUARD_FUZZ_KNOWN", "report") == "fail"


@dataclass
class Failure:
    """One violation in one case."""

    case: Case
    violation: Violation
    known: Known | None
    reproducer: str | None


@dataclass
class Stats:
    """Counts of the session, for the terminal summary."""

    started: float = field(default_factory=time.monotonic)
    cases: Counter[str] = field(default_factory=Counter)
    commands: int = 0
    cpu_seconds: float = 0.0
    slowest: tuple[float, str] = (0.0, "")
    failures: list[Failure] = field(default_factory=list)
    signatures: Counter[str] = field(default_factory=Counter)
    exits: Counter[str] = field(default_factory=Counter)
    artifacts: Path | None = None

    def summary(self) -> list[str]:
        """The lines printed at the end of the session."""
        elapsed = time.monotonic() - self.started
        per_family = ", ".join(f"{k} {v}" for k, v in sorted(self.cases.items()))
        lines = [
            f"fuzz: {sum(self.cases.values()):,} cases ({per_family}), {self.commands:,} commands "
            f"in {elapsed:.1f} s ({self.cpu_seconds:.1f} s CPU in the cases; slowest "
            f"{self.slowest[0]:.2f} s: {self.slowest[1][:80]})",
        ]
        exits = ", ".join(f"{code} {n}" for code, n in sorted(self.exits.items()))
        lines.append(f"fuzz: exit codes of the commands: {exits} (2: refused as input)")
        known = Counter(f.known.area for f in self.failures if f.known is not None)
        unknown = {f.violation.signature for f in self.failures if f.known is None}
        lines.append(
            f"fuzz: {len(self.signatures)} distinct failure signature(s); known: "
            + (", ".join(f"{area} {n}" for area, n in sorted(known.items())) or "none")
            + f"; new: {len(unknown)}"
        )
        if self.artifacts is not None and self.failures:
            lines.append(f"fuzz: reproducers and findings.jsonl in {self.artifacts}")
        return lines


STATS = Stats()


GIT = [
    "git",
    "-c",
    "user.name=fuzz",
    "-c",
    "user.email=fuzz@example.com",
    "-c",
    "init.defaultBranch=main",
]


def _repository(root: Path, files: dict[str, bytes]) -> None:
    """A git repository in ``root`` whose one commit holds ``files`` (none without git: the
    case then runs outside any repository, which is a case too)."""
    if shutil.which("git") is None:
        return
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "seed"]):
        subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, timeout=60)


def _materialise(case: Case, root: Path) -> None:
    if case.setup.git:
        _repository(root, case.setup.git)
    for rel, data in case.files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for rel in case.setup.dirs:
        (root / rel).mkdir(parents=True, exist_ok=True)
    for rel, data in case.setup.files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    for rel, target in case.setup.links.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).symlink_to(target)
    for rel in case.setup.fifos:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(root / rel)


def _across(case: Case, outcomes: list[Outcome]) -> list[Violation]:
    """Checks that span the commands of a case."""
    found = []
    argvs = [o.argv for o in outcomes]
    if len(outcomes) == 2 and argvs[0][0] == "signoff" and argvs[1][0] == "verify":
        approved = argvs[0][argvs[0].index("--decision") + 1] == "approve"
        if approved and outcomes[0].exit_code == 0 and outcomes[1].exit_code != 0:
            found.append(
                Violation(
                    "verify-after-signoff",
                    f"exit {outcomes[1].exit_code} right after an approval",
                    "verify",
                    outcomes[1].err[-800:],
                )
            )
    if case.must_reject:
        for out in outcomes:
            if out.exit_code in (0, 1):
                found.append(
                    Violation(
                        "accepted-bad-input",
                        f"{case.mutation.where} (exit {out.exit_code})",
                        out.argv[0],
                        case.mutation.describe(),
                    )
                )
    if case.tampered:
        for out in outcomes:
            if out.argv[0] == "verify" and out.exit_code == 0:
                found.append(
                    Violation("tamper-accepted", case.mutation.op, "verify", out.out[-800:])
                )
    return found


class Campaign:
    """Runs and records the cases of one family."""

    def __init__(self, family: str, base: Path, artifacts: Path) -> None:
        """Workspaces go under ``base``; findings and reproducers under ``artifacts``
        (``$CELLGUARD_FUZZ_ARTIFACTS`` instead, when set)."""
        self.family = family
        self.base = base
        self.artifacts = Path(os.environ.get("CELLGUARD_FUZZ_ARTIFACTS") or artifacts)
        STATS.artifacts = self.artifacts

    def run(self, case: Case) -> list[Violation]:
        """Run ``case`` and record what it broke."""
        root = Path(tempfile.mkdtemp(prefix=f"{self.family}-", dir=self.base))
        try:
            _materialise(case, root)
            outcomes: list[Outcome] = []
            found: list[Violation] = []
            for inv in case.invocations:
                before = snapshot(root)
                out = sandbox.run(inv.argv, root, {**ENV, **inv.env})
                after = snapshot(root)
                found += check(inv, out, root, before, after)
                outcomes.append(out)
                STATS.commands += 1
                STATS.exits[str(out.exit_code) if out.killed is None else "killed"] += 1
                STATS.cpu_seconds += out.cpu_seconds
                if out.cpu_seconds > STATS.slowest[0]:
                    STATS.slowest = (out.cpu_seconds, shlex.join(inv.argv))
            found += _across(case, outcomes)
            STATS.cases[self.family] += 1
            for violation in found:
                self._record(case, violation, outcomes)
            return found
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def _record(self, case: Case, violation: Violation, outcomes: list[Outcome]) -> None:
        known = classify(case, violation)
        STATS.signatures[violation.signature] += 1
        reproducer = None
        if STATS.signatures[violation.signature] <= REPRODUCERS_PER_SIGNATURE:
            reproducer = self._save(case, outcomes)
        STATS.failures.append(Failure(case, violation, known, reproducer))
        self.artifacts.mkdir(parents=True, exist_ok=True)
        entry = {
            "family": case.family,
            "case": case.describe(),
            "commands": [shlex.join(["cellguard", *o.argv])[:400] for o in outcomes],
            "exit_codes": [o.exit_code for o in outcomes],
            "kind": violation.kind,
            "signature": violation.signature,
            "known": known.area if known else None,
            "evidence": violation.evidence[-1500:],
            "stderr": [o.err[-1500:] for o in outcomes],
            "traceback": [(o.debug_traceback or o.traceback or "")[-3000:] for o in outcomes],
            "reproducer": reproducer,
        }
        with (self.artifacts / "findings.jsonl").open("a", encoding="utf-8") as log:
            log.write(json.dumps(entry) + "\n")

    def _save(self, case: Case, outcomes: list[Outcome]) -> str:
        target = Path(tempfile.mkdtemp(prefix=f"{case.family}-", dir=self._dir()))
        for rel, data in case.files.items():
            path = target / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if len(data) > MAX_SAVED_FILE:
                path = path.with_name(path.name + ".too-big.txt")
                data = f"{len(data):,} bytes; regenerate with: {case.describe()}\n".encode()
            path.write_bytes(data)
        lines = [f"# {case.describe()}", *case.setup_lines()]
        lines += [shlex.join(["cellguard", *o.argv])[:2000] for o in outcomes]
        (target / "commands.sh").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return str(target)

    def _dir(self) -> Path:
        folder = self.artifacts / "reproducers"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
