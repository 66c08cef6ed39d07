"""Planner actions for data-path hygiene: validated ingestion (CG-COR-014), dead-letter queues
(CG-COR-013), idempotent write tools (CG-COR-015) and restore tests (CG-RED-014)."""

from __future__ import annotations

from pathlib import Path

from cellguard.models.findings import Status
from cellguard.models.loader import load
from tests.helpers import REPO
from tests.planner.conftest import assess, plan_of, write_targets


def _status(findings: list, rule: str, target: str) -> Status:  # type: ignore[type-arg]
    (found,) = [f for f in findings if f.rule == rule and f.target == target]
    return found.status  # type: ignore[no-any-return]


def test_the_rag_plan_validates_ingestion_and_leaves_restore_tests_to_people(
    tmp_path: Path,
) -> None:
    spec = REPO / "examples" / "rag-support-assistant.yaml"
    before = assess(load(spec))
    assert _status(before.findings, "CG-COR-014", "ingest") is Status.FAIL
    assert _status(before.findings, "CG-RED-014", "kb") is Status.FAIL
    planned = plan_of(spec)
    (validated,) = [c for c in planned.plan.changes if c.action == "validate-ingestion-output"]
    assert [(e.path[-1], e.before, e.after) for e in validated.edits] == [
        ("validation", False, True)
    ]
    steps = [m for m in planned.plan.manual_steps if m.action == "test-backup-restore"]
    assert [m.target for m in steps] == ["kb"]
    after = assess(load(write_targets(planned.plan, tmp_path)))
    assert _status(after.findings, "CG-COR-014", "ingest") is Status.PASS
    assert _status(after.findings, "CG-RED-014", "kb") is Status.FAIL  # an operation: not planned


def test_a_queue_without_a_dead_letter_queue_gets_one_in_the_plan(tmp_path: Path) -> None:
    text = (REPO / "examples" / "queue-answered-chatbot.yaml").read_text(encoding="utf-8")
    assert "    dead_letter: true\n" in text
    spec = tmp_path / "chatbot.yaml"
    spec.write_text(text.replace("    dead_letter: true\n", "    dead_letter: false\n", 1))
    assert _status(assess(load(spec)).findings, "CG-COR-013", "questions") is Status.FAIL
    planned = plan_of(spec)
    (added,) = [c for c in planned.plan.changes if c.action == "add-dead-letter-queue"]
    assert [(e.path[-1], e.after) for e in added.edits] == [("dead_letter", True)]  # 5 declared
    targets = tmp_path / "targets"
    targets.mkdir()
    after = assess(load(write_targets(planned.plan, targets)))
    assert _status(after.findings, "CG-COR-013", "questions") is Status.PASS


def test_a_cache_outliving_the_nightly_index_gets_the_refresh_interval_as_ttl(
    tmp_path: Path,
) -> None:
    text = (REPO / "examples" / "rag-support-assistant.yaml").read_text(encoding="utf-8")
    edge = "      - {to: kb, timeout_ms: 800}\n"
    cache = (
        "  - id: answers\n    kind: cache\n    semantic: true\n    ttl_seconds: 604800\n"
        "    placement: {regions: [us-east-1], account: prod-support}\n\n"
    )
    assert edge in text and "  - id: retriever\n" in text
    text = text.replace(edge, edge + "      - {to: answers, timeout_ms: 50, optional: true}\n", 1)
    spec = tmp_path / "rag.yaml"
    spec.write_text(text.replace("  - id: retriever\n", cache + "  - id: retriever\n", 1))
    assert _status(assess(load(spec)).findings, "CG-COR-016", "chat") is Status.FAIL
    planned = plan_of(spec)
    (bounded,) = [c for c in planned.plan.changes if c.action == "bound-cache-ttl"]
    assert [(e.path[-1], e.before, e.after) for e in bounded.edits] == [
        ("ttl_seconds", 604800, 86400)  # cron(0 2 * * ? *): nightly
    ]
    targets = tmp_path / "targets"
    targets.mkdir()
    after = assess(load(write_targets(planned.plan, targets)))
    assert _status(after.findings, "CG-COR-016", "chat") is Status.PASS
