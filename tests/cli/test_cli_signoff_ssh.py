"""``signoff --sign-key`` and ``verify --allowed-signers``: SSH signatures of sign-off records.

The unkeyed chain cannot catch a record rewritten and resealed by someone who can write the
store; a signature by the reviewer's key can. Skipped where ssh-keygen is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cellguard.cli.main import app
from cellguard.reports.signoff import Draft, SignoffRecord
from tests.cli.test_cli_signoff import RAG, TODAY, records

pytestmark = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")

runner = CliRunner()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Keys of alice and bob, and an allowed-signers file listing both."""
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for name in ("alice", "bob"):
        key = folder / name
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)],
            check=True,
            timeout=60,
        )
        made[name] = key
    allowed = folder / "allowed_signers"
    allowed.write_text(
        "".join(f"{n} {(folder / f'{n}.pub').read_text(encoding='utf-8')}" for n in made),
        encoding="utf-8",
    )
    made["allowed"] = allowed
    return made


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "rag.yaml"
    path.write_text(RAG.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CELLGUARD_ALLOWED_SIGNERS", raising=False)
    monkeypatch.delenv("CELLGUARD_SIGNOFF_KEY", raising=False)
    return path


def sign(decision: str, reviewer: str, *extra: str) -> None:
    result = runner.invoke(
        app,
        ["signoff", "rag.yaml", "--reviewer", reviewer, "--decision", decision, *extra, *TODAY],
    )
    assert result.exit_code == 0, result.output


def verify(*extra: str) -> tuple[int, list[str]]:
    result = runner.invoke(app, ["verify", "rag.yaml", *TODAY, *extra])
    return result.exit_code, (result.stdout + result.stderr).splitlines()


def reseal(path: Path, **changes: object) -> None:
    """What someone who can write the store can do: change fields and recompute the seal."""
    record = SignoffRecord.model_validate_json(path.read_bytes())
    body = record.signed() | changes
    for key in ("sequence", "previous", "schema_version", "kind"):
        del body[key]
    forged = Draft(body).seal(sequence=record.sequence, previous=record.previous)
    forged = forged.model_copy(update={"signature": record.signature})  # the old signature
    path.write_text(forged.to_json(), encoding="utf-8")


def test_a_signed_record_verifies_and_a_resealed_forgery_does_not(
    spec: Path, keys: dict[str, Path]
) -> None:
    sign("reject", "bob", "--sign-key", str(keys["bob"]))
    (path,) = records(spec.parent)
    assert json.loads(path.read_text(encoding="utf-8"))["signature"].startswith(
        "-----BEGIN SSH SIGNATURE-----\n"
    )
    code, out = verify("--allowed-signers", str(keys["allowed"]))
    assert code == 1 and out[1:] == [
        "not verified (rejected): the last decision was a rejection by bob on 2026-11-21"
    ]
    reseal(path, decision="approve")
    assert verify()[0] == 0  # beyond the unkeyed chain: the README says so
    code, out = verify("--allowed-signers", str(keys["allowed"]))
    assert code == 1, out
    assert out[1].startswith(
        f"not verified (signature): record 1 ({path.name}): its signature does not verify as "
        f"reviewer 'bob' against {keys['allowed']} ("
    )


def test_a_signature_must_be_by_a_key_of_the_reviewer(spec: Path, keys: dict[str, Path]) -> None:
    sign("approve", "alice", "--sign-key", str(keys["alice"]))
    assert verify("--allowed-signers", str(keys["allowed"])) == (
        0,
        [
            f"checked {records(spec.parent)[0]}: approve of rag.yaml by alice on 2026-11-21",
            "verified: rag.yaml is approved as it is",
        ],
    )
    sign("approve", "alice", "--sign-key", str(keys["bob"]))  # bob signing as alice
    code, out = verify("--allowed-signers", str(keys["allowed"]))
    assert code == 1 and "its signature does not verify as reviewer 'alice'" in out[1], out
    sign("approve", "alice")
    code, out = verify("--allowed-signers", str(keys["allowed"]))
    assert code == 1, out
    assert out[1] == (
        f"not verified (signature): record 3 ({records(spec.parent)[2].name}): it is not "
        f"signed, and {keys['allowed']} requires signatures"
    )


def test_the_html_report_checks_signatures_from_the_environment(
    spec: Path, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    sign("approve", "alice")
    monkeypatch.setenv("CELLGUARD_ALLOWED_SIGNERS", str(keys["allowed"]))
    assert verify()[0] == 1
    result = runner.invoke(app, ["assess", "rag.yaml", "-f", "html", "-o", "r.html", *TODAY])
    assert result.exit_code == 0, result.output
    html = (spec.parent / "r.html").read_text(encoding="utf-8")
    assert "<li><strong>signature</strong>: record 1 (" in html
    assert "it is not signed, and " in html


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--sign-key", "nope"], "cellguard: error: --sign-key nope: no such key file"),
        (["--sign-key", "rag.yaml"], "cellguard: error: cannot sign with rag.yaml: "),
    ],
)
def test_a_bad_key_is_an_input_error_and_nothing_is_written(
    spec: Path, arguments: list[str], expected: str
) -> None:
    result = runner.invoke(
        app,
        ["signoff", "rag.yaml", "--reviewer", "a", "--decision", "approve", *arguments, *TODAY],
    )
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(expected)
    assert records(spec.parent) == []


def test_a_missing_allowed_signers_file_is_an_input_error(spec: Path) -> None:
    sign("approve", "alice")
    code, out = verify("--allowed-signers", "missing")
    assert code == 2
    assert out[-2:] == [
        "cellguard: error: allowed signers missing: no such file",
        "    hint: give --allowed-signers FILE or set CELLGUARD_ALLOWED_SIGNERS to an existing "
        "file",
    ]
