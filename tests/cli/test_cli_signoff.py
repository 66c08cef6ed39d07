"""``cellguard signoff`` and ``cellguard verify`` end to end."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from tests.helpers import REPO
from tests.reports.test_signoff_chain import EDITS

runner = CliRunner()
TODAY = ["--today", "2026-11-21", "--no-plugins"]
RAG = REPO / "examples" / "rag-support-assistant.yaml"
WAIVER_EXPIRES = "2027-03-31"
"""The expiry of the waiver in the example (CG-RED-004 on kb)."""


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example in a directory outside any git repository (the working directory)."""
    path = tmp_path / "rag.yaml"
    path.write_text(RAG.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return path


def sign(decision: str, *extra: str, reviewer: str = "alice") -> str:
    result = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", reviewer, "--decision", decision, *extra, *TODAY]
    )
    assert result.exit_code == 0, result.output
    return result.stdout


def verify(*extra: str) -> tuple[int, str]:
    result = runner.invoke(app, ["verify", "rag.yaml", *TODAY, *extra])
    return result.exit_code, result.stdout + result.stderr


def records(root: Path) -> list[Path]:
    return sorted((root / ".cellguard" / "signoffs").glob("*.json"))


def test_approve_then_verify_and_what_the_record_holds(spec: Path) -> None:
    code, out = verify()
    assert code == 1 and "no sign-off recorded for rag.yaml" in out
    sign("approve", "--comment", "ok for Q1")
    code, out = verify()
    assert code == 0, out
    assert "verified: rag.yaml is approved as it is" in out
    [path] = records(spec.parent)
    assert f"checked {path}" in out
    assert path.name.startswith("2026-11-21-") and path.name.endswith("-1.json")
    record = json.loads(path.read_text(encoding="utf-8"))
    assert record["reviewer"] == "alice" and record["decision"] == "approve"
    assert record["comment"] == "ok for Q1" and record["date"] == "2026-11-21"
    assert record["subject"] == "rag.yaml" and record["stacks"] == ["rag-support-assistant"]
    for key in ("spec_sha256", "rules_sha256", "findings_sha256", "digest"):
        assert len(record[key]) == 64
    assert (record["schema_version"], record["sequence"], record["previous"]) == (2, 1, "0" * 64)
    assert record["signed_at"].endswith("Z") and len(record["field_sha256"]) == 17
    assert path.name[11:23] == record["spec_sha256"][:12]
    assert [(w["rule"], w["target"], w["expires"]) for w in record["waivers"]] == [
        ("CG-RED-004", "kb", WAIVER_EXPIRES)
    ]
    sign("reject", reviewer="bob")
    second = json.loads(records(spec.parent)[1].read_text(encoding="utf-8"))
    assert (second["sequence"], second["previous"]) == (2, record["digest"])


def test_reformatting_the_yaml_keeps_the_approval(spec: Path) -> None:
    sign("approve")
    data = yaml.safe_load(spec.read_text(encoding="utf-8"))
    text = yaml.safe_dump(data, sort_keys=True, indent=4, default_flow_style=False, width=60)
    spec.write_text("# reviewed in ARCH-42\n" + text, encoding="utf-8")
    assert spec.read_text(encoding="utf-8") != RAG.read_text(encoding="utf-8")
    code, out = verify()
    assert code == 0, out


def test_changing_a_value_fails_verify(spec: Path) -> None:
    sign("approve")
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("gpu_metrics: false", "gpu_metrics: true"), encoding="utf-8")
    code, out = verify()
    assert code == 1
    assert "not verified (spec changed): spec changed since the approval by alice" in out


def test_rejection_and_expired_waivers_fail_verify(spec: Path) -> None:
    sign("approve")
    code, out = verify("--today", "2027-04-01")
    assert code == 1
    assert (
        f"not verified (waiver expired): waiver of CG-RED-004 on rag-support-assistant/kb by jane.doe expired on {WAIVER_EXPIRES}"
        in out
    )
    assert verify("--today", WAIVER_EXPIRES)[0] == 0  # still in force on its last day
    sign("reject", "--comment", "no cross-region copy", reviewer="bob")
    code, out = verify()
    assert code == 1 and "the last decision was a rejection by bob on 2026-11-21" in out


