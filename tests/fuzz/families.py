"""The input families and their seeds: what a case mutates and which commands it runs.

=========  ==============================================  ======================================
family     seeds                                           commands
=========  ==============================================  ======================================
spec       examples/*.yaml                                 validate, assess (7 formats), check
                                                           (with and without --baseline), diff,
                                                           plan, graph, signoff + verify
org        examples/org/ (one of its files mutated)        the same, on the directory
waivers    waivers and their dates; ``--today``            validate, assess, check, signoff
baseline   ``assess --format json`` of two examples        check --baseline
mef        Aralia trees, a journey exported by cellguard   faulttree quantify
packs      the built-in declarative rules, renamed         assess / check --rules, rules list
signoff    a store of two records written by ``signoff``   verify, assess -f html
=========  ==============================================  ======================================

Seeds are read or generated once per session (the JSON reports, exported trees and sign-off
records by running cellguard itself in-process), so they follow the code as it changes.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.fuzz import commands as cmd
from tests.fuzz.commands import COMMON, Setup
from tests.fuzz.hostile import Hostile, json_values, yaml_dates, yaml_values
from tests.fuzz.mutate import (
    BYTE_OPS,
    JSON_FORMAT,
    SENTINEL,
    YAML_FORMAT,
    Mutation,
    byte_mutation,
    tree_mutation,
    walk,
)
from tests.fuzz.oracle import Invocation
from tests.fuzz.xml_mutate import xml_mutation
from tests.helpers import REPO

EXAMPLES = REPO / "examples"
ARALIA = REPO / "benchmarks" / "data" / "aralia"
MEF_SEEDS = ("chinese", "das9205", "isp9605", "baobab2")
PACK_SEEDS = (
    "obs/cg_obs_003_tracing.yaml",
    "fi/cg_fi_008_write_tool_least_privilege.yaml",
    "cor/cg_cor_011_typed_tools.yaml",
    "obs/cg_obs_002_gpu_metrics.yaml",
)
MIB = 1 << 20


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
        return lines


def _invoke(argv: list[str]) -> str:
    result = CliRunner().invoke(app, argv, catch_exceptions=False)
    if result.exit_code not in (0, 1):
        raise RuntimeError(f"seed command failed: {argv}: {result.stderr}")
    return result.stdout


def _parsed(data: str | bytes) -> object:
    """A JSON document as data, or None when it does not parse (as Python reads it)."""
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        return None


@functools.cache
def spec_seeds() -> dict[str, tuple[str, Any]]:
    """The example stacks: name -> (text, parsed data)."""
    out = {}
    for path in sorted(EXAMPLES.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        out[path.name] = (text, yaml.safe_load(text))
    return out


@functools.cache
def org_seed() -> dict[str, tuple[str, Any]]:
    """The organisation example's files: name -> (text, parsed data)."""
    return {
        p.name: (p.read_text(encoding="utf-8"), yaml.safe_load(p.read_text(encoding="utf-8")))
        for p in sorted((EXAMPLES / "org").glob("*.yaml"))
    }


@functools.cache
def baseline_seed(name: str) -> str:
    """``assess --format json`` of an example (or of ``org``), as this cellguard writes it."""
    return _invoke(["assess", str(EXAMPLES / name), "-f", "json", *COMMON])


@functools.cache
def mef_seeds() -> dict[str, str]:
    """Aralia trees and the chat journey of the RAG example exported by cellguard."""
    seeds = {f"{n}.xml": (ARALIA / f"{n}.xml").read_text(encoding="utf-8") for n in MEF_SEEDS}
    rag = str(EXAMPLES / "rag-support-assistant.yaml")
    seeds["rag-chat.xml"] = _invoke(["faulttree", "export", rag, "--journey", "chat"])
    return seeds


@functools.cache
def pack_seeds() -> dict[str, tuple[str, Any]]:
    """Built-in declarative rules with their ids moved to ACME-..., so they load as a pack."""
    out = {}
    for rel in PACK_SEEDS:
        text = (REPO / "cellguard" / "rules" / "builtin" / rel).read_text(encoding="utf-8")
        text = re.sub(r"^id: CG-(\w+)-0(\d\d)", r"id: ACME-\1-9\2", text, count=1, flags=re.M)
        out[rel.split("/")[-1]] = (text, yaml.safe_load(text))
    return out


