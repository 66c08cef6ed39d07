"""Hostile, huge and tampered MEF files through ``cellguard faulttree quantify``.

Every case must exit 2 with exactly one located message (file, line, what was wrong, what was
expected) and nothing on stdout: never a traceback, never exit 3.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.assessments.faulttree import mef_xml
from cellguard.cli.main import app

runner = CliRunner()

EVENT = '<define-basic-event name="a"><float value="0.1"/></define-basic-event>'
OR_A = '<or><basic-event name="a"/></or>'
RANGE = 'expected min="k" with k between 1 and 2, its number of arguments'
PROBABILITY = "expected a probability between 0 and 1 such as 0.001 or 1e-3"


def mef(formula: str = OR_A, events: str = EVENT, head: str = "") -> str:
    """A MEF file: ``head`` on line 1 (if any), then the gate's ``formula`` on line 4 (5 with a
    head) and ``events`` on line 6 (7)."""
    return (
        f"{head}<opsa-mef>\n<define-fault-tree name='t'>\n<define-gate name='g'>\n{formula}\n"
        f"</define-gate>\n{events}\n</define-fault-tree>\n</opsa-mef>\n"
    )


def atleast(k: str) -> str:
    """An ``<atleast>`` over two events with ``min=k``."""
    return f'<atleast min="{k}"><basic-event name="a"/><basic-event name="a"/></atleast>'


def probability(value: str) -> str:
    """The definition of event ``a`` with the float ``value``."""
    return f'<define-basic-event name="a"><float value="{value}"/></define-basic-event>'


LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE opsa-mef [\n<!ENTITY a "aaaaaaaaaa">\n'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">\n]>\n'
)
DTD = (
    "a document type with a DTD (<!DOCTYPE ... SYSTEM/PUBLIC ...> or <!DOCTYPE ... [...]>) is "
    "not read, so its entities and defaults would be lost; remove the <!DOCTYPE ...> line(s)"
)
ENCODING = 'save the file as UTF-8 and declare encoding="UTF-8" (or none)'
NINES = "9" * 5000
NINES_SHOWN = "'" + "9" * 79 + "…'"
LONG = "n" * 1001


@dataclass(frozen=True)
class Case:
    """One hostile file: its content, and the line and message of the error it must give."""

    id: str
    content: str | bytes
    line: int
    message: str
    args: tuple[str, ...] = ()


CASES = [
    # <atleast min=...>: what int() or str.isdigit() mishandled (exit 3 before)
    Case(
        "min-double-minus",
        mef(atleast("--1")),
        4,
        f"<atleast> in gate 'g' needs an integer 'min', found min='--1'; {RANGE}",
    ),
    Case(
        "min-superscript",
        mef(atleast("²")),
        4,
        f"<atleast> in gate 'g' needs an integer 'min', found min='²'; {RANGE}",
    ),
    Case(
        "min-arabic-digit",
        mef(atleast("١")),
        4,
        f"<atleast> in gate 'g' needs an integer 'min', found min='١'; {RANGE}",
    ),
    Case(
        "min-5000-digits",
        mef(atleast(NINES)),
        4,
        f"<atleast> in gate 'g': min={NINES_SHOWN} is out of range; {RANGE}",
    ),
    Case(
        "min-too-big",
        mef(atleast("3")),
        4,
        f"<atleast> in gate 'g': min='3' is out of range; {RANGE}",
    ),
    Case(
        "min-zero", mef(atleast("0")), 4, f"<atleast> in gate 'g': min='0' is out of range; {RANGE}"
    ),
    # the XML declaration
    Case(
        "encoding-bogus",
        mef(head='<?xml version="1.0" encoding="bogus"?>\n'),
        1,
        "the XML declaration's encoding 'bogus' cannot be read (unknown encoding: bogus); "
        + ENCODING,
    ),
    Case(
        "encoding-not-text",
        mef(head='<?xml version="1.0" encoding="rot13"?>\n'),
        1,
        "the XML declaration's encoding 'rot13' cannot be read ('rot13' is not a text encoding; "
        f"use codecs.decode() to handle arbitrary codecs); {ENCODING}",
    ),
    Case(
        "encoding-multibyte",
        mef(head='<?xml version="1.0" encoding="utf-7"?>\n'),
        1,
        "the XML declaration's encoding 'utf-7' cannot be read (multi-byte encodings are not "
        f"supported); {ENCODING}",
    ),
    # probabilities
    Case(
        "p-nan",
        mef(events=probability("nan")),
        6,
        f"basic event 'a': <float> has value 'nan', not a number; {PROBABILITY}",
    ),
    Case(
        "p-1e999",
        mef(events=probability("1e999")),
        6,
        f"basic event 'a': probability 1e999 not in [0, 1]; {PROBABILITY}",
    ),
    Case(
        "p-inf",
        mef(events=probability("INF")),
        6,
        f"basic event 'a': probability INF not in [0, 1]; {PROBABILITY}",
    ),
    Case(
        "p-negative",
        mef(events=probability("-1e-3")),
        6,
        f"basic event 'a': probability -1e-3 not in [0, 1]; {PROBABILITY}",
    ),
    Case(
        "p-above-one",
        mef(events=probability("1.0000001")),
        6,
        f"basic event 'a': probability 1.0000001 not in [0, 1]; {PROBABILITY}",
    ),
    Case(
        "p-underscore",  # float() reads '0_1' as 1.0
        mef(events=probability("0_1")),
        6,
        f"basic event 'a': <float> has value '0_1', not a number; {PROBABILITY}",
    ),
    Case(
        "p-5000-digits",
        mef(events=probability(NINES)),
        6,
        f"basic event 'a': probability {NINES_SHOWN[1:-1]} not in [0, 1]; {PROBABILITY}",
    ),
    Case(
        "p-5000-letters",
        mef(events=probability("x" * 5000)),
        6,
        f"basic event 'a': <float> has value '{'x' * 79}…', not a number; {PROBABILITY}",
    ),
    Case(
        "p-missing",
        mef(events='<define-basic-event name="a"><float/></define-basic-event>'),
        6,
        f"basic event 'a': <float> has no value, not a number; {PROBABILITY}",
    ),
    Case(
        "p-twice",
        mef(
            events='<define-basic-event name="a"><float value="0.1"/><float value="0.9"/>'
            "</define-basic-event>"
        ),
        6,
        "basic event 'a': expected exactly one probability expression such as "
        "<float value=...>, found <float>, <float>",
    ),
    # names
    Case(
        "name-too-long",
        mef(f'<or><basic-event name="{LONG}"/></or>'),
        4,
        f"<basic-event> in gate 'g': name '{'n' * 79}…' is 1,001 characters long; names have "
        "at most 1,000",
    ),
    Case(
        "name-control-character",
        mef('<or><basic-event name="a&#x9b;31m"/></or>'),  # a terminal escape (CSI)
        4,
        "<basic-event> in gate 'g': name 'a\\x9b31m' contains the invisible or control "
        "character U+009B; remove it",
    ),
    Case(
        "name-bidi-override",
        mef('<or><basic-event name="a&#x202e;b"/></or>'),
        4,
        "<basic-event> in gate 'g': name 'a\\u202eb' contains the invisible or control "
        "character U+202E; remove it",
    ),
    Case(
        "name-reserved",
        mef('<or><basic-event name="__true__"/></or>'),
        4,
        "<basic-event> in gate 'g': name '__true__' is reserved for cellguard's constants; "
        "rename it",
    ),
    Case(
        "tag-too-long",
        mef(f"<{'q' * 5000}/>"),
        4,
        f"unsupported element <{'q' * 79}…> in gate 'g'; expected one of and, or, not, xor, "
        "atleast, nand, nor, iff, imply, cardinality, gate, basic-event, event, house-event, "
        "constant",
    ),
    # structure
    Case(
        "nested-too-deeply",
        mef("<and><or>" * 600 + '<basic-event name="a"/>' + "</or></and>" * 600),
        4,
        "formulas are nested too deeply to read (more than 1,000 elements deep); define inner "
        "formulas as separate <define-gate>s and reference them with <gate name=...>",
    ),
    Case(
        "not-two-arguments",
        mef('<not><basic-event name="a"/><basic-event name="a"/></not>'),
        4,
        "<not> in gate 'g' takes exactly one argument, found 2",
    ),
    Case(
        "and-no-arguments",
        mef("<and/>"),
        4,
        "<and> in gate 'g' has no arguments; expected at least one of and, or, not, xor, "
        "atleast, nand, nor, iff, imply, cardinality, gate, basic-event, event, house-event, "
        "constant",
    ),
    Case(
        "text-in-a-formula",
        mef("<or>\n0.5\n<basic-event name='a'/></or>"),
        5,
        "unexpected text '0.5' in <or>; MEF elements hold only elements and attributes (text "
        "belongs in a <label>)",
    ),
    # entities and DTDs: nothing is expanded or fetched
    Case("billion-laughs", mef(head=LAUGHS), 2, DTD),
    Case(
        "external-entity",
        mef(head='<!DOCTYPE opsa-mef [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'),
        1,
        DTD,
    ),
    Case("external-dtd", mef(head='<!DOCTYPE opsa-mef SYSTEM "http://x/mef.dtd">\n'), 1, DTD),
    Case(
        "undefined-entity",
        mef('<or><basic-event name="&e;"/></or>'),
        4,
        "not well-formed XML: undefined entity (column 5); write & as &amp; and < as &lt;",
    ),
    # whole-document problems: the line of the element concerned, else of the root
    Case(
        "no-gates",
        f"<?xml version='1.0'?>\n<opsa-mef>\n<model-data>{EVENT}</model-data>\n</opsa-mef>\n",
        2,
        "the file defines no gates, so there is no top event; expected a <define-gate> in a "
        "<define-fault-tree>",
    ),
    Case(
        "top-not-defined",
        mef(),
        1,
        "top event 'nope' is not defined; expected a gate or basic event of the file (gates no "
        "other gate uses: 'g')",
        ("--top", "nope"),
    ),
    Case(
        "two-tops",
        mef(
            events=EVENT
            + "\n<define-gate name='h'><and><basic-event name='a'/></and></define-gate>"
        ),
        3,
        "expected exactly one top gate, found 2 (g, h); name one with --top",
    ),
    Case(
        "cycle-without-top",
        mef(
            "<or><gate name='h'/></or>",
            EVENT + "<define-gate name='h'><gate name='g'/></define-gate>",
        ),
        3,
        "expected exactly one top gate, found none: every gate is an argument of another, so "
        "the gates form a cycle (gate 'g' is part of it)",
    ),
    Case(
        "cycle-under-the-top",
        mef(
            "<or><gate name='h'/></or>",
            EVENT
            + "\n<define-gate name='h'><or><gate name='i'/><basic-event name='a'/></or></define-gate>"
            + "\n<define-gate name='i'><and><gate name='h'/></and></define-gate>",
        ),
        7,
        "gate 'h' is part of a cycle: it is an argument of itself through other gates; a fault "
        "tree has no cycles",
    ),
    Case(
        "gate-and-event-one-name",
        mef(
            "<or><gate name='a'/></or>",
            EVENT + "<define-gate name='a'><basic-event name='b'/></define-gate>",
        ),
        6,
        "'a' is defined both as a gate and as a basic event (the gate at line 6); give them "
        "different names",
    ),
    Case(
        "gate-defined-twice",
        mef(events=EVENT + "\n<define-gate name='g'><basic-event name='a'/></define-gate>"),
        7,
        "gate 'g' is defined twice (first at line 3); rename one",
    ),
    Case(
        "root-not-opsa-mef",
        "<?xml version='1.0'?>\n<opsa/>\n",
        2,
        "root element is <opsa>, expected <opsa-mef>",
    ),
    Case(
        "truncated",
        mef()[:60],
        3,
        "not well-formed XML: unclosed token (column 1); the file ends inside a tag (truncated?)",
    ),
    # parameters, expressions, house events, CCF groups and derived gates (read since then)
    Case(
        "parameter-cycle",
        mef(
            events='<define-basic-event name="a"><parameter name="p"/></define-basic-event>\n'
            '<define-parameter name="p"><parameter name="q"/></define-parameter>\n'
            '<define-parameter name="q"><parameter name="p"/></define-parameter>'
        ),
        7,
        "basic event 'a': parameter 'p' is part of a cycle (p -> q -> p); a parameter cannot "
        "depend on itself",
    ),
    Case(
        "parameter-undefined",
        mef(events='<define-basic-event name="a"><parameter name="lambda"/></define-basic-event>'),
        6,
        "basic event 'a': parameter 'lambda' is not defined; expected a "
        "<define-parameter name='lambda'> (defined: none)",
    ),
    Case(
        "expression-overflow",
        mef(
            events='<define-basic-event name="a"><exponential><exp><float value="1e6"/></exp>'
            '<float value="1"/></exponential></define-basic-event>'
        ),
        6,
        "basic event 'a': <exp> cannot be evaluated (math range error); check the magnitudes "
        "and signs of its arguments",
    ),
    Case(
        "expression-nan",
        mef(
            events='<define-basic-event name="a"><mul><float value="NaN"/><float value="1"/></mul>'
            "</define-basic-event>"
        ),
        6,
        "basic event 'a': <float> has value 'NaN', not a finite decimal number such as 0.001 or "
        "1e-3",
    ),
    Case(
        "expression-negative-time",
        mef(
            events='<define-basic-event name="a"><exponential><float value="1e-3"/>'
            '<float value="-5"/></exponential></define-basic-event>'
        ),
        6,
        "basic event 'a': <exponential> argument t is -5.0; rates and times cannot be negative",
    ),
    Case(
        "house-event-undefined",
        mef('<or><basic-event name="a"/><house-event name="h"/></or>'),
        4,
        "house event 'h' is not defined; expected a <define-house-event name='h'> with "
        '<constant value="true"/> or <constant value="false"/>',
    ),
    Case(
        "cardinality-min-over-max",
        mef(
            '<cardinality min="2" max="1"><basic-event name="a"/><basic-event name="a"/></cardinality>'
        ),
        4,
        "<cardinality> in gate 'g': min=2 is greater than max=1; no number of arguments is both",
    ),
    Case(
        "ccf-unknown-model",
        mef(
            events='<define-CCF-group name="G" model="beta"><members><basic-event name="a"/>'
            '<basic-event name="b"/></members></define-CCF-group>'
        ),
        6,
        "CCF group 'G': model 'beta' is not supported; expected one of beta-factor, MGL, "
        "alpha-factor, phi-factor",
    ),
    Case(
        "event-tree",
        mef(events=EVENT + '\n<define-event-tree name="e"/>'),
        7,
        "unsupported element <define-event-tree>; expected define-fault-tree, define-component, "
        "model-data, define-gate, define-basic-event, define-house-event, define-parameter or "
        "define-CCF-group (event trees, substitutions, alignments and extern functions are not "
        "read)",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_a_hostile_file_exits_2_with_one_located_message(tmp_path: Path, case: Case) -> None:
    path = tmp_path / "hostile.xml"
    if isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    result = runner.invoke(app, ["faulttree", "quantify", str(path), *case.args])
    assert result.exit_code == 2, result.stderr
    assert result.stderr == f"cellguard: error: {path}:{case.line}: {case.message}\n"
    assert result.stdout == ""


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mef_xml, "MAX_BYTES", 2 * 1024 * 1024)
    path = tmp_path / "huge.xml"
    path.write_text(mef() + " " * (2 * 1024 * 1024))
    result = runner.invoke(app, ["faulttree", "quantify", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"cellguard: error: {path}:1: the file is larger than 2 MiB, the most cellguard reads "
        "as MEF; split the model, or quantify its parts separately\n"
    )


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_refused_not_read_forever() -> None:
    """The old reader read /dev/zero until memory ran out (19 GB when the OOM killer came)."""
    result = runner.invoke(app, ["faulttree", "quantify", "/dev/zero"])
    assert result.exit_code == 2
    assert result.stderr == (
        "cellguard: error: /dev/zero:1: not a regular file (a character device); give a MEF "
        "XML file\n"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    """Opening a FIFO without a writer blocked forever (a subprocess, so the old code fails
    by its timeout instead of hanging the suite)."""
    fifo = tmp_path / "tree.xml"
    os.mkfifo(fifo)
    cellguard = Path(sys.executable).with_name("cellguard")
    done = subprocess.run(
        [str(cellguard), "faulttree", "quantify", str(fifo)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr == (
        f"cellguard: error: {fifo}:1: not a regular file (a FIFO); give a MEF XML file\n"
    )


def test_a_directory_is_refused_at_line_1_like_a_spec(tmp_path: Path) -> None:
    """It was click's usage error ('Invalid value for 'file'...') in a box, naming no line."""
    result = runner.invoke(app, ["faulttree", "quantify", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"cellguard: error: {tmp_path}:1: not a regular file (a directory); give a MEF XML file\n"
    )


def test_an_unreadable_path_is_reported_at_line_1_like_a_spec(tmp_path: Path) -> None:
    loop = tmp_path / "tree.xml"
    loop.symlink_to(loop)
    result = runner.invoke(app, ["faulttree", "quantify", str(loop)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"cellguard: error: {loop}:1: cannot read file: Too many levels of symbolic links\n"
    )


def test_more_elements_than_the_limit_are_refused_at_the_first_one_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(mef_xml, "MAX_ELEMENTS", 6)
    path = tmp_path / "many.xml"
    path.write_text(mef())  # 7 elements: the 7th, the <float>, is on line 6
    result = runner.invoke(app, ["faulttree", "quantify", str(path)])
    assert result.exit_code == 2
    assert result.stderr == (
        f"cellguard: error: {path}:6: more than 6 elements; cellguard reads MEF files up to that "
        "size (split the model, or quantify its parts separately with --top)\n"
    )


def test_an_infinite_mission_time_is_a_located_error(tmp_path: Path) -> None:
    """--mission-time inf passed the option's >= 0 check and made every exponential 1."""
    path = tmp_path / "t.xml"
    path.write_text(
        '<opsa-mef><define-fault-tree name="t"><define-gate name="g"><or>'
        '<basic-event name="a"/></or></define-gate>\n<define-basic-event name="a"><exponential>'
        '<float value="1e-4"/><system-mission-time/></exponential></define-basic-event>'
        "</define-fault-tree></opsa-mef>"
    )
    result = runner.invoke(
        app, ["faulttree", "quantify", str(path), "--mc-trials", "0", "--mission-time", "inf"]
    )
    assert result.exit_code == 2
    assert (
        f"{path}:2: basic event 'a': <system-mission-time> evaluates to inf, not a finite number"
        in result.stderr
    )
    assert "Traceback" not in result.output