def test_a_second_signoff_never_overwrites_the_first(spec: Path) -> None:
    sign("approve")
    sign("approve", reviewer="carol")  # same spec, same date: same hash prefix
    first, second = records(spec.parent)
    assert first.name.endswith("-1.json") and second.name.endswith("-2.json")
    assert first.name[:-7] == second.name[:-7]
    assert json.loads(first.read_text(encoding="utf-8"))["reviewer"] == "alice"
    assert json.loads(second.read_text(encoding="utf-8"))["reviewer"] == "carol"
    code, out = verify()
    assert code == 0 and f"checked {second}" in out


def test_store_option_and_bad_input(spec: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    store.mkdir()
    sign("approve", "--store", str(store))
    assert len(records(store)) == 1 and records(spec.parent) == []
    assert verify("--store", str(store))[0] == 0
    assert verify()[0] == 1  # the default store (the working directory) has no record
    bad = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", "x", "--decision", "maybe", *TODAY]
    )
    assert bad.exit_code == 2
    missing = runner.invoke(app, ["verify", "nope.yaml", *TODAY])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    broken = store / ".cellguard" / "signoffs" / "2026-01-01-x-9.json"
    broken.write_text("{}", encoding="utf-8")
    result = runner.invoke(app, ["verify", "rag.yaml", "--store", str(store), *TODAY])
    assert result.exit_code == 2 and "not a readable sign-off record" in result.stderr


def test_check_fills_the_html_sign_off_block(spec: Path) -> None:
    sign("approve", reviewer="dora")
    result = runner.invoke(app, ["check", "rag.yaml", "-f", "html", "-o", "r.html", *TODAY])
    assert result.exit_code == 1, result.output  # the example has blocking findings
    html = (spec.parent / "r.html").read_text(encoding="utf-8")
    assert (
        "dora" in html
        and json.loads(records(spec.parent)[0].read_text(encoding="utf-8"))["spec_sha256"] in html
    )
    assert '<strong class="good">verified</strong>: approves the spec as it is' in html
    assert 'class="alert"' not in html


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda text: "{oops", "(Invalid JSON: key must be a string at line 1 column 2)"),
        (lambda text: text.replace('"approve"', '"maybe"'), "(decision: Input should be"),
        (lambda text: text.replace('"reviewer"', '"who"'), "(reviewer: Field required"),
    ],
)
def test_a_corrupt_record_names_the_field_and_what_was_expected(
    spec: Path, change: Callable[[str], str], expected: str
) -> None:
    sign("approve")
    (record,) = records(spec.parent)
    record.write_text(change(record.read_text(encoding="utf-8")), encoding="utf-8")
    for command in (
        ["verify", "rag.yaml"],
        ["signoff", "rag.yaml", "--reviewer", "b", "--decision", "reject"],
    ):
        result = runner.invoke(app, [*command, *TODAY])
        assert result.exit_code == 2, result.output
        assert f"{record}: not a readable sign-off record {expected}" in result.stderr
        assert "Traceback" not in result.output


@pytest.mark.parametrize("blocker", [".cellguard", ".cellguard/signoffs"])
def test_a_file_in_place_of_the_store_is_an_input_error(spec: Path, blocker: str) -> None:
    store = spec.parent / "st"
    (store / blocker).parent.mkdir(parents=True, exist_ok=True)
    (store / blocker).write_text("x", encoding="utf-8")
    code, output = verify("--store", str(store))
    assert code == 2, output  # not "no record" (1): the store cannot be read at all
    assert f"{store / blocker} is a file, not the sign-off store's directory" in output
    result = runner.invoke(
        app,
        [
            "signoff",
            "rag.yaml",
            "--reviewer",
            "a",
            "--decision",
            "approve",
            "--store",
            str(store),
            *TODAY,
        ],
    )
    assert result.exit_code == 2, result.output
    assert f"{store / blocker} is a file" in result.stderr


# -- tampering (issue 14) -----------------------------------------------------------------------


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit a record's JSON and write it back in cellguard's own layout."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def digest(path: Path) -> str:
    return str(json.loads(path.read_text(encoding="utf-8"))["digest"])


def test_a_rejection_edited_into_an_approval_does_not_verify(spec: Path) -> None:
    sign("reject", "--comment", "no cross-region copy", reviewer="bob")
    (path,) = records(spec.parent)
    path.write_text(
        path.read_text(encoding="utf-8").replace('"reject"', '"approve"'), encoding="utf-8"
    )
    code, out = verify()
    assert code == 1, out
    assert out.splitlines() == [
        f"checked {path}: approve of rag.yaml by bob on 2026-11-21",
        f"not verified (record edited): record 1 ({path.name}): field 'decision' does not "
        "match the record's digest",
    ]