@functools.cache
def signoff_seeds() -> dict[str, dict[str, bytes]]:
    """Per example: the spec and a store with a rejection then an approval of it."""
    out = {}
    for name in ("rag-support-assistant.yaml", "vllm-single-zone.yaml"):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "spec.yaml").write_bytes((EXAMPLES / name).read_bytes())
            for decision in ("reject", "approve"):
                argv = ["signoff", str(root / "spec.yaml"), "--reviewer", "alice"]
                _invoke([*argv, "--decision", decision, "--store", str(root), *COMMON])
            out[name] = {
                str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()
            }
    return out


def json_keys(*texts: str | bytes) -> list[str]:
    """Every key of the JSON documents that parse (what a key path in an error may name)."""
    keys: set[str] = set()
    for text in texts:
        data = _parsed(text)
        keys |= {p[-1] for p in walk(data) if isinstance(p[-1], str) and p[-1]}
    return sorted(keys)


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
    """A tree mutation (5 in 6) or byte damage (1 in 6) of a YAML document."""
    if draw(st.integers(0, 5)) == 0:
        return draw(byte_mutation(text, b"# padding\n", 10 * MIB))
    mutated, mutation = draw(tree_mutation(data, YAML_FORMAT, values, yaml_keys))
    return mutated.encode("utf-8", "surrogatepass"), mutation


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
    if which == "baseline":
        return draw(cmd.check([path], baseline="base.json", dates=dates))
    if which == "diff":
        return draw(cmd.diff(original, path, dates))
    if which == "plan":
        return draw(cmd.plan(path, directory, dates))
    if which == "graph":
        return draw(cmd.graph(path))
    return draw(cmd.signoff_verify(path))


@st.composite
def spec_case(draw: st.DrawFn) -> Case:
    """An example stack with one mutation, through one command."""
    seeds = spec_seeds()
    name = draw(st.sampled_from(sorted(seeds)))
    text, data = seeds[name]
    mutated, mutation = draw(mutate_yaml(text, data))
    invocations, setup = draw(spec_commands("spec.yaml", "original.yaml", False, True))
    files = {"spec.yaml": mutated, "original.yaml": text.encode("utf-8")}
    if any("base.json" in inv.argv for inv in invocations):
        files["base.json"] = baseline_seed(name).encode("utf-8")
    return Case("spec", name, mutation, files, invocations, setup)


@st.composite
def org_case(draw: st.DrawFn) -> Case:
    """The organisation example with one of its files mutated, through one command."""
    seeds = org_seed()
    name = draw(st.sampled_from(sorted(seeds)))
    text, data = seeds[name]
    mutated, mutation = draw(mutate_yaml(text, data))
    files = {}
    for other, (other_text, _) in seeds.items():
        files[f"original/{other}"] = other_text.encode("utf-8")
        files[f"org/{other}"] = mutated if other == name else other_text.encode("utf-8")
    invocations, setup = draw(spec_commands("org", "original", True))
    for inv in invocations:
        inv.inputs += [f"org/{n}" for n in seeds] + [f"original/{n}" for n in seeds]
    if any("base.json" in inv.argv for inv in invocations):
        files["base.json"] = baseline_seed("org").encode("utf-8")
    return Case("org", f"org/{name}", mutation, files, invocations, setup)


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
        baseline = draw(st.sampled_from(["/dev/zero", "/dev/null", "missing.json", "folder"]))
        setup = Setup(dirs=["folder"])
        mutation = Mutation("path", baseline)
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
    if draw(st.integers(0, 5)) == 0:
        mutated, mutation = draw(byte_mutation(text, b"<!-- padding -->\n", 10 * MIB))
    else:
        xml, mutation = draw(xml_mutation(text))
        mutated = xml.encode("utf-8", "surrogatepass")
    invocations, setup = draw(cmd.quantify("tree.xml"))
    return Case("mef", name, mutation, {"tree.xml": mutated}, invocations, setup)


def _deep(depth: int, opening: str, core: str, closing: str) -> str:
    return opening * depth + core + closing * depth


