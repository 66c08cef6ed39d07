"""The input families and their seeds: what a case mutates and which commands it runs.

=========  ==============================================  ======================================
family     seeds                                           commands
=========  ==============================================  ======================================
spec       examples/*.yaml                                 validate, assess (8 formats), check
                                                           (with and without --baseline), diff,
                                                           plan, graph, signoff + verify
org        examples/org/ (one of its files mutated)        the same, on the directory
waivers    waivers and their dates; ``--today``            validate, assess, check, signoff
baseline   ``assess --format json`` of two examples        check --baseline
mef        Aralia trees, a journey exported by cellguard   faulttree quantify
packs      the built-in declarative rules, renamed         assess / check --rules, rules list
signoff    a store of two records written by ``signoff``   verify, assess -f html
config     ``.cellguard.yaml`` using every key             config, validate, assess, check (with
                                                           and without PATH; --config)
=========  ==============================================  ======================================

The first five are here, packs and signoff in :mod:`tests.fuzz.trust_families`, config in
:mod:`tests.fuzz.config_family`; the seeds in :mod:`tests.fuzz.seeds`.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from hypothesis import strategies as st

from tests.fuzz import commands as cmd
from tests.fuzz.commands import Setup
from tests.fuzz.hostile import Hostile, json_values, yaml_dates, yaml_values
from tests.fuzz.mutate import (
    BYTE_OPS,
    JSON_FORMAT,
    SENTINEL,
    YAML_FORMAT,
    Mutation,
    byte_mutation,
    tree_mutation,
)
from tests.fuzz.oracle import Invocation
from tests.fuzz.seeds import (
    EXAMPLES,
    MIB,
    baseline_seed,
    json_keys,
    mef_seeds,
    org_seed,
    spec_seeds,
)
from tests.fuzz.xml_mutate import xml_mutation


@dataclass
class Case:
    """One fuzz case: the files of its workspace, what was mutated, and the commands to run.

    ``tampered``: the case edited a sign-off record's data, so ``verify`` must not pass;
    ``must_reject``: the input is invalid (a waiver date that is not YYYY-MM-DD), so every
    command must exit 2.
    """

    family: str
    seed: str
    mutation: Mutation
    files: dict[str, bytes]
    invocations: list[Invocation]
    setup: Setup = field(default_factory=Setup)
    tampered: bool = False
    must_reject: bool = False

    def describe(self) -> str:
        """One line: family, seed and mutation."""
        return f"[{self.family}] {self.seed}: {self.mutation.describe()}"

    def setup_lines(self) -> list[str]:
        """Shell lines that recreate :attr:`setup` (for a reproducer)."""
        lines = [f"mkdir -p {d}" for d in self.setup.dirs]
        lines += [f"printf 'precious user data\\n' > {f}" for f in self.setup.files]
        lines += [f"ln -s {t} {link}" for link, t in self.setup.links.items()]
        lines += [f"mkfifo {f}" for f in self.setup.fifos]
        if self.setup.git:
            lines.insert(0, f"# a git repository whose one commit holds {sorted(self.setup.git)}")
        return lines


YAML_KEYS = (
    ("unknown-key", "zzz_unknown"),
    ("unknown-key", "replicaz"),
    ("merge-key", "<<"),
    ("control-key", '"\\e[2Jkey"'),
    ("huge-key", '"' + "k" * 100_000 + '"'),
    ("complex-key", "[a, b]"),
    ("type-key", "1"),
    ("type-key", "null"),
    ("type-key", "true"),
)


def yaml_keys() -> st.SearchStrategy[Hostile]:
    """Keys an ``add-key`` mutation adds to a YAML mapping."""
    return st.sampled_from(YAML_KEYS).map(lambda kv: Hostile(*kv))


def json_keys_strategy() -> st.SearchStrategy[Hostile]:
    """Keys an ``add-key`` mutation adds to a JSON object."""
    return st.sampled_from(
        [
            Hostile("unknown-key", '"zzz_unknown"'),
            Hostile("control-key", '"\\u001b[2J"'),
            Hostile("huge-key", '"' + "k" * 100_000 + '"'),
            Hostile("empty-key", '""'),
        ]
    )


@st.composite
def mutate_yaml(
    draw: st.DrawFn, text: str, data: Any, values: Any = yaml_values
) -> tuple[bytes, Mutation]:
    """Byte damage (1 in 6) or one to three tree mutations of a YAML document: a further one
    applies to the previous result while it still reads as a mapping (many single mutations
    are refused at load; several plausible ones reach the assessment, the planner, the graph)."""
    if draw(st.integers(0, 5)) == 0:
        return draw(byte_mutation(text, b"# padding\n", 10 * MIB))
    done: list[Mutation] = []
    for _ in range(draw(st.sampled_from([1, 1, 2, 3]))):
        mutated, mutation = draw(tree_mutation(data, YAML_FORMAT, values, yaml_keys))
        done.append(mutation)
        data = _reread(mutated)
        if not isinstance(data, dict):
            break
    if len(done) == 1:
        return mutated.encode("utf-8", "surrogatepass"), done[0]
    where = "; ".join(m.describe() for m in done[:-1])
    last = done[-1]
    combined = Mutation(last.op, f"{last.where} after [{where[:400]}]", last.value)
    return mutated.encode("utf-8", "surrogatepass"), combined


def _reread(text: str) -> Any:
    """``text`` as YAML data, or None when it does not read, or reads as data no mutation can
    walk (a recursive alias makes a cyclic list; thousands of levels exceed Python's stack)."""
    if len(text) > MIB:
        return None
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        json.dumps(data, default=str)  # ValueError on a cycle, RecursionError when too deep
    except Exception:  # anything PyYAML raises, a cycle, too deep: not a further seed
        return None
    return data


@st.composite
def mutate_json(draw: st.DrawFn, text: str) -> tuple[bytes, Mutation]:
    """A tree mutation (5 in 6) or byte damage (1 in 6) of a JSON document."""
    if draw(st.integers(0, 5)) == 0:
        return draw(byte_mutation(text, b" " * 4096, 64 * MIB))
    data = json.loads(text)
    mutated, mutation = draw(tree_mutation(data, JSON_FORMAT, json_values, json_keys_strategy))
    return mutated.encode("utf-8", "surrogatepass"), mutation


SPEC_COMMANDS = ["validate"] * 2 + ["assess"] * 4 + ["check"] * 2 + ["baseline", "diff", "diff"]
SPEC_COMMANDS += ["plan", "graph", "signoff"]


@st.composite
def spec_commands(
    draw: st.DrawFn, path: str, original: str, directory: bool, dates: bool = False
) -> tuple[list[Invocation], Setup]:
    """One of the commands that read specs, on ``path`` (``original``: the unmutated copy);
    ``dates``: sometimes with a hostile ``--today``."""
    which = draw(st.sampled_from(SPEC_COMMANDS))
    if which == "validate":
        return draw(cmd.validate([path]))
    if which == "assess":
        return draw(cmd.assess([path], dates))
    if which == "check":
        return draw(cmd.check([path], dates=dates))
    if which in ("baseline", "diff"):
        return draw(_compare(which, path, original, dates))
    if which == "plan":
        return draw(cmd.plan(path, directory, dates))
    if which == "graph":
        return draw(cmd.graph(path))
    return draw(cmd.signoff_verify(path))


GIT_SEED = "<the unmutated spec>"
"""Placeholder in :attr:`Setup.git` that the family replaces with the files to commit."""


@st.composite
def _compare(
    draw: st.DrawFn, which: str, path: str, original: str, dates: bool
) -> tuple[list[Invocation], Setup]:
    """``check --baseline`` or ``diff`` against a file or (1 in 4) ``git:REF``: a hostile or
    real revision, in a repository whose commit holds the unmutated spec or (1 in 5) outside
    any repository."""
    ref = draw(st.sampled_from(cmd.GIT_REFS)) if draw(st.integers(0, 3)) == 0 else None
    other = f"git:{ref}" if ref is not None else original if which == "diff" else "base.json"
    if which == "diff":
        invocations, setup = draw(cmd.diff(other, path, dates))
    else:
        invocations, setup = draw(cmd.check([path], baseline=other, dates=dates))
    if ref is None:
        return invocations, setup
    for inv in invocations:
        inv.options += cmd.git_options(ref)
    if draw(st.integers(0, 4)) == 0:
        return invocations, setup
    return invocations, setup.merge(Setup(git={GIT_SEED: b""}))


@st.composite
def spec_case(draw: st.DrawFn) -> Case:
    """An example stack with one mutation, through one command."""
    seeds = spec_seeds()
    name = draw(st.sampled_from(sorted(seeds)))
    text, data = seeds[name]
    files = {"original.yaml": text.encode("utf-8")}
    path, setup = "spec.yaml", Setup()
    if draw(st.integers(0, 19)) == 0:
        path, setup, kind = draw(cmd.special_path("special.yaml"))
        mutation = Mutation("special-path", kind)
    else:
        files["spec.yaml"], mutation = draw(mutate_yaml(text, data))
    invocations, more = draw(spec_commands(path, "original.yaml", False, True))
    if any("base.json" in inv.argv for inv in invocations):
        files["base.json"] = baseline_seed(name).encode("utf-8")
    if more.git:
        more.git = {"spec.yaml": files["original.yaml"]}
    return Case("spec", name, mutation, files, invocations, setup.merge(more))


@st.composite
def org_case(draw: st.DrawFn) -> Case:
    """The organisation example with one of its files mutated, through one command."""
    seeds = org_seed()
    name = draw(st.sampled_from(sorted(seeds)))
    text, data = seeds[name]
    files = {}
    for other, (other_text, _) in seeds.items():
        files[f"original/{other}"] = other_text.encode("utf-8")
        files[f"org/{other}"] = other_text.encode("utf-8")
    setup = Setup()
    inputs = [f"org/{n}" for n in seeds] + [f"original/{n}" for n in seeds]
    if draw(st.integers(0, 19)) == 0:
        special, setup, kind = draw(cmd.special_path("org/zz-special.yaml"))
        mutation = Mutation("special-path", f"{kind} in the directory")
        inputs.append(special)
    else:
        files[f"org/{name}"], mutation = draw(mutate_yaml(text, data))
    invocations, more = draw(spec_commands("org", "original", True))
    if more.git:
        more.git = {f"org/{n}": t.encode("utf-8") for n, (t, _) in seeds.items()}
    for inv in invocations:
        inv.inputs += inputs
    if any("base.json" in inv.argv for inv in invocations):
        files["base.json"] = baseline_seed("org").encode("utf-8")
    return Case("org", f"org/{name}", mutation, files, invocations, setup.merge(more))


WAIVER = {
    "rule": "CG-RED-*",
    "target": "llm",
    "reason": "accepted for the fuzz test",
    "owner": "jane.doe",
    "ticket": "FUZZ-1",
    "expires": "2027-01-31",
}
WAIVER_FIELDS = ["expires"] * 5 + ["rule", "target", "owner", "reason", "ticket"]


@st.composite
def waiver_case(draw: st.DrawFn) -> Case:
    """A waiver (added, or the example's own) with one hostile field; a hostile ``--today``
    comes from the drivers' date option."""
    seeds = spec_seeds()
    name = draw(st.sampled_from(sorted(seeds)))
    _, data = seeds[name]
    tree = copy.deepcopy(data)
    tree["waivers"] = [*tree.get("waivers", []), dict(WAIVER)]
    index = draw(st.integers(0, len(tree["waivers"]) - 1))
    key = draw(st.sampled_from(WAIVER_FIELDS))
    value = draw(yaml_dates() if key == "expires" else yaml_values())
    tree["waivers"][index][key] = SENTINEL
    spec = YAML_FORMAT.dump(tree).replace(SENTINEL, value.text, 1)
    which = draw(st.sampled_from(["validate", "assess", "assess", "check", "signoff"]))
    if which == "validate":
        invocations, setup = draw(cmd.validate(["spec.yaml"]))
    elif which == "assess":
        invocations, setup = draw(cmd.assess(["spec.yaml"], dates=True))
    elif which == "check":
        invocations, setup = draw(cmd.check(["spec.yaml"], dates=True))
    else:
        invocations, setup = draw(cmd.signoff_verify("spec.yaml"))
    files = {"spec.yaml": spec.encode("utf-8", "surrogatepass")}
    mutation = Mutation("replace", f"waivers[{index}].{key}", value)
    invalid = key == "expires" and not _iso_date(value.text)
    return Case("waivers", name, mutation, files, invocations, setup, must_reject=invalid)


def _iso_date(text: str) -> bool:
    """Whether a raw YAML value is a real date written YYYY-MM-DD (quoted or not)."""
    bare = text[1:-1] if text[:1] == text[-1:] == '"' else text
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", bare):
        return False
    try:
        dt.date.fromisoformat(bare)
    except ValueError:
        return False
    return True


@st.composite
def baseline_case(draw: st.DrawFn) -> Case:
    """``check --baseline`` with a damaged report, or a baseline path that is not a file."""
    name = draw(st.sampled_from(["rag-support-assistant.yaml", "vllm-single-zone.yaml"]))
    text = baseline_seed(name)
    files = {"spec.yaml": (EXAMPLES / name).read_bytes()}
    special = draw(st.integers(0, 14))
    baseline = "base.json"
    setup = Setup()
    if special == 0:
        baseline, setup, kind = draw(cmd.special_path("base.json"))
        mutation = Mutation("special-path", kind)
    else:
        mutated, mutation = draw(mutate_json(text))
        files["base.json"] = mutated
    invocations, more = draw(cmd.check(["spec.yaml"], baseline=baseline))
    structured = mutation.op not in BYTE_OPS
    for inv in invocations:
        inv.json_inputs.append(baseline)
        inv.json_keys = json_keys(text, files.get("base.json", b"")) if structured else []
    return Case("baseline", name, mutation, files, invocations, setup.merge(more))


@st.composite
def mef_case(draw: st.DrawFn) -> Case:
    """A fault tree with one mutated element (or damaged bytes), through ``faulttree quantify``."""
    seeds = mef_seeds()
    name = draw(st.sampled_from(sorted(seeds)))
    text = seeds[name]
    path, setup, files = "tree.xml", Setup(), {}
    choice = draw(st.integers(0, 19))
    if choice == 0:
        path, setup, kind = draw(cmd.special_path("tree.xml"))
        mutation = Mutation("special-path", kind)
    elif choice < 4:
        files["tree.xml"], mutation = draw(byte_mutation(text, b"<!-- padding -->\n", 10 * MIB))
    else:
        xml, mutation = draw(xml_mutation(text))
        files["tree.xml"] = xml.encode("utf-8", "surrogatepass")
    invocations, more = draw(cmd.quantify(path))
    return Case("mef", name, mutation, files, invocations, setup.merge(more))