def test_an_extra_forged_file_does_not_verify(spec: Path) -> None:
    """zz-forged.json: bob's rejection copied with sequence 99 and the decision flipped."""
    sign("approve")
    sign("reject", reviewer="bob")
    first, second = records(spec.parent)
    forged = second.with_name("zz-forged.json")
    forged.write_text(second.read_text(encoding="utf-8"), encoding="utf-8")
    edit(forged, lambda data: data.update(sequence=99, decision="approve"))
    code, out = verify()
    assert code == 1, out
    assert out.splitlines() == [
        f"checked {forged}: approve of rag.yaml by bob on 2026-11-21",
        "not verified (record edited): record 99 (zz-forged.json): field 'sequence' does not "
        "match the record's digest",
        "not verified (record edited): record 99 (zz-forged.json): field 'decision' does not "
        "match the record's digest",
        "not verified (chain broken): record 99 (zz-forged.json): the file name does not match "
        f"the record (cellguard writes it as {second.name[:-7]}-99.json); an extra or renamed "
        "file?",
        f"not verified (chain broken): record 99 (zz-forged.json) follows record 2 "
        f"({second.name}): records 3-98 are missing (removed?), or it was inserted",
        "not verified (chain broken): record 99 (zz-forged.json) names predecessor "
        f"{digest(first)[:12]}, but record 2 ({second.name}) has digest {digest(second)[:12]}; "
        "a record was removed, inserted, reordered or replaced",
    ]


def test_moving_the_records_copy_of_a_waiver_expiry_is_caught(spec: Path) -> None:
    """The record says the waiver runs to 2028; the spec still says 2027-03-31."""
    sign("approve")
    (path,) = records(spec.parent)
    edit(path, lambda data: data["waivers"][0].update(expires="2028-03-31"))
    code, out = verify("--today", "2027-04-01")
    assert code == 1, out
    assert out.splitlines()[1:] == [
        f"not verified (record edited): record 1 ({path.name}): field 'waivers' does not "
        "match the record's digest",
        "not verified (waivers changed): the record lists a waiver of CG-RED-004 on "
        "rag-support-assistant/kb by jane.doe expiring on 2028-03-31 that the spec does not "
        "have in force on 2026-11-21",
        "not verified (waivers changed): the spec has a waiver of CG-RED-004 on "
        f"rag-support-assistant/kb by jane.doe expiring on {WAIVER_EXPIRES} in force on "
        "2026-11-21 that the record does not list",
        "not verified (waiver expired): waiver of CG-RED-004 on rag-support-assistant/kb by "
        f"jane.doe expired on {WAIVER_EXPIRES}",
    ]


def test_every_field_of_a_record_edited_is_named(spec: Path) -> None:
    sign("approve")
    (path,) = records(spec.parent)
    original = path.read_text(encoding="utf-8")
    for field, change in sorted(EDITS.items()):
        path.write_text(original, encoding="utf-8")
        edit(path, change)
        code, out = verify()
        number = 7 if field == "sequence" else 1
        assert code == 1, (field, out)
        assert (
            f"not verified (record edited): record {number} ({path.name}): field '{field}' "
            "does not match the record's digest"
        ) in out.splitlines(), (field, out)


def test_findings_that_changed_without_the_spec_do_not_verify(spec: Path) -> None:
    sign("approve", "--ignore", "CG-OBS-*")
    (path,) = records(spec.parent)
    recorded = json.loads(path.read_text(encoding="utf-8"))["findings_sha256"]
    assert verify("--ignore", "CG-OBS-*")[0] == 0
    code, out = verify()
    assert code == 1, out
    lines = out.splitlines()
    assert lines[1] == "note: the rule pack changed since the sign-off (findings may differ)"
    assert lines[2].startswith(
        "not verified (findings changed): findings changed since the approval by alice on "
        f"2026-11-21 (recorded {recorded[:12]}, now "
    )
    assert lines[2].endswith(
        " as of 2026-11-21); assess with the rules of the sign-off (--rules, --select, "
        "--ignore, --no-plugins) or sign off again"
    )


