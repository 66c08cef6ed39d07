"""The oracle: what every command must do with any input, however hostile.

For each command of a case (:func:`check`):

- it ends by itself, within the CPU and memory limits of :mod:`tests.fuzz.sandbox`, with exit
  code 0, 1 or 2 -- never 3 (an internal error), never another code, never an exception that
  escapes to the runner;
- exit code 2 comes with a location on standard error: ``file:line`` for YAML and XML inputs,
  the file and a line or key path for JSON inputs, the option's name for an option;
- every JSON and SARIF output parses with ``json.loads`` and no NaN or Infinity;
- no output (standard output, standard error, files written) holds a raw control character
  (C0 except tab and newline, DEL, C1) or a bidi override or isolate, and every output is UTF-8;
- no line of standard error is longer than :data:`MAX_LINE` characters (echoed values are
  shortened) and no output is larger than :data:`MAX_OUTPUT` bytes;
- on failure (exit code 2 or more) nothing is written to an ``-o`` path; on success every
  ``-o`` path is written; a command that reports to standard output printed something;
- nothing else in the working directory changes: inputs and files that existed stay as they
  were (an existing output only with ``--force``), no temporary files are left behind.

Each broken rule is a :class:`Violation`; its ``signature`` groups the cases that show the same
defect (same command, kind, and exception site or message shape).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cellguard.models.quoting import quoted
from tests.fuzz.sandbox import Outcome

SECRET_MARK = "root:x:0:0"
"""The start of /etc/passwd: an output holding it resolved an external XML entity."""
MAX_LINE = 20_000
MAX_OUTPUT = 64 << 20
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Raw control characters (tab and newline allowed) and the bidi overrides and isolates."""


@dataclass
class Invocation:
    """One command of a case and what the oracle needs to know about it.

    ``outputs`` are the ``-o`` style paths (relative to the workspace) with the format written
    there; ``stdout_format`` the format printed to standard output (``None``: nothing required);
    ``inputs`` the input files whose names locate an error; ``options`` the option names that
    locate one; ``json_inputs`` the inputs that are JSON, whose errors a line, an index or one
    of ``json_keys`` (the document's keys) locates -- or the name alone when ``json_keys`` is
    empty (the file was damaged below the structure: bytes, size, encoding).
    """

    argv: list[str]
    outputs: dict[str, str] = field(default_factory=dict)
    stdout_format: str | None = None
    inputs: list[str] = field(default_factory=list)
    json_inputs: list[str] = field(default_factory=list)
    json_keys: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    force: bool = False
    may_create: list[str] = field(default_factory=list)
    """Directories (relative) under which the command may create files (a sign-off store)."""
    output_dirs: list[str] = field(default_factory=list)
    """Output directories (plan's target of an organisation): written on success only."""
    env: dict[str, str] = field(default_factory=dict)
    crash_expected: bool = False
    """A rule of the case raises on purpose: exit 3 naming it is right, and so is the report
    written with its ERROR finding (README: assess exits 3 when a rule crashed)."""

    @property
    def command(self) -> str:
        """The command name (``faulttree quantify`` for a sub-command)."""
        words = [a for a in self.argv[:2] if not a.startswith("-")]
        return " ".join(words[:2]) if words[:1] in (["faulttree"], ["rules"]) else words[0]


@dataclass
class Violation:
    """One rule of the oracle that a command broke."""

    kind: str
    detail: str
    command: str
    evidence: str = ""

    @property
    def signature(self) -> str:
        """What groups cases with the same defect."""
        return f"{self.command}: {self.kind}: {self.detail}"


Snapshot = dict[str, str]


def snapshot(root: Path) -> Snapshot:
    """Every file below ``root`` with a digest of its content (or the link's target)."""
    files: Snapshot = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            files[rel] = "link:" + str(path.readlink())
        elif path.is_file():
            files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def _site(trace: str | None) -> str:
    """``module:function`` of the innermost cellguard frame of a traceback, and the exception."""
    if not trace:
        return "no traceback"
    frames = re.findall(r'File "([^"]+)", line \d+, in (\S+)', trace)
    ours = [(f, fn) for f, fn in frames if "/cellguard/" in f and "/tests/" not in f]
    where = "?"
    if ours:
        file, func = ours[-1]
        where = f"{file.split('/cellguard/')[-1]}:{func}"
    last = trace.strip().splitlines()[-1] if trace.strip() else "?"
    return f"{last.split(':')[0]} in {where}"


