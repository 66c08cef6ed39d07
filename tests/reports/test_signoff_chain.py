"""Tampered sign-off stores: every edited field, every byte, inserted, removed, reordered and
extra files, old-format records, and a resealed last record checked against the spec."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellguard.reports.signoff import GENESIS, Decision, Draft, SignoffRecord, StoredRecord
from cellguard.reports.signoff_chain import Problem
from cellguard.reports.signoff_store import SignoffError, SignoffStore, parse_record, read_record
from cellguard.reports.signoff_verify import Current, Verdict, judge
from tests.helpers import BASE_STACK
from tests.reports.test_signoff import TODAY, WAIVED, draft, now


@dataclass(frozen=True)
class Store:
    """Three sealed records about demo.yaml (approve, reject, approve) and what verify sees now."""

    directory: Path
    paths: tuple[Path, ...]
    current: Current

    def verdict(self, records: list[StoredRecord] | None = None) -> Verdict:
        listed = (
            SignoffStore(self.directory.parent.parent).records() if records is None else records
        )
        return judge(listed, subject="demo.yaml", current=lambda _: self.current, today=TODAY)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    db = SignoffStore(tmp_path)
    written = [
        db.append(draft(WAIVED, decision, reviewer))
        for decision, reviewer in [
            (Decision.APPROVE, "alice"),
            (Decision.REJECT, "bob"),
            (Decision.APPROVE, "carol"),
        ]
    ]
    made = Store(db.directory, tuple(s.path for s in written), now(WAIVED))
    assert made.verdict().ok
    return made


def texts(verdict: Verdict, problem: Problem) -> list[str]:
    return [i.text for i in verdict.issues if i.problem is problem]


def rewrite(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit a record's JSON and write it back in cellguard's own layout."""
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n", encoding="utf-8")


def setter(key: str, value: object) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        assert data[key] != value
        data[key] = value

    return change


def later_expiry(data: dict[str, Any]) -> None:
    data["waivers"][0]["expires"] = "2099-12-31"


def flip_decision(data: dict[str, Any]) -> None:
    data["decision"] = "approve" if data["decision"] == "reject" else "reject"


def higher_score(data: dict[str, Any]) -> None:
    data["scores"]["overall"] = 100.0


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "subject": setter("subject", "other.yaml"),
    "sequence": setter("sequence", 7),
    "reviewer": setter("reviewer", "mallory"),
    "decision": flip_decision,
    "comment": setter("comment", "forged"),
    "date": setter("date", "2026-11-22"),
    "signed_at": setter("signed_at", "2026-01-01T00:00:00Z"),
    "spec_sha256": setter("spec_sha256", "f" * 64),
    "rules_sha256": setter("rules_sha256", "f" * 64),
    "findings_sha256": setter("findings_sha256", "f" * 64),
    "stacks": setter("stacks", ["other"]),
    "scores": higher_score,
    "waivers": later_expiry,
    "cellguard_version": setter("cellguard_version", "9.9.9"),
    "previous": setter("previous", "1" * 64),
}


def test_the_edit_table_covers_every_field() -> None:
    unreadable = {"kind", "schema_version"}  # a changed literal is not a record (exit 2)
    seal = {"field_sha256", "digest"}  # their edits are tested below
    keyed = {"signature"}  # not under the digest, which it signs (tests/cli/test_cli_signoff_ssh)
    assert set(EDITS) | unreadable | seal | keyed == set(SignoffRecord.model_fields)


@pytest.mark.parametrize("field", sorted(EDITS))
def test_an_edited_field_is_named(store: Store, field: str) -> None:
    middle = store.paths[1]  # bob's rejection
    rewrite(middle, EDITS[field])
    verdict = store.verdict()
    assert not verdict.ok
    number = 7 if field == "sequence" else 2  # a record is named by the number it claims
    assert texts(verdict, Problem.RECORD_EDITED) == [
        f"record {number} ({middle.name}): field '{field}' does not match the record's digest"
    ]