@pytest.mark.parametrize("command", ["assess", "check"])
def test_a_stale_approval_is_shown_in_a_red_banner(spec: Path, command: str) -> None:
    sign("approve")
    text = spec.read_text(encoding="utf-8")
    spec.write_text(text.replace("gpu_metrics: false", "gpu_metrics: true"), encoding="utf-8")
    code, out = verify()
    assert code == 1 and "not verified (spec changed)" in out
    reason = out.splitlines()[1].removeprefix("not verified (spec changed): ")
    result = runner.invoke(app, [command, "rag.yaml", "-f", "html", "-o", "r.html", *TODAY])
    assert result.exit_code in (0, 1), result.output
    html = (spec.parent / "r.html").read_text(encoding="utf-8")
    banner = html[html.index('<div class="alert" role="alert">') : html.index("</header>")]
    assert (
        "<strong>The sign-off does not verify: the approval by alice on 2026-11-21 does not "
        "hold for this spec as it is.</strong>"
    ) in banner
    assert f"<li><strong>spec changed</strong>: {reason}</li>" in banner
    block = html[html.index("<h2>Sign-off</h2>") :]
    assert '<strong class="bad">does not verify</strong>' in block
    assert '<strong class="bad">approve</strong> (no longer valid)' in block


def test_signoff_refuses_to_append_to_a_broken_chain(spec: Path) -> None:
    sign("reject", reviewer="bob")
    (path,) = records(spec.parent)
    edit(path, lambda data: data.update(reviewer="alice"))
    before = path.read_bytes()
    result = runner.invoke(
        app, ["signoff", "rag.yaml", "--reviewer", "carol", "--decision", "approve", *TODAY]
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"cellguard: error: {path.parent}: the sign-off chain is not intact: record edited: "
        f"record 1 ({path.name}): field 'reviewer' does not match the record's digest; "
        "nothing recorded",
        "    hint: run `cellguard verify PATH` for every problem; restore .cellguard/signoffs "
        "from version control (e.g. git restore), or keep new records elsewhere with --store DIR",
    ]
    assert records(spec.parent) == [path] and path.read_bytes() == before


def test_an_old_format_record_must_be_signed_again(spec: Path) -> None:
    sign("approve")
    (path,) = records(spec.parent)
    data = json.loads(path.read_text(encoding="utf-8"))
    for key in ("previous", "signed_at", "field_sha256", "digest"):
        del data[key]
    data["schema_version"] = 1
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    code, out = verify()
    assert code == 1, out
    assert out.splitlines()[1] == (
        f"not verified (old format): record 1 ({path.name}) is in the old format "
        "(schema_version 1): it has no digest and is not chained, so it cannot be verified; "
        "sign off again: cellguard signoff rag.yaml --reviewer NAME --decision approve|reject"
    )
    sign("approve")
    code, out = verify()
    assert code == 0, out
    assert (
        "note: 1 old-format record (schema_version 1) in the store is not sealed or "
        "chained and was not checked"
    ) in out.splitlines()


def test_a_reformatted_record_is_noted_and_crlf_is_not(spec: Path) -> None:
    sign("approve")
    (path,) = records(spec.parent)
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    code, out = verify()
    assert code == 0 and "note:" not in out, out
    path.write_text(json.dumps(json.loads(text), indent=4), encoding="utf-8")
    code, out = verify()
    assert code == 0, out
    assert (
        f"note: record 1 ({path.name}) is not in the form cellguard writes (reformatted?); "
        "its fields still match its digest"
    ) in out.splitlines()


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _sparse(path: Path) -> None:
    with path.open("wb") as handle:
        handle.truncate(9 * 1024 * 1024)


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (_fifo, "(not a regular file)"),  # reading it would block forever
        (lambda path: path.mkdir(), "(not a regular file)"),
        (_sparse, "(larger than 8 MiB)"),
        (
            lambda path: path.write_text("[" * 100_000, encoding="utf-8"),
            "(Invalid JSON: recursion limit exceeded at line 1 column ",
        ),
    ],
    ids=["fifo", "directory", "huge", "deep"],
)
def test_a_hostile_file_in_the_store_is_an_input_error(
    spec: Path, make: Callable[[Path], None], expected: str
) -> None:
    sign("approve")
    hostile = spec.parent / ".cellguard" / "signoffs" / "x.json"
    make(hostile)
    code, output = verify()
    assert code == 2, output
    assert f"{hostile}: not a readable sign-off record {expected}" in output
    assert "Traceback" not in output