PACK_VALUES = (
    ("format-spec", '"{target!z}"'),
    ("format-spec", '"{target:d}"'),
    ("format-spec", '"{target:>999999999}"'),
    ("format-spec", '"{target:>' + "9" * 20 + '}"'),
    ("format-spec", '"{target:.999999999}"'),
    ("format-spec", '"{target.__class__.__mro__}"'),
    ("format-spec", '"{target[0]}"'),
    ("format-spec", '"{target:{target}}"'),
    ("format-spec", '"{stack!r:^300}"'),
    ("format-spec", '"{0} {}"'),
    ("format-spec", '"{"'),
    ("format-spec", '"}"'),
    ("predicate", "{attribute: replicas, contains: 3}"),
    ("predicate", "{attribute: metadata.name, at_least: 2}"),
    ("predicate", "{attribute: metadata.name, contains: 3}"),
    ("predicate", "{graph: kinds, equals: {a: 1}}"),
    ("predicate", "{graph: kinds, contains: [a]}"),
    ("predicate", "{graph: top_tier, at_least: .nan}"),
    ("predicate", "{graph: stacks_using, at_most: 1e999}"),
    ("predicate", "{attribute: __class__, equals: 1}"),
    ("predicate", "{attribute: practices.observability.tracing, in: 5}"),
    ("predicate", "{attribute: practices.observability.tracing, in: [[1]]}"),
    ("predicate", "{attribute: metadata.labels, contains: {}}"),
    ("predicate", "{attribute: replicas, equals: .inf}"),
    ("predicate", "{all: []}"),
    ("predicate", "{any: []}"),
    ("deep-nesting", _deep(1000, "{not: ", "{attribute: replicas, present: true}", "}")),
    ("deep-nesting", "{attribute: " + "a." * 5000 + "a, present: true}"),
    ("rule-id", "CG-OBS-003"),
    ("rule-id", "ACME-OBS-" + "9" * 100_000),
    ("rule-id", '"ACME-OBS-\\e[2J"'),
    ("rule-id", "acme-obs-001"),
    ("rule-id", "ACME-RED-001"),
    ("enum", "critical2"),
    ("enum", '"observability\\e"'),
    ("applies-to", "[stack, stack]"),
    ("applies-to", "[model_endpoint, nonsense]"),
)
"""Values that only make sense in a rule: message templates, predicates, ids."""


def pack_values() -> st.SearchStrategy[Hostile]:
    """Hostile values for a declarative rule: rule-specific ones or any hostile YAML."""
    specific = st.sampled_from(PACK_VALUES).map(lambda kv: Hostile(*kv))
    return st.one_of(specific, yaml_values())


PYTHON_META = """
from cellguard.models.findings import FailureCategory, Pillar, Severity
from cellguard.rules.base import PythonRule
from cellguard.rules.metadata import RuleMeta

META = RuleMeta(
    id="ACME-RED-902", title="A rule that misbehaves", pillar=Pillar.REDUNDANCY,
    category=FailureCategory.SINGLE_POINT_OF_FAILURE, severity=Severity.LOW,
    applies_to=("stack",), rationale="Used by the fuzz tests: a hostile Python rule pack.",
    source="tests", remediation="Nothing to do.", action="nothing",
)
"""
PYTHON_PACKS = (
    ("exit-at-import", "raise SystemExit(0)\n"),
    ("exit-in-check", PYTHON_META + "def check(ctx):\n    raise SystemExit(0)\n"),
    (
        "base-exception",
        PYTHON_META
        + "class Evil(BaseException):\n    pass\n\n\ndef check(ctx):\n    raise Evil('evil')\n",
    ),
    ("generator-exit", PYTHON_META + "def check(ctx):\n    raise GeneratorExit\n"),
)
"""Python rule packs that raise what ``except Exception`` does not catch."""


@st.composite
def packs_case(draw: st.DrawFn) -> Case:
    """A rule pack with one mutated declarative rule (or a hostile Python module), loaded by
    ``assess``, ``check`` or ``rules list``."""
    seeds = pack_seeds()
    name = draw(st.sampled_from(sorted(seeds)))
    text, data = seeds[name]
    files = {"spec.yaml": (EXAMPLES / "rag-support-assistant.yaml").read_bytes()}
    other = sorted(n for n in seeds if n != name)[0]
    files[f"pack/{other}"] = seeds[other][0].encode("utf-8")
    if draw(st.integers(0, 9)) == 0:
        kind, source = draw(st.sampled_from(PYTHON_PACKS))
        files["pack/evil.py"] = (
            source
            if source.startswith("raise")
            else source + "\n\nRULE = PythonRule(META, check)\n"
        ).encode()
        mutation = Mutation("python-pack", kind)
        crash = kind != "exit-at-import"
    else:
        mutated, mutation = draw(mutate_yaml(text, data, pack_values))
        files[f"pack/{name}"] = mutated
        crash = False
    which = draw(st.sampled_from(["assess", "assess", "check", "rules"]))
    rules = ["--rules", "pack"]
    inputs = [f"pack/{n}" for n in seeds] + ["pack/evil.py", "pack"]
    if which == "rules":
        fmt = draw(st.sampled_from(["table", "json", "markdown"]))
        inv = Invocation(["rules", "list", *rules, "--no-plugins", "-f", fmt], stdout_format=fmt)
        invocations, setup = [inv], Setup()
    elif which == "assess":
        invocations, setup = draw(cmd.assess(["spec.yaml"]))
    else:
        invocations, setup = draw(cmd.check(["spec.yaml"]))
    for inv in invocations:
        if inv.argv[0] != "rules":
            inv.argv[1:1] = rules
        inv.inputs += inputs
        inv.crash_expected = crash
    return Case("packs", name, mutation, files, invocations, setup)


