"""The families whose inputs carry code or trust: rule packs and sign-off stores.

packs: the built-in declarative rules, renamed to ACME-..., one of them mutated (message
templates, predicates, ids, metadata) or a Python module that raises what ``except Exception``
does not catch; loaded by ``assess``/``check --rules`` or ``rules list``.
signoff: a store holding a rejection then an approval written by ``cellguard signoff``; a record
edited (any field, any byte), removed, swapped, or a forged one added; checked by ``verify``
(which must then refuse) or read by ``assess -f html``.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

from tests.fuzz import commands as cmd
from tests.fuzz.commands import COMMON, Setup
from tests.fuzz.families import Case, json_keys_strategy, mutate_yaml
from tests.fuzz.hostile import Hostile, json_values, yaml_values
from tests.fuzz.mutate import JSON_FORMAT, Mutation, byte_mutation, tree_mutation
from tests.fuzz.oracle import Invocation
from tests.fuzz.seeds import EXAMPLES, MIB, json_keys, pack_seeds, parsed, signoff_seeds


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
        tampered = parsed(mutated) != json.loads(text)
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
