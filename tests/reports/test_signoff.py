"""Sign-off records: digests that ignore formatting, a store that never overwrites, verdicts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from cellguard.assessments.graph import build_graph
from cellguard.models.findings import Status
from cellguard.models.loader import Organisation
from cellguard.reports.signoff import (
    Decision,
    Problem,
    RecordedWaiver,
    SignoffRecord,
    SignoffStore,
    StoredRecord,
    findings_digest,
    judge,
    latest_signoff,
    make_record,
    spec_digest,
    subject_of,
)
from cellguard.rules.engine import Assessment, run_rules
from cellguard.rules.packs import load_rules
from tests.helpers import BASE_STACK, load_texts

TODAY = dt.date(2026, 11, 21)
WAIVED = BASE_STACK + (
    "waivers:\n"
    "  - {rule: CG-RED-004, target: llm, reason: accepted, owner: ops, expires: 2026-12-31}\n"
)


def assess(text: str) -> tuple[Assessment, Organisation]:
    org = load_texts(text)
    return run_rules(build_graph(org), load_rules(plugins=False), today=TODAY), org


def record(
    text: str = BASE_STACK, decision: Decision = Decision.APPROVE, sequence: int = 1
) -> SignoffRecord:
    assessment, org = assess(text)
    return make_record(
        assessment,
        org,
        subject="demo.yaml",
        sequence=sequence,
        reviewer="alice",
        decision=decision,
        comment=None,
        version="0.0.0",
    )


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
            rule="CG-RED-004",
            target="llm",
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


def test_the_store_never_overwrites(tmp_path: Path) -> None:
    store = SignoffStore(tmp_path)
    first = record()
    taken = store.directory / first.file_name
    store.directory.mkdir(parents=True)
    taken.write_text("someone else's file", encoding="utf-8")
    written = store.write(first)
    assert written != taken and written.name.endswith("-2.json")
    assert taken.read_text(encoding="utf-8") == "someone else's file"
    taken.unlink()
    assert store.next_sequence() == 3
    second = store.write(record(sequence=store.next_sequence(), decision=Decision.REJECT))
    assert [s.path for s in store.records()] == [written, second]
    latest = store.latest("demo.yaml")
    assert latest is not None and latest.record.decision is Decision.REJECT
    assert store.latest("other.yaml") is None
    assert not list(store.directory.glob(".signoff.*"))  # no temporary files left


def test_judge() -> None:
    made = record(WAIVED)
    stored = StoredRecord(Path("r.json"), made)
    ok = judge(
        stored,
        subject="demo.yaml",
        spec_sha256=made.spec_sha256,
        rules_sha256=made.rules_sha256,
        today=TODAY,
    )
    assert ok.ok and ok.notes == ()
    late = judge(
        stored,
        subject="demo.yaml",
        spec_sha256="0" * 64,
        rules_sha256="1" * 64,
        today=dt.date(2027, 1, 1),
    )
    assert [p for p, _ in late.problems] == [Problem.SPEC_CHANGED, Problem.WAIVER_EXPIRED]
    assert late.notes and "rule pack changed" in late.notes[0]
    rejected = StoredRecord(Path("r.json"), made.model_copy(update={"decision": Decision.REJECT}))
    verdict = judge(
        rejected,
        subject="demo.yaml",
        spec_sha256=made.spec_sha256,
        rules_sha256=made.rules_sha256,
        today=TODAY,
    )
    assert [p for p, _ in verdict.problems] == [Problem.REJECTED]
    none = judge(None, subject="x", spec_sha256="", rules_sha256="", today=TODAY)
    assert [p for p, _ in none.problems] == [Problem.NO_RECORD]


def test_subject_and_latest_signoff(tmp_path: Path) -> None:
    assert subject_of(tmp_path / "a" / "b.yaml", tmp_path) == "a/b.yaml"
    assert subject_of(tmp_path, tmp_path) == "."
    outside = Path("/elsewhere/x.yaml")
    assert subject_of(outside, tmp_path) == "/elsewhere/x.yaml"
    assert latest_signoff(tmp_path / "demo.yaml", tmp_path) is None
    SignoffStore(tmp_path).write(record())
    block = latest_signoff(tmp_path / "demo.yaml", tmp_path)
    assert block is not None and (block.reviewer, block.decision) == ("alice", "approve")


@pytest.mark.parametrize("decision", list(Decision))
def test_record_json_round_trips(decision: Decision) -> None:
    made = record(decision=decision)
    assert SignoffRecord.model_validate_json(made.to_json()) == made