TAMPER_VALUES = (
    ("tamper", '"approve"'),
    ("tamper", '"reject"'),
    ("tamper", '"2099-12-31"'),
    ("tamper", '"1999-01-01"'),
    ("tamper", "99"),
    ("tamper", "0"),
    ("tamper", '"mallory"'),
    ("tamper", '"' + "0" * 64 + '"'),
    ("tamper", "[]"),
)


def record_values() -> st.SearchStrategy[Hostile]:
    """Plausible forgeries (a flipped decision, a moved date) or any hostile JSON."""
    forged = st.sampled_from(TAMPER_VALUES).map(lambda kv: Hostile(*kv))
    return st.one_of(forged, forged, json_values())


@st.composite
def signoff_case(draw: st.DrawFn) -> Case:
    """A sign-off store with a tampered record or file, checked by ``verify`` (or read by the
    HTML report). Any change to a record's data must make ``verify`` refuse."""
    name = draw(st.sampled_from(sorted(signoff_seeds())))
    files = dict(signoff_seeds()[name])
    records = sorted(f for f in files if f.endswith(".json"))
    op = draw(st.sampled_from(["record"] * 6 + ["bytes", "delete", "extra", "swap"]))
    if op in ("record", "bytes"):
        which = draw(st.sampled_from(records))
        text = files[which].decode("utf-8")
        if op == "bytes":
            mutated, mutation = draw(byte_mutation(text, b" " * 4096, 64 * MIB))
        else:
            data = json.loads(text)
            dumped, mutation = draw(
                tree_mutation(data, JSON_FORMAT, record_values, json_keys_strategy)
            )
            mutated = dumped.encode("utf-8", "surrogatepass")
        files[which] = mutated
        tampered = _parsed(mutated) != json.loads(text)
        mutation = Mutation(
            mutation.op, f"{which.rsplit('/', 1)[-1]} {mutation.where}", mutation.value
        )
    elif op == "delete":
        del files[records[0]]
        tampered, mutation = True, Mutation("delete-record", records[0].rsplit("/", 1)[-1])
    elif op == "extra":
        forged = json.loads(files[records[-1]])
        forged["sequence"] = 99
        forged["reviewer"] = "mallory"
        folder = records[-1].rsplit("/", 1)[0]
        files[f"{folder}/zz-forged.json"] = json.dumps(forged, indent=2, sort_keys=True).encode()
        tampered, mutation = True, Mutation("extra-record", "zz-forged.json (sequence 99)")
    else:
        first, last = files[records[0]], files[records[-1]]
        files[records[0]], files[records[-1]] = last, first
        tampered, mutation = (
            True,
            Mutation("swap-records", " <-> ".join(r.rsplit("/", 1)[-1] for r in records)),
        )
    record_names = [f for f in files if f.endswith(".json")]
    if draw(st.integers(0, 3)) == 0:
        argv = ["assess", "spec.yaml", "-f", "html", "-o", "report.html", *COMMON]
        inv = Invocation(argv, outputs={"report.html": "html"})
    else:
        inv = Invocation(["verify", "spec.yaml", "--store", ".", *COMMON])
    inv.inputs += ["spec.yaml", *record_names]
    inv.json_inputs += record_names
    if op == "record":
        inv.json_keys = json_keys(
            *(files[r] for r in record_names), *signoff_seeds()[name].values()
        )
    return Case("signoff", name, mutation, files, [inv], Setup(), tampered)
