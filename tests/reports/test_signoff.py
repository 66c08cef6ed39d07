"""Sign-off records: digests that ignore formatting, a store that never overwrites, verdicts."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Status
from cellguard.models.loader import Organisation
from cellguard.reports.signoff import (
    GENESIS,
    Decision,
    Draft,
    RecordedWaiver,
    SignoffRecord,
    StoredRecord,
    findings_digest,
    make_record,
    spec_digest,
)
from cellguard.reports.signoff_chain import Problem, audit
from cellguard.reports.signoff_store import SignoffError, SignoffStore, subject_of
from cellguard.reports.signoff_verify import Current, current_state, judge, latest
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import BASE_STACK, load_texts

TODAY = dt.date(2026, 11, 21)
SIGNED_AT = dt.datetime(2026, 11, 21, 9, 30, tzinfo=dt.UTC)
WAIVED = BASE_STACK + (
    "waivers:\n"
    "  - {rule: CG-CAP-003, target: web, reason: accepted, owner: ops, expires: 2026-12-31}\n"
)


def assess(text: str, today: dt.date = TODAY) -> tuple[Assessment, Organisation]:
    org = load_texts(text)
    return run_rules(build_graph(org), load_rules(plugins=False), today=today), org


def draft(
    text: str = BASE_STACK, decision: Decision = Decision.APPROVE, reviewer: str = "alice"
) -> Draft:
    assessment, org = assess(text)
    return make_record(
        assessment,
        org,
        subject="demo.yaml",
        reviewer=reviewer,
        decision=decision,
        comment=None,
        version="0.0.0",
        signed_at=SIGNED_AT,
    )


def record(
    text: str = BASE_STACK,
    decision: Decision = Decision.APPROVE,
    sequence: int = 1,
    previous: str = GENESIS,
) -> SignoffRecord:
    return draft(text, decision).seal(sequence=sequence, previous=previous)


def now(text: str = BASE_STACK, today: dt.date = TODAY) -> Current:
    """What verify recomputes from ``text`` (as of the record's date)."""
    return current_state(assess(text, today)[0], TODAY)


def test_spec_digest_ignores_formatting_order_and_comments() -> None:
    data = yaml.safe_load(BASE_STACK)
    reordered = "# a comment\n" + yaml.safe_dump(data, sort_keys=True, indent=4)
    flow = yaml.safe_dump(data, default_flow_style=True, width=1000)
    digests = {spec_digest(load_texts(t)) for t in (BASE_STACK, reordered, flow)}
    assert len(digests) == 1
    changed = BASE_STACK.replace("replicas: 3", "replicas: 4")
    assert spec_digest(load_texts(changed)) not in digests


def test_findings_digest_depends_on_statuses_not_order() -> None:
    assessment, _ = assess(BASE_STACK)
    findings = assessment.findings
    assert findings_digest(findings) == findings_digest(list(reversed(findings)))
    assert findings_digest(findings) != findings_digest(findings[1:])


def test_a_record_lists_only_waivers_in_force() -> None:
    made = record(WAIVED)
    assert made.waivers == [
        RecordedWaiver(
            stack="demo",
            rule="CG-CAP-003",
            target="web",
            owner="ops",
            reason="accepted",
            ticket=None,
            expires=dt.date(2026, 12, 31),
        )
    ]
    assessment, _ = assess(WAIVED.replace("2026-12-31", "2026-01-01"))
    assert any(w.use.expired for w in assessment.waivers)
    assert record(WAIVED.replace("2026-12-31", "2026-01-01")).waivers == []
    assert made.scores["overall"] == assess(WAIVED)[0].scores["overall"].score
    assert any(f.status is Status.FAIL for f in assessment.findings)


def test_a_sealed_record_binds_every_field_under_its_digest() -> None:
    made = record(WAIVED)
    assert made.schema_version == 2 and made.previous == GENESIS and made.sequence == 1
    assert made.signed_at == SIGNED_AT and made.edited_fields() == []
    assert set(made.field_sha256) == set(made.signed()) and "digest" not in made.signed()
    assert {"decision", "reviewer", "comment", "date", "signed_at", "waivers"} <= set(made.signed())
    assert record(WAIVED).digest == made.digest  # deterministic
    assert record(WAIVED, previous="1" * 64).digest != made.digest
    assert record(WAIVED, decision=Decision.REJECT).digest != made.digest


def test_current_state_rewaives_as_of_the_records_date() -> None:
    """The findings of an assessment made later, re-judged as of the record's date, are the
    findings of the sign-off: a waiver that expired since is not a change of findings."""
    signed = record(WAIVED)
    later = current_state(assess(WAIVED, dt.date(2027, 6, 1))[0], TODAY)
    assert later.findings_sha256 == signed.findings_sha256
    assert list(later.waivers) == signed.waivers
    expired_now = current_state(assess(WAIVED, dt.date(2027, 6, 1))[0], dt.date(2027, 6, 1))
    assert expired_now.findings_sha256 != signed.findings_sha256 and expired_now.waivers == ()


def test_the_store_appends_a_chain_and_never_overwrites(tmp_path: Path) -> None:
    store = SignoffStore(tmp_path)
    first = store.append(draft())
    assert first.path.name == first.record.file_name and first.record.previous == GENESIS
    assert isinstance(first.record, SignoffRecord)
    second = store.append(draft(decision=Decision.REJECT))
    assert isinstance(second.record, SignoffRecord)
    assert (second.record.sequence, second.record.previous) == (2, first.record.digest)
    assert [s.path for s in store.records()] == [first.path, second.path]
    assert audit(store.records()) == []
    stored = latest(store.records(), "demo.yaml")
    assert stored is not None and stored.record.decision is Decision.REJECT
    assert latest(store.records(), "other.yaml") is None
    assert not list(store.directory.glob(".signoff.*"))  # no temporary files left
    # a file in the way of the next name is not a record: nothing is written over it
    taken = store.directory / record(sequence=3, previous=second.record.digest).file_name
    taken.write_text("someone else's file", encoding="utf-8")
    with pytest.raises(SignoffError, match=f"{taken}: not a readable sign-off record"):
        store.append(draft())
    assert taken.read_text(encoding="utf-8") == "someone else's file"


def test_concurrent_appends_keep_one_chain(tmp_path: Path) -> None:
    store = SignoffStore(tmp_path)
    made = draft()
    errors: list[BaseException] = []

    def sign() -> None:
        try:
            for _ in range(3):
                SignoffStore(tmp_path).append(made)
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=sign) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    records = store.records()
    assert [s.record.sequence for s in records] == list(range(1, 13))
    assert audit(records) == []