def test_an_edited_seal_is_named(store: Store) -> None:
    middle = store.paths[1]
    original = middle.read_text(encoding="utf-8")

    def entry(data: dict[str, Any]) -> None:
        data["field_sha256"]["decision"] = "0" * 64

    rewrite(middle, entry)
    assert texts(store.verdict(), Problem.RECORD_EDITED) == [
        f"record 2 ({middle.name}): field 'field_sha256.decision' does not match the record's "
        "digest"
    ]
    middle.write_text(original, encoding="utf-8")
    rewrite(middle, setter("digest", "e" * 64))
    verdict = store.verdict()
    assert texts(verdict, Problem.RECORD_EDITED) == [
        f"record 2 ({middle.name}): its digest does not match its fields (the digest was "
        "edited, or a field together with its field_sha256 entry)"
    ]
    assert (
        texts(verdict, Problem.CHAIN_BROKEN)
        == [  # record 3 still names the true digest
            f"record 3 ({store.paths[2].name}) names predecessor "
            f"{json.loads(original)['digest'][:12]}, but record 2 ({middle.name}) has digest "
            f"{'e' * 12}; a record was removed, inserted, reordered or replaced"
        ]
    )


@pytest.mark.parametrize("literal", [("kind", "cellguard-signof"), ("schema_version", 3)])
def test_an_edited_literal_is_not_a_record(store: Store, literal: tuple[str, object]) -> None:
    rewrite(store.paths[1], setter(*literal))
    with pytest.raises(SignoffError, match=rf"not a readable sign-off record \({literal[0]}: "):
        store.verdict()


# -- single bytes -----------------------------------------------------------------------------

TOP_KEY = re.compile(rb'^  "([a-z_0-9]+)": ', re.MULTILINE)


def field_at(text: bytes, position: int) -> str | None:
    """The top-level field whose lines hold byte ``position`` (None for the outer braces)."""
    starts = [(m.start(), m.group(1).decode()) for m in TOP_KEY.finditer(text)]
    end = text.rindex(b"}")
    inside = [name for start, name in starts if start <= position < end]
    return inside[-1] if inside else None


def named(issue_text: str, label: str) -> str | None:
    """The field an 'edited' issue about ``label`` names."""
    if not issue_text.startswith(f"{label}: "):
        return None
    if "its digest does not match its fields" in issue_text:
        return "digest"
    match = re.search(r"field '([^']+)' does not match", issue_text)
    assert match, issue_text
    return match.group(1)


def check_byte_edit(
    store: Store, original: bytes, position: int, value: int, others: list[StoredRecord]
) -> str:
    """Edit one byte of record 2 and return how it was caught; fail if it was not."""
    middle = store.paths[1]
    edited = bytearray(original)
    edited[position] = value
    try:
        changed = parse_record(bytes(edited), middle)
    except SignoffError as exc:
        assert str(exc).startswith(f"{middle}: not a readable sign-off record ("), exc
        return "unreadable"
    verdict = store.verdict([others[0], changed, others[1]])
    label = f"record {changed.record.sequence} ({middle.name})"
    edits = [named(t, label) for t in texts(verdict, Problem.RECORD_EDITED)]
    field = field_at(original, position)
    if edits:
        assert field is not None
        for name in edits:
            assert name is not None and (name == field or name.startswith(f"{field}.")), (
                position,
                field,
                name,
            )
        return "edited"
    assert f"{label} is not in the form cellguard writes (reformatted?); " in " ".join(
        verdict.notes
    ), (position, value, verdict)
    return "reformatted"


def test_every_byte_of_a_record_flipped_is_caught(store: Store) -> None:
    """Each byte of a record with its lowest bit flipped: unreadable, or the edited field named."""
    original = store.paths[1].read_bytes()
    others = [read_record(p) for p in (store.paths[0], store.paths[2])]
    outcomes = [check_byte_edit(store, original, i, b ^ 1, others) for i, b in enumerate(original)]
    assert len(outcomes) == len(original) > 2000
    assert {"unreadable", "edited"} <= set(outcomes)  # both kinds happen


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(where=st.floats(min_value=0, max_value=1, exclude_max=True), value=st.integers(0, 255))
def test_any_single_byte_edit_is_caught(store: Store, where: float, value: int) -> None:
    """Any byte value anywhere: unreadable, the edited field named, or (whitespace) noted."""
    original = store.paths[1].read_bytes()
    position = int(where * len(original))
    if original[position] == value:
        return
    others = [read_record(p) for p in (store.paths[0], store.paths[2])]
    check_byte_edit(store, original, position, value, others)