def _shape(line: str) -> str:
    """A message with its numbers, quoted values and paths blurred, for grouping."""
    line = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", line)
    line = re.sub(r"\d+", "N", line)
    return re.sub(r"\S*/\S*", "PATH", line)[:160]


_CRASHED = re.compile(r"\brules? crashed\b")
"""How cellguard names rules that crashed (``rule crashed: X``, ``rules crashed: X, Y``)."""


def _process(inv: Invocation, out: Outcome) -> list[Violation]:
    cmd = inv.command
    if out.killed:
        kind = out.killed.split(":")[0]
        return [Violation(kind, out.killed[:120], cmd, (out.traceback or "")[-2000:])]
    if out.exception:
        return [Violation("uncaught-exception", _site(out.traceback), cmd, out.exception)]
    if out.exit_code == 3 and inv.crash_expected and _CRASHED.search(out.err):
        return []
    if out.exit_code == 3:
        err = out.err
        if "MemoryError" in err:
            return [Violation("memory", "MemoryError (exit 3)", cmd, err[-1500:])]
        if _CRASHED.search(err):
            line = next(x for x in err.splitlines() if _CRASHED.search(x))
            return [Violation("exit-3", _shape(line), cmd, err[-1500:])]
        return [Violation("exit-3", _site(out.debug_traceback), cmd, err[-1500:])]
    if out.exit_code not in (0, 1, 2):
        return [Violation("exit-code", f"exit code {out.exit_code}", cmd, out.err[-1500:])]
    return []


def _json_ok(text: str) -> str | None:
    def refuse(constant: str) -> object:
        raise ValueError(f"non-finite number {constant}")

    try:
        json.loads(text, parse_constant=refuse)
    except ValueError as exc:
        return str(exc)[:200]
    return None


def _text_problems(name: str, data: bytes, cmd: str) -> list[Violation]:
    if len(data) > MAX_OUTPUT:
        return [Violation("huge-output", f"{name} larger than {MAX_OUTPUT:,} bytes", cmd)]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [Violation("not-utf8", name, cmd, str(exc))]
    found = []
    if SECRET_MARK in text:
        found.append(Violation("external-entity", f"{name} holds /etc/passwd", cmd))
    match = CONTROL.search(text)
    if match:
        char = match.group()
        context = text[max(match.start() - 60, 0) : match.end() + 20]
        found.append(
            Violation("control-character", f"{name}: U+{ord(char):04X}", cmd, repr(context))
        )
    return found


def _output_kind(path: str) -> str:
    return "file " + (path.rsplit(".", 1)[-1] if "." in path else "")


def located(inv: Invocation, err: str) -> bool:
    """Whether standard error locates the error (see the module docstring)."""
    for name in inv.inputs:
        if re.search(rf"{re.escape(name)}:\d+", err):
            return True
        if name in inv.json_inputs and name in err:
            if not inv.json_keys or re.search(r"line \d+|\w\[\d+\]", err):
                return True
            if any(_names(err, key) for key in inv.json_keys):
                return True
    if any(option in err for option in inv.options):
        return True
    return any(
        re.search(rf"(^|\s){re.escape(prefix)}\b", err, flags=re.M)
        for path in [*inv.outputs, *inv.output_dirs]
        for prefix in _prefixes(path)
    )


def _names(err: str, key: str) -> bool:
    """Whether ``err`` names ``key``: as it is, with its control characters escaped, or quoted
    and bounded as cellguard echoes an odd key (``''`` for the empty key, the start and the
    length of a long one: :func:`cellguard.models.quoting.quoted`)."""
    if quoted(key, escape=True) in err or quoted(key) in err:
        return True
    if not key:
        return False
    shown = key.encode("unicode_escape").decode("ascii")
    return any(re.search(rf"(?<!\w){re.escape(k)}(?!\w)", err) for k in {key, shown})