def test_judge(tmp_path: Path) -> None:
    made = record(WAIVED)
    stored = StoredRecord(tmp_path / made.file_name, made)
    stored.path.write_text(made.to_json(), encoding="utf-8")
    current = now(WAIVED)
    ok = judge([stored], subject="demo.yaml", current=lambda _: current, today=TODAY)
    assert ok.ok and ok.notes == () and ok.checked == stored
    changed = now(WAIVED.replace("replicas: 3", "replicas: 2"))
    late = judge(
        [stored], subject="demo.yaml", current=lambda _: changed, today=dt.date(2027, 1, 1)
    )
    assert [i.problem for i in late.issues] == [Problem.SPEC_CHANGED, Problem.WAIVER_EXPIRED]
    assert late.issues[0].text == (
        f"spec changed since the approval by alice on 2026-11-21 (recorded "
        f"{stored.record.spec_sha256[:12]}, now {changed.spec_sha256[:12]})"
    )
    none = judge([stored], subject="x", current=lambda _: current, today=TODAY)
    assert [(i.problem, i.text) for i in none.issues] == [
        (Problem.NO_RECORD, "no sign-off recorded for x")
    ]
    assert none.block() is None
    block = ok.block()
    assert block is not None and block.problems == () and block.verified
    assert block.record == stored.path.name


def test_subject_of(tmp_path: Path) -> None:
    assert subject_of(tmp_path / "a" / "b.yaml", tmp_path) == "a/b.yaml"
    assert subject_of(tmp_path, tmp_path) == "."
    outside = Path("/elsewhere/x.yaml")
    assert subject_of(outside, tmp_path) == "/elsewhere/x.yaml"


@pytest.mark.parametrize("decision", list(Decision))
def test_record_json_round_trips(decision: Decision) -> None:
    made = record(decision=decision)
    assert SignoffRecord.model_validate_json(made.to_json()) == made