# -- the chain --------------------------------------------------------------------------------


def links(path: Path) -> tuple[str, str]:
    """The predecessor a record names, and its own digest."""
    record = read_record(path).record
    assert isinstance(record, SignoffRecord)
    return record.previous, record.digest


def test_a_removed_record_is_named(store: Store) -> None:
    first, middle, last = store.paths
    removed = links(middle)[1]
    middle.unlink()
    assert texts(store.verdict(), Problem.CHAIN_BROKEN) == [
        f"record 3 ({last.name}) follows record 1 ({first.name}): record 2 is missing "
        "(removed?), or it was inserted",
        f"record 3 ({last.name}) names predecessor {removed[:12]}, but record 1 ({first.name}) "
        f"has digest {links(first)[1][:12]}; a record was removed, inserted, reordered or "
        "replaced",
    ]


def test_a_removed_first_record_is_named(store: Store) -> None:
    store.paths[0].unlink()
    second = store.paths[1]
    assert texts(store.verdict(), Problem.CHAIN_BROKEN) == [
        f"record 1 is missing (removed?): the chain starts at record 2 ({second.name})",
        f"record 2 ({second.name}) names predecessor {links(second)[0][:12]}, but it is the "
        f"first record of the chain (which names {GENESIS[:12]}); records before it were "
        "removed?",
    ]


def test_an_inserted_record_is_named(store: Store) -> None:
    """A correctly sealed record slipped in as number 2 (after record 1), under its own name."""
    first = read_record(store.paths[0]).record
    assert isinstance(first, SignoffRecord)
    forged = draft(BASE_STACK, Decision.APPROVE, "mallory").seal(sequence=2, previous=first.digest)
    path = store.directory / forged.file_name
    assert not path.exists()
    path.write_text(forged.to_json(), encoding="utf-8")
    broken = texts(store.verdict(), Problem.CHAIN_BROKEN)
    assert any("a second record with sequence 2" in t for t in broken), broken
    assert any(path.name in t for t in broken), broken


def test_reordered_records_are_named(store: Store) -> None:
    _, middle, last = store.paths
    swap = middle.with_name("swap")
    middle.rename(swap)
    last.rename(middle)
    swap.rename(last)
    broken = texts(store.verdict(), Problem.CHAIN_BROKEN)
    for path in (middle, last):
        assert any(
            t.startswith("record ")
            and f"({path.name}): the file name does not match the record" in t
            for t in broken
        ), broken


def test_an_extra_forged_file_is_named_and_is_not_the_record_that_counts(store: Store) -> None:
    """A copy of bob's rejection renamed zz-forged.json with sequence 99 and the decision flipped
    (the fuzzer's forgery): it becomes the last record, and every way it is wrong is named."""
    forged = store.directory / "zz-forged.json"
    forged.write_text(store.paths[1].read_text(encoding="utf-8"), encoding="utf-8")
    rewrite(forged, lambda data: data.update(sequence=99, decision="approve"))
    verdict = store.verdict()
    assert verdict.checked is not None and verdict.checked.path == forged and not verdict.ok
    assert texts(verdict, Problem.RECORD_EDITED) == [
        "record 99 (zz-forged.json): field 'sequence' does not match the record's digest",
        "record 99 (zz-forged.json): field 'decision' does not match the record's digest",
    ]
    broken = texts(verdict, Problem.CHAIN_BROKEN)
    assert broken[0] == (
        "record 99 (zz-forged.json): the file name does not match the record (cellguard "
        f"writes it as {store.paths[1].name.rsplit('-', 1)[0]}-99.json); an extra or renamed file?"
    )
    assert broken[1] == (
        f"record 99 (zz-forged.json) follows record 3 ({store.paths[2].name}): records 4-98 "
        "are missing (removed?), or it was inserted"
    )