def _validate_located(inv: Invocation, out: str) -> bool:
    """``validate --format json`` reports its diagnostics, with file and line, as data."""
    if inv.command != "validate":
        return False
    try:
        results = json.loads(out)["results"]
        return all(
            d.get("file") and isinstance(d.get("line"), int) and d["line"] >= 1
            for r in results
            for d in r["diagnostics"]
        ) and any(r["diagnostics"] for r in results)
    except (ValueError, KeyError, TypeError):
        return False


def _prefixes(path: str) -> list[str]:
    """``a/b/c.txt`` -> ``a``, ``a/b``, ``a/b/c.txt``: a message about a parent names one."""
    parts = path.split("/")
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def check(
    inv: Invocation,
    out: Outcome,
    root: Path,
    before: Snapshot,
    after: Snapshot,
    extra: Callable[[Invocation, Outcome], list[Violation]] | None = None,
) -> list[Violation]:
    """Every violation of the oracle by one command (see the module docstring)."""
    cmd = inv.command
    found = _process(inv, out)
    if found and found[0].kind != "exit-3":
        return found
    code = out.exit_code
    for stream, data in (("stdout", out.stdout), ("stderr", out.stderr)):
        found += _text_problems(stream, data, cmd)
    long_lines = [len(line) for line in out.err.splitlines() if len(line) > MAX_LINE]
    if long_lines:
        found.append(
            Violation(
                "echo-unbounded",
                f"stderr line over {MAX_LINE:,} chars",
                cmd,
                f"{max(long_lines):,}",
            )
        )
    if out.truncated:
        found.append(Violation("huge-output", ", ".join(out.truncated), cmd))
    if code == 2 and not located(inv, out.err) and not _validate_located(inv, out.out):
        first = next((x for x in out.err.splitlines() if x.strip()), "(no message)")
        found.append(Violation("unlocated-error", _shape(first), cmd, out.err[-1500:]))
    failed = code not in (0, 1) and not (code == 3 and inv.crash_expected)
    for rel, fmt in inv.outputs.items():
        was, now = before.get(rel), after.get(rel)
        if failed and was != now:
            found.append(
                Violation(
                    "wrote-on-failure", f"{_output_kind(rel)} (exit {code})", cmd, f"was {was}"
                )
            )
        if not failed and now is None:
            found.append(Violation("missing-output", f"{_output_kind(rel)} not written", cmd))
        if not failed and now is not None and was is not None and was != now and not inv.force:
            found.append(
                Violation("overwrote", f"{_output_kind(rel)} without --force", cmd, f"was {was}")
            )
        path = root / rel
        if not failed and path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            found += _text_problems(f"{fmt} file", data, cmd)
            if fmt in ("json", "sarif") and (problem := _json_ok(data.decode("utf-8", "replace"))):
                found.append(Violation("invalid-json", f"{fmt} file: {_shape(problem)}", cmd))
    if not failed and inv.stdout_format is not None:
        if not out.stdout.strip():
            found.append(Violation("missing-output", "empty standard output", cmd))
        elif inv.stdout_format in ("json", "sarif") and (problem := _json_ok(out.out)):
            found.append(
                Violation("invalid-json", f"{inv.stdout_format} stdout: {_shape(problem)}", cmd)
            )
    for folder in inv.output_dirs:
        inside = [
            rel for rel in after if rel.startswith(folder + "/") and before.get(rel) != after[rel]
        ]
        if failed and inside:
            found.append(Violation("wrote-on-failure", f"directory output (exit {code})", cmd))
        if not failed and not inside:
            found.append(Violation("missing-output", "directory output not written", cmd))
        for rel in inside if not failed else []:
            found += _text_problems(f"{folder}/ file", (root / rel).read_bytes(), cmd)
    allowed = set(inv.outputs)
    for rel in sorted(set(before) | set(after)):
        if rel in allowed or any(
            rel.startswith(d.rstrip("/") + "/") for d in [*inv.may_create, *inv.output_dirs]
        ):
            continue
        if before.get(rel) != after.get(rel):
            what = "removed" if rel not in after else "created" if rel not in before else "changed"
            found.append(Violation("workspace-changed", f"{what} {_shape(rel)}", cmd, rel))
    if extra is not None:
        found += extra(inv, out)
    return found
