"""Per-command drivers: the command lines a case runs on its (mutated) inputs.

Each driver is a hypothesis strategy that draws options (format, output file, --force, ...)
and returns the :class:`~tests.fuzz.oracle.Invocation` list for one command, with what the
oracle must know: which files are outputs and in which format, which inputs and options locate
an error. Paths are relative to the case's workspace, the child's working directory.
Output paths are sometimes hostile themselves (an existing file, a dangling symlink, a
directory, a missing parent): :class:`Setup` records what to create before the command runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st

from tests.fuzz.hostile import Hostile, date_texts
from tests.fuzz.oracle import Invocation

TODAY = "2026-11-21"
COMMON = ["--today", TODAY, "--no-plugins"]
REPORT_FORMATS = ("table", "compact", "json", "sarif", "github", "junit", "markdown", "html")
EXTENSIONS = {
    "table": "txt",
    "compact": "txt",
    "github": "txt",
    "junit": "xml",
    "markdown": "md",
    "mermaid": "mmd",
}
PRECIOUS = b"precious user data\n"
"""What a pre-existing file at an output path holds; it must survive unless --force is given."""


@dataclass
class Setup:
    """Files, directories and symlinks to create in the workspace before the commands run."""

    files: dict[str, bytes] = field(default_factory=dict)
    dirs: list[str] = field(default_factory=list)
    links: dict[str, str] = field(default_factory=dict)
    fifos: list[str] = field(default_factory=list)
    git: dict[str, bytes] = field(default_factory=dict)
    """Files committed to a git repository made in the workspace before the case's own files
    are written (so ``git:HEAD`` holds the unmutated spec); empty: no repository."""

    def merge(self, other: Setup) -> Setup:
        """Both setups in one."""
        return Setup(
            {**self.files, **other.files},
            [*self.dirs, *other.dirs],
            {**self.links, **other.links},
            [*self.fifos, *other.fifos],
            {**self.git, **other.git},
        )


GIT_REFS = (
    "HEAD",
    "HEAD",
    "HEAD~1",
    "--output=pwned",
    "-h",
    "",
    "HEAD\nx",
    "HEAD\x1b[2J",
    "@{-1}",
    "HEAD^{/x",
    "HEAD:../../etc/passwd",
    "refs/heads/nope",
    "0" * 40,
    "a" * 100_000,
)
"""Revisions for ``git:REF``: real ones, options in disguise, control characters, a huge one."""


def git_options(ref: str) -> list[str]:
    """What locates an error about ``git:REF``: the option, or the revision's start as written
    or with its control characters escaped (as messages show it)."""
    shown = ref.encode("unicode_escape").decode("ascii")
    bare = [f" {ref}"] if ref.isalnum() else []
    return ["--baseline", "git:", f"'{ref[:30]}", f"'{shown[:30]}", *bare]


SPECIAL_PATHS = (
    "fifo",
    "dev-zero",
    "dev-null",
    "self-loop",
    "dangling",
    "directory",
    "device-link",
)
"""Input paths that are not regular files: a FIFO (an open blocks), /dev/zero (never ends),
/dev/null (empty), a symlink to itself, to nowhere or to a device, a directory."""


@st.composite
def special_path(draw: st.DrawFn, name: str) -> tuple[str, Setup, str]:
    """An input path of one of the :data:`SPECIAL_PATHS` kinds: (path, setup, kind)."""
    kind = draw(st.sampled_from(SPECIAL_PATHS))
    if kind == "fifo":
        return name, Setup(fifos=[name]), kind
    if kind in ("dev-zero", "dev-null"):
        return f"/dev/{kind[4:]}", Setup(), kind
    if kind == "self-loop":
        return name, Setup(links={name: name.rsplit("/", 1)[-1]}), kind
    if kind == "dangling":
        return name, Setup(links={name: "nowhere/at/all"}), kind
    if kind == "directory":
        return name, Setup(dirs=[name]), kind
    return name, Setup(links={name: "/dev/zero"}), kind


@dataclass
class Target:
    """An output path as drawn: the path, whether --force is passed, what to create first."""

    path: str
    force: bool
    setup: Setup
    kind: str


def _ext(fmt: str) -> str:
    return EXTENSIONS.get(fmt, fmt)


@st.composite
def output_target(draw: st.DrawFn, name: str) -> Target:
    """An output path: usually new, sometimes an existing file, a symlink or a bad place."""
    kind = draw(
        st.sampled_from(
            ["new"] * 12
            + [
                "existing",
                "existing-forced",
                "dangling-link",
                "directory",
                "missing-parent",
                "under-file",
            ]
        )
    )
    if kind == "existing":
        return Target(name, False, Setup(files={name: PRECIOUS}), kind)
    if kind == "existing-forced":
        return Target(name, True, Setup(files={name: PRECIOUS}), kind)
    if kind == "dangling-link":
        return Target(name, False, Setup(links={name: "nowhere/at/all"}), kind)
    if kind == "directory":
        return Target(name, False, Setup(dirs=[name]), kind)
    if kind == "missing-parent":
        return Target(f"missing/{name}", False, Setup(), kind)
    if kind == "under-file":
        return Target(f"blocker/{name}", False, Setup(files={"blocker": PRECIOUS}), kind)
    return Target(name, False, Setup(), kind)


@st.composite
def today_option(draw: st.DrawFn, dates: bool) -> tuple[list[str], Hostile | None]:
    """``--today`` and ``--no-plugins``: the fixed date, or (1 in 20 with ``dates``) a hostile
    one."""
    if dates and draw(st.integers(0, 19)) == 0:
        date = draw(date_texts())
        return ["--today", date.text, "--no-plugins"], date
    return list(COMMON), None


def _with_output(
    argv: list[str], fmt: str, target: Target, inv: Invocation, flag: str = "-o"
) -> None:
    argv += [flag, target.path]
    inv.outputs[target.path] = fmt
    inv.force = inv.force or target.force
    if target.force and "--force" not in argv:
        argv.append("--force")


@st.composite
def assess_like(
    draw: st.DrawFn, command: str, paths: list[str], extra: list[str], dates: bool = False
) -> tuple[Invocation, Setup]:
    """``assess`` or ``check`` in one, two or three formats, to files or standard output."""
    options, date = draw(today_option(dates))
    inv = Invocation([command, *paths, *extra, *options], inputs=list(paths))
    if date is not None:
        inv.options.append("--today")
    setup = Setup()
    count = draw(st.integers(1, 3))
    formats = draw(st.lists(st.sampled_from(REPORT_FORMATS), min_size=count, max_size=count))
    to_stdout = draw(st.integers(0, count))  # which format goes to standard output (count: none)
    for index, fmt in enumerate(formats):
        inv.argv += ["-f", fmt]
        if index == to_stdout:
            inv.argv += ["-o", "-"] if index < count - 1 else []
            inv.stdout_format = fmt
            continue
        target = draw(output_target(f"report{index}.{_ext(fmt)}"))
        setup = setup.merge(target.setup)
        _with_output(inv.argv, fmt, target, inv)
    if "github" in formats:
        inv.env["GITHUB_STEP_SUMMARY"] = "step-summary.md"
        inv.outputs["step-summary.md"] = "markdown"
    return inv, setup


@st.composite
def validate(draw: st.DrawFn, paths: list[str]) -> tuple[list[Invocation], Setup]:
    """``validate PATH`` as text or JSON."""
    fmt = draw(st.sampled_from(["text", "json"]))
    inv = Invocation(["validate", *paths, "--format", fmt], inputs=list(paths))
    inv.stdout_format = "json" if fmt == "json" else None
    return [inv], Setup()


@st.composite
def assess(
    draw: st.DrawFn, paths: list[str], dates: bool = False
) -> tuple[list[Invocation], Setup]:
    """``assess PATH`` in one to three of the eight formats."""
    inv, setup = draw(assess_like("assess", paths, [], dates))
    return [inv], setup


@st.composite
def check(
    draw: st.DrawFn, paths: list[str], baseline: str | None = None, dates: bool = False
) -> tuple[list[Invocation], Setup]:
    """``check PATH [--baseline FILE] [--fail-on SEVERITY]`` in one to three formats."""
    extra = ["--fail-on", draw(st.sampled_from(["info", "low", "medium", "high", "critical"]))]
    if baseline is not None:
        extra += ["--baseline", baseline]
    inv, setup = draw(assess_like("check", paths, extra, dates))
    if baseline is not None:
        inv.inputs.append(baseline)
        inv.options.append("--baseline")
    return [inv], setup


@st.composite
def diff(
    draw: st.DrawFn, old: str, new: str, dates: bool = False
) -> tuple[list[Invocation], Setup]:
    """``diff OLD NEW`` (either way round) as table, markdown or JSON."""
    if draw(st.booleans()):
        old, new = new, old
    fmt = draw(st.sampled_from(["table", "markdown", "json"]))
    options, date = draw(today_option(dates))
    inv = Invocation(["diff", old, new, "-f", fmt, *options], inputs=[old, new])
    if date is not None:
        inv.options.append("--today")
    setup = Setup()
    if draw(st.booleans()):
        target = draw(output_target(f"diff.{_ext(fmt)}"))
        setup = target.setup
        _with_output(inv.argv, fmt, target, inv)
    else:
        inv.stdout_format = fmt
    return [inv], setup


@st.composite
def plan(
    draw: st.DrawFn, path: str, directory: bool, dates: bool = False
) -> tuple[list[Invocation], Setup]:
    """``plan PATH -o TARGET [--plan-output FILE]`` (TARGET a directory for an organisation)."""
    fmt = draw(st.sampled_from(["markdown", "json"]))
    options, date = draw(today_option(dates))
    inv = Invocation(["plan", path, "-f", fmt, *options], inputs=[path])
    if date is not None:
        inv.options.append("--today")
    setup = Setup()
    if directory:
        inv.argv += ["-o", "target"]
        inv.output_dirs.append("target")
    else:
        target = draw(output_target("target.yaml"))
        setup = target.setup
        _with_output(inv.argv, "yaml", target, inv)
    if draw(st.booleans()):
        report = draw(output_target(f"plan.{_ext(fmt)}"))
        setup = setup.merge(report.setup)
        _with_output(inv.argv, fmt, report, inv, flag="--plan-output")
    else:
        inv.stdout_format = fmt
    return [inv], setup


@st.composite
def graph(draw: st.DrawFn, path: str) -> tuple[list[Invocation], Setup]:
    """``graph PATH [--format mermaid|dot] [--domains]``."""
    fmt = draw(st.sampled_from(["mermaid", "dot"]))
    inv = Invocation(["graph", path, "--format", fmt], inputs=[path])
    if draw(st.booleans()):
        inv.argv.append("--domains")
    setup = Setup()
    if draw(st.booleans()):
        target = draw(output_target(f"graph.{_ext(fmt)}"))
        setup = target.setup
        _with_output(inv.argv, fmt, target, inv)
    else:
        inv.stdout_format = fmt
    return [inv], setup


@st.composite
def signoff_verify(draw: st.DrawFn, path: str) -> tuple[list[Invocation], Setup]:
    """``signoff PATH`` then ``verify PATH``, both with ``--store .``."""
    decision = draw(st.sampled_from(["approve", "reject"]))
    reviewer = draw(st.sampled_from(["alice", "a" * 10_000, "\x1b[2Jmallory", "  bob  "]))
    argv = ["signoff", path, "--reviewer", reviewer, "--decision", decision, "--store", "."]
    sign = Invocation([*argv, *COMMON], inputs=[path], options=["--reviewer"])
    sign.may_create.append(".cellguard")
    check_it = Invocation(["verify", path, "--store", ".", *COMMON], inputs=[path])
    check_it.may_create.append(".cellguard")
    return [sign, check_it], Setup()


@st.composite
def quantify(draw: st.DrawFn, path: str) -> tuple[list[Invocation], Setup]:
    """``faulttree quantify FILE`` as table or JSON, with or without Monte Carlo and limits."""
    fmt = draw(st.sampled_from(["table", "json"]))
    argv = ["faulttree", "quantify", path, "--format", fmt]
    argv += ["--mc-trials", draw(st.sampled_from(["0", "0", "1000"]))]
    options: list[str] = []
    if draw(st.integers(0, 4)) == 0:
        argv += ["--node-budget", draw(st.sampled_from(["1", "50", "100000"]))]
        options.append("--node-budget")
    if draw(st.integers(0, 4)) == 0:
        argv += ["--time-limit", draw(st.sampled_from(["0", "0.5"]))]
        options.append("--time-limit")
    if draw(st.integers(0, 5)) == 0:
        top = draw(st.sampled_from(["r1", "nope", "", "\x1b[2J", "a" * 100_000]))
        argv += ["--top", top]
        options += ["--top", f"'{top[:40]}"] if top.isalnum() else ["--top"]
    inv = Invocation(argv, inputs=[path], options=options, stdout_format=fmt)
    return [inv], Setup()
