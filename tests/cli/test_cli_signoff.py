"""``cellguard signoff`` and ``cellguard verify`` end to end."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.cli.signoff_cmd import latest_signoff_block
from tests.helpers import REPO

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
    for key in ("spec_sha256", "rules_sha256", "findings_sha256"):
        assert len(record[key]) == 64
    assert path.name[11:23] == record["spec_sha256"][:12]
    assert [(w["rule"], w["target"], w["expires"]) for w in record["waivers"]] == [
        ("CG-RED-004", "kb", WAIVER_EXPIRES)
    ]
    block = latest_signoff_block(spec)
    assert block is not None and block.reviewer == "alice" and block.decision == "approve"


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