def test_a_resealed_last_record_is_still_checked_against_the_spec(store: Store) -> None:
    """Rewriting the last record and recomputing its seal is beyond the unkeyed chain, but its
    waivers and findings are recomputed from the spec: a moved expiry is still caught."""
    last = read_record(store.paths[2]).record
    assert isinstance(last, SignoffRecord)
    waiver = last.waivers[0]
    body = last.signed() | {"waivers": [waiver.model_dump(mode="json") | {"expires": "2099-12-31"}]}
    del body["sequence"], body["previous"], body["schema_version"], body["kind"]
    resealed = Draft(body).seal(sequence=3, previous=last.previous)
    store.paths[2].write_text(resealed.to_json(), encoding="utf-8")
    verdict = store.verdict()
    assert texts(verdict, Problem.RECORD_EDITED) == texts(verdict, Problem.CHAIN_BROKEN) == []
    assert texts(verdict, Problem.WAIVERS_CHANGED) == [
        f"the record lists a {waiver.label} expiring on 2099-12-31 that the spec does not "
        "have in force on 2026-11-21",
        f"the spec has a {waiver.label} expiring on 2026-12-31 in force on 2026-11-21 that the "
        "record does not list",
    ]
    late = judge(
        SignoffStore(store.directory.parent.parent).records(),
        subject="demo.yaml",
        current=lambda _: store.current,
        today=dt.date(2027, 1, 1),
    )
    assert texts(late, Problem.WAIVER_EXPIRED) == [f"{waiver.label} expired on 2026-12-31"]


# -- old-format records -----------------------------------------------------------------------

OLD_FIELDS = ("previous", "signed_at", "field_sha256", "digest")


def old_record(store_dir: Path, sequence: int) -> Path:
    """A record as cellguard wrote it before the chain (schema_version 1)."""
    data = json.loads(draft(WAIVED).seal(sequence=sequence, previous=GENESIS).to_json())
    for key in OLD_FIELDS:
        del data[key]
    data["schema_version"] = 1
    path = store_dir / f"2026-11-21-{data['spec_sha256'][:12]}-{sequence}.json"
    store_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, sort_keys=True, indent=2) + "\n", encoding="utf-8")
    return path


def test_an_old_format_record_does_not_verify_and_a_new_signoff_starts_the_chain(
    tmp_path: Path,
) -> None:
    db = SignoffStore(tmp_path)
    old = old_record(db.directory, 1)
    current = now(WAIVED)
    verdict = judge(db.records(), subject="demo.yaml", current=lambda _: current, today=TODAY)
    assert [(i.problem, i.text) for i in verdict.issues] == [
        (
            Problem.OLD_FORMAT,
            f"record 1 ({old.name}) is in the old format (schema_version 1): it has no digest "
            "and is not chained, so it cannot be verified; sign off again: cellguard signoff "
            "demo.yaml --reviewer NAME --decision approve|reject",
        )
    ]
    new = db.append(draft(WAIVED))
    assert isinstance(new.record, SignoffRecord)
    assert (new.record.sequence, new.record.previous) == (2, GENESIS)
    verdict = judge(db.records(), subject="demo.yaml", current=lambda _: current, today=TODAY)
    assert verdict.ok and verdict.checked == new
    assert verdict.notes == (
        "1 old-format record (schema_version 1) in the store is not sealed or chained and "
        "was not checked",
    )
    late = old_record(db.directory, 3)
    verdict = judge(db.records(), subject="demo.yaml", current=lambda _: current, today=TODAY)
    assert texts(verdict, Problem.CHAIN_BROKEN) == [
        f"record 3 ({late.name}): an old-format record (schema_version 1) after the chain "
        "began (at record 2); an inserted file?"
    ]
    assert texts(verdict, Problem.OLD_FORMAT) != []
